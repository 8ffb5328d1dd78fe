"""Terms in aligned units: candidate term pairs for a glossary, and glossary consistency checks.

Both work on `Unit`s (a Vietnamese and an English text, with a label saying where the unit is)
and compare words in the aligner's keys (`lexicon.words_of`: tones placed one way, case folded,
English plural and possessive 's dropped).

Association between a Vietnamese and an English n-gram is measured over units with Dunning's
log-likelihood ratio G² (0 and up, higher is stronger). G² is chosen over Dice because term
candidates are mostly rare: Dice gives a pair seen together twice and never apart the same
score as one seen together fifty times, while G² grows with the evidence, and it stays reliable
for the small counts a few hundred units give (Dunning 1993).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from align.glossary import SRC_LANG, TRG_LANG, term_key
from align.lexicon import STOPWORDS, words_of
from align.model import Term

MAX_VI_SYLLABLES = 6  # "Đối tác Chiến lược Toàn diện" has six
MAX_EN_WORDS = 5  # "Ministry of Industry and Trade"
NESTED_SHARE = 0.75  # an n-gram found inside a longer one in this share of its units is part of it
SIGNIFICANT_G2 = 3.84  # chi-squared with one degree of freedom at p = 0.05

# Words no term starts or ends with, beyond the aligner's function words: fillers of speech and
# writing, light verbs, quantifiers and classifiers. Inside a term they may occur ("Ministry of
# Industry and Trade", "khoa học và công nghệ").
EDGE_STOPWORDS = {
    # "người" opens nouns (người tiêu dùng, Người cha Lập quốc): it may stand at an edge.
    "vi": STOPWORDS["vi"] - {"người"} | set("""rằng cái chiếc con nào gì vậy nhé ạ à ừ lại ra vào lên xuống đi rồi
        vẫn chỉ mới hơn nhất cả mọi mỗi điều gọi nói biết muốn làm thấy nghĩ hãy cần phải thể
        chưa bởi giữa cùng nhau luôn đều vừa nữa hay thật lắm quá chứ nhỉ""".split()),
    "en": STOPWORDS["en"] | set("""said say says saying know think want going get got make made like
        really well now way thing lot kind one two three also even still yet back let see go went
        come came take took put i'm it's that's there's don't didn't doesn't isn't can't won't we're
        they're you're i've we've let's okay oh yeah right actually something anything everything
        nothing someone thank thanks new first last next year years time times""".split()),
}

_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass(frozen=True)
class Unit:
    """An aligned unit: its Vietnamese and English text and where it is ("doc#[3]:[4]", "unit 12")."""

    vi: str
    en: str
    label: str = ""


@lru_cache(maxsize=200_000)
def _key(token: str, lang: str) -> str:
    keys = words_of(token, lang)
    return keys[0] if len(keys) == 1 else token.casefold()


def chunks(text: str, lang: str) -> list[list[tuple[str, str, bool]]]:
    """Runs of (key, surface, capitalised inside its run) tokens not broken by punctuation: no
    term crosses a comma or a bracket, and a run's first word may be capitalised as a sentence start."""
    runs: list[list[tuple[str, str, bool]]] = [[]]
    end = 0
    for match in _TOKEN.finditer(text):
        if runs[-1] and text[end:match.start()].strip():
            runs.append([])
        token = match.group()
        runs[-1].append((_key(token, lang), token, bool(runs[-1]) and token[0].isupper()))
        end = match.end()
    return [run for run in runs if run]


def _is_edge_word(token: tuple[str, str, bool], lang: str) -> bool:
    """A word no term starts or ends with; a capitalised word inside a sentence is a name
    ('Vương quốc Anh', 'To Lam'), whatever it means elsewhere."""
    key, surface, capitalised = token
    stop = key in EDGE_STOPWORDS[lang] or surface.lower() in EDGE_STOPWORDS[lang]  # 'this' keys as 'thi'
    return ((stop and not capitalised) or key.isdigit()
            or (lang == TRG_LANG and len(key) < 2))  # Vietnamese has one-letter syllables: Đông Nam Á


