"""Vietnamese text in the encodings that came before Unicode: detect them, convert them to NFC.

Four are still met in archives and old sites:

- Windows-1258: Latin letters with breve, circumflex and horn precomposed, tone marks as
  combining bytes after the letter (Python's cp1258 codec decodes it; NFC composes).
- VNI-Windows: a plain Latin-1 letter followed by one byte for its marks ("a\\xf8" is "à"), read
  through Windows-1252; ơ, ư, đ and the i's with a tone are single bytes.
- TCVN3 (ABC, TCVN 5712:1993 VN3): one byte per lower-case letter with marks; capitals exist
  only for the seven letters with a shape mark (ĂÂÊÔƠƯĐ), so text typed in the capital fonts
  (.VnTimeH) comes back in lower case.
- VIQR (RFC 1456): plain ASCII, a mnemonic after the vowel: ( breve, ^ circumflex, + horn,
  then ' ` ? ~ . for the tone; dd for đ; a backslash keeps a mnemonic literal ("Nội\\.").

The tables below are written from the published character charts. Detection decodes the bytes
each way and measures the share of resulting words that are well-formed Vietnamese syllables:
that share is the confidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from align.model import InputError

TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # none, acute, grave, hook, tilde, dot
VOWELS = "aăâeêioôơuưy"


def vietnamese_letters() -> list[str]:
    """Every letter of Vietnamese with marks, lower then upper case: 12 vowels x 6 tones, and đ."""
    lower = [unicodedata.normalize("NFC", vowel + tone) for vowel in VOWELS for tone in TONES] + ["đ"]
    return lower + [letter.upper() for letter in lower]


def _split_letter(letter: str) -> tuple[str, int]:
    """A vowel letter as (its vowel without tone, tone index in TONES)."""
    decomposed = unicodedata.normalize("NFD", letter)
    tone = next((i for i, mark in enumerate(TONES) if mark and mark in decomposed), 0)
    bare = unicodedata.normalize("NFC", decomposed.replace(TONES[tone], "") if tone else decomposed)
    return bare, tone


# Windows-1252's quotes, dashes and other signs in 0x80-0x9F; its five undefined bytes stay
# as the Latin-1 control characters they are.
_WINDOWS_1252 = {byte: bytes([byte]).decode("cp1252") for byte in range(0x80, 0xA0)
                 if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


# --- VNI-Windows ------------------------------------------------------------------------------

# Lower-case spellings; a capital is the same with every character upper-cased (Latin-1's
# upper-case marks are the lower-case ones minus 0x20).
_VNI_BASE = {"a": "a", "ă": "aê", "â": "aâ", "e": "e", "ê": "eâ", "i": "i", "o": "o", "ô": "oâ",
             "ơ": "ô", "u": "u", "ư": "ö", "y": "y"}
_VNI_TONE = ("", "ù", "ø", "û", "õ", "ï")
_VNI_CIRCUMFLEX_TONE = ("â", "á", "à", "å", "ã", "ä")  # â ê ô with a tone: one byte for both marks
_VNI_BREVE_TONE = ("ê", "é", "è", "ú", "ü", "ë")
_VNI_I = ("i", "í", "ì", "æ", "ó", "ò")


def _vni_lower(vowel: str, tone: int) -> str:
    if vowel in "âêô":
        return vowel.translate(str.maketrans("âêô", "aeo")) + _VNI_CIRCUMFLEX_TONE[tone]
    if vowel == "ă":
        return "a" + _VNI_BREVE_TONE[tone]
    if vowel == "i":
        return _VNI_I[tone]
    if vowel == "y" and tone == 5:
        return "î"
    return _VNI_BASE[vowel] + _VNI_TONE[tone]


def _vni_table() -> dict[str, str]:
    table = {}
    for letter in vietnamese_letters():
        if letter.lower() == "đ":
            table[letter] = "ñ" if letter == "đ" else "Ñ"
            continue
        vowel, tone = _split_letter(letter.lower())
        spelling = _vni_lower(vowel, tone)
        table[letter] = spelling if letter.islower() else spelling.upper()
    return table


# --- TCVN3 (ABC) ------------------------------------------------------------------------------

# Bytes of the lower-case letters with a tone, vowel by vowel, in the tone order of TONES[1:].
_TCVN3_TONED = {
    "a": (0xB8, 0xB5, 0xB6, 0xB7, 0xB9), "ă": (0xBE, 0xBB, 0xBC, 0xBD, 0xC6),
    "â": (0xCA, 0xC7, 0xC8, 0xC9, 0xCB), "e": (0xD0, 0xCC, 0xCE, 0xCF, 0xD1),
    "ê": (0xD5, 0xD2, 0xD3, 0xD4, 0xD6), "i": (0xDD, 0xD7, 0xD8, 0xDC, 0xDE),
    "o": (0xE3, 0xDF, 0xE1, 0xE2, 0xE4), "ô": (0xE8, 0xE5, 0xE6, 0xE7, 0xE9),
    "ơ": (0xED, 0xEA, 0xEB, 0xEC, 0xEE), "u": (0xF3, 0xEF, 0xF1, 0xF2, 0xF4),
    "ư": (0xF8, 0xF5, 0xF6, 0xF7, 0xF9), "y": (0xFD, 0xFA, 0xFB, 0xFC, 0xFE),
}
_TCVN3_SHAPED = dict(zip("ĂÂÊÔƠƯĐăâêôơưđ", range(0xA1, 0xAF)))


def _tcvn3_decoding() -> dict[int, str]:
    table = {byte: letter for letter, byte in _TCVN3_SHAPED.items()}
    for vowel, codes in _TCVN3_TONED.items():
        for tone, byte in enumerate(codes, start=1):
            table[byte] = unicodedata.normalize("NFC", vowel + TONES[tone])
    table[0xA0] = "\u00a0"
    table.update(_WINDOWS_1252)  # quotes and dashes, as the ABC fonts kept them
    return table


_TCVN3_DECODING = _tcvn3_decoding()
_TCVN3_ENCODING = {ch: byte for byte, ch in _TCVN3_DECODING.items()}


def _decode_tcvn3(data: bytes, source: str) -> str:
    out = []
    for offset, byte in enumerate(data):
        if byte < 0x80:
            out.append(chr(byte))
        elif byte in _TCVN3_DECODING:
            out.append(_TCVN3_DECODING[byte])
        else:
            raise InputError(f"byte 0x{byte:02x} at offset {offset} is not a TCVN3 (ABC) character", source)
    return "".join(out)


def _encode_tcvn3(text: str) -> bytes:
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) < 0x80:
            out.append(ord(ch))
        elif ch in _TCVN3_ENCODING:
            out.append(_TCVN3_ENCODING[ch])
        elif ch.lower() in _TCVN3_ENCODING:
            out.append(_TCVN3_ENCODING[ch.lower()])  # TCVN3 has no capitals with a tone
        else:
            raise ValueError(f"{ch!r} has no TCVN3 byte")
    return bytes(out)


# --- VIQR (RFC 1456) --------------------------------------------------------------------------

_VIQR_SHAPE = {"ă": "a(", "â": "a^", "ê": "e^", "ô": "o^", "ơ": "o+", "ư": "u+"}
_VIQR_TONE = ("", "'", "`", "?", "~", ".")
_VIQR_LETTER = re.compile(r"\\(.)|(?<![^\W\d_])([Dd][Dd])|([AaEeIiOoUuYy])([(^+]?)([`'?~.]?)")
_VIQR_SHAPES = {("a", "("): "ă", ("a", "^"): "â", ("e", "^"): "ê", ("o", "^"): "ô", ("o", "+"): "ơ",
                ("u", "+"): "ư"}


def _viqr_spelling(letter: str) -> str:
    if letter.lower() == "đ":
        return "dd" if letter == "đ" else "DD"
    vowel, tone = _split_letter(letter.lower())
    spelling = _VIQR_SHAPE.get(vowel, vowel) + _VIQR_TONE[tone]
    return spelling if letter.islower() else spelling[0].upper() + spelling[1:]


def _decode_viqr(text: str) -> str:
    """RFC 1456 VIQR to Unicode. A mark that cannot belong (a second tone in one syllable, a shape
    mark on the wrong vowel) stays as it was."""
    def replace(match: re.Match) -> str:
        escaped, dd, vowel, shape, tone = match.groups()
        if escaped is not None:
            return escaped
        if dd is not None:
            return "đ" if dd[0] == "d" else "Đ"
        letter = vowel
        if shape:
            shaped = _VIQR_SHAPES.get((vowel.lower(), shape))
            if shaped is None:
                return vowel + shape + tone
            letter = shaped if vowel.islower() else shaped.upper()
        if tone:
            word_start = match.start()
            while word_start and (match.string[word_start - 1].isalpha()
                                  or match.string[word_start - 1] in "(^+'`?~."):
                word_start -= 1
            if any(ch in "'`?~." for ch in match.string[word_start:match.start()]):
                return letter + tone  # the syllable already has its tone
            letter = unicodedata.normalize("NFC", letter + TONES[_VIQR_TONE.index(tone)])
        return letter
    return unicodedata.normalize("NFC", _VIQR_LETTER.sub(replace, text))


def _encode_viqr(text: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in "\\(^+'`?~." and out and out[-1][-1:].lower() in "aeiouy(^+" or ch == "\\":
            out.append("\\" + ch)
        elif ch.lower() == "d" and out and out[-1] in ("d", "D") and (len(out) == 1 or not out[-2][-1:].isalpha()):
            out.append("\\" + ch)  # "dd" at the start of a word would read as đ
        elif ch in _LETTERS:
            out.append(_viqr_spelling(ch))
        else:
            out.append(ch)
    return "".join(out)


# --- Windows-1258 -----------------------------------------------------------------------------

def _encode_cp1258(text: str) -> bytes:
    """Letters with breve, circumflex or horn precomposed, tone marks as combining bytes after them."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _LETTERS and ch.lower() != "đ":
            vowel, tone = _split_letter(ch)
            out.append(vowel + TONES[tone])
        else:
            out.append(ch)
    return "".join(out).encode("cp1258")


