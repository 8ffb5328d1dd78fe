"""The vecalign bead notation: one bead a line, `[0]:[0]`, `[1, 2]:[1]`, `[3]:[]`."""

from __future__ import annotations

import re

from align.model import Bead, FormatError

_BEAD = re.compile(r"\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]\s*")


def _indices(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def parse_beads(text: str, source: str) -> tuple[Bead, ...]:
    """Beads from bead-file text; blank lines are ignored. Raises FormatError naming the line."""
    beads = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _BEAD.fullmatch(line)
        if not match:
            raise FormatError(f"line {number}: not a bead like '[0, 1]:[2]': {line.strip()[:60]!r}", source)
        beads.append(Bead(_indices(match.group(1)), _indices(match.group(2))))
    return tuple(beads)


def format_beads(beads) -> str:
    """Bead-file text, one bead a line, final newline included (empty for no beads)."""
    return "".join(f"{bead}\n" for bead in beads)