def ngrams(text: str, lang: str) -> Iterator[tuple[str, str]]:
    """Term-like n-grams as (key, surface): Vietnamese runs of 2..6 syllables, English runs of
    1..5 words; neither starts nor ends with a stopword or a number."""
    smallest, largest = (2, MAX_VI_SYLLABLES) if lang == SRC_LANG else (1, MAX_EN_WORDS)
    for run in chunks(text, lang):
        for start in range(len(run)):
            if _is_edge_word(run[start], lang):
                continue
            for size in range(smallest, min(largest, len(run) - start) + 1):
                if _is_edge_word(run[start + size - 1], lang):
                    continue
                part = run[start:start + size]
                yield " ".join(t[0] for t in part), " ".join(t[1] for t in part)


def _keys(text: str, lang: str) -> set[str]:
    return {key for key, _ in ngrams(text, lang)}


def g2(together: int, first: int, second: int, total: int) -> float:
    """Signed log-likelihood ratio of two events over `total` units: positive when they occur
    together more often than chance, negative when less."""
    cells = (together, first - together, second - together, total - first - second + together)
    rows, cols = (first, total - first), (second, total - second)
    expected = (rows[0] * cols[0], rows[0] * cols[1], rows[1] * cols[0], rows[1] * cols[1])
    score = 2.0 * sum(k * math.log(k * total / e) for k, e in zip(cells, expected) if k > 0)
    return score if together * total >= first * second else -score


def _maximal(counts: Counter[str]) -> set[str]:
    """The n-grams not swallowed by a longer one: an n-gram seen (nearly) only inside a longer
    n-gram is part of that one ('Chiến lược Toàn diện', 'Strategic' of 'Strategic Partnership')."""
    swallowed = set()
    for gram, count in counts.items():
        words = gram.split(" ")
        for size in range(1, len(words)):
            for start in range(len(words) - size + 1):
                part = " ".join(words[start:start + size])
                if count >= NESTED_SHARE * counts.get(part, count + 1):
                    swallowed.add(part)
    return set(counts) - swallowed


@dataclass(frozen=True)
class Candidate:
    """A candidate term pair: unit counts (each side, together), G², an example, and whether the
    glossary has it: '=' this pair, '~' the Vietnamese term with another translation, '' neither."""

    vi: str
    en: str
    vi_count: int
    en_count: int
    together: int
    score: float
    example: Unit
    in_glossary: str = ""

    def note(self) -> str:
        """The figures as one comment: 'G2 27.53; 3 units together (vi 3, en 3); in glossary; e.g. doc#[0]:[0]'."""
        known = {"=": "; in glossary", "~": "; vi term in glossary with another translation"}.get(self.in_glossary, "")
        return (f"G2 {self.score:.2f}; {self.together} units together (vi {self.vi_count}, en {self.en_count})"
                f"{known}; e.g. {self.example.label}")


def _glossary_marks(glossary: Iterable[Term]) -> tuple[set[tuple[str, str]], set[str]]:
    pairs = {(term_key(t.vi, SRC_LANG), term_key(t.en, TRG_LANG)) for t in glossary}
    return pairs, {vi for vi, _ in pairs}


def extract(units: list[Unit], glossary: Iterable[Term] = (), min_count: int = 2,
            limit: int | None = None) -> list[Candidate]:
    """Candidate term pairs, strongest first: n-gram pairs seen together in at least `min_count`
    units, each the other's strongest partner (mutual best by G²), linked one-to-one, then
    widened to a longer n-gram that holds them in nearly as many units."""
    grams = [(_keys(unit.vi, SRC_LANG), _keys(unit.en, TRG_LANG)) for unit in units]
    vi_count: Counter[str] = Counter()
    en_count: Counter[str] = Counter()
    for vi_grams, en_grams in grams:
        vi_count.update(vi_grams)
        en_count.update(en_grams)
    vi_kept = _maximal(Counter({g: c for g, c in vi_count.items() if c >= min_count}))
    en_kept = _maximal(Counter({g: c for g, c in en_count.items() if c >= min_count}))

    together: Counter[tuple[str, str]] = Counter()
    for vi_grams, en_grams in grams:
        vi_grams &= vi_kept
        if vi_grams:
            en_grams &= en_kept
            together.update((v, e) for v in vi_grams for e in en_grams)
    del grams

    total = len(units)
    best_for_vi: dict[str, tuple] = {}
    best_for_en: dict[str, tuple] = {}
    scored = []
    for (v, e), both in together.items():
        if both < min_count:
            continue
        score = g2(both, vi_count[v], en_count[e], total)
        if score <= 0 or (" " not in v.replace(" ", "", 1) and " " not in e):
            continue  # one word each side (hợp tác = cooperation) is dictionary, not glossary, material
        rank = (score, both, len(e.split(" ")), len(v.split(" ")))
        scored.append((rank, v, e))
        if rank > best_for_vi.get(v, (0,)):
            best_for_vi[v] = rank
        if rank > best_for_en.get(e, (0,)):
            best_for_en[e] = rank
    partners: dict[str, list[tuple[str, tuple]]] = {}
    for rank, v, e in scored:
        partners.setdefault(v, []).append((e, rank))
        partners.setdefault(e, []).append((v, rank))
    chosen = []
    linked: set[str] = set()  # one-to-one: an n-gram pairs with one partner at most (competitive linking)
    for rank, v, e in sorted(scored, reverse=True):
        if best_for_vi[v] == rank == best_for_en[e] and v not in linked and e not in linked:
            e = _widened(v, e, together, partners, linked)
            v = _widened(e, v, together, partners, linked, flip=True)
            linked.update((v, e))
            score = g2(together[v, e], vi_count[v], en_count[e], total)  # the widened pair's own
            chosen.append(((score, together[v, e], len(e.split(" ")), len(v.split(" "))), v, e))
    chosen.sort(reverse=True)
    if limit is not None:
        chosen = chosen[:limit]
    return _described(chosen, units, vi_count, en_count, together, glossary)


