"""The dynamic programme: the cheapest sequence of beads covering both sides in order.

The search stays in a band around the diagonal, so its cost grows linearly with the
document. When the best path runs along the band's edge, the edge may have cut a better
path off: the band is centred on the path found and the search repeated, and if that is not
enough, widened. Bead costs are asked for once per bead shape, for the whole band at once.
"""

from __future__ import annotations

import math
from typing import Protocol, Sequence

import numpy as np

from align.model import Bead

# Bead shapes tried: (source sentences, target sentences). 0-1 is applied last, along the row.
BEAD_SHAPES = ((1, 1), (1, 0), (2, 1), (1, 2), (2, 2), (0, 1))
SKIP_TARGET = BEAD_SHAPES.index((0, 1))


class Costs(Protocol):
    skip: float  # cost of a 1-0 or a 0-1 bead

    def band_costs(self, a: int, b: int, limits: list[tuple[int, int]]) -> np.ndarray:
        """Costs of beads taking source i-a..i-1 and target j-b..j-1: entry [i, k] is the bead
        ending at (i, limits[i][0] + k), infinite where there is none."""


def _band_limits(n_src: int, n_trg: int, width: int,
                 path: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """For each source position 0..n_src, the lowest and highest target position searched:
    `width` either side of the diagonal, or of the target positions `path` takes there."""
    if path is None:
        slope = n_trg / n_src
        return [(max(0, math.floor(i * slope - width)), min(n_trg, math.ceil(i * slope + width)))
                for i in range(n_src + 1)]
    return [(max(0, first - width), min(n_trg, last + width)) for first, last in path]


def _path_rows(beads: Sequence[Bead], n_src: int) -> list[tuple[int, int]]:
    """For each source position, the first and last target position a path takes there: 0-1
    beads move along a row, and a merge's inner row counts the positions it spans. A band built
    on these holds the whole path, so searching it again can only find as good a path or better."""
    rows: list[list[int]] = [[] for _ in range(n_src + 1)]
    i = j = 0
    rows[0].append(0)
    for bead in beads:
        a, b = len(bead.src), len(bead.trg)
        for row in range(i + 1, i + a):
            rows[row] += [j, j + b]
        i, j = i + a, j + b
        rows[i].append(j)
    return [(min(row), max(row)) for row in rows]


def _search(n_src: int, n_trg: int, pricing: Costs, width: int,
            path: list[tuple[int, int]] | None = None) -> tuple[list[Bead], bool]:
    """The best path within the band, and whether it touched the band's edge."""
    limits = _band_limits(n_src, n_trg, width, path)
    priced = {shape: pricing.band_costs(*shape, limits) for shape in BEAD_SHAPES if shape[0] and shape[1]}
    best: list[np.ndarray] = []
    back: list[np.ndarray] = []
    for i in range(n_src + 1):
        lo, hi = limits[i]
        size = hi - lo + 1
        candidate = np.full(size, np.inf)
        shape = np.full(size, -1, dtype=np.int8)
        if i == 0:
            candidate[0] = 0.0  # lo is 0 on the first row
        for code, (a, b) in enumerate(BEAD_SHAPES):
            if a == 0 or i - a < 0:
                continue
            p_lo, p_hi = limits[i - a]
            j_from, j_to = max(lo, p_lo + b, b), min(hi, p_hi + b)
            if j_from > j_to:
                continue
            previous = best[i - a][j_from - b - p_lo:j_to - b - p_lo + 1]
            total = previous + (priced[(a, b)][i, j_from - lo:j_to - lo + 1] if b else pricing.skip)
            view = candidate[j_from - lo:j_to - lo + 1]
            better = total < view
            view[better] = total[better]
            shape[j_from - lo:j_to - lo + 1][better] = code
        # 0-1 beads along the row: best[k] = min(candidate[k], best[k-1] + skip), as a running minimum.
        steps = np.arange(size) * pricing.skip
        running = np.minimum.accumulate(candidate - steps)
        from_left = np.zeros(size, dtype=bool)
        from_left[1:] = running[:-1] < candidate[1:] - steps[1:]
        shape[from_left] = SKIP_TARGET
        best.append(running + steps)
        back.append(shape)
    beads, touched = [], False
    i, j = n_src, n_trg
    while i or j:
        lo, hi = limits[i]
        code = back[i][j - lo]
        if code < 0:
            return [], True
        a, b = BEAD_SHAPES[code]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j))))
        if (j == lo and lo > 0) or (j == hi and hi < n_trg):
            touched = True
        i, j = i - a, j - b
    beads.reverse()
    return beads, touched


RECENTRE_TRIES = 2  # times the band follows the path found before it is widened


def align(n_src: int, n_trg: int, pricing: Costs, band: int,
          guide: Sequence[Bead] | None = None) -> tuple[Bead, ...]:
    """Beads covering source 0..n_src-1 and target 0..n_trg-1 exactly once, in order.

    The band starts on the diagonal, or on the path of `guide` (an earlier alignment of the
    same pair). When the best path touches its edge, the band is first centred on that path
    (on long documents, omissions make the path drift from the diagonal) and, if the path
    still touches it, widened."""
    if n_src == 0 or n_trg == 0:
        return tuple(Bead((i,), ()) for i in range(n_src)) + tuple(Bead((), (j,)) for j in range(n_trg))
    # The band must at least let the path step across a row whatever the length ratio.
    width = max(band, math.ceil(n_trg / n_src) + 2, 2)
    path, tries = (_path_rows(guide, n_src) if guide else None), 0
    while True:
        beads, touched = _search(n_src, n_trg, pricing, width, path)
        if beads and (not touched or width >= max(n_src, n_trg)):
            return tuple(beads)
        if beads and tries < RECENTRE_TRIES:
            path, tries = _path_rows(beads, n_src), tries + 1
        else:
            width *= 2
