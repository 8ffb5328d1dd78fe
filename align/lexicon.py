"""Word lists and anchors: what a sentence offers the aligner beyond its length.

Anchors are things a translation keeps: numbers (written 12.000 / 3,5 in Vietnamese and
12,000 / 3.5 in English), names (compared without diacritics: Tô Lâm / To Lam), glossary
terms. A bilingual dictionary adds word-level evidence.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import Stemmer

from align.config import Resource
from align.model import Evidence, FormatError, InputError, Term
from align.normalize import clean_lines, clean_text, fold, match_key, normalize_quotes, normalize_tones

MAX_NGRAM = 4  # longest Vietnamese dictionary key tried, in syllables

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# A sentence ends at . ! ? or an ellipsis (closing quotes and brackets after it) followed by the
# end of the text or by a word that starts with a capital ('Felix.' ends one, 'lbs. over' does not).
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*(?:\s+[\"“‘'(\[]*(\w)|\s*$)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_VI_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_EN_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")

# English month names carry the month number a Vietnamese date writes as a digit ("tháng 10").
MONTHS = {name: str(number) for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}

# Function words: never content words, and not names when they merely open a sentence.
STOPWORDS = {
    "en": set("""a an the and or but nor of to in on at by for with from into onto over under about
        as than then that this these those there here it its it's is are was were be been being am do
        does did done have has had having will would shall should can could may might must not no
        yes so such very also too just only more most much many some any each every all both either
        neither other another same own he she they we you i me him her them us our your their his
        my mine who whom whose which what when where why how while during after before since until
        between among through across against without within upon per via if because although though
        whether however thus therefore accordingly meanwhile moreover furthermore""".split()),
    "vi": set("""các những này đó đây kia ấy và hoặc nhưng mà thì là của cho với trong ngoài trên dưới
        tại theo từ đến về sau trước khi đã đang sẽ được bị có không cũng còn rất nhiều ít một hai
        ông bà anh chị em tôi chúng ta họ mình nó việc sự cuộc người này nay hôm ngày năm tháng
        đồng thời bên cạnh ngoài ra tuy nhiên vì nên nếu để do như""".split()),
}


@dataclass(frozen=True)
class WordList:
    """Entries of a dictionary file and the resource record naming it (glossaries: align.glossary)."""

    terms: tuple[Term, ...]
    resource: Resource


def _read_utf8(path: Path, what: str, data: bytes | None = None) -> tuple[bytes, str]:
    """A word list's bytes (read unless given) and its text; unreadable or non-UTF-8 files raise
    InputError naming it."""
    try:
        data = path.read_bytes() if data is None else data
    except OSError as err:
        raise InputError(f"cannot read {what}: {err.strerror}", str(path)) from None
    if b"\x00" in data[:8192]:
        raise InputError(f"{what} holds NUL bytes: a binary file, or UTF-16 text; save it as UTF-8", str(path))
    try:
        return data, data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{what} is not UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})",
                         str(path)) from None


VIETNAMESE_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ") | {chr(c) for c in range(0x1EA0, 0x1EFA)} | set("àáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ")
MAX_GLOSS_WORDS = 4  # longer FVDP glosses are descriptions, not translations
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_GLOSS_FILLER = re.compile(r"^(?:to|a|an|the)\s+", re.I)


def _looks_vietnamese(text: str) -> bool:
    return not VIETNAMESE_LETTERS.isdisjoint(text)


def gloss_translations(gloss: str) -> list[str]:
    """Candidate translations in a free-text dictionary gloss: 'to loosen; to do good' -> loosen, do good."""
    candidates = []
    for part in re.split(r"[;,/]", _PARENTHESES.sub(" ", gloss)):
        part = _GLOSS_FILLER.sub("", " ".join(part.split())).strip(" .:!?\"'")
        if part and not _looks_vietnamese(part) and len(part.split()) <= MAX_GLOSS_WORDS:
            candidates.append(part)
    return candidates


def read_dictionary(path: str | Path, data: bytes | None = None) -> WordList:
    """A bilingual word list in one of the formats met in practice, told apart by its content:
    `vi<TAB>en`, `en<TAB>vi` (Wiktionary translation tables) or `vi<TAB>pos<TAB>gloss` (FVDP).
    `data`: the file's bytes, when already read."""
    path = Path(path)
    data, text = _read_utf8(path, "dictionary", data)
    rows = [line.split("\t") for line in clean_lines(text).splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        raise InputError("dictionary has no entries", str(path))
    sample = rows[:2000]
    glossed = sum(len(r) >= 3 and len(r[1]) <= 20 and len(r[2]) > 0 for r in sample) > 0.8 * len(sample)
    vi_first = sum(_looks_vietnamese(r[0]) for r in sample) >= sum(len(r) > 1 and _looks_vietnamese(r[1])
                                                                 for r in sample)
    terms = []
    for number, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise FormatError(f"entry {number}: expected at least two tab-separated columns", str(path))
        if glossed:
            vi, english = " ".join(row[0].split()), gloss_translations(row[2])
        else:
            vi, en = (row[0], row[1]) if vi_first else (row[1], row[0])
            vi, english = " ".join(vi.split()), [" ".join(en.split())]
        terms.extend(Term(vi, en) for en in english if vi and en)
    if not terms:
        raise InputError("dictionary has no usable entries", str(path))
    return WordList(tuple(terms), Resource(path.name, len(terms), hashlib.sha256(data).hexdigest()))


@functools.lru_cache(maxsize=100_000)
def _english_word_key(word: str) -> str:
    """Lower case, a possessive or plural 's' dropped so 'Politburo's' meets 'politburo' and
    'partnerships' meets 'partnership'."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


# English function words, also as word keys: 'this' keys as 'thi'
_EN_FUNCTION_KEYS = frozenset(STOPWORDS["en"]) | {_english_word_key(w) for w in STOPWORDS["en"]}
_STEMMER = Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=100_000)
def _stem(key: str) -> str:
    return _STEMMER.stemWord(key)


def translation_words(keys: Iterable[str]) -> set[str]:
    """English word keys as the dictionary's translations are compared: function words left out
    (a translation does not keep them reliably) and the rest stemmed (Porter2), so that a gloss's
    'coordinate' meets 'coordination' and 'region' meets 'regional'."""
    return {_stem(k.replace("-", "")) for k in keys if k not in _EN_FUNCTION_KEYS}


def words_of(text: str, lang: str, tone_style: str = "classic") -> list[str]:
    """Comparable word keys: Vietnamese syllables via `match_key`, English words via lower case and plural."""
    if lang == "vi":  # `match_key` word by word: a sentence's words are mostly words seen before
        return [_vietnamese_word_key(w, tone_style) for w in _WORD.findall(normalize_quotes(clean_text(text)))]
    return [_english_word_key(w) for w in _WORD.findall(text)]


@functools.lru_cache(maxsize=200_000)
def _vietnamese_word_key(word: str, tone_style: str) -> str:
    return normalize_tones(word, tone_style).casefold()


def sentence_count(text: str) -> int:
    """How many sentences a text holds, an unfinished last one included; at least one."""
    ends = [end for end in _SENTENCE_END.finditer(text) if end.group(1) is None or end.group(1).isupper()]
    finished = bool(ends) and ends[-1].group(1) is None  # the text stops at a sentence end
    return max(1, len(ends) + (not finished))


def numbers_of(text: str, lang: str) -> tuple[str, ...]:
    """Numbers as plain decimals (12000, 3.5), plus month numbers of English month names; sorted."""
    found = []
    for token in _NUMBER.findall(text):
        if lang == "vi":
            token = token.replace(".", "") if _VI_THOUSANDS.fullmatch(token) else token.replace(",", ".")
        else:
            token = token.replace(",", "") if _EN_THOUSANDS.fullmatch(token) else token
        if token.count(".") > 1:  # a date or version written with dots: keep its parts
            found.extend(part.lstrip("0") or "0" for part in token.split("."))
            continue
        if "." in token:
            token = token.rstrip("0").rstrip(".")
        found.append(token.lstrip("0") or "0" if "." not in token else token)
    if lang == "en":
        found.extend(MONTHS[w.lower()] for w in re.findall(r"\b[A-Z][a-z]+\b", text) if w.lower() in MONTHS and w != "May")
    return tuple(sorted(found))


# The shape of a Vietnamese syllable written without diacritics: a word that does not have it
# ("enzyme", "tryptamines", "internet") is borrowed, and a translation copies it unchanged.
_VI_SYLLABLE = re.compile(r"(?:ngh|ng|ch|gh|gi|kh|nh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")


@functools.lru_cache(maxsize=100_000)
def _is_borrowed(token: str) -> bool:
    return (len(token) >= 4 and token.isascii() and token.isalpha() and token.islower()
            and not _VI_SYLLABLE.fullmatch(token))


def borrowed_words(tokens: list[str]) -> set[str]:
    """Lower-case words of four or more ASCII letters that cannot be a Vietnamese syllable."""
    return {t for t in tokens if _is_borrowed(t)}


_POSSESSIVE = re.compile(r"['’]s$")


@functools.lru_cache(maxsize=100_000)
def _name_key(token: str) -> str:
    return fold(_POSSESSIVE.sub("", token))  # "Vietnam's" is the name "Vietnam"


def names_of(text: str, lang: str) -> frozenset[str]:
    """Folded capitalised words, and runs of two or three of them joined ('vietnam' from 'Việt Nam');
    and borrowed words, which both sides write alike."""
    tokens = _WORD.findall(text)
    names: set[str] = borrowed_words(tokens)
    stop = STOPWORDS.get(lang, set())
    for run in _capitalised_runs(tokens):
        if len(run) == 1 and run[0].lower() in stop:
            continue  # "The", "Theo" on their own: a sentence opener, not a name
        keys = [_name_key(token) for token in run]
        for size in (1, 2, 3):
            for start in range(len(keys) - size + 1):
                joined = "".join(keys[start:start + size])
                if len(joined) >= 2:
                    names.add(joined)
    return frozenset(names)


def _capitalised_runs(tokens: list[str]) -> list[list[str]]:
    """The capitalised tokens, in runs of neighbours, in text order."""
    runs: list[list[str]] = []
    last = -2
    for k in [k for k, token in enumerate(tokens) if token[0].isupper()]:  # most tokens are not
        if k == last + 1:
            runs[-1].append(tokens[k])
        else:
            runs.append([tokens[k]])
        last = k
    return runs


MODEL1_ROUNDS = 5  # EM rounds: dev2010 measured 5 and 10 alike (scripts/bench_units.py)
MODEL1_THREADED_FROM = 200_000  # word pair occurrences from which the two directions run in two threads
# Probabilities this close count as equal: where several words make another exactly as often
# (a repeated line), rounding must not keep some of them at the threshold and drop the others.
MODEL1_TOLERANCE = 1e-9


def _word_pair_occurrences(vi: np.ndarray, vi_lengths: np.ndarray, en: np.ndarray, en_lengths: np.ndarray,
                            n_en: int) -> tuple[np.ndarray, ...]:
    """Each Vietnamese word of each sentence pair against each English word of the same pair, as
    occurrences sorted by word pair code vi * n_en + en: the distinct codes, where each code's
    run of occurrences starts, and for each occurrence the position (slot) in `vi` and in `en`
    of its two words."""
    vi, en = np.asarray(vi, dtype=np.int64), np.asarray(en, dtype=np.int64)
    vi_lengths, en_lengths = np.asarray(vi_lengths, dtype=np.int64), np.asarray(en_lengths, dtype=np.int64)
    # slots in 32 bits while they fit, codes in 64: a few arrays of one number an occurrence are what this costs
    slot = np.int32 if max(int(vi_lengths @ en_lengths), len(vi), len(en)) < 2**31 else np.int64
    vi_lengths, en_lengths = vi_lengths.astype(slot), en_lengths.astype(slot)
    meets = np.repeat(en_lengths, vi_lengths)  # how many English words each Vietnamese slot meets
    vi_slots = np.repeat(np.arange(len(vi), dtype=slot), meets)
    first_en = np.repeat(np.cumsum(en_lengths, dtype=slot) - en_lengths, vi_lengths)  # of each vi slot's pair
    en_slots = np.repeat(first_en - np.cumsum(meets, dtype=slot) + meets, meets)
    del first_en, meets
    en_slots += np.arange(len(vi_slots), dtype=slot)
    codes = vi[vi_slots] * n_en + en[en_slots]
    # Sorted by code, a word pair's occurrences lie side by side: EM then reads and sums its large
    # arrays in order (np.repeat, np.add.reduceat), where scattering into them took twice as long.
    # A stable sort keeps them in the pairs' order, whatever the order of the words in a pair (a
    # set's, which changes with the hash seed), so that every sum is taken in the same order and
    # the table is the same bytes from run to run.
    order = _stable_order(codes)
    codes = codes[order]
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    return codes[starts], starts, vi_slots[order], en_slots[order]


def _stable_order(codes: np.ndarray) -> np.ndarray:
    """What np.argsort(codes, kind="stable") gives, for codes from 0 up: where they fit in 32
    bits, by two passes of numpy's radix sort over their 16-bit halves, low half first (IWSLT15's
    four sets, 1.4 million occurrences: 0.07 s against 0.13 s for its merge sort of 64-bit codes)."""
    if not len(codes) or codes.max() >= 2**32:
        return np.argsort(codes, kind="stable")
    by_low = np.argsort(codes.astype(np.uint16), kind="stable")  # the cast keeps the low 16 bits
    return by_low[np.argsort((codes[by_low] >> 16).astype(np.uint16), kind="stable")]


def model1_probabilities(vi: np.ndarray, vi_lengths: np.ndarray, en: np.ndarray, en_lengths: np.ndarray,
                         n_vi: int, n_en: int, rounds: int = MODEL1_ROUNDS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """IBM Model 1's translation probabilities in both directions, 0..1, by `rounds` of EM each:
    English from Vietnamese, t(en | vi), each English word of a sentence pair made by one of its
    Vietnamese words or by NULL; and Vietnamese from English, t(vi | en), the other way round.
    The sentence pairs come as their words laid end to end, Vietnamese (ids 0..n_vi-1) and English
    (0..n_en-1), with each pair's number of words on either side (none 0). Returns the codes
    vi * n_en + en of the word pairs that meet in some sentence pair, sorted, and both
    directions' probabilities for each (NULL's own are not kept).

    Both directions share one expansion of the pairs (10,000 IWSLT15 sentence pairs hold some
    four million word pair occurrences) and, on a large one, run side by side in two threads:
    numpy leaves the lock while it works through arrays that size."""
    codes, starts, vi_slots, en_slots = _word_pair_occurrences(vi, vi_lengths, en, en_lengths, n_en)
    multiplicity = np.diff(np.append(starts, len(vi_slots)))

    def em(sources: np.ndarray, n_sources: int, slots: np.ndarray, targets: np.ndarray, n_targets: int) -> np.ndarray:
        """t(target | source) for every distinct word pair, given each pair's source word, and
        each occurrence's target slot in `targets` (the target words laid end to end)."""
        probability = 1.0 / np.bincount(sources, minlength=n_sources)[sources]  # uniform over what meets
        seen = np.zeros(n_targets, dtype=bool)
        seen[targets] = True
        null = seen / seen.sum()
        for _ in range(rounds):
            weight = np.repeat(probability, multiplicity)
            # each target word's unit of count shared among the words that could have made it, NULL included
            total = np.bincount(slots, weights=weight, minlength=len(targets)) + null[targets]
            share = np.take(total, slots)
            np.divide(weight, share, out=share)
            del weight  # one array an occurrence fewer at the peak
            counts = np.add.reduceat(share, starts)
            del share
            null_counts = np.bincount(targets, weights=null[targets] / total, minlength=n_targets)
            probability = counts / np.bincount(sources, weights=counts, minlength=n_sources)[sources]
            null = null_counts / null_counts.sum()
        return probability

    if len(vi_slots) < MODEL1_THREADED_FROM:  # a document's own table: threads would cost more than they save
        return codes, em(codes // n_en, n_vi, en_slots, en, n_en), em(codes % n_en, n_en, vi_slots, vi, n_vi)
    with ThreadPoolExecutor(2) as threads:
        english_from = threads.submit(em, codes // n_en, n_vi, en_slots, en, n_en)
        vietnamese_from = threads.submit(em, codes % n_en, n_en, vi_slots, vi, n_vi)
        return codes, english_from.result(), vietnamese_from.result()


def translation_units(vi: Sequence[str], en: Sequence[str], max_ngram: int = 2) -> tuple[set[str], set[str]]:
    """What a sentence pair, given as its word keys (`words_of`), offers a learnt table: its
    Vietnamese syllable n-grams (up to `max_ngram` syllables; longer ones gained nothing, see
    scripts/bench_units.py) and its English words as `translation_words` gives them."""
    vi_keys = set(vi)
    for size in range(2, max_ngram + 1):
        vi_keys.update(" ".join(vi[k:k + size]) for k in range(len(vi) - size + 1))
    return vi_keys, translation_words(en)


Units = tuple[Collection[str], Collection[str]]  # a sentence pair's Vietnamese keys and English words


def _frequent(ids: dict[str, int], slots: np.ndarray, min_count: int) -> tuple[list[str], np.ndarray]:
    """The words (with their ids in `ids`) that fill at least `min_count` of the `slots`, sorted,
    and each slot's word as an index into that list (-1 for a word left out)."""
    counts = np.bincount(slots, minlength=len(ids))
    kept = sorted(word for word, k in ids.items() if counts[k] >= min_count)
    rank = np.full(len(ids), -1, dtype=np.int64)
    rank[np.fromiter((ids[word] for word in kept), dtype=np.int64, count=len(kept))] = np.arange(len(kept))
    return kept, rank[slots]


def train_translations(pairs: Iterable[Units], min_count: int = 2, min_probability: float = 0.1) -> dict[str, frozenset[str]]:
    """A translation table learnt by IBM Model 1 in both directions from sentence pairs given as
    their `translation_units` (Vietnamese syllable n-grams, English words as `translation_words`
    gives them), each unit seen in at least `min_count` pairs; a Vietnamese key and an English
    word are kept when each makes the other with probability `min_probability` or more. Model 1
    shares a sentence's words out among their possible sources, so a frequent word does not
    claim every translation it meets (Dice, used before it, counted each co-occurrence on its
    own: 0.983 -> 0.987 strict F1 on dev2010, see BENCHMARKS.md)."""
    vi_words: dict[str, int] = {}  # each word's id in order of appearance
    en_words: dict[str, int] = {}
    vi_slots: list[int] = []  # the pairs' words laid end to end, as those ids
    en_slots: list[int] = []
    vi_lengths: list[int] = []
    en_lengths: list[int] = []
    for vi_keys, en_keys in pairs:
        vi_slots.extend(vi_words.setdefault(key, len(vi_words)) for key in vi_keys)
        en_slots.extend(en_words.setdefault(key, len(en_words)) for key in en_keys)
        vi_lengths.append(len(vi_keys))
        en_lengths.append(len(en_keys))
    vi_kept, vi_ids = _frequent(vi_words, np.array(vi_slots, dtype=np.int64), min_count)
    en_kept, en_ids = _frequent(en_words, np.array(en_slots, dtype=np.int64), min_count)
    del vi_words, en_words, vi_slots, en_slots
    # a pair keeps its frequent words, and is left out when one of its sides has none
    vi_pair = np.repeat(np.arange(len(vi_lengths)), np.array(vi_lengths, dtype=np.int64))
    en_pair = np.repeat(np.arange(len(en_lengths)), np.array(en_lengths, dtype=np.int64))
    vi_left = np.bincount(vi_pair[vi_ids >= 0], minlength=len(vi_lengths))
    en_left = np.bincount(en_pair[en_ids >= 0], minlength=len(en_lengths))
    kept_pairs = (vi_left > 0) & (en_left > 0)
    if not kept_pairs.any():
        return {}
    n_en = len(en_kept)
    codes, english_from, vietnamese_from = model1_probabilities(
        vi_ids[(vi_ids >= 0) & kept_pairs[vi_pair]], vi_left[kept_pairs],
        en_ids[(en_ids >= 0) & kept_pairs[en_pair]], en_left[kept_pairs], len(vi_kept), n_en)
    table: dict[str, set[str]] = {}
    threshold = min_probability - MODEL1_TOLERANCE
    for code in codes[(english_from >= threshold) & (vietnamese_from >= threshold)].tolist():
        table.setdefault(vi_kept[code // n_en], set()).add(en_kept[code % n_en])
    return {v: frozenset(e) for v, e in table.items()}


def dictionary_translations(dictionary: Iterable[Term], tone_style: str = "classic") -> dict[str, frozenset[str]]:
    """A dictionary's entries as a translation table: Vietnamese keys (syllables as `words_of`
    gives them) to English words as `translation_words` gives them."""
    translations: dict[str, set[str]] = {}
    keys: dict[str, str] = {}  # a dictionary repeats its Vietnamese side once per translation
    for term in dictionary:
        key = keys.get(term.vi)
        if key is None:
            key = keys[term.vi] = " ".join(words_of(term.vi, "vi", tone_style))
        english = translation_words(words_of(term.en, "en"))
        if key and english:
            translations.setdefault(key, set()).update(english)
    return {k: frozenset(v) for k, v in translations.items()}


@dataclass(frozen=True)
class TermSpan:
    """Where a glossary term stands in a sentence: characters [start, end) of the text as given,
    and the indices (into `Lexicon.glossary`) of the entries whose term it is."""

    start: int
    end: int
    terms: tuple[int, ...]


def placed_words(text: str, lang: str, tone_style: str) -> list[tuple[int, int, str]]:
    """Each word's character span in `text` with its comparable key (as `words_of` makes them)."""
    matches = list(_WORD.finditer(text))
    keys = words_of(text, lang, tone_style)
    if len(keys) == len(matches):  # one key per word of the text as given: keyed in one call
        return [(m.start(), m.end(), key) for m, key in zip(matches, keys)]
    return [(m.start(), m.end(), key) for m in matches for key in words_of(m.group(), lang, tone_style)]


@functools.lru_cache(maxsize=None)
def _function_keys(tone_style: str) -> frozenset[str]:
    """Vietnamese function words as dictionary keys."""
    return frozenset(match_key(w, tone_style) for w in STOPWORDS["vi"])


@dataclass(frozen=True)
class Lexicon:
    """Glossary terms (anchors) and a dictionary (word evidence), indexed for lookup in sentences."""

    glossary: tuple[Term, ...] = ()
    tone_style: str = "classic"
    # vi key -> English words as `translation_words` gives them, and back
    translations: dict[str, frozenset[str]] = field(default_factory=dict)
    reverse: dict[str, frozenset[str]] = field(default_factory=dict)
    _vi_terms: dict[tuple[str, ...], tuple[int, ...]] = field(default_factory=dict)
    _en_terms: dict[tuple[str, ...], tuple[int, ...]] = field(default_factory=dict)
    # The first syllables of every longer key ('khu' of 'khu vực'): an n-gram that is none of
    # them cannot grow into a key
    _key_prefixes: frozenset[str] = frozenset()

    @classmethod
    def build(cls, glossary: tuple[Term, ...] = (), dictionary: tuple[Term, ...] = (),
              tone_style: str = "classic") -> "Lexicon":
        vi_terms: dict[tuple[str, ...], list[int]] = {}
        en_terms: dict[tuple[str, ...], list[int]] = {}
        for index, term in enumerate(glossary):
            vi_terms.setdefault(tuple(words_of(term.vi, "vi", tone_style)), []).append(index)
            en_terms.setdefault(tuple(words_of(term.en, "en")), []).append(index)
        terms_only = cls(glossary, tone_style, _vi_terms={k: tuple(v) for k, v in vi_terms.items() if k},
                         _en_terms={k: tuple(v) for k, v in en_terms.items() if k})
        return terms_only.with_translations(dictionary_translations(dictionary, tone_style))

    def with_translations(self, extra: dict[str, frozenset[str]]) -> "Lexicon":
        """This lexicon with more translations (e.g. learnt from the input itself) added: Vietnamese
        keys (function words left out) to English words as `translation_words` gives them. Only
        what `extra` touches is worked out again, so adding a small table to a large dictionary
        (each document's own, see pipeline.align_sentences) costs little."""
        translations = dict(self.translations)
        reverse_added: dict[str, set[str]] = {}  # frozen once, not copied at each key (FVDP: 0.14 -> 0.06 s)
        prefixes = set(self._key_prefixes)
        function_words = _function_keys(self.tone_style)
        for key, english in extra.items():
            # A dictionary glosses function words with rare senses ('là': silk, 'tôi': servant)
            # that a translation never has: they would only ever miss.
            known = translations.get(key)
            if key in function_words or (known is not None and english <= known):
                continue
            translations[key] = english if known is None else known | english
            for word in english:
                reverse_added.setdefault(word, set()).add(key)
            if " " in key:
                parts = key.split(" ")
                prefixes.update(" ".join(parts[:size]) for size in range(1, len(parts)))
        reverse = dict(self.reverse)
        for word, keys in reverse_added.items():
            reverse[word] = reverse.get(word, frozenset()) | keys
        return Lexicon(self.glossary, self.tone_style, translations, reverse, self._vi_terms, self._en_terms,
                       frozenset(prefixes))

    def _term_matches(self, keys: Sequence[str], lang: str) -> list[tuple[int, int]]:
        """Where glossary terms stand in a sentence's word keys, as (start, end) word spans, possibly
        overlapping: only the lengths of the terms starting with each word are tried."""
        index = self._vi_terms if lang == "vi" else self._en_terms
        sizes = self._term_sizes[lang]
        if sizes.keys().isdisjoint(keys):  # most sentences: no term starts in them
            return []
        return [(start, start + size) for start, key in enumerate(keys) for size in sizes.get(key, ())
                if start + size <= len(keys) and tuple(keys[start:start + size]) in index]

    def _terms_in(self, words: Sequence[str], lang: str) -> frozenset[int]:
        """The glossary terms (their ids) in a sentence's words."""
        index = self._vi_terms if lang == "vi" else self._en_terms
        if not index:
            return frozenset()
        return frozenset(term for start, end in self._term_matches(words, lang)
                         for term in index[tuple(words[start:end])])

    def _dictionary_keys(self, words: Sequence[str]) -> frozenset[str]:
        """The dictionary keys (syllable n-grams, up to MAX_NGRAM) in a sentence's words."""
        keys = set()
        translations, prefixes = self.translations, self._key_prefixes
        for start in range(len(words)):
            key = words[start]
            for end in range(start + 1, min(start + MAX_NGRAM, len(words)) + 1):
                if end > start + 1:
                    key = f"{key} {words[end - 1]}"
                if key in translations:
                    keys.add(key)
                if key not in prefixes:
                    break
        return frozenset(keys)

    @functools.cached_property
    def _term_sizes(self) -> dict[str, dict[str, tuple[int, ...]]]:
        """For each language, the lengths (in words) of the glossary terms starting with a word."""
        sizes: dict[str, dict[str, set[int]]] = {"vi": {}, "en": {}}
        for lang, index in (("vi", self._vi_terms), ("en", self._en_terms)):
            for term in index:
                sizes[lang].setdefault(term[0], set()).add(len(term))
        return {lang: {first: tuple(sorted(n)) for first, n in starts.items()} for lang, starts in sizes.items()}

    def term_spans(self, text: str, lang: str) -> tuple[TermSpan, ...]:
        """Glossary terms in `text` ('vi' or 'en'), left to right and never overlapping: where two
        overlap, the longer wins ('Thứ trưởng Bộ Ngoại giao' over 'Bộ Ngoại giao'), then the earlier."""
        index = self._vi_terms if lang == "vi" else self._en_terms
        if not index:
            return ()
        words = placed_words(text, lang, self.tone_style)
        keys = [key for _, _, key in words]
        found = self._term_matches(keys, lang)
        found.sort(key=lambda span: (span[0] - span[1], span[0]))
        taken = [False] * len(keys)
        spans = []
        for start, end in found:
            if any(taken[start:end]):
                continue
            taken[start:end] = [True] * (end - start)
            spans.append(TermSpan(words[start][0], words[end - 1][1], index[tuple(keys[start:end])]))
        return tuple(sorted(spans, key=lambda span: span.start))

    def evidence(self, text: str, lang: str, starts_block: bool = False, role: str = "") -> Evidence:
        """Length and anchors of one sentence in `lang` ('vi' or 'en'), and its place in the page."""
        keys = tuple(words_of(text, lang, self.tone_style))
        words, reach = self.known_words(keys, lang)
        return Evidence(len(text), numbers_of(text, lang), names_of(text, lang), self._terms_in(keys, lang),
                        words, reach, starts_block, role, keys, sentence_count(text))

    def known_words(self, keys: Sequence[str], lang: str) -> tuple[frozenset[str], frozenset[str]]:
        """The words of a sentence (its `words_of` keys) that this lexicon translates, and what
        they translate to: the part of `evidence` that changes with the translations."""
        if not self.translations:
            return frozenset(), frozenset()
        if lang == "vi":
            known = self._dictionary_keys(keys)
            return known, frozenset().union(*(self.translations[k] for k in known))
        known = frozenset(w for w in translation_words(keys) if w in self.reverse)
        return known, frozenset().union(*(self.reverse[w] for w in known))