# --- the codecs -------------------------------------------------------------------------------

_LETTERS = frozenset(vietnamese_letters())
_VNI_ENCODING = _vni_table()
# Decoding also accepts a capital followed by a lower-case mark byte, as mixed fonts leave it.
_VNI_DECODING = {**{spelling[0] + spelling[1:].lower(): letter for letter, spelling in _VNI_ENCODING.items()
                    if letter.isupper() and len(spelling) > 1},
                 **{spelling: letter for letter, spelling in _VNI_ENCODING.items()}}
_VNI_PATTERN = re.compile("|".join(re.escape(s) for s in sorted(_VNI_DECODING, key=len, reverse=True)
                                   if not s.isascii()))


def _decode_vni(data: bytes) -> str:
    text = data.decode("latin-1").translate(_WINDOWS_1252)
    return _VNI_PATTERN.sub(lambda m: _VNI_DECODING[m.group()], text)


@dataclass(frozen=True)
class Codec:
    name: str    # what --encoding takes
    label: str   # what a user calls it


CP1258 = Codec("cp1258", "Windows-1258")
VNI = Codec("vni", "VNI-Windows")
TCVN3 = Codec("tcvn3", "TCVN3 (ABC)")
VIQR = Codec("viqr", "VIQR")
CODECS = (CP1258, VNI, TCVN3, VIQR)
ALIASES = {"cp1258": CP1258, "windows-1258": CP1258, "vni": VNI, "vni-windows": VNI, "tcvn3": TCVN3,
           "tcvn": TCVN3, "tcvn-3": TCVN3, "abc": TCVN3, "tcvn5712": TCVN3, "viqr": VIQR}


