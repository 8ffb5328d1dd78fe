"""Working with translation memories: statistics, merging, filtering, and conversion to and
from TSV and Moses-style plain text.

Pure functions over units (`align.tmx.Unit`) are at the centre; the readers and writers of
each format are at the edges. Every tool streams: a unit is read, judged and written before
the next one is parsed, so memory stays flat whatever the file size. The exceptions are said
where they are: `stats` keeps the scores (8 bytes each), a 64-bit hash per distinct unit and
per distinct source segment; `merge --dedupe` a 16-byte digest and a position per distinct
unit, and 9 bytes per unit read (its score, and whether it is kept).

Languages. A memory's pair is its header's `srclang` and the other language(s) of its units
(a unit's own `srclang` only says which of its segments is the source when it is converted to
TSV or Moses text). Tags are compared as RFC 4646 says they are meant to be (the TMX
spec points there): without regard to case (`EN-US` = `en-us`), and a tag without a region
stands for any region of its language (`en` = `en-US`), but two regions are two languages
(`en-US` != `en-GB`: a US-UK memory is a real pair).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import re
import shutil
import sys
import tempfile
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Sequence, TypeVar

from lxml import etree

from align import __version__
from align.files import STDIN, atomic_output, check_input, display_name
from align.model import ConfigError, FormatError, InputError
from align.normalize import clean_text, match_key
from align.progress import Progress
from align.tmx import CREATION_TOOL, Header, add_prop, Unit, Variant, creation_date, open_tmx, unit_element, write_units

T = TypeVar("T")
SCORE_PROP = "x-score"
DOCUMENT_PROP = "x-document"
SIGNATURE_PROP = "x-align-signature"
STEP_PROP = "x-align-step"  # one per tool that rewrote the memory: what it did, on what

# How `merge --dedupe` and `stats` decide that two segments are the same.
#   text:  what a reader sees is the same: NFC, invisible characters dropped, runs of white space
#          as one space (align.normalize.clean_text). Never merges two spellings a translator typed.
#   loose: also one tone-mark convention (hòa = hoà), ASCII quotes and case folded
#          (align.normalize.match_key), the way align matches words.
DEDUPE_KEYS: dict[str, Callable[[str], str]] = {"text": clean_text, "loose": match_key}

# Header attributes TMX 1.4 requires, with what to write when an input lacks one.
REQUIRED_HEADER = {"creationtool": CREATION_TOOL, "creationtoolversion": __version__, "segtype": "sentence",
                   "o-tmf": CREATION_TOOL, "adminlang": "en", "srclang": "*all*", "datatype": "plaintext"}


# --- languages ----------------------------------------------------------------------------

def same_language(first: str, second: str) -> bool:
    """Whether two language tags name the same language: case ignored, `en` matching `en-US`."""
    a, b = first.lower(), second.lower()
    if a == b:
        return True
    return ("-" not in a and b.split("-")[0] == a) or ("-" not in b and a.split("-")[0] == b)


def unit_source(unit: Unit, header_source: str | None) -> str | None:
    """A unit's source language: its own srclang, else the header's (None for '*all*')."""
    source = unit.src_lang or header_source
    return None if not source or source == "*all*" else source


def variant_for(unit: Unit, lang: str) -> Variant | None:
    """The unit's variant in `lang`: the same tag (case ignored) first, else a compatible one."""
    exact = next((v for v in unit.variants if v.lang.lower() == lang.lower()), None)
    return exact or next((v for v in unit.variants if same_language(v.lang, lang)), None)


@dataclass(frozen=True)
class LanguagePair:
    """The languages of a memory: its source and the other languages of its units, as first written."""

    source: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.source} -> {', '.join(self.targets) or '(nothing)'}"


class PairFinder:
    """Collects a memory's pair from its units as they stream past."""

    def __init__(self, header: Header):
        self.source = header.get("srclang") or "*all*"
        self.targets: list[str] = []

    def see(self, unit: Unit) -> None:
        for variant in unit.variants:
            if same_language(variant.lang, self.source):
                continue
            if not any(same_language(variant.lang, known) for known in self.targets):
                self.targets.append(variant.lang.lower())

    @property
    def pair(self) -> LanguagePair:
        return LanguagePair(self.source.lower(), tuple(self.targets))

    def canonical(self, tag: str) -> str:
        """The memory's own spelling of a language tag (VI and vi-VN are vi when the memory says vi)."""
        if same_language(tag, self.source):
            return self.source.lower()
        return next((known for known in self.targets if same_language(tag, known)), tag.lower())


