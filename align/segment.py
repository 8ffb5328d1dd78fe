"""Rule-based sentence splitting for Vietnamese and English news text.

The splitter is an ordered list of SRX-style rules, so that a CAT tool can be given exactly
the same rules (`align split --export-srx`), and rules from a CAT tool can replace them. Each
rule looks at one position in the text: a `before` pattern that must match up to it and an
`after` pattern that must match from it; the first rule that matches decides whether the
position is a break. Positions no break rule proposes are never breaks.

The built-in rules, in order: abbreviations that never end a sentence, abbreviations that do
not end one before a number (align/data/abbreviations.<lang>.txt), initials inside a name,
dotted acronyms, and then the break: a stop (. ! ? …), optional closing quotes or brackets,
white space, and something that opens a sentence (a capital, a digit, an opening quote, a
dash or a bullet; in English also a lower-case letter, as in e-mail and forum text).

The patterns are written in the regex syntax Python and Java share (no \\p{..} classes: the
letter classes are spelled out), so an exported file works unchanged in OmegaT and Okapi.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from align.model import ConfigError, Document, Sentence

LANGUAGES = ("vi", "en")

# How far back (in characters) a rule's `before` pattern may look.
BEFORE_WINDOW = 120

STOPS = ".!?…"
CLOSERS = "\"'”’»)]"
TOKEN_OPENERS = "\"'“‘«(["
SENTENCE_OPENERS = "\"'“‘«([-–—•*¿¡"


def _char_class(test) -> str:
    """The characters of the Latin, Greek and Cyrillic blocks (and Vietnamese's Latin Extended
    Additional) for which `test` holds, as ranges for a [...] class."""
    chars = [chr(c) for block in ((0x41, 0x250), (0x370, 0x530), (0x1E00, 0x1F00)) for c in range(*block)
             if test(chr(c))]
    ranges, start, prev = [], None, None
    for ch in chars:
        if start is None:
            start = prev = ch
        elif ord(ch) == ord(prev) + 1:
            prev = ch
        else:
            ranges.append((start, prev))
            start = prev = ch
    ranges.append((start, prev))
    return "".join(a if a == b else f"{a}-{b}" for a, b in ranges)


UPPER = _char_class(str.isupper)
LOWER = _char_class(str.islower)
LETTER = _char_class(str.isalpha)


def _escape(ch: str) -> str:
    return "\\" + ch if ch in "[]\\^-" else ch


def _class(chars: str) -> str:
    return "".join(_escape(ch) for ch in chars)


_TOKEN_START = f"(?<![^\\s{_class(TOKEN_OPENERS)}])"  # at the start of the text, a space or an opener
_STOP_RUN = f"[{_class(STOPS)}]+[{_class(CLOSERS)}]*"


@dataclass(frozen=True)
class Rule:
    """One SRX rule: a break (or no break) where `before` matches up to and `after` from the position."""

    breaks: bool
    before: str
    after: str
    comment: str = ""


@dataclass(frozen=True)
class Abbreviations:
    """Words with a final stop that do not end a sentence: always, or only before a number, or
    only before a lower-case word."""

    always: frozenset[str]
    before_number: frozenset[str]
    before_lower: frozenset[str] = frozenset()


@lru_cache(maxsize=None)
def abbreviations(lang: str) -> Abbreviations:
    """The abbreviation table shipped for `lang` (align/data/abbreviations.<lang>.txt)."""
    _check_language(lang)
    text = resources.files("align").joinpath(f"data/abbreviations.{lang}.txt").read_text("utf-8")
    tables: dict[str, set[str]] = {"": set(), "#NUMBER": set(), "#LOWER": set()}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, flag = line.partition(" ")
        if flag.strip() not in tables:
            raise ConfigError(f"line {number}: unknown flag {flag.strip()!r} (use #NUMBER or #LOWER)",
                              f"abbreviations.{lang}.txt")
        tables[flag.strip()].add(word)
    return Abbreviations(frozenset(tables[""]), frozenset(tables["#NUMBER"]), frozenset(tables["#LOWER"]))


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ConfigError(f"no sentence splitting rules for language {lang!r}; use one of {', '.join(LANGUAGES)}")


def _alternatives(words) -> str:
    # Longest first, so "PGS.TS." is tried before "PGS." (matters only to engines that stop early).
    return "|".join(re.escape(word) for word in sorted(words, key=lambda w: (-len(w), w)))


@lru_cache(maxsize=None)
def builtin_rules(lang: str) -> tuple[Rule, ...]:
    """align's own splitting rules for `lang`, in the order they are tried."""
    table = abbreviations(lang)
    rules = [
        Rule(False, f"{_TOKEN_START}(?:{_alternatives(table.always)})", r"\s",
             "an abbreviation that never ends a sentence"),
        Rule(False, f"{_TOKEN_START}(?:{_alternatives(table.before_number)})", r"\s+[0-9]",
             "an abbreviation that does not end a sentence before a number"),
        Rule(False, f"{_TOKEN_START}[A-Z]\\.", f"\\s+[{UPPER}]",
             'an initial inside a name: "J. K. Rowling" (not "Á.": Đông Nam Á ends sentences)'),
        *_acronym_at_sentence_end(lang),
        Rule(False, f"{_TOKEN_START}(?:[{LETTER}]\\.){{2,}}", r"\s+[^0-9\s]",
             'a dotted acronym: "U.S.", "a.m.", "v.v."'),
        Rule(False, _STOP_RUN, f"\\s+[-–—]\\s*[{LOWER}]",
             'a dash and a lower-case word after a quote: "... xuống?" - tòa hỏi."'),
        Rule(True, _STOP_RUN, f"\\s+[{UPPER}0-9{_class(SENTENCE_OPENERS)}]",
             "a stop, closing quotes or brackets, then a sentence opener"),
    ]
    if lang == "en":  # e-mail and forum English starts sentences in lower case (not after an ellipsis)
        rules += [
            Rule(False, f"{_TOKEN_START}(?:{_alternatives(table.before_lower)})", f"\\s+[{LOWER}(]",
                 'a company suffix before a lower-case word: "Enron Corp. common stock"'),
            Rule(True, "(?:[^.…\\s]\\.|[!?]+)", f"\\s+[{LOWER}]",
                 "a full stop, question or exclamation mark, then a lower-case word"),
            Rule(True, f"[{LOWER}]{{2}}(?:\\.+|[!?]+)", f"[{UPPER}][{LOWER}]+(?:'[{LOWER}]+)?\\s",
                 'a stop, no space, a capitalised word: "quality.You\'ll"'),
            Rule(True, "\\s[:;]-?[()DP]", f"\\s+[{UPPER}]", 'an emoticon: "fun :) Now"'),
        ]
    return tuple(rules)