def legacy_codec(encoding: str) -> Codec | None:
    """The legacy Vietnamese codec `encoding` names (any common spelling), if it names one."""
    return ALIASES.get(encoding.lower().replace("_", "-"))


def decode_legacy(data: bytes, codec: Codec, source: str) -> str:
    """Bytes in a legacy Vietnamese encoding as NFC text; InputError when they cannot be."""
    if codec is CP1258:
        try:
            text = data.decode("cp1258")
        except UnicodeDecodeError as err:
            raise InputError(f"cannot be decoded as Windows-1258: byte 0x{data[err.start]:02x} at offset "
                             f"{err.start}", source) from None
    elif codec is VNI:
        text = _decode_vni(data)
    elif codec is TCVN3:
        text = _decode_tcvn3(data, source)
    else:
        try:
            text = _decode_viqr(data.decode("ascii"))
        except UnicodeDecodeError as err:
            raise InputError(f"VIQR is plain ASCII, but byte 0x{data[err.start]:02x} at offset {err.start} "
                             "is not", source) from None
    return unicodedata.normalize("NFC", text)


def encode_legacy(text: str, codec: Codec) -> bytes:
    """Text in a legacy encoding (what old editors wrote); for tests and for making samples."""
    if codec is CP1258:
        return _encode_cp1258(text)
    if codec is VNI:
        return "".join(_VNI_ENCODING.get(ch, ch) for ch in unicodedata.normalize("NFC", text)).encode("cp1252")
    if codec is TCVN3:
        return _encode_tcvn3(text)
    return _encode_viqr(text).encode("ascii")


