"""TMX 1.4b: a streaming writer for aligned pairs and a reader for any TMX a CAT tool writes.

XML goes only through lxml. The writer emits one <tu> at a time (`etree.xmlfile`), so a
memory of any size is written in constant memory. The reader never touches the network,
never loads a DTD and never expands entities.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import BinaryIO, Iterable, Iterator

from lxml import etree

from align import __version__
from align.model import FormatError, Pair

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CREATION_TOOL = "align"
# Inline elements whose content is native markup (RTF codes, HTML tags), not translatable text.
CODE_ELEMENTS = {"bpt", "ept", "ph", "it", "ut", "sub"}


def creation_date() -> str:
    """UTC now as TMX writes dates (20261124T175300Z); SOURCE_DATE_EPOCH fixes it for reproducible runs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch and epoch.isdigit() else time.time()
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))


@dataclass(frozen=True)
class TmxHeader:
    """What the writer puts in <header>."""

    src_lang: str
    trg_lang: str
    signature: str
    creation_date: str


def _prop(parent, kind: str, value: str) -> None:
    prop = etree.SubElement(parent, "prop", type=kind)
    prop.text = value


def _unit(pair: Pair, header: TmxHeader) -> etree._Element:
    tu = etree.Element("tu")
    _prop(tu, "x-score", f"{pair.score:.4f}")
    _prop(tu, "x-document", pair.document)
    _prop(tu, "x-bead", str(pair.bead))
    for lang, text in ((header.src_lang, pair.src_text), (header.trg_lang, pair.trg_text)):
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
        etree.SubElement(tuv, "seg").text = text
    return tu


def write_tmx(stream: BinaryIO, pairs: Iterable[Pair], header: TmxHeader) -> int:
    """Write a TMX 1.4b document of `pairs` to a binary stream as they come; returns the unit count."""
    count = 0
    with etree.xmlfile(stream, encoding="UTF-8") as xf:
        xf.write_declaration()
        xf.write_doctype('<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
        with xf.element("tmx", version="1.4"):
            xf.write("\n")
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
            _prop(head, "x-align-signature", header.signature)
            xf.write(head, pretty_print=True)
            with xf.element("body"):
                xf.write("\n")
                for pair in pairs:
                    xf.write(_unit(pair, header), pretty_print=True)
                    count += 1
            xf.write("\n")
    return count


# --- reading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Variant:
    """One language's side of a unit: plain text (inline codes left out) and the raw <seg> XML."""

    lang: str
    text: str
    seg_xml: str


@dataclass(frozen=True)
class Unit:
    """A <tu>: its variants in file order and its <prop> values."""

    variants: tuple[Variant, ...]
    props: tuple[tuple[str, str], ...] = ()

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


def _seg_text(element) -> str:
    """Translatable text of a <seg> or <hi>: text and tails, without the content of inline codes."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname not in CODE_ELEMENTS:
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _props(element) -> tuple[tuple[str, str], ...]:
    return tuple((p.get("type", ""), p.text or "") for p in element.findall("prop"))


def _variant(tuv, source: str) -> Variant:
    lang = tuv.get(XML_LANG) or tuv.get("lang")  # TMX 1.1 wrote lang=
    seg = tuv.find("seg")
    if lang is None or seg is None:
        raise FormatError(f"line {tuv.sourceline}: <tuv> without a language or a <seg>", source)
    inner = (seg.text or "") + "".join(etree.tostring(child, encoding="unicode", with_tail=True) for child in seg)
    return Variant(lang, _seg_text(seg), inner)


def iter_tmx(source: str | BinaryIO, name: str | None = None) -> Iterator[Unit | Memory]:
    """Stream a TMX: yields each Unit, then a Memory holding the header (and no units)."""
    name = name or (source if isinstance(source, str) else getattr(source, "name", "<stream>"))
    attributes: tuple[tuple[str, str], ...] = ()
    header_props: tuple[tuple[str, str], ...] = ()
    root_seen = False
    try:
        context = etree.iterparse(source, events=("start", "end"), resolve_entities=False, no_network=True,
                                  load_dtd=False, dtd_validation=False, huge_tree=True, remove_comments=True)
        for event, element in context:
            if event == "start":
                if not root_seen:
                    root_seen = True
                    if element.tag != "tmx":
                        raise FormatError(f"not a TMX file: the root element is <{element.tag}>", name)
                continue
            if element.tag == "header":
                attributes = tuple(sorted(element.attrib.items()))
                header_props = _props(element)
            elif element.tag == "tu":
                yield Unit(tuple(_variant(tuv, name) for tuv in element.findall("tuv")), _props(element))
                element.clear(keep_tail=False)
                while element.getprevious() is not None:  # keep memory flat on large files
                    del element.getparent()[0]
    except etree.XMLSyntaxError as err:
        raise FormatError(f"malformed TMX: {err.msg} (line {err.lineno})", name) from None
    except OSError as err:
        raise FormatError(f"cannot read TMX: {err}", name) from None
    if not root_seen:
        raise FormatError("empty TMX file", name)
    yield Memory(attributes, header_props, ())


def read_tmx(source: str | BinaryIO, name: str | None = None) -> Memory:
    """A whole TMX in memory (for small files, tests and tools)."""
    units = []
    for item in iter_tmx(source, name):
        if isinstance(item, Unit):
            units.append(item)
        else:
            return Memory(item.attributes, item.header_props, tuple(units))
    raise AssertionError("iter_tmx always ends with the header")
