"""How good a bead looks: its cost for the aligner and its 0..1 score for the user.

Measure first, decide after: `score_bead` only measures; `accept` applies a threshold, so a
threshold can change without scoring again.

The cost of a bead is a sum of negative log-odds (lower is better): a Gale-Church length
term, a prior for its shape, and evidence counted over word-level features (dictionary
translations found on the other side, shared numbers, names and glossary terms) and page
structure. Features are counted once per sentence pair inside the search band; a bead that
merges sentences adds the counts of its sentence pairs, so every shape costs the same to
price.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from align.model import Evidence, ScoreParts

NAME_WEIGHT = 0.5  # a shared name counts half a number: names are noisier (capitalised common words)
MAX_NAME_MATCHES = 4
MIN_PROBABILITY = 1e-12
SQRT2 = math.sqrt(2.0)


@dataclass(frozen=True)
class CostModel:
    """The knobs of a bead's cost for one document pair."""

    length_ratio: float  # expected target characters per source character
    length_variance: float
    skip_cost: float
    merge_cost: float
    merge22_cost: float
    anchor_match_bonus: float
    anchor_miss_cost: float
    lexical_hit_bonus: float = 0.0  # per word translated on the other side (with a lexicon)
    lexical_miss_cost: float = 0.0  # per word not translated on the other side
    block_merge_cost: float = 0.0
    block_match_bonus: float = 0.0
    block_mismatch_cost: float = 0.0
    role_mismatch_cost: float = 0.0


# --- one pair of sentences -------------------------------------------------------------------

def number_matches(src: Evidence, trg: Evidence) -> int:
    if not src.numbers or not trg.numbers:
        return 0
    return sum((Counter(src.numbers) & Counter(trg.numbers)).values())


@dataclass(frozen=True)
class PairFeatures:
    """Counts shared by a source and a target sentence (or merged sentences)."""

    src_hits: int  # source words with a translation in the target
    trg_hits: int  # target words with a translation in the source
    numbers: int
    names: int
    terms: int


def pair_features(src: Evidence, trg: Evidence) -> PairFeatures:
    return PairFeatures(len(src.words & trg.reach), len(trg.words & src.reach), number_matches(src, trg),
                        len(src.names & trg.names), len(src.terms & trg.terms))


def merge(evidences: Sequence[Evidence]) -> Evidence:
    """The evidence of several consecutive sentences read as one."""
    if len(evidences) == 1:
        return evidences[0]
    return Evidence(
        length=sum(e.length for e in evidences) + len(evidences) - 1,
        numbers=tuple(sorted(n for e in evidences for n in e.numbers)),
        names=frozenset().union(*(e.names for e in evidences)),
        terms=frozenset().union(*(e.terms for e in evidences)),
        words=frozenset().union(*(e.words for e in evidences)),
        reach=frozenset().union(*(e.reach for e in evidences)),
        starts_block=evidences[0].starts_block,
        role=evidences[0].role,
    )


def length_probability(src_length: int, trg_length: int, model: CostModel) -> float:
    """Two-sided tail probability of a length difference at least this large (0..1, higher is better)."""
    delta = (trg_length - src_length * model.length_ratio) / math.sqrt(model.length_variance * max(src_length, 1))
    return math.erfc(abs(delta) / SQRT2)


def score_bead(src: Sequence[Evidence], trg: Sequence[Evidence], model: CostModel,
               lexical: bool) -> tuple[float, ScoreParts]:
    """A pair's score (0..1, higher is better) and its parts; the score is the mean of the parts measured.

    length: tail probability of the length difference; anchors: shared numbers, names and terms
    against those found on one side only; lexical (with a lexicon): share of words translated.
    """
    s, t = merge(src), merge(trg)
    f = pair_features(s, t)
    matched = f.numbers + f.terms + NAME_WEIGHT * min(f.names, MAX_NAME_MATCHES)
    missed = len(s.numbers) + len(t.numbers) - 2 * f.numbers + len(s.terms) + len(t.terms) - 2 * f.terms
    words = len(s.words) + len(t.words)
    parts = ScoreParts(
        length=length_probability(s.length, t.length, model),
        anchors=(matched + 0.5) / (matched + missed + 1),
        lexical=(f.src_hits + f.trg_hits) / words if lexical and words else None,
    )
    measured = [p for p in (parts.length, parts.anchors, parts.lexical) if p is not None]
    return sum(measured) / len(measured), parts


def accept(score: float, min_score: float) -> bool:
    """The verdict on a scored pair."""
    return score >= min_score


# --- every bead in the band, as arrays -------------------------------------------------------

def _erfc(x: np.ndarray) -> np.ndarray:
    """erfc for x >= 0, to 1.2e-7 (Numerical Recipes' Chebyshev fit): numpy has none of its own."""
    t = 1.0 / (1.0 + 0.5 * x)
    poly = -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    return t * np.exp(poly)


