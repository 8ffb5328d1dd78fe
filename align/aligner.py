"""The dynamic programme: the cheapest sequence of beads covering both sides in order.

The search stays in a band around the diagonal, so its cost grows linearly with the
document; when the best path runs along the band's edge the band is doubled and the
search repeated, since the edge may have cut a better path off.
"""

from __future__ import annotations

import math
from typing import Callable

from align.model import Bead

# Bead shapes tried: (source sentences, target sentences).
BEAD_SHAPES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2))

CostFunction = Callable[[int, int, int, int], float]  # cost of source [i0:i1] with target [j0:j1]


def _band_limits(n_src: int, n_trg: int, width: int) -> list[tuple[int, int]]:
    """For each source position 0..n_src, the lowest and highest target position searched."""
    slope = n_trg / n_src if n_src else 0.0
    limits = []
    for i in range(n_src + 1):
        centre = i * slope
        limits.append((max(0, math.floor(centre - width)), min(n_trg, math.ceil(centre + width))))
    return limits


def _search(n_src: int, n_trg: int, cost: CostFunction, width: int) -> tuple[list[Bead], bool]:
    """The best path within the band, and whether it touched the band's edge."""
    limits = _band_limits(n_src, n_trg, width)
    best: list[dict[int, float]] = [dict() for _ in range(n_src + 1)]
    back: list[dict[int, tuple[int, int]]] = [dict() for _ in range(n_src + 1)]
    best[0][0] = 0.0
    for i in range(n_src + 1):
        low, high = limits[i]
        row, row_back = best[i], back[i]
        for j in range(low, high + 1):
            if i == 0 and j == 0:
                continue
            chosen, chosen_cost = None, math.inf
            for a, b in BEAD_SHAPES:
                pi, pj = i - a, j - b
                if pi < 0 or pj < 0:
                    continue
                previous = best[pi].get(pj)
                if previous is None:
                    continue
                total = previous + cost(pi, i, pj, j)
                if total < chosen_cost:
                    chosen, chosen_cost = (a, b), total
            if chosen is not None:
                row[j] = chosen_cost
                row_back[j] = chosen
    if n_trg not in best[n_src]:
        return [], True
    beads, touched = [], False
    i, j = n_src, n_trg
    while i or j:
        a, b = back[i][j]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j))))
        low, high = limits[i]
        if (j == low and low > 0) or (j == high and high < n_trg):
            touched = True
        i, j = i - a, j - b
    beads.reverse()
    return beads, touched


def align(n_src: int, n_trg: int, cost: CostFunction, band: int) -> tuple[Bead, ...]:
    """Beads covering source 0..n_src-1 and target 0..n_trg-1 exactly once, in order."""
    if n_src == 0 or n_trg == 0:
        return tuple(Bead((i,), ()) for i in range(n_src)) + tuple(Bead((), (j,)) for j in range(n_trg))
    # The band must at least let the path step across a row whatever the length ratio.
    width = max(band, math.ceil(n_trg / n_src) + 2, 2)
    while True:
        beads, touched = _search(n_src, n_trg, cost, width)
        if beads and (not touched or width >= max(n_src, n_trg)):
            return tuple(beads)
        width *= 2
