"""SRX 2.0 segmentation rules, as CAT tools (OmegaT, Okapi) exchange them: read and write.

An SRX file holds named language rules (ordered break / no-break rules, each a `beforebreak`
and an `afterbreak` pattern) and map rules that say which language rules apply to a language
code (`languagepattern`, a regular expression). With `cascade="yes"` every matching map
contributes its rules in order; otherwise the first matching map alone does.

The patterns are Java regular expressions. The common Java-only spellings are translated for
Python: \\p{Lu}, \\p{Ll}, \\p{L} (and their Is-/General_Category forms), \\p{N}, \\p{Nd}, \\p{P},
\\h, \\Q...\\E and \\x{...}; anything Python cannot compile is refused with the rule's number.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from align.files import read_input
from align.model import ConfigError
from align.segment import LANGUAGES, LETTER, LOWER, UPPER, Rule, builtin_rules, compile_rules

SRX_NAMESPACE = "http://www.lisa.org/srx20"
_NS = {"srx": SRX_NAMESPACE}
LANGUAGE_NAMES = {"vi": "Vietnamese", "en": "English"}

_DIGITS = "0-9\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\uff10-\uff19"
_PUNCTUATION = "!-#%-*,-/:;?@\\[-\\]_{}\u00a1\u00a7\u00ab\u00b6\u00b7\u00bb\u00bf\u2010-\u2027\u2030-\u205e\u3001-\u3003"
PROPERTY_CLASSES = {
    "Lu": UPPER, "IsLu": UPPER, "Upper": UPPER, "IsUppercase": UPPER, "javaUpperCase": UPPER,
    "Ll": LOWER, "IsLl": LOWER, "Lower": LOWER, "IsLowercase": LOWER, "javaLowerCase": LOWER,
    "L": LETTER, "IsL": LETTER, "IsLetter": LETTER, "Alpha": LETTER, "IsAlphabetic": LETTER,
    "N": _DIGITS, "Nd": _DIGITS, "IsDigit": _DIGITS, "Digit": _DIGITS,
    "P": _PUNCTUATION, "Punct": _PUNCTUATION, "IsPunctuation": _PUNCTUATION,
}
_HORIZONTAL_SPACE = " \\t\u00a0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000"


@dataclass(frozen=True)
class SrxRules:
    """The rules of one SRX file, by language code; `name@sha256` identifies it in a run's settings."""

    name: str
    sha256: str
    by_language: tuple[tuple[str, tuple[Rule, ...]], ...]

    def rules_for(self, lang: str) -> tuple[Rule, ...]:
        for code, rules in self.by_language:
            if code == lang:
                return rules
        raise ConfigError(f"no map rule applies to language {lang!r}", self.name)

    def __str__(self) -> str:
        return f"{self.name}@{self.sha256[:12]}"


