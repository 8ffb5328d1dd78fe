"""Alignment quality against gold beads: strict and lax precision, recall and F1."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from align.model import Bead

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
