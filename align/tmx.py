"""TMX 1.4b: a streaming writer for aligned pairs and a reader for any TMX a CAT tool writes.

XML goes only through lxml. The writer emits one <tu> at a time (`etree.xmlfile`), so a
memory of any size is written in constant memory. The reader never touches the network,
never loads a DTD and never expands entities.
"""

from __future__ import annotations

import copy
import os
import time
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable, Iterator

from lxml import etree

from align import __version__
from align.model import FormatError, Pair

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CREATION_TOOL = "align"
# Inline elements whose content is native markup (RTF codes, HTML tags), not translatable text.
CODE_ELEMENTS = {"bpt", "ept", "ph", "it", "ut", "sub"}


def creation_date(layout: str = "%Y%m%dT%H%M%SZ") -> str:
    """UTC now as TMX writes dates (20261124T175300Z), or in another strftime `layout`;
    SOURCE_DATE_EPOCH fixes it for reproducible runs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch and epoch.isdigit() else time.time()
    return time.strftime(layout, time.gmtime(seconds))


@dataclass(frozen=True)
class TmxHeader:
    """What the writer puts in <header>."""

    src_lang: str
    trg_lang: str
    signature: str
    creation_date: str


def add_prop(parent, kind: str, value: str) -> None:
    """A <prop type=kind>value</prop> child."""
    prop = etree.SubElement(parent, "prop", type=kind)
    prop.text = value


def _unit(pair: Pair, header: TmxHeader) -> etree._Element:
    tu = etree.Element("tu")
    add_prop(tu, "x-score", f"{pair.score:.4f}")
    add_prop(tu, "x-document", pair.document)
    add_prop(tu, "x-bead", str(pair.bead))
    for lang, text in ((header.src_lang, pair.src_text), (header.trg_lang, pair.trg_text)):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
        etree.SubElement(tuv, "seg").text = text
    return tu


def write_tmx(stream: BinaryIO, pairs: Iterable[Pair], header: TmxHeader) -> int:
    """Write a TMX 1.4b document of `pairs` to a binary stream as they come; returns the unit count."""
    head = etree.Element("header", {
        "creationtool": CREATION_TOOL,
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": CREATION_TOOL,
        "adminlang": "en",
        "srclang": header.src_lang,
        "datatype": "plaintext",
        "creationdate": header.creation_date,
    })
    add_prop(head, "x-align-signature", header.signature)
    return write_units(stream, head, (_unit(pair, header) for pair in pairs), indent=True)


def write_units(stream: BinaryIO, header: etree._Element, units: Iterable[etree._Element],
                indent: bool = False) -> int:
    """Write a TMX 1.4b document of ready <tu> elements (see `unit_element`) as they come; returns the count.

    Units read from a file are written as they are (`indent` False): inside <seg> white space
    is content, so only elements built here, with text-only segments, are indented.
    """
    count = 0
    with etree.xmlfile(stream, encoding="UTF-8") as xf:
        xf.write_declaration()
        xf.write_doctype('<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
        with xf.element("tmx", version="1.4"):
            xf.write("\n")
            header.tail = None if indent else "\n"
            xf.write(header, pretty_print=indent)
            with xf.element("body"):
                xf.write("\n")
                for unit in units:
                    unit.tail = None if indent else "\n"
                    xf.write(unit, pretty_print=indent)
                    count += 1
            xf.write("\n")
    return count


def unit_element(unit: "Unit") -> etree._Element:
    """The <tu> to write for a unit: the one it was read from (TMX 1.1 `lang=` renamed to
    xml:lang, as TMX 1.4 requires), else one built from its texts and props."""
    if unit.element is not None:
        tu = unit.element
        for element in tu.iter("tuv", "note", "prop"):
            if element.get(XML_LANG) is None and element.get("lang") is not None:
                element.set(XML_LANG, element.attrib.pop("lang"))
        return tu
    tu = etree.Element("tu")
    if unit.src_lang:
        tu.set("srclang", unit.src_lang)
    for kind, value in unit.props:
        add_prop(tu, kind, value)
    for variant in unit.variants:
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: variant.lang})
        etree.SubElement(tuv, "seg").text = variant.text
    return tu


# --- reading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Variant:
    """One language's side of a unit: plain text (inline codes left out) and the raw <seg> XML."""

    lang: str
    text: str
    seg_xml: str
    has_markup: bool = False  # the <seg> holds inline elements (bpt, ept, ph, it, hi, ut)


@dataclass(frozen=True)
class Unit:
    """A <tu>: its variants in file order and its <prop> values.

    Read with `keep_xml`, `element` is a copy of the <tu> as the file had it (notes, attributes,
    inline markup), so tools can write the unit back unchanged; `line` is where it started.
    """

    variants: tuple[Variant, ...]
    props: tuple[tuple[str, str], ...] = ()
    src_lang: str | None = None  # the <tu srclang> of this unit, when it overrides the header's
    line: int = 0
    element: etree._Element | None = field(default=None, compare=False, repr=False)

    def text(self, lang: str) -> str | None:
        """The text for a language tag; 'en' also finds 'en-US', case ignored."""
        wanted = lang.lower()
        for variant in self.variants:
            tag = variant.lang.lower()
            if tag == wanted or tag.split("-")[0] == wanted:
                return variant.text
        return None

    def prop(self, kind: str) -> str | None:
        return next((value for key, value in self.props if key == kind), None)


