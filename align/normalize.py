"""Text normalisation: NFC, spaces, quotes, Vietnamese tone-mark placement, diacritic folding.

Output text (what goes into a TMX) only gets `clean_text`: CAT tools match a new source
sentence byte for byte against the memory, so the page's own spelling and typography are
kept. The stronger forms (`match_key`, `fold`) are for comparing text, never for output.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining tone marks of Vietnamese (after NFD): grave, acute, hook above, tilde, dot below.
TONE_MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}

# Vowels, and the vowels that carry a shape diacritic and so take the tone mark first.
VOWELS = set("aăâeêioôơuưy")
SHAPED_VOWELS = set("ăâêôơư")

# Open two-vowel rhymes whose tone placement differs between the two conventions.
STYLE_DEPENDENT_RHYMES = {"oa", "oe", "uy"}

# Characters dropped from text: zero-width spaces and joiners, byte-order marks, soft hyphens.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

QUOTES = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2033": '"',
})

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WORD = re.compile(r"[^\W\d_]+")


def clean_text(text: str) -> str:
    """NFC, control and invisible characters removed, every run of white space one space, trimmed."""
    text = unicodedata.normalize("NFC", text.translate(INVISIBLE))  # a soft hyphen may split e + mark
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def clean_lines(text: str) -> str:
    """`clean_text` for a whole file at once, keeping its tabs and line breaks (fields still need
    their runs of spaces squeezed)."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text.translate(INVISIBLE)))


def normalize_quotes(text: str) -> str:
    """Typographic quotes and guillemets to ASCII ' and "."""
    return text.translate(QUOTES)


def _tone_position(letters: str, style: str) -> int | None:
    """Index in `letters` (a toneless lowercase syllable) of the vowel that carries the tone."""
    start = 0
    if letters.startswith("qu"):
        start = 2
    elif letters.startswith("gi") and len(letters) > 2 and letters[2] in VOWELS:
        start = 2
    while start < len(letters) and letters[start] not in VOWELS:
        start += 1
    end = start
    while end < len(letters) and letters[end] in VOWELS:
        end += 1
    if start == end:
        if start == 2 and letters[:2] in ("gi", "qu"):  # "gì", "gìn": the i is the nucleus
            return 1
        return None
    nucleus = letters[start:end]
    shaped = [i for i, ch in enumerate(nucleus) if ch in SHAPED_VOWELS]
    if shaped:  # ươ takes it on ơ, the last shaped vowel; every other rhyme has one shaped vowel
        return start + shaped[-1]
    if end < len(letters) or len(nucleus) == 1:  # closed syllable, or a single vowel
        return end - 1
    if len(nucleus) == 3:  # oai, uôi, uya ...: the middle vowel
        return start + 1
    if nucleus in STYLE_DEPENDENT_RHYMES:
        return start + (0 if style == "classic" else 1)
    return start  # ai, ao, au, ia, ua, ui ...: the first vowel


@lru_cache(maxsize=65536)
def _place_tone(word: str, style: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in TONE_MARKS]
    if len(tones) != 1:
        return word  # toneless, or not a Vietnamese syllable
    bare = [ch for ch in decomposed if ch not in TONE_MARKS]
    # Find each base letter's position so shape marks (breve, circumflex, horn) stay attached.
    base_positions = [i for i, ch in enumerate(bare) if not unicodedata.combining(ch)]
    letters = unicodedata.normalize("NFC", "".join(bare)).lower()
    if len(letters) != len(base_positions):
        return word
    target = _tone_position(letters, style)
    if target is None:
        return word
    insert_at = base_positions[target] + 1
    while insert_at < len(bare) and unicodedata.combining(bare[insert_at]):
        insert_at += 1
    bare.insert(insert_at, tones[0])
    return unicodedata.normalize("NFC", "".join(bare))


def normalize_tones(text: str, style: str = "classic") -> str:
    """Put each Vietnamese syllable's tone mark where `style` wants it (classic: hòa, modern: hoà)."""
    return _WORD.sub(lambda m: _place_tone(m.group(), style), unicodedata.normalize("NFC", text))


def match_key(text: str, style: str = "classic") -> str:
    """The form two texts are compared in: cleaned, tones placed one way, ASCII quotes, case-folded."""
    return normalize_quotes(normalize_tones(clean_text(text), style)).casefold()


def fold(text: str) -> str:
    """Text without any diacritics, đ as d, case-folded: 'Tô Lâm' -> 'to lam'."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
