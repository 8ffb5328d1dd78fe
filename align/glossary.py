"""Glossary files: OmegaT's TSV and TBX (TBX-Basic 2008 `martif`, TBX v3 `tbx`), read and written.

A glossary is a list of Vietnamese-English term pairs with an optional comment. Entries are
compared through `term_key` (NFC, one tone-mark convention, case and plural folded, the same
form the aligner matches words in), so `hoà`/`hòa` or `Partnerships`/`partnership` are one entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from lxml import etree

from align.config import Resource
from align.files import read_input, write_atomically
from align.lexicon import words_of
from align.model import FormatError, InputError, Term
from align.normalize import clean_text

TSV, TBX = "tsv", "tbx"
TBX_SUFFIXES = (".tbx", ".xml")
TSV_SUFFIXES = (".tsv", ".txt", ".tab", ".utf8")  # OmegaT's glossary extensions
TBX3_NS = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SRC_LANG, TRG_LANG = "vi", "en"

# The glossary `align run` uses when none is given: shipped inside the package so that it is
# found after `pip install` anywhere; corpora/glossary.vi-en.tsv points at it in a checkout.
SEED_GLOSSARY = "glossary.vi-en.tsv"


@dataclass(frozen=True)
class Entry:
    """A term and where it was read: the line of the TSV row or of the TBX entry (0 when new)."""

    term: Term
    line: int = 0


@dataclass(frozen=True)
class Glossary:
    """The entries of one glossary file, in file order, its format and the record naming it."""

    entries: tuple[Entry, ...]
    format: str = TSV
    resource: Resource | None = None

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(entry.term for entry in self.entries)


@dataclass(frozen=True)
class Problem:
    """Two entries that clash: 'duplicate' (same term and translation) or 'conflict' (same
    Vietnamese term, another translation). `first` is the entry kept, `second` the later one."""

    kind: str
    first: Entry
    second: Entry

    def describe(self) -> str:
        where = f"line {self.second.line}: " if self.second.line else ""
        first = f" (line {self.first.line})" if self.first.line else ""
        if self.kind == "duplicate":
            return f"{where}duplicate of '{self.first.term.vi}' = '{self.first.term.en}'{first}"
        return (f"{where}'{self.second.term.vi}' = '{self.second.term.en}' conflicts with "
                f"'{self.first.term.en}'{first}")


def term_key(text: str, lang: str, tone_style: str = "classic") -> str:
    """The form terms are compared and matched in: the aligner's word keys joined by spaces."""
    return " ".join(words_of(text, lang, tone_style))


def problems(entries: tuple[Entry, ...] | list[Entry], tone_style: str = "classic") -> list[Problem]:
    """Duplicates and conflicts among entries, each reported against the first entry it clashes with."""
    seen: dict[tuple[str, str], Entry] = {}
    by_source: dict[str, Entry] = {}
    found = []
    for entry in entries:
        vi, en = term_key(entry.term.vi, SRC_LANG, tone_style), term_key(entry.term.en, TRG_LANG, tone_style)
        if (vi, en) in seen:
            found.append(Problem("duplicate", seen[vi, en], entry))
            continue
        if vi in by_source:
            found.append(Problem("conflict", by_source[vi], entry))
        seen[vi, en] = entry
        by_source.setdefault(vi, entry)
    return found


def deduplicated(entries: tuple[Entry, ...] | list[Entry], tone_style: str = "classic") -> tuple[Entry, ...]:
    """The entries without duplicates (the first is kept, with a comment taken from a later copy
    when it has none); conflicting translations are all kept."""
    kept: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        key = term_key(entry.term.vi, SRC_LANG, tone_style), term_key(entry.term.en, TRG_LANG, tone_style)
        if key not in kept:
            kept[key] = entry
        elif not kept[key].term.comment and entry.term.comment:
            kept[key] = replace(kept[key], term=replace(kept[key].term, comment=entry.term.comment))
    return tuple(kept.values())


# --- reading ------------------------------------------------------------------------------

def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise InputError(f"line {line}: not UTF-8 (byte 0x{data[err.start]:02x}); save the glossary as "
                         "UTF-8", path) from None


