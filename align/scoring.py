"""Scores: how good a bead looks (its cost for the aligner, its 0..1 score for the user),
the accept/reject verdict, and alignment quality against gold beads.

Measure first, decide after: `score_bead` only measures; `accept` applies a threshold, so a
threshold can change without scoring again.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from align.model import Bead, Evidence, ScoreParts

NAME_WEIGHT = 0.5  # a shared name counts half a number: names are noisier (capitalised common words)
MAX_NAME_MATCHES = 4
MIN_PROBABILITY = 1e-12


@dataclass(frozen=True)
class CostModel:
    """The knobs of a bead's cost (negative log-probability, lower is better) for one document pair."""

    length_ratio: float  # expected target characters per source character
    length_variance: float
    skip_cost: float
    merge_cost: float
    merge22_cost: float
    anchor_match_bonus: float
    anchor_miss_cost: float
    lexical_weight: float = 0.0
    block_merge_cost: float = 0.0
    block_match_bonus: float = 0.0
    block_mismatch_cost: float = 0.0
    role_mismatch_cost: float = 0.0
    covered: Callable[[frozenset[str], frozenset[str]], tuple[int, int]] | None = None


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
        starts_block=evidences[0].starts_block,
        role=evidences[0].role,
    )


def length_delta(src_length: int, trg_length: int, model: CostModel) -> float:
    """Gale-Church's standardised length difference: 0 when the lengths agree perfectly."""
    expected = src_length * model.length_ratio
    return (trg_length - expected) / math.sqrt(model.length_variance * max(src_length, 1))


def length_probability(src_length: int, trg_length: int, model: CostModel) -> float:
    """Two-sided tail probability of a length difference at least this large (0..1, higher is better)."""
    return math.erfc(abs(length_delta(src_length, trg_length, model)) / math.sqrt(2))


@dataclass(frozen=True)
class AnchorCounts:
    matched: float  # weighted count of anchors found on both sides
    missed: int  # anchors (numbers, terms) found on one side only


def anchor_counts(src: Evidence, trg: Evidence) -> AnchorCounts:
    numbers_src, numbers_trg = Counter(src.numbers), Counter(trg.numbers)
    shared_numbers = sum((numbers_src & numbers_trg).values())
    missed_numbers = len(src.numbers) + len(trg.numbers) - 2 * shared_numbers
    shared_terms = len(src.terms & trg.terms)
    missed_terms = len(src.terms ^ trg.terms)
    names = min(len(src.names & trg.names), MAX_NAME_MATCHES)
    return AnchorCounts(shared_numbers + shared_terms + NAME_WEIGHT * names, missed_numbers + missed_terms)


def lexical_coverage(src: Evidence, trg: Evidence, model: CostModel) -> float | None:
    """Share of dictionary words translated on the other side (0..1), None without a dictionary."""
    if model.covered is None:
        return None
    src_hits, trg_hits = model.covered(src.words, trg.words)
    shares = [hits / total for hits, total in ((src_hits, len(src.words)), (trg_hits, len(trg.words))) if total]
    return sum(shares) / len(shares) if shares else None


def bead_cost(src: Sequence[Evidence], trg: Sequence[Evidence], model: CostModel) -> float:
    """Cost of one bead (lower is better); an empty side makes it a 1-0 or 0-1 bead."""
    if not src or not trg:
        return model.skip_cost * (len(src) + len(trg))
    s, t = merge(src), merge(trg)
    cost = -math.log(max(length_probability(s.length, t.length, model), MIN_PROBABILITY))
    if len(src) + len(trg) == 3:
        cost += model.merge_cost
    elif len(src) + len(trg) > 3:
        cost += model.merge22_cost
    anchors = anchor_counts(s, t)
    cost += model.anchor_miss_cost * anchors.missed - model.anchor_match_bonus * anchors.matched
    cost += structure_cost(src, trg, model)
    if model.lexical_weight:
        coverage = lexical_coverage(s, t, model)
        if coverage is not None:
            cost += model.lexical_weight * (0.25 - coverage)
    return cost