class BandCost:
    """Costs of beads ending at (i, j) for a run of j, from features counted once per sentence pair."""

    FEATURES = 5  # src hits, trg hits, numbers, names, terms

    def __init__(self, src: Sequence[Evidence], trg: Sequence[Evidence], model: CostModel):
        self.src, self.trg, self.model = src, trg, model
        self.src_length = np.array([e.length for e in src], dtype=float)
        self.trg_length = np.array([e.length for e in trg], dtype=float)
        self.trg_prefix = np.concatenate(([0.0], np.cumsum(self.trg_length + 1)))
        self.trg_words = np.array([len(e.words) for e in trg], dtype=float)
        self.trg_numbers = np.array([len(e.numbers) for e in trg], dtype=float)
        self.trg_terms = np.array([len(e.terms) for e in trg], dtype=float)
        self.trg_starts = np.array([e.starts_block for e in trg], dtype=bool)
        self.trg_roles = [e.role for e in trg]
        self._rows: dict[int, tuple[int, np.ndarray]] = {}  # source sentence -> (first target, counts)

    def _features(self, i: int, j_lo: int, j_hi: int) -> np.ndarray:
        """Counts for source sentence i against target sentences j_lo..j_hi-1: shape (FEATURES, width)."""
        cached = self._rows.get(i)
        if cached is not None and cached[0] <= j_lo and cached[0] + cached[1].shape[1] >= j_hi:
            start, counts = cached
            return counts[:, j_lo - start:j_hi - start]
        lo, hi = (min(j_lo, cached[0]), max(j_hi, cached[0] + cached[1].shape[1])) if cached else (j_lo, j_hi)
        s = self.src[i]
        counts = np.zeros((self.FEATURES, hi - lo))
        for k, t in enumerate(self.trg[lo:hi]):
            if s.words and t.reach:
                counts[0, k] = len(s.words & t.reach)
            if t.words and s.reach:
                counts[1, k] = len(t.words & s.reach)
            if s.numbers and t.numbers:
                counts[2, k] = number_matches(s, t)
            if s.names and t.names:
                counts[3, k] = len(s.names & t.names)
            if s.terms and t.terms:
                counts[4, k] = len(s.terms & t.terms)
        self._rows[i] = (lo, counts)
        return counts[:, j_lo - lo:j_hi - lo]

    def forget_before(self, i: int) -> None:
        """Drop cached rows the search has moved past (keeps memory flat on long documents)."""
        for key in [k for k in self._rows if k < i]:
            del self._rows[key]

    def costs(self, a: int, b: int, i: int, j_lo: int, j_hi: int) -> np.ndarray:
        """Costs of beads taking source i-a..i-1 and target j-b..j-1, for j in j_lo..j_hi-1."""
        m, width = self.model, j_hi - j_lo
        if a == 0 or b == 0:
            return np.full(width, m.skip_cost * (a + b))
        first_trg = j_lo - b  # target sentences j-b..j-1 for each j
        counts = sum(self._features(i - a + k, first_trg + l, first_trg + l + width)
                     for k in range(a) for l in range(b))
        src = self.src[i - a:i]
        src_length = sum(e.length for e in src) + a - 1
        trg_length = self.trg_prefix[j_lo:j_hi] - self.trg_prefix[first_trg:first_trg + width] - 1
        delta = np.abs(trg_length - src_length * m.length_ratio) / math.sqrt(m.length_variance * max(src_length, 1))
        cost = -np.log(np.maximum(_erfc(delta / SQRT2), MIN_PROBABILITY))
        if a + b == 3:
            cost += m.merge_cost
        elif a + b > 3:
            cost += m.merge22_cost

        def trg_sum(values: np.ndarray) -> np.ndarray:
            return sum(values[first_trg + l:first_trg + l + width] for l in range(b))

        src_numbers = sum(len(e.numbers) for e in src)
        src_terms = sum(len(e.terms) for e in src)
        matched = counts[2] + counts[4] + NAME_WEIGHT * np.minimum(counts[3], MAX_NAME_MATCHES)
        missed = (src_numbers + trg_sum(self.trg_numbers) - 2 * counts[2]) + (src_terms + trg_sum(self.trg_terms)
                                                                            - 2 * counts[4])
        cost += m.anchor_miss_cost * np.maximum(missed, 0) - m.anchor_match_bonus * matched
        if m.lexical_hit_bonus or m.lexical_miss_cost:
            src_words = sum(len(e.words) for e in src)
            trg_words = trg_sum(self.trg_words)
            src_hits = np.minimum(counts[0], src_words)
            trg_hits = np.minimum(counts[1], trg_words)
            hits = src_hits + trg_hits
            cost += m.lexical_miss_cost * (src_words + trg_words - hits) - m.lexical_hit_bonus * hits
        return cost + self._structure(src, a, b, first_trg, width)

    def _structure(self, src: Sequence[Evidence], a: int, b: int, first_trg: int, width: int) -> np.ndarray | float:
        m = self.model
        if not (m.block_merge_cost or m.block_match_bonus or m.block_mismatch_cost or m.role_mismatch_cost):
            return 0.0
        starts = self.trg_starts[first_trg:first_trg + width]
        inner = sum(e.starts_block for e in src[1:]) + sum(
            self.trg_starts[first_trg + l:first_trg + l + width].astype(float) for l in range(1, b))
        cost = m.block_merge_cost * inner
        if src[0].starts_block:
            cost = cost + np.where(starts, -m.block_match_bonus, m.block_mismatch_cost)
        else:
            cost = cost + np.where(starts, m.block_mismatch_cost, 0.0)
        if src[0].role:
            roles = self.trg_roles[first_trg:first_trg + width]
            cost = cost + np.array([m.role_mismatch_cost if r and r != src[0].role else 0.0 for r in roles])
        return cost