@dataclass(frozen=True)
class Memory:
    """A TMX read whole: header attributes and props, and its units."""

    attributes: tuple[tuple[str, str], ...]
    header_props: tuple[tuple[str, str], ...]
    units: tuple[Unit, ...]

    @property
    def signature(self) -> str | None:
        return next((v for k, v in self.header_props if k == "x-align-signature"), None)


@dataclass(frozen=True)
class Header:
    """A TMX <header>: its attributes and props, and (read with `keep_xml`) the element itself
    with its notes and user-defined encodings."""

    attributes: tuple[tuple[str, str], ...] = ()
    props: tuple[tuple[str, str], ...] = ()
    element: etree._Element | None = field(default=None, compare=False, repr=False)

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.attributes if k == name), None)

    @property
    def signature(self) -> str | None:
        return next((v for k, v in self.props if k == "x-align-signature"), None)


def _seg_text(element) -> str:
    """Translatable text of a <seg> or <hi>: text and tails, without the content of inline codes."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname not in CODE_ELEMENTS:
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _props(element) -> tuple[tuple[str, str], ...]:
    return tuple((p.get("type", ""), p.text or "") for p in element.iterchildren("prop"))


def _variant(tuv, source: str) -> Variant:
    lang = tuv.get(XML_LANG) or tuv.get("lang")  # TMX 1.1 wrote lang=
    seg = tuv.find("seg")
    if lang is None or seg is None:
        raise FormatError(f"line {tuv.sourceline}: <tuv> without a language or a <seg>", source)
    if not len(seg):  # plain text, the common case: no serialising
        text = seg.text or ""
        return Variant(lang, text, text)
    inner = (seg.text or "") + "".join(etree.tostring(child, encoding="unicode", with_tail=True) for child in seg)
    return Variant(lang, _seg_text(seg), inner, True)


def _parse(source: str | BinaryIO, name: str, keep_xml: bool) -> Iterator[Header | Unit]:
    """The header (an empty one if the file has none), then each unit, in constant memory."""
    header_seen = root_checked = False

    def check_root(root) -> None:
        if root is not None and root.tag != "tmx":
            raise FormatError(f"not a TMX file: the root element is <{root.tag}>", name)

    try:
        # Only the elements wanted reach Python: a third of the time of seeing every element.
        context = etree.iterparse(source, events=("end",), tag=("header", "tu"), resolve_entities=False,
                                  no_network=True, load_dtd=False, dtd_validation=False, huge_tree=True,
                                  remove_comments=True)
        for _, element in context:
            if not root_checked:
                root_checked = True
                check_root(element.getroottree().getroot())
            if element.tag == "header":
                if not header_seen:
                    header_seen = True
                    yield Header(tuple(sorted(element.attrib.items())), _props(element),
                                 copy.deepcopy(element) if keep_xml else None)
                continue
            if not header_seen:
                header_seen = True
                yield Header()
            yield Unit(tuple(_variant(tuv, name) for tuv in element.iterchildren("tuv")), _props(element),
                       element.get("srclang"), element.sourceline or 0,
                       copy.deepcopy(element) if keep_xml else None)
            element.clear(keep_tail=False)
            while element.getprevious() is not None:  # keep memory flat on large files
                del element.getparent()[0]
        check_root(context.root)
    except etree.XMLSyntaxError as err:
        raise FormatError(f"malformed TMX: {err.msg} (line {err.lineno})", name) from None
    except OSError as err:
        raise FormatError(f"cannot read TMX: {err}", name) from None
    if not header_seen:
        yield Header()


def _source_name(source: str | BinaryIO, name: str | None) -> str:
    return name or (source if isinstance(source, str) else getattr(source, "name", "<stream>"))


def open_tmx(source: str | BinaryIO, name: str | None = None,
             keep_xml: bool = True) -> tuple[Header, Iterator[Unit]]:
    """Start streaming a TMX: its header at once, and an iterator over its units (constant memory).

    With `keep_xml` each unit carries a copy of its <tu>, for writing it back unchanged.
    """
    items = _parse(source, _source_name(source, name), keep_xml)
    header = next(items)
    assert isinstance(header, Header)
    return header, items  # type: ignore[return-value]


def iter_tmx(source: str | BinaryIO, name: str | None = None) -> Iterator[Unit | Memory]:
    """Stream a TMX: yields each Unit, then a Memory holding the header (and no units)."""
    header, units = open_tmx(source, name, keep_xml=False)
    yield from units
    yield Memory(header.attributes, header.props, ())


def read_tmx(source: str | BinaryIO, name: str | None = None) -> Memory:
    """A whole TMX in memory (for small files, tests and tools)."""
    units = []
    for item in iter_tmx(source, name):
        if isinstance(item, Unit):
            units.append(item)
        else:
            return Memory(item.attributes, item.header_props, tuple(units))
    raise AssertionError("iter_tmx always ends with the header")
