"""Progress of long jobs on stderr: items done / total, rate and time left, redrawn in place.

Shown only when stderr is a terminal (a log file or a pipe gets nothing) and never with --quiet;
callers just call `advance()` and need not care whether anyone is watching.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

REDRAW_SECONDS = 0.2  # a terminal redrawn more often than this only flickers


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def progress_line(done: int, total: int | None, seconds: float, unit: str = "documents",
                  pairs: int = 0, label: str = "") -> str:
    """'120/1,000 documents (12%), 35.2/s, 4,210 pairs, 25s left': what the terminal shows;
    `label` names the phase of a job that has more than one."""
    counted = unit[:-1] if done == 1 and unit.endswith("s") else unit  # "1 document", not "1 documents"
    parts = [f"{done:,}/{total:,} {unit} ({100 * done // total}%)" if total else f"{done:,} {counted}"]
    if label:
        parts[0] = f"{label}: {parts[0]}"
    if seconds > 0 and done:
        parts.append(f"{done / seconds:.1f}/s")
    if pairs:
        parts.append(f"{pairs:,} pairs")
    if total and done and seconds > 0 and done < total:
        parts.append(f"{_duration(seconds / done * (total - done))} left")
    return ", ".join(parts)


class Progress:
    """Counts items as a job finishes them and keeps one status line up to date on a terminal."""

    def __init__(self, total: int | None, unit: str = "documents", quiet: bool = False,
                 stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and _is_terminal(self.stream)
        self.unit, self.clock = unit, clock
        self._drawn_at: float | None = None
        self._width = 0
        self.restart(total)

    def restart(self, total: int | None, label: str = "") -> None:
        """Count a new phase of the job from zero, with its own total, rate and time left (a first
        pass's speed says nothing of the second's); the line shows where the last phase ended,
        then changes at once."""
        drawn = self.enabled and self._drawn_at is not None
        if drawn:
            self._draw(self.clock())
        self.total, self.label = total, label
        self.done = self.pairs = 0
        self.started = self.clock()
        if drawn:
            self._draw(self.started)

    def advance(self, items: int = 1, pairs: int = 0) -> None:
        self.done += items
        self.pairs += pairs
        now = self.clock()
        if self.enabled and (self._drawn_at is None or now - self._drawn_at >= REDRAW_SECONDS
                             or self.done == self.total):
            self._draw(now)

    def close(self) -> None:
        """End the status line, so what is printed next starts on a line of its own."""
        if self.enabled and self._drawn_at is not None:
            self._draw(self.clock())
            self.stream.write("\n")
            self.stream.flush()
            self._drawn_at = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _draw(self, now: float) -> None:
        line = progress_line(self.done, self.total, now - self.started, self.unit, self.pairs, self.label)
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)
        self._drawn_at = now


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
