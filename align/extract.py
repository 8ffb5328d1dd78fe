"""Pages to `Document`s: decode the bytes, then keep the main text of an HTML page or a text file.

Decoding never guesses silently: a BOM, an explicit encoding or an HTML meta charset is
obeyed, otherwise the bytes must be UTF-8. Anything else is refused with the encoding it
most resembles, so legacy Vietnamese text never reaches a memory as mojibake.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from lxml import etree, html

from align.legacy import VIQR, decode_legacy, detect, legacy_codec, viqr_marked_share
from align.model import CAPTION, HEADING, ITEM, PARAGRAPH, TITLE, Block, Document, InputError
from align.normalize import clean_text

HTML_SUFFIXES = (".html", ".htm", ".xhtml")

# Leading bytes of common binary formats a user might pass by mistake.
BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or a .docx/.xlsx/.odt file)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
}

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Vietnamese encodings with neither a Python codec nor a table here.
UNSUPPORTED_ENCODINGS = {"viscii", "vps", "bkhcm"}

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# UTF-8 read as Windows-1252 and saved again: "Viá»‡t", "Ä‘", "Ã¡".
_DOUBLE_ENCODED = re.compile("(?:Ã|Ä|Æ|á»|áº)[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")

# Detection decides alone only when the best reading is this sure and this far ahead of the next.
MIN_CONFIDENCE = 0.9
MIN_MARGIN = 0.15
# ASCII Vietnamese pages are read as VIQR when this share of their words carries VIQR marks.
MIN_VIQR_SHARE = 0.15


def _legacy_reading(data: bytes, source: str, error: UnicodeDecodeError) -> str:
    """Non-UTF-8 bytes of a Vietnamese page in the legacy encoding they most surely are; an
    InputError naming the candidates when no reading is sure enough."""
    detections = detect(data)
    best = detections[0] if detections else None
    runner_up = detections[1].confidence if len(detections) > 1 else 0.0
    if best and best.confidence >= MIN_CONFIDENCE and best.confidence - runner_up >= MIN_MARGIN:
        return decode_legacy(data, best.codec, source)
    candidates = ", ".join(f"{d.codec.label} {d.confidence:.2f}" for d in detections if d.confidence > 0) \
        or "none reads as Vietnamese"
    names = "|".join(d.codec.name for d in detections if d.confidence > 0) or "cp1258|vni|tcvn3|viqr"
    raise InputError(f"not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}) and not surely one "
                     f"legacy Vietnamese encoding (confidence: {candidates}); pass --encoding {names}, "
                     "or convert the file to UTF-8", source)


def _viqr_reading(text: str, data: bytes, source: str) -> str:
    """ASCII text of a Vietnamese page: VIQR when enough of its words carry VIQR marks and they
    decode to Vietnamese syllables; otherwise unchanged."""
    if not text.isascii() or viqr_marked_share(text) < MIN_VIQR_SHARE:
        return text
    (detection,) = detect(data, (VIQR,))
    return decode_legacy(data, VIQR, source) if detection.confidence >= MIN_CONFIDENCE else text


def encoding_candidates(data: bytes) -> list[tuple[str, float]]:
    """What the bytes of a Vietnamese page are, most likely first, each with a confidence (0..1):
    UTF-8 (with or without BOM) is certain; otherwise every legacy reading that yields some
    Vietnamese. Declared charsets are not consulted: this is what the bytes themselves say."""
    if any(data.startswith(bom) for bom, _ in BOMS):
        return [("Unicode with a byte-order mark", 1.0)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [(d.codec.label, d.confidence) for d in detect(data) if d.confidence > 0]
    if text.isascii() and viqr_marked_share(text) >= MIN_VIQR_SHARE:
        (viqr,) = detect(data, (VIQR,))
        if viqr.confidence > 0:
            return [("VIQR", viqr.confidence), ("ASCII", 1.0 - viqr.confidence)]
    return [("ASCII" if text.isascii() else "UTF-8", 1.0)]


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in BINARY_MAGIC.items():
        if data.startswith(magic):
            return kind
    if b"\x00" in data[:8192]:
        return "binary data (NUL bytes)"
    return None


def _decode_with(data: bytes, encoding: str, source: str) -> str:
    codec = legacy_codec(encoding)
    if codec:
        return decode_legacy(data, codec, source)
    if encoding.lower() in UNSUPPORTED_ENCODINGS:
        raise InputError(f"encoding {encoding} is not supported; convert the file to UTF-8", source)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", source) from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise InputError(f"cannot be decoded as {encoding}: byte 0x{data[err.start]:02x} at offset {err.start}",
                         source) from None


def decode(data: bytes, source: str, encoding: str | None = None, lang: str | None = None) -> str:
    """Bytes of a page to NFC text; `encoding` overrides detection. A Vietnamese page (`lang`
    "vi") that is not UTF-8 is read in the legacy encoding detection is sure of (Windows-1258,
    VNI, TCVN3), an ASCII one as VIQR when it is written in it. Raises InputError."""
    if not data.strip():
        raise InputError("empty file", source)
    for bom, codec in BOMS:
        if data.startswith(bom):
            return unicodedata.normalize("NFC", _decode_with(data, codec, source))
    binary = _binary_kind(data)
    if binary:
        raise InputError(f"not a text or HTML page: looks like {binary}", source)
    declared = encoding
    if declared is None:
        meta = _META_CHARSET.search(data[:8192])
        if meta:
            declared = meta.group(1).decode("ascii")
            if declared.lower() in ("utf8", "utf-8", "unicode"):
                declared = None  # plain UTF-8, checked below with a better message
    if declared:
        text = _decode_with(data, declared, source)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            if lang != "vi":
                raise InputError(f"not UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); convert it "
                                 "to UTF-8 or pass --encoding (e.g. cp1252)", source) from None
            text = _legacy_reading(data, source, err)
        else:
            if lang == "vi":
                text = _viqr_reading(text, data, source)
    text = unicodedata.normalize("NFC", text)
    if len(_DOUBLE_ENCODED.findall(text)) >= 3:
        raise InputError("text is garbled: UTF-8 that was read as Windows-1252 and saved again "
                         "(e.g. 'Viá»‡t' for 'Việt'); fix the file's encoding first", source)
    return text


# --- HTML ---------------------------------------------------------------------------------

# Elements that never hold article text.
DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "nav", "footer", "aside", "form",
                "button", "select", "svg", "canvas", "object", "embed", "video", "audio", "map")

# class / id words of page furniture on news sites (English and Vietnamese slugs).
BOILERPLATE_WORDS = {
    "nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "share", "sharing", "social",
    "related", "relate", "lien-quan", "tinlienquan", "comment", "comments", "binh-luan", "binhluan",
    "footer", "sidebar", "widget", "ad", "ads", "advert", "advertisement", "banner", "promo",
    "sponsor", "tag", "tags", "keyword", "keywords", "byline", "author", "tac-gia", "meta", "date",
    "time", "datetime", "publish", "published", "newsletter", "subscribe", "login", "cookie",
    "popup", "modal", "print", "rating", "pagination", "toolbar", "most-read", "doc-nhieu",
    "trending", "hotnews", "breaking", "logo", "header-top", "topbar", "copyright",
}

LEAF_BLOCKS = {"h1": TITLE, "h2": HEADING, "h3": HEADING, "h4": HEADING, "h5": HEADING, "h6": HEADING,
               "p": PARAGRAPH, "figcaption": CAPTION, "li": ITEM, "dt": ITEM, "dd": ITEM,
               "pre": PARAGRAPH, "caption": CAPTION, "summary": HEADING}
CONTAINERS = {"html", "body", "div", "section", "article", "main", "figure", "ul", "ol", "dl", "table",
              "thead", "tbody", "tfoot", "tr", "td", "th", "blockquote", "header", "center", "details",
              "hgroup", "picture"}
PROTECTED = {"html", "body", "article", "main"}


def _is_boilerplate(el) -> bool:
    names = f"{el.get('class', '')} {el.get('id', '')} {el.get('role', '')}".lower()
    if not names.strip():
        return False
    words = {w for w in re.split(r"[\s_]+", names) if w}
    pieces = words | {p for w in words for p in w.split("-")}
    return bool(pieces & BOILERPLATE_WORDS)


def _text_of(el) -> str:
    return clean_text("".join(el.itertext()))


def _paragraph_text_length(el) -> int:
    return sum(len(_text_of(p)) for p in el.iter("p"))


def _main_container(root):
    """The element holding the article: <article>, else <main>, else the richest container."""
    for tag in ("article", "main"):
        candidates = root.findall(f".//{tag}")
        if candidates:
            return max(candidates, key=_paragraph_text_length)
    best, best_score = root.find("body") if root.find("body") is not None else root, 0
    for el in root.iter("div", "section", "td"):
        score = sum(len(_text_of(p)) for p in el.findall("p"))  # direct <p> children only
        if score > best_score:
            best, best_score = el, score
    return best


def _blocks_of(container) -> list[Block]:
    """Blocks in reading order; inline text loose in a container becomes a paragraph."""
    blocks: list[Block] = []
    pending: list[str] = []

    def flush():
        text = clean_text("".join(pending))
        pending.clear()
        if text:
            blocks.append(Block(text, PARAGRAPH))

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        kind = LEAF_BLOCKS.get(tag)
        if tag and kind in (None, PARAGRAPH) and "caption" in (el.get("class") or "").lower():
            kind = CAPTION  # <p class="image-caption">, <div class="caption">
        if kind:
            flush()
            text = _text_of(el)
            if text:
                blocks.append(Block(text, kind))
            return
        if tag in CONTAINERS:
            flush()
            if el.text:
                pending.append(el.text)
            for child in el:
                walk(child)
                if child.tail:
                    pending.append(child.tail)
            flush()
        elif tag:
            pending.append("".join(el.itertext()))

    walk(container)
    flush()
    return blocks


def extract_html(text: str, source: str, lang: str) -> Document:
    """The main article text of an HTML page: title, headings, paragraphs, captions, list items."""
    text = _XML_DECLARATION.sub("", text, count=1)
    if re.search(r"<html[\s>]", text, re.I) and not re.search(r"</html\s*>", text, re.I):
        raise InputError("broken HTML: the page ends before </html> (truncated download?)", source)
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, recover=True)
    try:
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as err:
        raise InputError(f"broken HTML: {err}", source) from None
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for el in list(root.iter(*DROPPED_TAGS)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.tag not in PROTECTED and el.getparent() is not None \
                and _is_boilerplate(el) and el.find(".//h1") is None:
            el.drop_tree()
    for header in list(root.iter("header")):
        if header.find(".//h1") is None and header.getparent() is not None:
            header.drop_tree()
    container = _main_container(root)
    blocks = _blocks_of(container)
    title = root.find(".//h1")
    if title is not None and not any(b.kind == TITLE for b in blocks):
        title_text = _text_of(title)
        if title_text:
            blocks.insert(0, Block(title_text, TITLE))
    if not blocks:
        raise InputError("no article text found in the HTML page", source)
    return Document(source, lang, tuple(blocks))


# --- plain text ---------------------------------------------------------------------------

_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
_BULLET = re.compile(r"^\s*(?:[-–—•*+▪●◦]|\d{1,3}[.)])\s+")


def extract_text(text: str, source: str, lang: str) -> Document:
    """Blank-line separated blocks; a bulleted line starts a block of its own; a one-line first block is the title."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    for chunk in _BLANK_LINE.split(text.strip()):
        lines: list[str] = []
        kind = PARAGRAPH

        def flush():
            joined = clean_text(" ".join(lines))
            if joined:
                blocks.append(Block(joined, kind))
            lines.clear()

        for line in chunk.split("\n"):
            if _BULLET.match(line):
                flush()
                kind = ITEM
            lines.append(line)  # a line without a bullet continues the block (hard wrap)
        flush()
    if not blocks:
        raise InputError("no text in the file", source)
    first_chunk = _BLANK_LINE.split(text.strip(), maxsplit=1)[0]
    if len(blocks) > 1 and "\n" not in first_chunk.strip():
        blocks[0] = Block(blocks[0].text, TITLE)
    return Document(source, lang, tuple(blocks))


def is_html(path: str, text: str) -> bool:
    """By suffix, or by content for files whose suffix says nothing."""
    if path.lower().endswith(HTML_SUFFIXES):
        return True
    if path.lower().endswith(".txt"):
        return False
    head = text.lstrip()[:200].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def extract(data: bytes, source: str, lang: str, encoding: str | None = None) -> Document:
    """A page's bytes to its Document (HTML or plain text)."""
    text = decode(data, source, encoding, lang)
    if is_html(source, text):
        return extract_html(text, source, lang)
    return extract_text(text, source, lang)
