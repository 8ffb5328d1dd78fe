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
    lexical: "LexicalRates | None" = None  # with a lexicon: how often words find their translation
    lexical_weight: float = 1.0
    block_merge_cost: float = 0.0
    block_match_bonus: float = 0.0
    block_mismatch_cost: float = 0.0
    role_mismatch_cost: float = 0.0


@dataclass(frozen=True)
class LexicalRates:
    """Share of a side's known words whose translation is found on the other side (0..1): in
    true translation pairs (`*_true`) and in unrelated pairs (`*_random`)."""

    src_true: float
    src_random: float
    trg_true: float
    trg_random: float

    def word_costs(self, src_sentences: int, trg_sentences: int) -> tuple[float, float, float, float]:
        """Cost of (src hit, src miss, trg hit, trg miss): negative log-likelihood ratios, per word.

        A word meets a chance translation more often when the other side holds more sentences:
        against k unrelated sentences the chance rate is 1 - (1 - rate)^k, and in a true bead the
        k - 1 sentences besides the word's own translation add chance hits too; so a merge does
        not win by offering more words to hit."""
        def llr(true: float, random: float, others: int) -> tuple[float, float]:
            # In a true bead one sentence on the other side is the word's translation; any more are chance.
            true = 1 - (1 - true) * (1 - random) ** (others - 1)
            random = min(1 - (1 - random) ** others, 0.9)
            true = min(max(true, random * 1.5), 0.99)
            return -math.log(true / random), -math.log((1 - true) / (1 - random))
        return (*llr(self.src_true, self.src_random, trg_sentences),
                *llr(self.trg_true, self.trg_random, src_sentences))


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


class FeatureTable:
    """Counts shared by source and target sentences, computed lazily for the cells the search
    visits and kept, so a second pass with other weights reuses them.

    Hits are counted word by word: a source word is hit when its translation is among the
    words of the target side. So that a bead merging two sentences counts each word once,
    hits are also counted against the merged pair of sentences on the other side; with them,
    every bead shape's hits add up exactly from three tables.
    """

    FEATURES = 5  # src hits, trg hits, numbers, names, terms

    def __init__(self, src: Sequence[Evidence], trg: Sequence[Evidence]):
        self.src, self.trg = src, trg
        self.src_pairs = [merge(src[k:k + 2]) for k in range(len(src) - 1)]
        self.trg_pairs = [merge(trg[k:k + 2]) for k in range(len(trg) - 1)]
        self.src_words = [len(e.words) for e in src]
        self.trg_words = np.array([len(e.words) for e in trg], dtype=np.float32)
        self.trg_length = np.array([e.length for e in trg], dtype=float)
        self.trg_anchors = np.array([len(e.numbers) + len(e.terms) for e in trg], dtype=float)
        self.trg_starts = np.array([e.starts_block for e in trg], dtype=bool)
        self.trg_roles = np.array([e.role for e in trg], dtype=object)
        self._rows: dict[tuple[str, int], tuple[int, np.ndarray]] = {}

    def _row(self, kind: str, i: int, j_lo: int, j_hi: int) -> np.ndarray:
        cached = self._rows.get((kind, i))
        if cached is not None and cached[0] <= j_lo and cached[0] + cached[-1].shape[-1] >= j_hi:
            start, values = cached
            return values[..., j_lo - start:j_hi - start]
        lo, hi = (min(j_lo, cached[0]), max(j_hi, cached[0] + cached[1].shape[-1])) if cached else (j_lo, j_hi)
        values = getattr(self, f"_compute_{kind}")(i, lo, hi)
        self._rows[(kind, i)] = (lo, values)
        return values[..., j_lo - lo:j_hi - lo]

    def _compute_single(self, i: int, lo: int, hi: int) -> np.ndarray:
        s = self.src[i]
        counts = np.zeros((self.FEATURES, hi - lo), dtype=np.float32)
        words, reach, numbers, names, terms = s.words, s.reach, s.numbers, s.names, s.terms
        for k, t in enumerate(self.trg[lo:hi]):
            if words and t.reach:
                counts[0, k] = len(words & t.reach)
            if t.words and reach:
                counts[1, k] = len(t.words & reach)
            if numbers and t.numbers:
                counts[2, k] = number_matches(s, t)
            if names and t.names:
                counts[3, k] = len(names & t.names)
            if terms and t.terms:
                counts[4, k] = len(terms & t.terms)
        return counts

    def _compute_src_vs_pair(self, i: int, lo: int, hi: int) -> np.ndarray:
        """Words of source sentence i hit by target sentences j and j+1 together."""
        words = self.src[i].words
        return np.array([len(words & t.reach) if words else 0 for t in self.trg_pairs[lo:hi]], dtype=np.float32)

    def _compute_pair_vs_trg(self, i: int, lo: int, hi: int) -> np.ndarray:
        """Words of target sentence j hit by source sentences i and i+1 together."""
        reach = self.src_pairs[i].reach
        return np.array([len(t.words & reach) if reach else 0 for t in self.trg[lo:hi]], dtype=np.float32)

    def bead_counts(self, a: int, b: int, i: int, first: int, width: int) -> np.ndarray:
        """Counts for beads of source i..i+a-1 and target j..j+b-1, for j in first..first+width-1."""
        singles = [self._row("single", i + k, first, first + width + b - 1) for k in range(a)]
        if a == 1 and b == 1:
            return singles[0]
        total = sum(row[:, l:l + width] for row in singles for l in range(b))
        if b == 2:  # each source word against both target sentences at once
            total[0] = sum(self._row("src_vs_pair", i + k, first, first + width) for k in range(a))
        if a == 2:  # each target word against both source sentences at once
            pair = self._row("pair_vs_trg", i, first, first + width + b - 1)
            total[1] = sum(pair[l:l + width] for l in range(b))
        return total