def _widened(anchor: str, part: str, together, partners, linked: set[str], flip: bool = False) -> str:
    """The longest n-gram holding `part` that `anchor` is seen with in nearly as many units
    (NESTED_SHARE): 'quantum mechanics' rather than 'quantum' for 'cơ học lượng tử'."""
    def both(other: str) -> int:
        return together[other, anchor] if flip else together[anchor, other]
    best, best_rank = part, (len(part), both(part), part)
    for other, _ in partners.get(anchor, ()):
        rank = (len(other), both(other), other)  # the longest, then the most frequent: same on every run
        if (other not in linked and rank > best_rank and f" {part} " in f" {other} "
                and both(other) >= NESTED_SHARE * both(part)):
            best, best_rank = other, rank
    return best


def _described(chosen, units: list[Unit], vi_count, en_count, together, glossary) -> list[Candidate]:
    """Candidates with each side's most frequent spelling and the first unit holding both."""
    wanted_vi = {v for _, v, _ in chosen}
    wanted_en = {e for _, _, e in chosen}
    spellings: dict[str, Counter[str]] = {}
    examples: dict[tuple[str, str], Unit] = {}
    pairs = {(v, e) for _, v, e in chosen}
    for unit in units:
        vi_here = {}
        for key, surface in ngrams(unit.vi, SRC_LANG):
            if key in wanted_vi:
                spellings.setdefault(key, Counter())[surface] += 1
                vi_here[key] = surface
        if not vi_here:
            continue
        for key, surface in ngrams(unit.en, TRG_LANG):
            if key in wanted_en:
                spellings.setdefault(key, Counter())[surface] += 1
                for v in vi_here:
                    if (v, key) in pairs:
                        examples.setdefault((v, key), unit)
    known_pairs, known_vi = _glossary_marks(glossary)
    result = []
    for (score, *_), v, e in chosen:
        mark = "=" if (v, e) in known_pairs else "~" if v in known_vi else ""
        result.append(Candidate(spellings[v].most_common(1)[0][0], spellings[e].most_common(1)[0][0],
                                vi_count[v], en_count[e], together[v, e], score, examples[v, e], mark))
    return result