def java_to_python(pattern: str) -> str:
    """A Java regular expression in the spelling Python's `re` understands (see the module doc)."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            code = pattern[i + 1]
            if code in "pP" and i + 2 < len(pattern):
                match = re.match(r"\{(?:Is|general_category=|gc=)?([A-Za-z_]+)\}|([A-Za-z])", pattern[i + 2:])
                if not match:
                    raise ValueError(f"unreadable \\{code} class at offset {i}")
                name = match.group(1) or match.group(2)
                chars = PROPERTY_CLASSES.get(name) or PROPERTY_CLASSES.get("Is" + name)
                if chars is None:
                    raise ValueError(f"the character class \\{code}{{{name}}} is not supported")
                negate = code == "P"
                if in_class:
                    if negate:
                        raise ValueError(f"\\P{{{name}}} inside [...] is not supported")
                    out.append(chars)
                else:
                    out.append(f"[{'^' if negate else ''}{chars}]")
                i += 2 + match.end()
                continue
            if code == "h":
                out.append(_HORIZONTAL_SPACE if in_class else f"[{_HORIZONTAL_SPACE}]")
                i += 2
                continue
            if code == "Q":
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2:] if end < 0 else pattern[i + 2:end]
                out.append(re.escape(literal))
                i = len(pattern) if end < 0 else end + 2
                continue
            if code == "x" and pattern[i + 2:i + 3] == "{":
                end = pattern.index("}", i)
                out.append(f"\\U{int(pattern[i + 3:end], 16):08x}")
                i = end + 1
                continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class and out and out[-1] not in ("[", "[^"):
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


def _language_rules(root, source: str) -> dict[str, list[Rule]]:
    rules: dict[str, list[Rule]] = {}
    for language in root.iterfind("srx:body/srx:languagerules/srx:languagerule", _NS):
        name = language.get("languagerulename")
        if not name:
            raise ConfigError(f"line {language.sourceline}: <languagerule> without languagerulename", source)
        found = rules.setdefault(name, [])
        for rule in language.iterfind("srx:rule", _NS):
            before = rule.findtext("srx:beforebreak", default="", namespaces=_NS)
            after = rule.findtext("srx:afterbreak", default="", namespaces=_NS)
            try:
                before, after = java_to_python(before), java_to_python(after)
            except ValueError as err:
                raise ConfigError(f"line {rule.sourceline}: rule in {name!r}: {err}", source) from None
            found.append(Rule(rule.get("break", "yes").lower() != "no", before, after))
    return rules


def _rules_for_language(root, language_rules: dict[str, list[Rule]], lang: str, source: str) -> tuple[Rule, ...]:
    cascade = (root.find("srx:header", _NS).get("cascade", "no") if root.find("srx:header", _NS) is not None
               else "no").lower() == "yes"
    chosen: list[Rule] = []
    for mapping in root.iterfind("srx:body/srx:maprules/srx:languagemap", _NS):
        pattern = mapping.get("languagepattern", "")
        try:
            applies = re.fullmatch(java_to_python(pattern), lang, re.IGNORECASE) is not None
        except (re.error, ValueError) as err:
            raise ConfigError(f"line {mapping.sourceline}: languagepattern {pattern!r}: {err}", source) from None
        if not applies:
            continue
        name = mapping.get("languagerulename")
        if name not in language_rules:
            raise ConfigError(f"line {mapping.sourceline}: map rule names languagerule {name!r}, "
                              "which the file does not define", source)
        chosen += language_rules[name]
        if not cascade:
            break
    return tuple(chosen)


def read_srx(path: str | Path) -> SrxRules:
    """The segmentation rules of an SRX 2.0 file for each language align splits; ConfigError naming
    the file (and line) when it is not SRX 2.0 or a pattern cannot be used."""
    source = str(path)
    data = read_input(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise ConfigError(f"not well-formed XML: {err}", source) from None
    if root.tag != f"{{{SRX_NAMESPACE}}}srx":
        raise ConfigError(f"not an SRX 2.0 file: the root element is <{etree.QName(root).localname}> in "
                          f"namespace {etree.QName(root).namespace or 'none'}, expected <srx> in {SRX_NAMESPACE}",
                          source)
    language_rules = _language_rules(root, source)
    by_language = []
    for lang in LANGUAGES:
        rules = _rules_for_language(root, language_rules, lang, source)
        if rules:
            compile_rules(rules, source)
            by_language.append((lang, rules))
    if not by_language:
        raise ConfigError(f"no map rule applies to {' or '.join(LANGUAGES)}", source)
    return SrxRules(Path(path).name, hashlib.sha256(data).hexdigest(), tuple(by_language))


def write_srx(languages: tuple[str, ...] = LANGUAGES) -> bytes:
    """align's built-in rules as an SRX 2.0 file, one language rule and one map rule per language."""
    srx = etree.Element(f"{{{SRX_NAMESPACE}}}srx", nsmap={None: SRX_NAMESPACE}, version="2.0")
    header = etree.SubElement(srx, f"{{{SRX_NAMESPACE}}}header", segmentsubflows="yes", cascade="no")
    for kind, include in (("start", "no"), ("end", "yes"), ("isolated", "yes")):
        etree.SubElement(header, f"{{{SRX_NAMESPACE}}}formathandle", type=kind, include=include)
    body = etree.SubElement(srx, f"{{{SRX_NAMESPACE}}}body")
    rules_element = etree.SubElement(body, f"{{{SRX_NAMESPACE}}}languagerules")
    maps = etree.SubElement(body, f"{{{SRX_NAMESPACE}}}maprules")
    for lang in languages:
        name = f"align {LANGUAGE_NAMES[lang]}"
        language = etree.SubElement(rules_element, f"{{{SRX_NAMESPACE}}}languagerule", languagerulename=name)
        for rule in builtin_rules(lang):
            if rule.comment:
                language.append(etree.Comment(f" {rule.comment.replace('--', '- -')} "))
            element = etree.SubElement(language, f"{{{SRX_NAMESPACE}}}rule",
                                       attrib={"break": "yes" if rule.breaks else "no"})
            etree.SubElement(element, f"{{{SRX_NAMESPACE}}}beforebreak").text = rule.before
            etree.SubElement(element, f"{{{SRX_NAMESPACE}}}afterbreak").text = rule.after
        etree.SubElement(maps, f"{{{SRX_NAMESPACE}}}languagemap", languagepattern=f"{lang}.*",
                         languagerulename=name)
    return etree.tostring(srx, xml_declaration=True, encoding="UTF-8", pretty_print=True)
