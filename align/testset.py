"""Test sets for `align eval`: hypotheses and references from text files or from a TMX memory.

Text files hold one segment per line and are read as sacrebleu's command line reads them
(UTF-8, split on "\\n" only, trailing white space stripped), so the scores are the ones it gives.
A TMX reference is matched to the hypothesis lines either by order (one line per unit) or by
the source text of each line (`--src`); whatever cannot be matched is counted and kept in
the result, never dropped without a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from align.files import STDIN, display_name, read_input
from align.model import InputError
from align.normalize import clean_text, match_key

LISTED = 10  # line numbers listed in a message before "..."


@dataclass(frozen=True)
class Segments:
    """The lines of one file (or of standard input, named '-')."""

    name: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Matching:
    """How a TMX reference met the hypothesis lines (1-based line numbers, units by file position)."""

    method: str  # "order" or "source"
    units: int  # units in the memory
    matched: int  # lines that got a reference
    lines_without_unit: tuple[int, ...] = ()  # --src lines whose text no unit has
    lines_without_reference: tuple[int, ...] = ()  # lines whose unit lacks the target language
    units_unused: int = 0  # units with a reference that no line matched
    lines_sharing_a_unit: int = 0  # --src lines repeating a source more often than the memory has it


@dataclass(frozen=True)
class TestSet:
    """What is scored: for each system its hypotheses, and the references, all of one length;
    `sources` and `documents` are given when known (one per segment), `lines` is each
    segment's line number in the hypothesis files."""

    systems: tuple[Segments, ...]
    references: tuple[tuple[str, ...], ...]  # one stream per reference
    reference_names: tuple[str, ...]
    lines: tuple[int, ...]
    sources: tuple[str, ...] | None = None
    documents: tuple[str, ...] | None = None
    matching: Matching | None = None

    __test__ = False  # not a pytest class, despite the name

    def __len__(self) -> int:
        return len(self.lines)


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("UTF-16 text (it opens with a UTF-16 byte-order mark); save the file as UTF-8", name)
    if b"\x00" in data:
        raise InputError("binary file (NUL bytes), expected UTF-8 text with one segment per line", name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise InputError(f"line {line}: not UTF-8 (byte 0x{data[err.start]:02x}); save the file as UTF-8",
                         name) from None


def read_segments(path: str) -> Segments:
    """One segment per line, as sacrebleu reads them; '-' is standard input. Raises InputError
    for a missing, empty, binary or non-UTF-8 file."""
    data = read_input(path)
    name = display_name(path)
    text = _decode(data, name)
    if not text.strip():
        raise InputError("empty file, expected one segment per line", name)
    lines = text.split("\n")  # not splitlines(): U+2028 and friends are not line breaks to sacrebleu
    if lines[-1] == "":
        lines.pop()
    return Segments(name, tuple(line.rstrip() for line in lines))


def _same_length(first: Segments, other: Segments) -> None:
    if len(other.lines) != len(first.lines):
        raise InputError(f"{len(other.lines)} lines, but {first.name} has {len(first.lines)}; "
                         "every file needs one line per segment", other.name)


def read_systems(paths: tuple[str, ...] | list[str]) -> tuple[Segments, ...]:
    """The hypothesis files, all of one length."""
    if sum(path == STDIN for path in paths) > 1:
        raise InputError("standard input can be read once: give '-' to one --hyp only", STDIN)
    systems = tuple(read_segments(path) for path in paths)
    for other in systems[1:]:
        _same_length(systems[0], other)
    return systems


def from_text(hypotheses: list[str], references: list[str], source: str | None = None) -> TestSet:
    """Hypotheses and references from text files of one segment per line, sources optional."""
    systems = read_systems(hypotheses)
    refs = tuple(read_segments(path) for path in references)
    for ref in refs:
        _same_length(systems[0], ref)
    sources = None
    if source:
        src = read_segments(source)
        _same_length(systems[0], src)
        sources = src.lines
    return TestSet(systems, tuple(r.lines for r in refs), tuple(r.name for r in refs),
                   tuple(range(1, len(systems[0].lines) + 1)), sources)


@dataclass(frozen=True)
class _MemoryUnit:
    source: str | None
    reference: str | None
    document: str


def _memory_units(path: str, src_lang: str, trg_lang: str) -> list[_MemoryUnit]:
    from align.tmxtools import open_memory  # lxml: only for a TMX reference

    units = []
    _, items = open_memory(path, keep_xml=False)
    for item in items:
        src, trg = item.text(src_lang), item.text(trg_lang)
        units.append(_MemoryUnit(clean_text(src) if src is not None else None,
                                 clean_text(trg) if trg is not None else None,
                                 item.prop("x-document") or ""))
    if not units:
        raise InputError("the memory has no translation units", path)
    for lang, present in ((trg_lang, any(u.reference is not None for u in units)),
                          (src_lang, any(u.source is not None for u in units))):
        if not present:
            raise InputError(f"no unit has text in '{lang}' (check --src-lang / --trg-lang)", path)
    return units


def _by_source(units: list[_MemoryUnit], sources: tuple[str, ...]) -> tuple[list[int | None], int]:
    """For each source line, the index of its unit (None when no unit has that source). The
    k-th line with a given source takes the k-th unit with it, units with a reference first;
    further repeats reuse the last one (counted: a test set may repeat a sentence a memory
    holds once)."""
    candidates: dict[str, list[int]] = {}
    for index in sorted(range(len(units)), key=lambda i: units[i].reference is None):
        if units[index].source is not None:
            candidates.setdefault(match_key(units[index].source), []).append(index)
    seen: dict[str, int] = {}
    chosen: list[int | None] = []
    shared = 0
    for line in sources:
        key = match_key(line)
        options = candidates.get(key)
        if not options:
            chosen.append(None)
            continue
        k = seen.get(key, 0)
        seen[key] = k + 1
        shared += k >= len(options)
        chosen.append(options[min(k, len(options) - 1)])
    return chosen, shared


def from_tmx(hypotheses: list[str], memory: str, src_lang: str, trg_lang: str,
             source: str | None = None) -> TestSet:
    """Hypotheses scored against the `trg_lang` side of a TMX: line i against unit i (by
    order), or, with `source`, each line against the unit whose `src_lang` text is that
    line's source (compared after normalisation: NFC, spaces, tone marks, quotes, case)."""
    systems = read_systems(hypotheses)
    units = _memory_units(memory, src_lang, trg_lang)
    n_lines = len(systems[0].lines)
    if source:
        src = read_segments(source)
        _same_length(systems[0], src)
        chosen, shared = _by_source(units, src.lines)
        method = "source"
    else:
        if len(units) != n_lines:
            raise InputError(f"{n_lines} lines, but {memory} has {len(units)} units; matching by order needs "
                             "one line per unit (or pass --src S.txt to match lines by their source text)",
                             systems[0].name)
        chosen, shared = list(range(n_lines)), 0
        method = "order"
    without_unit = tuple(i + 1 for i, u in enumerate(chosen) if u is None)
    without_reference = tuple(i + 1 for i, u in enumerate(chosen) if u is not None and units[u].reference is None)
    kept = [i for i, u in enumerate(chosen) if u is not None and units[u].reference is not None]
    if not kept:
        raise InputError("no hypothesis line could be matched to a unit with a reference "
                         f"({'by source text' if source else 'by order'})", memory)
    used = {chosen[i] for i in kept}
    matching = Matching(method, len(units), len(kept), without_unit, without_reference,
                        sum(1 for i, u in enumerate(units) if u.reference is not None and i not in used), shared)
    picked = [units[chosen[i]] for i in kept]
    sources = tuple(src.lines[i] for i in kept) if source else tuple(u.source or "" for u in picked)
    return TestSet(
        tuple(Segments(s.name, tuple(s.lines[i] for i in kept)) for s in systems),
        (tuple(u.reference for u in picked),), (memory,), tuple(i + 1 for i in kept),
        sources, tuple(u.document for u in picked), matching)


def is_tmx(path: str) -> bool:
    """A .tmx name, or a file that opens as XML (a memory under another name)."""
    if path.lower().endswith(".tmx"):
        return True
    if path == STDIN or not Path(path).is_file():
        return False
    with open(path, "rb") as stream:
        start = stream.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith((b"<?xml", b"<tmx", b"\xff\xfe<", b"\xfe\xff\x00<"))


def listed(numbers: tuple[int, ...]) -> str:
    """'3, 7, 12' or '3, 7, ... (25 in all)' for a message."""
    shown = ", ".join(map(str, numbers[:LISTED]))
    return shown if len(numbers) <= LISTED else f"{shown}, ... ({len(numbers)} in all)"