# --- checking a memory against a glossary --------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """A unit whose Vietnamese side has a glossary term and whose English side lacks every
    translation the glossary gives; `used` is the English most likely used instead, or None."""

    unit: Unit
    term: Term
    expected: tuple[str, ...]
    used: str | None


@dataclass(frozen=True)
class TermSummary:
    """How one Vietnamese glossary term was translated across the memory."""

    vi: str
    expected: tuple[str, ...]
    units: int  # units whose Vietnamese side has the term
    consistent: int  # of those, units whose English side has an expected translation
    variants: tuple[tuple[str, int], ...]  # what was used instead, most frequent first ("not found" too)


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    terms: tuple[TermSummary, ...]


NOT_FOUND = "not found"


def _contains(words: list[str], part: tuple[str, ...]) -> list[int]:
    """Start positions of `part` in `words`."""
    n = len(part)
    return [i for i in range(len(words) - n + 1) if tuple(words[i:i + n]) == part]


def _term_spans(words: list[str], index: dict[tuple[str, ...], str]) -> set[str]:
    """Glossary terms (their vi keys) found in `words`, longest match first: a term inside a longer
    one found at the same place ('Thứ trưởng' in 'Thứ trưởng Bộ Ngoại giao') does not count."""
    sizes = sorted({len(key) for key in index})
    spans = [(start, start + size, index[tuple(words[start:start + size])])
             for start in range(len(words)) for size in sizes if tuple(words[start:start + size]) in index]
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    taken: list[tuple[int, int]] = []
    found = set()
    for start, end, vi in spans:
        if any(start >= a and end <= b for a, b in taken):
            continue
        taken.append((start, end))
        found.add(vi)
    return found


def check(units: list[Unit], glossary: Iterable[Term]) -> CheckReport:
    """Every unit translating a glossary term otherwise than the glossary says, and a summary per term."""
    expected: dict[str, list[Term]] = {}
    for term in glossary:
        expected.setdefault(term_key(term.vi, SRC_LANG), []).append(term)
    index = {tuple(vi.split(" ")): vi for vi in expected if vi}
    translations = {vi: [tuple(term_key(t.en, TRG_LANG).split(" ")) for t in terms] for vi, terms in expected.items()}

    misses: list[tuple[Unit, str]] = []
    occurrences: Counter[str] = Counter()
    units_with: dict[str, list[int]] = {}
    for number, unit in enumerate(units):
        found = _term_spans(words_of(unit.vi, SRC_LANG), index)
        en_words = words_of(unit.en, TRG_LANG) if found else []
        for vi in sorted(found):
            occurrences[vi] += 1
            units_with.setdefault(vi, []).append(number)
            if not any(_contains(en_words, t) for t in translations[vi]):
                misses.append((unit, vi))

    guesses = _used_instead(misses, units, units_with, translations)
    findings = tuple(Finding(unit, expected[vi][0], tuple(t.en for t in expected[vi]), guess)
                     for (unit, vi), guess in zip(misses, guesses))
    variants: dict[str, Counter[str]] = {}
    for finding, (_, vi) in zip(findings, misses):
        variants.setdefault(vi, Counter())[finding.used or NOT_FOUND] += 1
    summaries = tuple(
        TermSummary(terms[0].vi, tuple(t.en for t in terms), occurrences[vi],
                    occurrences[vi] - sum(variants.get(vi, Counter()).values()),
                    tuple(variants.get(vi, Counter()).most_common()))
        for vi, terms in expected.items() if occurrences[vi])
    return CheckReport(findings, summaries)


def _used_instead(misses: list[tuple[Unit, str]], units: list[Unit], units_with: dict[str, list[int]],
                  translations: dict[str, list[tuple[str, ...]]]) -> list[str | None]:
    """For each miss, the English n-gram of its unit that looks most like the rendering used:
    sharing most words with an expected translation, else found with the term in most of its
    units (Dice over units: a rendering that covers the term's units, not a rare companion);
    None when nothing shares a word or is significantly associated (G²)."""
    if not misses:
        return []
    wanted = {e for unit, _ in misses for e in _keys(unit.en, TRG_LANG)}
    en_count: Counter[str] = Counter()
    together: dict[str, Counter[str]] = {vi: Counter() for _, vi in misses}
    holding = {vi: set(units_with[vi]) for vi in together}
    for number, unit in enumerate(units):
        grams = _keys(unit.en, TRG_LANG) & wanted
        en_count.update(grams)
        for vi in together:
            if number in holding[vi]:
                together[vi].update(grams)
    guesses = []
    for unit, vi in misses:
        expected_words = [set(t) for t in translations[vi]]
        best, best_rank = None, None
        for key, surface in ngrams(unit.en, TRG_LANG):
            words = set(key.split(" "))
            overlap = max(2 * len(words & e) / (len(words) + len(e)) for e in expected_words)
            both, term_units = together[vi][key], len(units_with[vi])
            score = g2(both, term_units, en_count[key], len(units))
            if overlap == 0 and (both < 2 or score < SIGNIFICANT_G2):
                continue
            rank = (overlap, 2 * both / (term_units + en_count[key]), score, len(words))
            if best_rank is None or rank > best_rank:
                best, best_rank = surface, rank
        guesses.append(best)
    return guesses