# --- units: scores, keys ------------------------------------------------------------------

def unit_score(unit: Unit) -> float | None:
    """The score align stored in the unit (0..1, higher is better); None without one (or an unreadable one)."""
    value = unit.prop(SCORE_PROP)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _variant_keys(unit: Unit, dedupe: str, language: Callable[[str], str] = str.lower) -> list[str]:
    """Each variant as its language and normalised text, inline codes included (a tagged and an
    untagged segment are different units for a CAT tool)."""
    normalise = DEDUPE_KEYS[dedupe]
    return [f"{language(v.lang)}\x1f{'m' + normalise(v.seg_xml) if v.has_markup else 't' + normalise(v.text)}"
            for v in unit.variants]


def unit_key(unit: Unit, dedupe: str = "text", language: Callable[[str], str] = str.lower) -> bytes:
    """A 16-byte digest of what makes two units the same: the set of their variants' keys, each
    variant's language tag spelt by `language` (a memory's `PairFinder.canonical`)."""
    parts = sorted(_variant_keys(unit, dedupe, language))
    return hashlib.blake2b("\x1e".join(parts).encode("utf-8"), digest_size=16).digest()


# --- stats --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreSummary:
    """The distribution of the units' stored scores (0..1, higher is better)."""

    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    mean: float


@dataclass(frozen=True)
class Stats:
    """What a memory holds, as `align tmx stats` reports it."""

    units: int
    pair: LanguagePair
    languages: tuple[tuple[str, int], ...]  # segments per language tag (lower case), most first
    documents: tuple[tuple[str, int], ...]  # units per x-document, in file order; () without the prop
    scores: ScoreSummary | None
    unscored: int  # units without an x-score
    duplicates: int  # units repeating an earlier unit (same languages and texts, after `clean_text`)
    retranslated: int  # source segments found with more than one translation
    empty_segments: int  # segments with no text (white space only counts as none)
    incomplete: int  # units with fewer than two languages
    with_markup: int  # units with inline codes in some segment
    header: tuple[tuple[str, str], ...]  # the header attributes
    signature: str | None
    steps: tuple[str, ...]  # what align's tmx tools did to it, oldest first