class BandCost:
    """Costs of beads ending at (i, j) for a run of j: the aligner's view of a CostModel."""

    def __init__(self, table: FeatureTable, model: CostModel):
        self.table, self.model = table, model
        self.word_costs = {(a, b): tuple(model.lexical_weight * c for c in model.lexical.word_costs(a, b))
                           for a in (1, 2) for b in (1, 2)} if model.lexical else {}

    def forget_before(self, i: int) -> None:
        """Nothing to drop: the table is kept for a second pass."""

    def costs(self, a: int, b: int, i: int, j_lo: int, j_hi: int) -> np.ndarray:
        """Costs of beads taking source i-a..i-1 and target j-b..j-1, for j in j_lo..j_hi-1."""
        m, t, width = self.model, self.table, j_hi - j_lo
        if a == 0 or b == 0:
            return np.full(width, m.skip_cost * (a + b))
        first = j_lo - b  # the first target sentence of the bead ending at j_lo
        counts = t.bead_counts(a, b, i - a, first, width)
        src = t.src[i - a:i]

        def trg_sum(values: np.ndarray) -> np.ndarray:
            return values[first:first + width] if b == 1 else sum(values[first + l:first + l + width] for l in range(b))

        src_length = sum(e.length for e in src) + a - 1
        trg_length = trg_sum(t.trg_length) + (b - 1)
        delta = np.abs(trg_length - src_length * m.length_ratio) / math.sqrt(m.length_variance * max(src_length, 1))
        cost = -np.log(np.maximum(_erfc(delta / SQRT2), MIN_PROBABILITY))
        if a + b == 3:
            cost += m.merge_cost
        elif a + b > 3:
            cost += m.merge22_cost
        shared = counts[2] + counts[4]
        src_anchors = sum(len(e.numbers) + len(e.terms) for e in src)
        missed = np.maximum(src_anchors + trg_sum(t.trg_anchors) - 2 * shared, 0)
        matched = shared + NAME_WEIGHT * np.minimum(counts[3], MAX_NAME_MATCHES)
        cost += m.anchor_miss_cost * missed - m.anchor_match_bonus * matched
        if m.lexical is not None:
            src_hit, src_miss, trg_hit, trg_miss = self.word_costs[(a, b)]
            src_words = sum(t.src_words[i - a:i])
            cost += (src_hit * counts[0] + src_miss * (src_words - counts[0])
                     + trg_hit * counts[1] + trg_miss * (trg_sum(t.trg_words) - counts[1]))
        if m.block_merge_cost or m.block_match_bonus or m.block_mismatch_cost or m.role_mismatch_cost:
            cost += self._structure(src, b, first, width)
        return cost

    def _structure(self, src: Sequence[Evidence], b: int, first: int, width: int) -> np.ndarray:
        m, t = self.model, self.table
        starts = t.trg_starts[first:first + width]
        inner = sum(e.starts_block for e in src[1:]) + sum(
            t.trg_starts[first + l:first + l + width].astype(float) for l in range(1, b))
        cost = m.block_merge_cost * inner
        if src[0].starts_block:
            cost = cost + np.where(starts, -m.block_match_bonus, m.block_mismatch_cost)
        else:
            cost = cost + np.where(starts, m.block_mismatch_cost, 0.0)
        if src[0].role:
            roles = t.trg_roles[first:first + width]
            cost = cost + np.where((roles != "") & (roles != src[0].role), m.role_mismatch_cost, 0.0)
        return cost


# --- calibration from a first alignment ------------------------------------------------------

RATE_FLOOR = 0.005
NEIGHBOUR_OFFSETS = (-1, 1)  # unrelated pairs: a 1-1 bead's source against its neighbours' targets


def estimate_rates(src: Sequence[Evidence], trg: Sequence[Evidence], beads, prior: LexicalRates,
                   prior_words: float = 50.0) -> LexicalRates:
    """Lexical rates of this document pair, from the 1-1 beads of a first alignment (true pairs)
    and their sources set against nearby targets (unrelated pairs); `prior_words` of pseudo-counts
    at the prior rates keep a short document's estimates steady."""
    counts = {"src_true": [0, 0], "src_random": [0, 0], "trg_true": [0, 0], "trg_random": [0, 0]}

    def add(i: int, j: int, kind: str) -> None:
        f = pair_features(src[i], trg[j])
        counts[f"src_{kind}"][0] += f.src_hits
        counts[f"src_{kind}"][1] += len(src[i].words)
        counts[f"trg_{kind}"][0] += f.trg_hits
        counts[f"trg_{kind}"][1] += len(trg[j].words)

    for bead in beads:
        if len(bead.src) == 1 and len(bead.trg) == 1:
            i, j = bead.src[0], bead.trg[0]
            add(i, j, "true")
            for offset in NEIGHBOUR_OFFSETS:
                if 0 <= j + offset < len(trg):
                    add(i, j + offset, "random")

    def rate(name: str) -> float:
        hits, words = counts[name]
        return (hits + prior_words * getattr(prior, name)) / (words + prior_words)

    src_random = min(max(rate("src_random"), RATE_FLOOR), 0.5)
    trg_random = min(max(rate("trg_random"), RATE_FLOOR), 0.5)
    return LexicalRates(min(max(rate("src_true"), src_random * 1.5), 0.95), src_random,
                        min(max(rate("trg_true"), trg_random * 1.5), 0.95), trg_random)
