"""Rule-based sentence splitting for Vietnamese and English news text.

A boundary is a sentence stop (. ! ? …), optional closing quotes or brackets, white space,
and then something that can open a sentence (a capital, a digit, an opening quote or a dash).
Abbreviations that cannot end a sentence come from data files, one per language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from align.model import ConfigError, Document, Sentence

LANGUAGES = ("vi", "en")

_CANDIDATE = re.compile(r"(?P<stop>[.!?…]+)(?P<close>[\"'”’»)\]]*)\s+(?=(?P<next>\S))")
SENTENCE_OPENERS = "\"'“‘«([-–—•*¿¡"
_INITIAL = re.compile(r"[A-Z]\.")  # one Latin capital: "J." (not "Á.": Đông Nam Á ends sentences)
_DOTTED_ACRONYM = re.compile(r"(?:[^\W\d_]\.){2,}", re.U)  # "U.S.", "a.m.", "v.v."
_TOKEN_OPENERS = "\"'“‘«(["


@dataclass(frozen=True)
class Abbreviations:
    """Words with a final stop that do not end a sentence: always, or only before a number."""

    always: frozenset[str]
    before_number: frozenset[str]


@lru_cache(maxsize=None)
def abbreviations(lang: str) -> Abbreviations:
    """The abbreviation table shipped for `lang` (align/data/abbreviations.<lang>.txt)."""
    if lang not in LANGUAGES:
        raise ConfigError(f"no sentence splitting rules for language {lang!r}; use one of {', '.join(LANGUAGES)}")
    text = resources.files("align").joinpath(f"data/abbreviations.{lang}.txt").read_text("utf-8")
    always, before_number = set(), set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, flag = line.partition(" ")
        (before_number if flag.strip() == "#NUMBER" else always).add(word)
    return Abbreviations(frozenset(always), frozenset(before_number))


def _opens_sentence(ch: str) -> bool:
    return ch.isupper() or ch.isdigit() or ch in SENTENCE_OPENERS


def _is_boundary(text: str, match: re.Match, table: Abbreviations) -> bool:
    nxt = match.group("next")
    if not _opens_sentence(nxt):
        return False
    if match.group("stop") != "." or match.group("close"):
        return True
    start = text.rfind(" ", 0, match.start("stop")) + 1
    token = text[start:match.end("stop")].lstrip(_TOKEN_OPENERS)
    if token in table.always or (nxt.isdigit() and token in table.before_number):
        return False
    if _INITIAL.fullmatch(token) and nxt.isupper():
        return False  # an initial inside a name: "J. K. Rowling"
    if _DOTTED_ACRONYM.fullmatch(token) and not nxt.isdigit():
        return False
    return True


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence in `text`, white space at the edges excluded."""
    table = abbreviations(lang)
    spans, start = [], 0
    for match in _CANDIDATE.finditer(text):
        if _is_boundary(text, match, table):
            end = match.end("close")
            spans.append((start, end))
            start = match.end()
    spans.append((start, len(text)))
    result = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            result.append((a, b))
    return result


def split_sentences(text: str, lang: str) -> list[str]:
    """The sentences of one block of text, in order; no non-space character is lost."""
    return [text[a:b] for a, b in sentence_spans(text, lang)]


def segment(document: Document) -> tuple[Sentence, ...]:
    """Every sentence of a document, block by block; no sentence crosses a block."""
    return tuple(Sentence(text, index, block.kind)
                 for index, block in enumerate(document.blocks)
                 for text in split_sentences(block.text, document.lang))