def quantile(ordered: Sequence[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks of sorted values (numpy's default)."""
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def score_summary(scores: Iterable[float]) -> ScoreSummary | None:
    ordered = sorted(scores)
    if not ordered:
        return None
    return ScoreSummary(len(ordered), ordered[0], quantile(ordered, 0.25), quantile(ordered, 0.5),
                        quantile(ordered, 0.75), ordered[-1], sum(ordered) / len(ordered))


def stats(header: Header, units: Iterable[Unit]) -> Stats:
    """Count what a memory holds in one pass over its units."""
    finder = PairFinder(header)
    languages: dict[str, int] = {}
    documents: dict[str, int] = {}
    scores = array("d")
    seen: set[int] = set()
    translation_of: dict[int, int] = {}
    retranslated: set[int] = set()
    count = unscored = duplicates = empty = incomplete = markup = 0
    for unit in units:
        count += 1
        finder.see(unit)
        for variant in unit.variants:
            tag = variant.lang.lower()
            languages[tag] = languages.get(tag, 0) + 1
            empty += not variant.text.strip()
        incomplete += len({v.lang.lower() for v in unit.variants}) < 2
        markup += any(v.has_markup for v in unit.variants)
        document = unit.prop(DOCUMENT_PROP)
        if document is not None:
            documents[document] = documents.get(document, 0) + 1
        score = unit_score(unit)
        if score is None:
            unscored += 1
        else:
            scores.append(score)
        keys = _variant_keys(unit, "text")
        key = hash("\x1e".join(sorted(keys)))  # counting only: a 64-bit hash is enough
        if key in seen:
            duplicates += 1
        seen.add(key)
        source = unit_source(unit, finder.source)
        source_variant = variant_for(unit, source) if source else None
        if source_variant is not None and source_variant.text.strip() and len(keys) > 1:
            at = unit.variants.index(source_variant)
            source_key, target_key = hash(keys[at]), hash(keys[1 if at == 0 else 0])
            if translation_of.setdefault(source_key, target_key) != target_key:
                retranslated.add(source_key)
    steps = tuple(value for kind, value in header.props if kind == STEP_PROP)
    return Stats(count, finder.pair, tuple(sorted(languages.items(), key=lambda item: -item[1])),
                 tuple(documents.items()), score_summary(scores), unscored, duplicates, len(retranslated),
                 empty, incomplete, markup, header.attributes, header.signature, steps)


# --- filter -------------------------------------------------------------------------------

@dataclass(frozen=True)
class FilterRule:
    """Which units `filter` keeps: scored at least `min_score`, from one of `documents`."""

    min_score: float | None = None
    documents: frozenset[str] = frozenset()
    keep_unscored: bool = True  # a unit without a stored score cannot be judged by it: kept unless told

    def keeps(self, unit: Unit) -> bool:
        if self.documents and unit.prop(DOCUMENT_PROP) not in self.documents:
            return False
        if self.min_score is None:
            return True
        score = unit_score(unit)
        return self.keep_unscored if score is None else score >= self.min_score


# --- merge --------------------------------------------------------------------------------

def check_pair(expected: LanguagePair, first_name: str, unit: Unit, name: str) -> None:
    """Raise FormatError naming the file and line when a unit has a segment in a language that
    is neither the first input's source nor one of its targets."""
    for variant in unit.variants:
        if not (same_language(variant.lang, expected.source)
                or any(same_language(variant.lang, target) for target in expected.targets)):
            raise FormatError(f"line {unit.line}: a segment in {variant.lang}, but {first_name} is {expected}; "
                              "merge memories of one language pair", name)


def best_positions(keyed_scores: Iterable[tuple[bytes, float | None]]) -> bytearray:
    """Which units to keep, as a mask over positions (0-based, over all inputs): for each key the
    best-scored unit, the first of equals; a unit without a score loses to any scored one.

    Holds the winning position per distinct key and every score (8 bytes a unit); the mask is a
    byte a unit."""
    winners: dict[bytes, int] = {}
    scores = array("d")
    for position, (key, score) in enumerate(keyed_scores):
        scores.append(float("-inf") if score is None else score)
        held = winners.get(key)
        if held is None or scores[position] > scores[held]:
            winners[key] = position
    keep = bytearray(len(scores))
    for position in winners.values():
        keep[position] = 1
    return keep


# --- the output header --------------------------------------------------------------------

def output_header(first: Header, step: str, signatures: Sequence[str] = (), src_lang: str | None = None) -> etree._Element:
    """The header of a rewritten memory: the first input's (languages, notes, props, user-defined
    encodings) with align as the creating tool, each input's signature, and a prop saying what was done."""
    header = etree.Element("header")
    if first.element is not None:
        for key, value in first.element.attrib.items():
            header.set(key, value)
        for child in first.element:
            if isinstance(child.tag, str) and not (child.tag == "prop" and child.get("type") == SIGNATURE_PROP):
                header.append(_copy(child))
    else:
        for key, value in first.attributes:
            header.set(key, value)
    for key, value in REQUIRED_HEADER.items():
        if not header.get(key):
            header.set(key, value)
    header.set("creationtool", CREATION_TOOL)
    header.set("creationtoolversion", __version__)
    header.set("creationdate", creation_date())
    if src_lang:
        header.set("srclang", src_lang)
    for signature in dict.fromkeys(signatures):
        add_prop(header, SIGNATURE_PROP, signature)
    add_prop(header, STEP_PROP, f"align {__version__} {step}")
    return header


def _copy(element: etree._Element) -> etree._Element:
    copied = etree.fromstring(etree.tostring(element))
    copied.tail = None
    return copied


# --- plain-text formats: TSV and Moses ----------------------------------------------------

FORMATS = ("tmx", "tsv", "moses")
TSV_COLUMNS = "source, target, score, document"
# Characters a line-based format cannot hold inside a segment; they are written as spaces.
LINE_BREAKERS = re.compile(r"[\t\n\r]")


def one_line(text: str) -> str:
    return LINE_BREAKERS.sub(" ", text) if LINE_BREAKERS.search(text) else text


@dataclass(frozen=True)
class Row:
    """A unit as plain text: source and target segments, the stored score and document ('' when none)."""

    source: str
    target: str
    score: str = ""
    document: str = ""


@dataclass
class RowCounts:
    """What converting units to rows left out or changed, for the summary."""

    skipped: int = 0  # units without both languages
    flattened: int = 0  # segments whose tabs or line breaks became spaces
    markup: int = 0  # segments whose inline codes were left out
    target: str | None = None  # the target language found in the units


def rows_from_units(header: Header, units: Iterable[Unit], name: str, src_lang: str | None = None,
                    trg_lang: str | None = None, counts: RowCounts | None = None) -> Iterator[Row]:
    """Each unit as a row of its source and target text. The source is `src_lang` or the header's
    srclang, the target `trg_lang` or else the one other language of the units (several: an error):
    a column is one language, whatever direction a unit was translated in."""
    counts = counts if counts is not None else RowCounts()
    source = src_lang or (header.get("srclang") if header.get("srclang") != "*all*" else None)
    if source is None:
        raise ConfigError(f"{name}: the header's srclang is '*all*'; say which language is the source with --src-lang")
    target = trg_lang
    for unit in units:
        source_variant = variant_for(unit, source)
        if target is None:
            others = sorted({v.lang.lower() for v in unit.variants if not same_language(v.lang, source)})
            if len(others) > 1:
                raise ConfigError(f"{name}: line {unit.line}: a unit in {len(others)} other languages than "
                                  f"{source} ({', '.join(others)}); choose the target with --trg-lang")
            target = others[0] if others else None
            counts.target = target
        target_variant = variant_for(unit, target) if target else None
        if source_variant is None or target_variant is None or target_variant is source_variant:
            counts.skipped += 1
            continue
        texts = []
        for variant in (source_variant, target_variant):
            flat = one_line(variant.text)
            counts.flattened += flat != variant.text
            counts.markup += variant.has_markup
            texts.append(flat)
        score = unit.prop(SCORE_PROP) or ""
        yield Row(texts[0], texts[1], one_line(score), one_line(unit.prop(DOCUMENT_PROP) or ""))


def units_from_rows(rows: Iterable[Row], src_lang: str, trg_lang: str) -> Iterator[Unit]:
    """Rows as units to write: the two segments, with x-score and x-document props when the row has them."""
    for row in rows:
        props = tuple((kind, value) for kind, value in ((SCORE_PROP, row.score), (DOCUMENT_PROP, row.document))
                      if value)
        yield Unit((Variant(src_lang, row.source, row.source), Variant(trg_lang, row.target, row.target)), props)


def tsv_line(row: Row) -> bytes:
    return f"{row.source}\t{row.target}\t{row.score}\t{row.document}\n".encode("utf-8")


def _text_lines(stream: BinaryIO, name: str) -> Iterator[tuple[int, str]]:
    """Numbered lines of a UTF-8 text stream (BOM dropped, CRLF or LF), decoded strictly."""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if b"\x00" in raw:
            raise InputError(f"line {number}: a NUL byte; this is a binary file, or UTF-16 (convert it to UTF-8)",
                             name)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(f"line {number}: not UTF-8 (byte 0x{raw[err.start]:02x})", name) from None
        yield number, line[:-2] if line.endswith("\r\n") else line.rstrip("\n")


def read_tsv(stream: BinaryIO, name: str) -> Iterator[Row]:
    """Rows of a TSV file: source<TAB>target[<TAB>score[<TAB>document]], one unit per line."""
    for number, line in _text_lines(stream, name):
        fields = line.split("\t")
        if not 2 <= len(fields) <= 4:
            raise FormatError(f"line {number}: {len(fields)} tab-separated column{'s' * (len(fields) != 1)}, "
                              f"expected 2 to 4 ({TSV_COLUMNS})", name)
        fields += [""] * (4 - len(fields))
        if fields[2]:
            try:
                float(fields[2])
            except ValueError:
                raise FormatError(f"line {number}: the score {fields[2]!r} is not a number", name) from None
        yield Row(*fields)


def read_moses(source: BinaryIO, target: BinaryIO, source_name: str, target_name: str) -> Iterator[Row]:
    """Rows from two line-aligned plain-text files (line n of one translates line n of the other)."""
    source_lines, target_lines = _text_lines(source, source_name), _text_lines(target, target_name)
    count = 0
    for count, ((_, src), (_, trg)) in enumerate(zip(source_lines, target_lines), start=1):
        yield Row(src, trg)
    extra_source, extra_target = next(source_lines, None), next(target_lines, None)
    if extra_source or extra_target:
        longer = source_name if extra_source else target_name
        shorter = target_name if extra_source else source_name
        raise FormatError(f"{shorter} has {count} lines but this file has more; Moses-style files pair line n "
                          f"with line n, so both need the same number of lines", longer)


def moses_paths(base: str, src_lang: str, trg_lang: str) -> tuple[Path, Path]:
    """The two files of a Moses-style corpus: BASE.vi and BASE.en (the language codes, lower case)."""
    return Path(f"{base}.{src_lang.lower()}"), Path(f"{base}.{trg_lang.lower()}")


def guess_format(path: str, src_lang: str, trg_lang: str) -> str | None:
    """The format a file name says: .tmx, .tsv (or .tab), or BASE.vi / BASE.en / BASE with both beside it."""
    suffix = Path(path).suffix.lower()
    if suffix == ".tmx":
        return "tmx"
    if suffix in (".tsv", ".tab"):
        return "tsv"
    if suffix.lstrip(".") in (src_lang.lower(), trg_lang.lower()) or all(
            p.exists() for p in moses_paths(path, src_lang, trg_lang)):
        return "moses"
    return None


def sniff_format(head: bytes) -> str:
    """TMX when the bytes start like XML (any BOM, UTF-8 or UTF-16), else TSV: for standard input."""
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    return "tmx" if stripped.startswith((b"<", b"\x00<")) or head.startswith(b"\xfe\xff") else "tsv"


def moses_base(path: str, src_lang: str, trg_lang: str) -> str:
    """BASE of a Moses-style pair, given as BASE, BASE.vi or BASE.en."""
    for lang in (src_lang, trg_lang):
        if path.lower().endswith(f".{lang.lower()}"):
            return path[: -len(lang) - 1]
    return path



# --- the commands: files in, files out ----------------------------------------------------

def _checked_path(path: str) -> str:
    check_input(path)
    return path


def open_memory(path: str, keep_xml: bool = True, stdin: BinaryIO | None = None) -> tuple[Header, Iterator[Unit]]:
    """Start reading a TMX file, or standard input for '-': its header, then its units as they come."""
    _checked_path(path)
    source = (stdin or sys.stdin.buffer) if path == STDIN else path
    return open_tmx(source, display_name(path), keep_xml)


@contextlib.contextmanager
def output_stream(path: str) -> Iterator[BinaryIO]:
    """Standard output for '-', else a file replaced only when the block succeeds."""
    if path == STDIN:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
    else:
        with atomic_output(path) as stream:
            yield stream


def counted(items: Iterable[T], progress: Progress | None) -> Iterator[T]:
    """The items as they come, each counted on the progress line."""
    for item in items:
        if progress is not None:
            progress.advance()
        yield item


def memory_stats(path: str, progress: Progress | None = None) -> Stats:
    header, units = open_memory(path, keep_xml=False)
    return stats(header, counted(units, progress))


@dataclass(frozen=True)
class Outcome:
    """What a tool read and wrote."""

    read: int
    written: int
    notes: tuple[str, ...] = ()  # things the user should know: units left out, text changed
    written_to: str = ""  # where the output went, when that is not simply the -o path


def filter_memory(path: str, output: str, rule: FilterRule, step: str, progress: Progress | None = None) -> Outcome:
    header, units = open_memory(path)
    read = unscored = 0

    def kept() -> Iterator[etree._Element]:
        nonlocal read, unscored
        for unit in counted(units, progress):
            read += 1
            unscored += rule.min_score is not None and unit_score(unit) is None
            if rule.keeps(unit):
                yield unit_element(unit)

    with output_stream(output) as stream:
        written = write_units(stream, output_header(header, step, _signatures([header])), kept())
    notes = ()
    if unscored:
        notes = (f"{unscored} units have no stored score: {'kept' if rule.keep_unscored else 'left out'}",)
    return Outcome(read, written, notes)


def _signatures(headers: Iterable[Header]) -> list[str]:
    return [h.signature for h in headers if h.signature]


@dataclass
class _Input:
    path: str
    name: str
    spool: BinaryIO | None = None  # standard input, saved for a second reading

    def open(self, keep_xml: bool) -> tuple[Header, Iterator[Unit]]:
        if self.spool is None:
            return open_memory(self.path, keep_xml)
        self.spool.seek(0)
        return open_tmx(self.spool, self.name, keep_xml)


def _pair_checked(inputs: Sequence[_Input], opened: Sequence[tuple[Header, Iterator[Unit]]],
                  finder: PairFinder, check_units: bool = True) -> Iterator[Unit]:
    """Every input's units in turn, each (unless a first reading did already) checked against
    the first input's pair."""
    first_source = opened[0][0].get("srclang") or "*all*"
    for index, (source, (header, _)) in enumerate(zip(inputs, opened)):
        srclang = header.get("srclang") or "*all*"
        if index and not same_language(srclang, first_source):
            raise FormatError(f"source language {srclang}, but {inputs[0].name} has {first_source}; "
                              "merge memories of one language pair", source.name)
    expected = None
    for index, (source, (_, units)) in enumerate(zip(inputs, opened)):
        if index == 1:
            expected = finder.pair  # complete once the first input has been read
        for unit in units:
            if index == 0:
                finder.see(unit)
            elif check_units:
                check_pair(expected, inputs[0].name, unit, source.name)
            yield unit


def merge_memories(paths: Sequence[str], output: str, dedupe: str | None, step: str,
                   progress: Progress | None = None) -> Outcome:
    """Concatenate memories of one language pair into `output`; with `dedupe`, keep only the
    best-scored unit of each set of units that are the same (see DEDUPE_KEYS).

    Deduplicating reads the inputs twice: first every unit's key and score (the key set holds a
    16-byte digest, a score and a position per distinct unit), then the units to keep. Standard
    input is saved to a temporary file for the second reading.
    """
    if sum(path == STDIN for path in paths) > 1:
        raise ConfigError("standard input ('-') can be read only once; give it as one input at most")
    with contextlib.ExitStack() as stack:
        inputs = [_Input(_checked_path(path), display_name(path)) for path in paths]
        for source in inputs:
            if source.path == STDIN and dedupe:
                source.spool = stack.enter_context(tempfile.TemporaryFile())
                shutil.copyfileobj(sys.stdin.buffer, source.spool)
        keep: bytearray | None = None
        if dedupe:
            opened = [source.open(keep_xml=False) for source in inputs]
            finder = PairFinder(opened[0][0])
            keep = best_positions((unit_key(unit, dedupe, finder.canonical), unit_score(unit))
                                  for unit in _pair_checked(inputs, opened, finder))
        opened = [source.open(keep_xml=True) for source in inputs]
        read = 0

        def kept() -> Iterator[etree._Element]:
            nonlocal read
            checked = _pair_checked(inputs, opened, PairFinder(opened[0][0]), check_units=not dedupe)
            for unit in counted(checked, progress):
                if keep is None or keep[read]:
                    yield unit_element(unit)
                read += 1

        header = output_header(opened[0][0], step, _signatures(h for h, _ in opened))
        with output_stream(output) as stream:
            written = write_units(stream, header, kept())
    return Outcome(read, written, (f"{read - written} duplicates dropped",) if dedupe else ())


# --- convert ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Conversion:
    """Where a conversion reads and writes, in which formats and languages."""

    source: str
    output: str
    source_format: str | None  # None: from the name, or the first bytes of standard input
    output_format: str
    src_lang: str | None = None  # None: from the TMX header (vi for TSV and Moses input)
    trg_lang: str | None = None  # None: the other language of the TMX's units (en for TSV and Moses input)


def input_format(path: str, given: str | None, src_lang: str, trg_lang: str, stdin: BinaryIO | None = None) -> str:
    """The format of the input: as given, else from its name, else (standard input) from its first bytes."""
    if given:
        return given
    if stdin is not None:
        return sniff_format(stdin.peek(64)[:64])
    found = guess_format(path, src_lang, trg_lang)
    if found is None:
        raise ConfigError(f"{path}: cannot tell its format from the name (.tmx, .tsv, or BASE.{src_lang} with "
                          f"BASE.{trg_lang}); say it with --from tmx|tsv|moses")
    return found


def peekable_stdin() -> io.BufferedReader:
    """Standard input as a stream whose first bytes can be looked at before it is read."""
    return io.BufferedReader(sys.stdin.buffer)  # type: ignore[arg-type]


def output_format(path: str, given: str | None, src_lang: str, trg_lang: str) -> str:
    if given:
        found = given
    elif path == STDIN:
        raise ConfigError("-o - writes to standard output: say the format with --to tmx|tsv")
    else:
        suffix = Path(path).suffix.lower().lstrip(".")
        found = {"tmx": "tmx", "tsv": "tsv", "tab": "tsv"}.get(suffix)
        if found is None and suffix in (src_lang.lower(), trg_lang.lower()):
            found = "moses"
        if found is None:
            raise ConfigError(f"{path}: cannot tell the output format from the name (.tmx, .tsv, or "
                              f"BASE.{src_lang} for a Moses-style pair); say it with --to tmx|tsv|moses")
    if found == "moses" and path == STDIN:
        raise ConfigError("Moses-style output is two files (BASE.vi and BASE.en) and cannot go to standard "
                          "output; give -o BASE, or --to tsv")
    return found


def _read_rows(conversion: Conversion, source_format: str, stack: contextlib.ExitStack, counts: RowCounts,
               stdin: BinaryIO | None) -> tuple[Header, Iterator[Row], Iterator[Unit] | None]:
    """The input as rows (and, for TMX input, as units too, so TMX output keeps them whole)."""
    path, src, trg = conversion.source, conversion.src_lang or "vi", conversion.trg_lang or "en"
    if source_format == "tmx":  # the <tu> elements are kept only to be written back to a TMX
        header, units = open_memory(path, keep_xml=conversion.output_format == "tmx", stdin=stdin)
        return header, rows_from_units(header, units, display_name(path), conversion.src_lang,
                                       conversion.trg_lang, counts), units
    if source_format == "tsv":
        stream = stdin if stdin is not None else stack.enter_context(open(_checked_path(path), "rb"))
        return Header(), read_tsv(stream, display_name(path)), None
    if path == STDIN:
        raise ConfigError("Moses-style input is two files (BASE.vi and BASE.en) and cannot come from standard input")
    src_path, trg_path = moses_paths(moses_base(path, src, trg), src, trg)
    streams = [stack.enter_context(open(_checked_path(str(p)), "rb")) for p in (src_path, trg_path)]
    return Header(), read_moses(streams[0], streams[1], str(src_path), str(trg_path)), None


def convert(conversion: Conversion, step: str, progress: Progress | None = None) -> Outcome:
    """Convert between TMX, TSV and Moses-style text. TMX to TMX keeps every unit whole; to the
    plain-text formats only the two segments, the score and the document survive."""
    counts = RowCounts()
    stdin = peekable_stdin() if conversion.source == STDIN else None
    source_format = input_format(conversion.source, conversion.source_format, conversion.src_lang or "vi",
                                 conversion.trg_lang or "en", stdin)
    with contextlib.ExitStack() as stack:
        header, rows, units = _read_rows(conversion, source_format, stack, counts, stdin)
        src = conversion.src_lang or header.get("srclang") or "vi"
        if conversion.output_format == "tmx":
            if units is None:  # from plain text: the units are built from the rows
                units = units_from_rows(rows, src, conversion.trg_lang or "en")
            head = output_header(header, step, _signatures([header]), src if source_format != "tmx" else None)
            with output_stream(conversion.output) as stream:
                written = write_units(stream, head, (unit_element(u) for u in counted(units, progress)))
        else:
            rows = counted(rows, progress)
            first = next(rows, None)  # reading one row settles the target language of a TMX
            everything = itertools.chain([first] if first else [], rows)
            if conversion.output_format == "tsv":
                with output_stream(conversion.output) as stream:
                    written = 0
                    for row in everything:
                        stream.write(tsv_line(row))
                        written += 1
            else:
                trg = conversion.trg_lang or counts.target or ("en" if source_format != "tmx" else None)
                if trg is None:
                    raise ConfigError(f"{display_name(conversion.source)}: no unit has a target language to name "
                                      "the second file after; give --trg-lang")
                src_path, trg_path = moses_paths(moses_base(conversion.output, src, trg), src, trg)
                with atomic_output(src_path) as src_stream, atomic_output(trg_path) as trg_stream:
                    written = 0
                    for row in everything:
                        src_stream.write(f"{row.source}\n".encode("utf-8"))
                        trg_stream.write(f"{row.target}\n".encode("utf-8"))
                        written += 1
    written_to = f"{src_path} + {trg_path}" if conversion.output_format == "moses" else ""
    notes = []
    if counts.skipped:
        notes.append(f"{counts.skipped} units without both languages left out")
    if counts.flattened:
        notes.append(f"{counts.flattened} segments had tabs or line breaks, written as spaces")
    if counts.markup:
        notes.append(f"{counts.markup} segments had inline codes, written as plain text")
    return Outcome(written + counts.skipped, written, tuple(notes), written_to)