def structure_cost(src: Sequence[Evidence], trg: Sequence[Evidence], model: CostModel) -> float:
    """Page structure: merges across paragraphs, paragraph starts that (do not) meet, roles that differ."""
    inner_starts = sum(e.starts_block for e in src[1:]) + sum(e.starts_block for e in trg[1:])
    cost = model.block_merge_cost * inner_starts
    if src[0].starts_block and trg[0].starts_block:
        cost -= model.block_match_bonus
    elif src[0].starts_block != trg[0].starts_block:
        cost += model.block_mismatch_cost
    if src[0].role and trg[0].role and src[0].role != trg[0].role:
        cost += model.role_mismatch_cost
    return cost


def score_bead(src: Sequence[Evidence], trg: Sequence[Evidence], model: CostModel) -> tuple[float, ScoreParts]:
    """A pair's score (0..1, higher is better) and its parts; the score is the mean of the parts measured."""
    s, t = merge(src), merge(trg)
    counts = anchor_counts(s, t)
    parts = ScoreParts(
        length=length_probability(s.length, t.length, model),
        anchors=(counts.matched + 0.5) / (counts.matched + counts.missed + 1),
        lexical=lexical_coverage(s, t, model),
    )
    measured = [p for p in (parts.length, parts.anchors, parts.lexical) if p is not None]
    return sum(measured) / len(measured), parts


def accept(score: float, min_score: float) -> bool:
    """The verdict on a scored pair."""
    return score >= min_score


# --- quality against gold ----------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    """True and false positives of strict and lax matching (see `compare`)."""

    strict_tp: int = 0
    strict_fp: int = 0
    lax_tp: int = 0
    lax_fp: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.strict_tp + other.strict_tp, self.strict_fp + other.strict_fp,
                      self.lax_tp + other.lax_tp, self.lax_fp + other.lax_fp)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


@dataclass(frozen=True)
class Quality:
    """Precision, recall and F1 (0..1, higher is better), strict and lax, from summed counts."""

    precision_counts: Counts
    recall_counts: Counts

    @staticmethod
    def _f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def strict_precision(self) -> float:
        return _ratio(self.precision_counts.strict_tp, self.precision_counts.strict_tp + self.precision_counts.strict_fp)

    @property
    def strict_recall(self) -> float:
        return _ratio(self.recall_counts.strict_tp, self.recall_counts.strict_tp + self.recall_counts.strict_fp)

    @property
    def strict_f1(self) -> float:
        return self._f1(self.strict_precision, self.strict_recall)

    @property
    def lax_precision(self) -> float:
        return _ratio(self.precision_counts.lax_tp, self.precision_counts.lax_tp + self.precision_counts.lax_fp)

    @property
    def lax_recall(self) -> float:
        return _ratio(self.recall_counts.lax_tp, self.recall_counts.lax_tp + self.recall_counts.lax_fp)

    @property
    def lax_f1(self) -> float:
        return self._f1(self.lax_precision, self.lax_recall)

    def __add__(self, other: "Quality") -> "Quality":
        return Quality(self.precision_counts + other.precision_counts, self.recall_counts + other.recall_counts)


def _judge(reference: Iterable[Bead], candidates: Iterable[Bead]) -> Counts:
    """Count each candidate bead as a strict hit (in `reference`), a lax hit or a miss.

    A lax hit shares a source sentence with a reference bead and one of its target sentences
    with that sentence's reference targets.
    """
    reference = {(b.src, b.trg) for b in reference if b.src or b.trg}
    linked: dict[int, set[int]] = defaultdict(set)
    for src, trg in reference:
        for i in src:
            linked[i].update(trg)
    strict_tp = strict_fp = lax_tp = lax_fp = 0
    for src, trg in {(b.src, b.trg) for b in candidates if b.src or b.trg}:
        if (src, trg) in reference:
            strict_tp += 1
            lax_tp += 1
            continue
        strict_fp += 1
        if set(trg) & {j for i in src for j in linked[i]}:
            lax_tp += 1
        else:
            lax_fp += 1
    return Counts(strict_tp, strict_fp, lax_tp, lax_fp)


def compare(gold: Sequence[Bead], test: Sequence[Bead]) -> Quality:
    """Test beads against gold, as vecalign's scorer defines it: precision over every test bead
    (1-0 / 0-1 included); recall with the roles swapped, beads with an empty side left out."""
    def both_sides(beads):
        return [b for b in beads if b.src and b.trg]
    return Quality(_judge(gold, test), _judge(both_sides(test), both_sides(gold)))