def parse_tsv(text: str, path: str) -> tuple[Entry, ...]:
    """Rows `vi<TAB>en[<TAB>comment]`; blank lines and `#` lines are skipped. Raises FormatError."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = line.split("\t")
        if not 2 <= len(columns) <= 3:
            raise FormatError(f"line {number}: {len(columns)} tab-separated column{'s' * (len(columns) != 1)}, "
                              "expected 'vietnamese<TAB>english[<TAB>comment]'", path)
        vi, en = clean_text(columns[0]), clean_text(columns[1])
        for side, value in (("Vietnamese", vi), ("English", en)):
            if not value:
                raise FormatError(f"line {number}: empty {side} term", path)
        entries.append(Entry(Term(vi, en, clean_text(columns[2]) if len(columns) == 3 else ""), number))
    return tuple(entries)


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element, *names: str) -> list:
    return [child for child in element if _local(child) in names]


def _text(element) -> str:
    return clean_text("".join(element.itertext()))


def _entry_terms(entry, path: str) -> list[Entry]:
    """The term pairs of one termEntry / conceptEntry: every Vietnamese term with every English one."""
    sides: dict[str, list[str]] = {SRC_LANG: [], TRG_LANG: []}
    comments = [_text(n) for n in _children(entry, "note", "descrip") if _text(n)]
    for section in _children(entry, "langSet", "langSec"):
        lang = (section.get(XML_LANG) or section.get("lang") or "").lower().split("-")[0]
        for holder in _children(section, "tig", "ntig", "termSec"):
            for term in holder.iter():
                if _local(term) == "term":
                    text = _text(term)
                    if not text:
                        raise FormatError(f"line {term.sourceline}: empty term", path)
                    if lang in sides:
                        sides[lang].append(text)
    for lang, name in ((SRC_LANG, "Vietnamese"), (TRG_LANG, "English")):
        if not sides[lang]:
            raise FormatError(f"line {entry.sourceline}: entry has no {name} ({lang}) term", path)
    comment = "; ".join(comments)
    return [Entry(Term(vi, en, comment), entry.sourceline) for vi in sides[SRC_LANG] for en in sides[TRG_LANG]]


def _parse_xml(data: bytes, path: str):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                             remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise FormatError(f"line {err.lineno}: not well-formed XML: {err.msg}", path) from None
    if _local(root) not in ("martif", "tbx"):
        raise FormatError(f"line {root.sourceline}: not a TBX file (the root element is <{_local(root)}>, "
                          "expected <martif> or <tbx>)", path)
    return root


def parse_tbx(data: bytes, path: str) -> tuple[Entry, ...]:
    """Entries of a TBX-Basic (`martif`/termEntry/langSet/tig) or TBX v3 (`tbx`/conceptEntry/
    langSec/termSec) file. Raises FormatError."""
    root = _parse_xml(data, path)
    entries = []
    for entry in root.iter():
        if _local(entry) in ("termEntry", "conceptEntry"):
            entries.extend(_entry_terms(entry, path))
    return tuple(entries)


def glossary_format(path: str | Path, data: bytes | None = None) -> str:
    """TBX for a .tbx/.xml name, TSV for .tsv/.txt/.tab/.utf8; otherwise TBX when the content
    opens with '<', else TSV."""
    suffix = Path(path).suffix.lower()
    if suffix in TBX_SUFFIXES:
        return TBX
    if suffix in TSV_SUFFIXES:
        return TSV
    if data is not None and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return TBX
    return TSV


def read_glossary(path: str | Path, allow_empty: bool = False) -> Glossary:
    """A TSV or TBX glossary (told apart by name, then content), NFC. Raises InputError / FormatError."""
    path = Path(path)
    data = read_input(path)
    kind = glossary_format(path, data)
    if kind == TBX:
        entries = parse_tbx(data, str(path))
    else:
        entries = parse_tsv(_decode(data, str(path)), str(path))
    if not entries and not allow_empty:
        raise InputError("glossary has no entries", str(path))
    return Glossary(entries, kind, Resource(path.name, len(entries), hashlib.sha256(data).hexdigest()))


def seed_glossary_path() -> Path:
    """The glossary shipped with the package (terms of the bundled corpora)."""
    return Path(str(resources.files("align") / "data" / SEED_GLOSSARY))


# --- writing ------------------------------------------------------------------------------

def _tsv_field(text: str) -> str:
    return clean_text(text)  # no tab or line break survives clean_text


def tsv_line(term: Term) -> str:
    fields = [_tsv_field(term.vi), _tsv_field(term.en)] + ([_tsv_field(term.comment)] if term.comment else [])
    return "\t".join(fields) + "\n"


def tsv_bytes(entries: tuple[Entry, ...] | list[Entry], heading: str = "") -> bytes:
    """A TSV glossary OmegaT reads: an optional `#` heading, then one entry a line."""
    lines = [f"# {line}\n" for line in heading.splitlines()]
    lines.extend(tsv_line(entry.term) for entry in entries)
    return "".join(lines).encode("utf-8")


def _concept(parent, number: int, term: Term, v3: bool, namespace: str | None):
    """A termEntry (TBX-Basic 2008) or conceptEntry (TBX v3) for `term`, appended to `parent`."""
    def tag(name: str) -> str:
        return f"{{{namespace}}}{name}" if namespace else name
    entry = etree.SubElement(parent, tag("conceptEntry" if v3 else "termEntry"), id=f"c{number}")
    if term.comment:
        etree.SubElement(entry, tag("note")).text = term.comment
    for lang, text in ((SRC_LANG, term.vi), (TRG_LANG, term.en)):
        section = etree.SubElement(entry, tag("langSec" if v3 else "langSet"), {XML_LANG: lang})
        etree.SubElement(etree.SubElement(section, tag("termSec" if v3 else "tig")), tag("term")).text = text
    return entry


def tbx_bytes(entries: tuple[Entry, ...] | list[Entry]) -> bytes:
    """A TBX v3 file (TBX-Basic dialect, DCA style): one conceptEntry per term pair."""
    root = etree.Element(f"{{{TBX3_NS}}}tbx", {XML_LANG: SRC_LANG, "type": "TBX-Basic", "style": "dca"},
                         nsmap={None: TBX3_NS})
    header = etree.SubElement(root, f"{{{TBX3_NS}}}tbxHeader")
    source = etree.SubElement(etree.SubElement(header, f"{{{TBX3_NS}}}fileDesc"), f"{{{TBX3_NS}}}sourceDesc")
    etree.SubElement(source, f"{{{TBX3_NS}}}p").text = "Vietnamese-English glossary written by align"
    body = etree.SubElement(etree.SubElement(root, f"{{{TBX3_NS}}}text"), f"{{{TBX3_NS}}}body")
    for number, entry in enumerate(entries, start=1):
        _concept(body, number, entry.term, True, TBX3_NS)
    etree.indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_glossary(path: str | Path, entries: tuple[Entry, ...] | list[Entry], heading: str = "") -> str:
    """Write entries to `path` atomically, as TBX or TSV by its suffix; returns the format."""
    kind = glossary_format(path)
    write_atomically(path, tbx_bytes(entries) if kind == TBX else tsv_bytes(entries, heading))
    return kind


def appended(path: str | Path, term: Term) -> bytes:
    """The bytes of the glossary at `path` with `term` added at the end, all else kept as it was
    (comments, TBX header and data categories); a missing file becomes a new glossary."""
    path = Path(path)
    if not path.exists():
        return tbx_bytes([Entry(term)]) if glossary_format(path) == TBX else tsv_bytes([Entry(term)])
    data = read_input(path)
    if glossary_format(path, data) == TSV:
        _decode(data, str(path))
        return data + (b"" if not data or data.endswith(b"\n") else b"\n") + tsv_line(term).encode("utf-8")
    root = _parse_xml(data, str(path))
    bodies = [e for e in root.iter() if _local(e) == "body"]
    if not bodies:
        raise FormatError("TBX file has no <body>", str(path))
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    number = 1 + sum(1 for e in root.iter() if _local(e) in ("termEntry", "conceptEntry"))
    while f"c{number}" in ids:
        number += 1
    _concept(bodies[0], number, term, _local(root) == "tbx", etree.QName(root).namespace)
    etree.indent(bodies[0], level=2)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