# Words that start English sentences far more often than they follow "U.S." inside one.
ENGLISH_SENTENCE_STARTERS = ("The", "It", "He", "She", "We", "They", "This", "That", "There", "But", "And",
                             "In", "On", "At", "A", "An", "I", "If", "When", "However", "Its", "His", "Her")


def _acronym_at_sentence_end(lang: str) -> list[Rule]:
    if lang != "en":
        return []
    return [Rule(True, f"{_TOKEN_START}(?:[{LETTER}]\\.){{2,}}",
                 f"\\s+(?:{'|'.join(ENGLISH_SENTENCE_STARTERS)})\\s",
                 'a dotted acronym, then a word that starts sentences: "in the U.S. The talks"')]


@dataclass(frozen=True)
class _Compiled:
    breaks: bool
    before: re.Pattern   # anchored at the end: matches up to the position
    after: re.Pattern    # matched at the position
    proposer: re.Pattern | None  # break rules: finds the positions they propose


@lru_cache(maxsize=64)
def _compile(rules: tuple[Rule, ...]) -> tuple[_Compiled, ...]:
    compiled = []
    for rule in rules:
        compiled.append(_Compiled(
            rule.breaks,
            re.compile(f"(?:{rule.before})\\Z"),
            re.compile(rule.after),
            re.compile(f"(?:{rule.before})(?={rule.after})") if rule.breaks else None))
    return tuple(compiled)


def compile_rules(rules: tuple[Rule, ...], where: str = "") -> None:
    """Check that every rule compiles; ConfigError naming the rule otherwise."""
    for number, rule in enumerate(rules, 1):
        for name, pattern in (("beforebreak", rule.before), ("afterbreak", rule.after)):
            try:
                re.compile(pattern)
            except re.error as err:
                raise ConfigError(f"rule {number}: {name} pattern {pattern!r} is not a valid regular "
                                  f"expression: {err}", where) from None


def break_positions(text: str, rules: tuple[Rule, ...]) -> list[int]:
    """Offsets in `text` where a sentence ends, by the first rule that matches at each offset."""
    compiled = _compile(rules)
    proposed = sorted({m.end() for rule in compiled if rule.proposer is not None
                       for m in rule.proposer.finditer(text) if 0 < m.end() < len(text)})
    breaks = []
    for position in proposed:
        window = max(0, position - BEFORE_WINDOW)
        for rule in compiled:
            if rule.after.match(text, position) and rule.before.search(text, window, position):
                if rule.breaks:
                    breaks.append(position)
                break
    return breaks


def sentence_spans(text: str, lang: str, rules: tuple[Rule, ...] | None = None) -> list[tuple[int, int]]:
    """(start, end) character offsets of each sentence in `text`, white space at the edges excluded."""
    if rules is None:
        rules = builtin_rules(lang)
    cuts = [0, *break_positions(text, rules), len(text)]
    result = []
    for a, b in zip(cuts, cuts[1:]):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            result.append((a, b))
    return result


def split_sentences(text: str, lang: str, rules: tuple[Rule, ...] | None = None) -> list[str]:
    """The sentences of one block of text, in order; no non-space character is lost."""
    return [text[a:b] for a, b in sentence_spans(text, lang, rules)]


def segment(document: Document, rules: tuple[Rule, ...] | None = None) -> tuple[Sentence, ...]:
    """Every sentence of a document, block by block; no sentence crosses a block. `rules`
    replace the built-in ones (SRX rules for the document's language)."""
    return tuple(Sentence(text, index, block.kind)
                 for index, block in enumerate(document.blocks)
                 for text in split_sentences(block.text, document.lang, rules))