# --- detection --------------------------------------------------------------------------------

# Syllable structure: onset, vowel nucleus (with its glides), coda. Nuclei that end in a glide
# take no coda; ă, â and the diphthongs iê, yê, uô, ươ need one; ch and nh follow a, ê, i, y only.
_ONSET = re.compile("(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?")
_OPEN_ONLY = set("ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu oai oay oeo uây uôi uya uyu ươi ươu "
                 "yêu iêu uơ".split())
_NEED_CODA = set("ă â iê yê uô ươ uyê oă uâ oo".split())
_FREE = set("a e ê i o ô ơ u ư y oa oe uê uy".split())
_CODAS = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"}
_WORD = re.compile(r"[^\W\d_]+")
MIN_EVIDENCE = 3  # words with Vietnamese marks needed before any guess is trusted


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(1 for ch in decomposed if ch in TONES[1:]) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONES[1:]))
    rest = bare[_ONSET.match(bare).end():]
    if bare.startswith("gi") and (not rest or rest[0] not in VOWELS):  # "gì", "gìn": i is the nucleus
        rest = bare[1:]
    end = 0
    while end < len(rest) and rest[end] in VOWELS:
        end += 1
    nucleus, coda = rest[:end], rest[end:]
    if coda not in _CODAS or not nucleus:
        return False
    if coda in ("ch", "nh") and nucleus[-1] not in "aêiy":
        return False
    if coda:
        return nucleus in _FREE or nucleus in _NEED_CODA
    return nucleus in _FREE or nucleus in _OPEN_ONLY


def vietnamese_share(text: str) -> tuple[float, int]:
    """Of the words that carry letters outside ASCII: the share that are well-formed Vietnamese
    syllables, and how many there were."""
    marked = [word for word in _WORD.findall(text) if not word.isascii()]
    if not marked:
        return 0.0, 0
    return sum(map(_is_syllable, marked)) / len(marked), len(marked)


@dataclass(frozen=True)
class Detection:
    codec: Codec
    confidence: float  # share of marked words that decode to Vietnamese syllables
    evidence: int      # how many marked words that share is over


def detect(data: bytes, candidates: tuple[Codec, ...] = (CP1258, VNI, TCVN3)) -> list[Detection]:
    """Every candidate's decoding of `data`, scored; the most likely first."""
    found = []
    for codec in candidates:
        try:
            text = decode_legacy(data, codec, "")
        except InputError:
            continue
        share, evidence = vietnamese_share(text)
        if evidence < MIN_EVIDENCE:
            share *= evidence / MIN_EVIDENCE
        found.append(Detection(codec, share, evidence))
    return sorted(found, key=lambda d: -d.confidence)


def viqr_marked_share(text: str) -> float:
    """Share of the words of ASCII text that carry VIQR marks (English text has next to none)."""
    words = re.findall(r"\S+", text)
    if not words:
        return 0.0
    marked = sum(1 for w in words if re.search(r"[AaEeIiOoUuYy][(^+]|[AaEeIiOoUuYy][`'?~.]\w|^[Dd][Dd]", w))
    return marked / len(words)
