from hypothesis import assume, example, given, settings, strategies as st
import numpy as np
import pytest

from align.glossary import read_glossary
from align.lexicon import (MODEL1_ROUNDS, STOPWORDS, Lexicon, _stable_order, gloss_translations, model1_probabilities,
                           names_of, numbers_of, sentence_count,
                           placed_words, read_dictionary, train_translations, translation_units, translation_words,
                           words_of)
from align.model import FormatError, InputError, Term
from align.normalize import clean_text, fold
from align.scoring import pair_features


@pytest.mark.parametrize("text, lang, numbers", [
    ("hơn 12.000 sinh viên, tăng 3,5%", "vi", ("12000", "3.5")),
    ("more than 12,000 students, up 3.5%", "en", ("12000", "3.5")),
    ("ngày 11/9/1973", "vi", ("11", "1973", "9")),
    ("on September 11, 1973", "en", ("11", "1973", "9")),
    ("the 15th anniversary (2010-2025)", "en", ("15", "2010", "2025")),
    ("You may go.", "en", ()),
])
def test_numbers_are_written_the_same_way_in_both_languages(text, lang, numbers):
    assert numbers_of(text, lang) == tuple(sorted(numbers))


def test_names_meet_after_folding():
    vietnamese = names_of("Tổng Bí thư Tô Lâm thăm Việt Nam và Đại học Oxford", "vi")
    english = names_of("General Secretary To Lam's visit to Vietnam and Oxford University", "en")
    assert {"to", "lam", "tolam", "vietnam", "oxford"} <= vietnamese & english


def test_sentence_openers_are_not_names():
    assert "the" not in names_of("The visit ended.", "en")
    assert "theo" not in names_of("Theo kế hoạch, đoàn sẽ về.", "vi")


def _names_by_hand(text, lang):
    """names_of as a word-by-word walk: a capitalised word joins the run before it, or starts
    one unless it is a function word standing alone; a run gives its one to three word joins."""
    import re
    tokens = re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", text)
    names = {t for t in tokens if len(t) >= 4 and t.isascii() and t.isalpha() and t.islower()
             and not re.fullmatch(r"(?:ngh|ng|ch|gh|gi|kh|nh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}"
                                  r"(?:ch|ng|nh|[cmnpt])?", t)}
    run = []
    for k, token in enumerate(tokens + [""]):
        if token[:1].isupper():
            follows = k + 1 < len(tokens) and tokens[k + 1][:1].isupper()
            if run or follows or token.lower() not in STOPWORDS[lang]:
                run.append(fold(re.sub(r"['’]s$", "", token)))
            continue
        names |= {"".join(run[i:i + n]) for n in (1, 2, 3) for i in range(len(run) - n + 1)
                  if len("".join(run[i:i + n])) >= 2}
        run = []
    return frozenset(names)


WORDLIKE = st.lists(st.sampled_from(["The", "Theo", "Việt", "Nam", "Oxford", "visit", "to", "Lam's", "enzyme",
                                     "và", "Đại", "học", "A", "x", "tryptamines", "Hà", "Nội", "the"]), max_size=12)


@given(WORDLIKE, st.sampled_from(["vi", "en"]))
def test_names_are_what_a_word_by_word_walk_finds(words, lang):
    text = " ".join(words) + "."
    assert names_of(text, lang) == _names_by_hand(text, lang)


def test_borrowed_words_meet_and_vietnamese_syllables_do_not():
    vietnamese = names_of("Một loại enzyme trong ruột phân huỷ các tryptamines, nhanh chóng", "vi")
    english = names_of("An enzyme in the gut breaks down tryptamines quickly", "en")
    assert {"enzyme", "tryptamines"} <= vietnamese & english
    assert not {"trong", "nhanh", "chong", "loai"} & vietnamese  # syllables written without marks


def test_glossary_terms_are_found_in_both_languages():
    lexicon = Lexicon.build((Term("Đối tác Chiến lược Toàn diện", "Comprehensive Strategic Partnership"),))
    vi = lexicon.evidence("Hai nước nâng cấp quan hệ lên Đối tác chiến lược toàn diện.", "vi")
    en = lexicon.evidence("The two countries set up comprehensive strategic partnerships.", "en")
    assert vi.terms == en.terms == frozenset({0})


def test_dictionary_coverage():
    lexicon = Lexicon.build(dictionary=(Term("hợp tác", "cooperation"), Term("kinh tế", "economy; economic")))
    vi = lexicon.evidence("Hợp tác kinh tế", "vi")
    en = lexicon.evidence("Economic cooperation grows", "en")
    features = pair_features(vi, en)
    assert (features.src_hits, features.trg_hits) == (2, 2)  # hợp tác, kinh tế / economic, cooperation


def test_word_list_errors_name_the_line(tmp_path):
    bad = tmp_path / "g.tsv"
    bad.write_text("# comment\nhợp tác\tcooperation\nchỉ một cột\n", encoding="utf-8")
    with pytest.raises(FormatError, match="line 3"):
        read_glossary(bad)
    empty = tmp_path / "e.tsv"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(InputError, match="no entries"):
        read_glossary(empty)


@pytest.mark.parametrize("content, problem", [
    (b"\x00\x01\x02 not a word list", "NUL bytes"),
    ("hợp tác\tcooperation\n".encode("utf-16"), "UTF-16"),
    ("cà phê\tcoffee\n".encode("cp1252"), "not UTF-8"),  # a legacy code page
    (b"", "no entries"),
])
def test_a_dictionary_that_is_not_a_utf8_word_list_is_refused_by_name(tmp_path, content, problem):
    path = tmp_path / "words.tsv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem) as caught:
        read_dictionary(path)
    assert caught.value.where == str(path)


@pytest.mark.parametrize("content, expected", [
    # our own vi<TAB>en lists
    ("hợp tác\tcooperation\nkinh tế\teconomy\n", [("hợp tác", "cooperation"), ("kinh tế", "economy")]),
    # Wiktionary translation tables run en<TAB>vi: told apart by where the Vietnamese letters are
    ("cooperation\thợp tác\neconomy\tkinh tế\n", [("hợp tác", "cooperation"), ("kinh tế", "economy")]),
    # FVDP: vi<TAB>part of speech<TAB>free-text gloss, split into candidate translations
    ("hợp tác\tverb\tto cooperate; to collaborate (with)\nđối tác\tnoun\tPartner, counterpart\n",
     [("hợp tác", "cooperate"), ("hợp tác", "collaborate"), ("đối tác", "Partner"), ("đối tác", "counterpart")]),
])
def test_dictionary_formats_are_told_apart(tmp_path, content, expected):
    path = tmp_path / "d.tsv"
    path.write_text(content, encoding="utf-8")
    assert [(t.vi, t.en) for t in read_dictionary(path).terms] == expected


@pytest.mark.parametrize("gloss, translations", [
    ("to loosen; to do good", ["loosen", "do good"]),
    ("Island (fig) hard labour", ["Island hard labour"]),
    ("như bụi hồng", []),  # a cross-reference in Vietnamese, not a translation
    ("A mountainous province in the north with many ethnic groups", []),  # a description
])
def test_gloss_translations(gloss, translations):
    assert gloss_translations(gloss) == translations


def test_a_translation_table_is_learnt_from_pairs():
    pairs = [("Hợp tác kinh tế phát triển.", "Economic cooperation grows."),
             ("Hợp tác giáo dục được mở rộng.", "Cooperation in education expands."),
             ("Kinh tế Việt Nam tăng trưởng.", "Vietnam's economy is growing."),
             ("Giáo dục là ưu tiên.", "Education is a priority.")]
    table = train_translations([translation_units(words_of(vi, "vi"), words_of(en, "en")) for vi, en in pairs],
                               min_count=2)
    assert translation_words(["cooperation"]) <= table["hợp tác"]
    assert translation_words(["education"]) <= table["giáo dục"]
    assert translation_words(["cooperation"]) == translation_words(["cooperate"])  # one stem: they meet
    assert not translation_words(["cooperation"]) & table.get("giáo dục", frozenset())


def test_inflected_and_derived_forms_meet_their_dictionary_entry():
    lexicon = Lexicon.build(dictionary=(Term("phối hợp", "to coordinate"), Term("khu vực", "region"),
                                        Term("vấn đề", "problem, issue")))
    vi = lexicon.evidence("phối hợp về các vấn đề khu vực", "vi")
    en = lexicon.evidence("coordination on regional issues", "en")
    assert pair_features(vi, en).src_hits == 3 and pair_features(vi, en).trg_hits == 3


def test_function_words_are_no_lexical_evidence():
    # FVDP glosses 'là' (is) with rare senses and 'this' is an English function word keyed 'thi':
    # neither side may count them as words whose translation should be found
    lexicon = Lexicon.build(dictionary=(Term("là", "silk"), Term("lụa", "silk"), Term("này", "this")))
    assert lexicon.evidence("Đây là lụa này", "vi").words == {"lụa"}
    assert lexicon.evidence("This is silk", "en").words == translation_words(["silk"])


def test_learnt_translations_become_evidence():
    lexicon = Lexicon.build().with_translations({"hợp tác": frozenset(translation_words(["cooperation"]))})
    vi, en = lexicon.evidence("Hợp tác toàn diện", "vi"), lexicon.evidence("Comprehensive cooperation", "en")
    assert pair_features(vi, en).src_hits == 1 and pair_features(vi, en).trg_hits == 1


# --- where glossary terms stand (the report highlights them) --------------------------------

SPAN_GLOSSARY = (Term("Thứ trưởng", "Deputy Minister"), Term("Bộ Ngoại giao", "Ministry of Foreign Affairs"),
                 Term("Thứ trưởng Bộ Ngoại giao", "Deputy Foreign Minister"),
                 Term("hoà bình", "peace"), Term("hòa bình", "peace"))


def _spanned(lexicon: Lexicon, text: str, lang: str) -> list[tuple[str, tuple[int, ...]]]:
    return [(text[s.start:s.end], s.terms) for s in lexicon.term_spans(text, lang)]


@pytest.mark.parametrize("text, lang, expected", [
    # the longest term wins where terms overlap; the page's own spelling and case are kept
    ("Thứ trưởng Bộ Ngoại giao Đặng Hoàng Giang phát biểu.", "vi", [("Thứ trưởng Bộ Ngoại giao", (2,))]),
    ("thứ trưởng nói, rồi Bộ Ngoại giao Anh trả lời.", "vi", [("thứ trưởng", (0,)), ("Bộ Ngoại giao", (1,))]),
    # both tone-mark conventions are one term: both entries are named
    ("Vì hòa bình và vì hoà bình.", "vi", [("hòa bình", (3, 4)), ("hoà bình", (3, 4))]),
    ("The Deputy Foreign Minister met the Ministry of Foreign Affairs' staff.", "en",
     [("Deputy Foreign Minister", (2,)), ("Ministry of Foreign Affairs", (1,))]),
    ("Deputy Ministers talked of PEACE.", "en", [("Deputy Ministers", (0,)), ("PEACE", (3, 4))]),
    ("Bình hòa với nhau.", "vi", []),  # the words of a term in another order are not the term
])
def test_term_spans_mark_the_page_text_of_each_term(text, lang, expected):
    assert _spanned(Lexicon.build(SPAN_GLOSSARY), text, lang) == expected


def test_term_spans_without_a_glossary_are_empty():
    assert Lexicon.build().term_spans("Thứ trưởng Bộ Ngoại giao", "vi") == ()


_span_words = st.sampled_from(["Thứ", "trưởng", "thứ", "Bộ", "Ngoại", "giao", "hoà", "hòa", "bình", "Deputy",
                               "Minister", "Ministry", "of", "Foreign", "Affairs", "peace", "x1", "đ"])
_span_text = st.lists(st.tuples(_span_words, st.sampled_from([" ", ", ", " - ", "’s ", "\u201c"])),
                      max_size=14).map(lambda parts: "".join(w + sep for w, sep in parts))


@given(_span_text, st.sampled_from(["vi", "en"]))
@example("Ông Thứ trưởng", "vi")  # a short term at the very end, starting like a longer one
def test_term_spans_are_ordered_disjoint_terms_the_evidence_also_finds(text, lang):
    lexicon = Lexicon.build(SPAN_GLOSSARY)
    spans = lexicon.term_spans(text, lang)
    for before, after in zip(spans, spans[1:]):
        assert before.end <= after.start
    keys = {tuple(words_of(t.vi if lang == "vi" else t.en, lang)): i for i, t in enumerate(SPAN_GLOSSARY)}
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert keys[tuple(words_of(text[span.start:span.end], lang))] in span.terms
    found = {i for span in spans for i in span.terms}
    assert found <= lexicon.evidence(text, lang).terms
    # a term is missed only when a longer one overlaps it
    assert bool(found) == bool(lexicon.evidence(text, lang).terms)


@given(st.text(max_size=80).map(clean_text), st.sampled_from(["vi", "en"]))
def test_words_placed_in_the_text_are_the_words_compared(text, lang):
    placed = placed_words(text, lang, "classic")
    assert [key for _, _, key in placed] == words_of(text, lang)
    assert all(0 <= start < end <= len(text) for start, end, _ in placed)


def _model1_by_hand(pairs, rounds):
    """IBM Model 1 as the textbook writes it, with dictionaries: t[(f, e)], NULL as the from word None."""
    t = {}
    for source, target in pairs:
        for f in list(source) + [None]:
            for e in target:
                t[f, e] = 1.0
    meets = {}
    for f, e in t:
        meets[f] = meets.get(f, 0) + 1
    t = {(f, e): 1.0 / meets[f] for f, e in t}
    for _ in range(rounds):
        counts, totals = {}, {}
        for source, target in pairs:
            for e in target:
                z = sum(t[f, e] for f in list(source) + [None])
                for f in list(source) + [None]:
                    counts[f, e] = counts.get((f, e), 0.0) + t[f, e] / z
                    totals[f] = totals.get(f, 0.0) + t[f, e] / z
        t = {(f, e): c / totals[f] for (f, e), c in counts.items()}
    return t


id_sides = st.lists(st.integers(0, 5), min_size=1, max_size=4, unique=True)


@given(st.lists(st.tuples(id_sides, id_sides), min_size=1, max_size=12), st.integers(0, 6))
def test_model1_probabilities_are_the_textbook_em_both_ways(pairs, rounds):
    codes, english_from, vietnamese_from = model1_probabilities(
        np.array([w for v, _ in pairs for w in v]), np.array([len(v) for v, _ in pairs]),
        np.array([w for _, e in pairs for w in e]), np.array([len(e) for _, e in pairs]), 6, 6, rounds)
    forward = _model1_by_hand(pairs, rounds)
    backward = _model1_by_hand([(e, v) for v, e in pairs], rounds)
    assert len(codes) == len([key for key in forward if key[0] is not None])  # NULL's own are not returned
    for code, p, q in zip(codes.tolist(), english_from.tolist(), vietnamese_from.tolist()):
        v, e = divmod(code, 6)
        assert p == pytest.approx(forward[v, e], rel=1e-9)
        assert q == pytest.approx(backward[e, v], rel=1e-9)
    for sources, probability in ((codes // 6, english_from), (codes % 6, vietnamese_from)):
        totals = np.bincount(sources, weights=probability)
        assert np.allclose(totals[np.unique(sources)], 1.0)  # each word's translations share 1


@given(st.lists(st.one_of(st.integers(0, 2**16 + 3), st.integers(0, 2**32 - 1), st.integers(0, 2**40)), max_size=60))
def test_word_pairs_are_put_in_the_order_a_stable_sort_gives(codes):
    # the order decides the order in which EM adds up each word pair's counts (see the test above)
    codes = np.array(codes, dtype=np.int64)
    assert _stable_order(codes).tolist() == np.argsort(codes, kind="stable").tolist()


FRUIT_VI = ["xoài", "mít", "ổi", "na", "chuối", "cam", "quýt", "bưởi"]
FRUIT_EN = ["mango", "jackfruit", "guava", "custard", "banana", "orange", "tangerine", "pomelo", "apple", "cherry"]


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False), st.lists(st.permutations(FRUIT_EN), min_size=1, max_size=3))
def test_learnt_table_does_not_depend_on_the_order_of_words_in_a_pair(random, reorderings):
    # A line repeated word for word: each of its ten English words makes the Vietnamese words
    # exactly as often (probability 1/10, on the threshold), so that rounding could keep some
    # and drop others depending on the order the words come in (a set's order: the hash seed's)
    line = (random.sample(FRUIT_VI, 2), FRUIT_EN)
    pairs = [line, line] + [(random.sample(FRUIT_VI, 2), english) for english in reorderings]
    units = [translation_units(words_of(" ".join(vi), "vi"), words_of(" ".join(en), "en")) for vi, en in pairs]
    tables = {repr(sorted(train_translations([(random.sample(sorted(vi), len(vi)), random.sample(sorted(en), len(en)))
                                              for vi, en in units]).items())) for _ in range(4)}
    assert len(tables) == 1


VI_WORDS = ["hợp tác", "kinh tế", "đối tác", "chiến lược", "giáo dục", "Việt Nam", "Anh", "và", "của", "năm 2025"]
EN_WORDS = ["cooperation", "economic", "partner", "strategy", "education", "Vietnam", "Britain", "and", "of", "2025"]


def _model1_table_by_hand(pairs, min_count, min_probability, max_ngram):
    """The table as train_translations defines it, from the textbook EM: the reference."""
    from collections import Counter
    units = []
    for vi, en in pairs:
        syllables = words_of(vi, "vi")
        vi_keys = {" ".join(syllables[k:k + n]) for n in range(1, max_ngram + 1) for k in range(len(syllables) - n + 1)}
        units.append((vi_keys, translation_words(words_of(en, "en"))))
    vi_seen = Counter(k for vi, _ in units for k in vi)
    en_seen = Counter(w for _, en in units for w in en)
    units = [({k for k in vi if vi_seen[k] >= min_count}, {w for w in en if en_seen[w] >= min_count})
             for vi, en in units]
    units = [(vi, en) for vi, en in units if vi and en]
    forward = _model1_by_hand(units, MODEL1_ROUNDS)
    backward = _model1_by_hand([(en, vi) for vi, en in units], MODEL1_ROUNDS)
    near = [p for p in list(forward.values()) + list(backward.values()) if abs(p - min_probability) < 1e-9]
    table = {}
    for (v, e), p in forward.items():
        if v is not None and p >= min_probability and backward.get((e, v), 0.0) >= min_probability:
            table.setdefault(v, set()).add(e)
    return {v: frozenset(e) for v, e in table.items()}, bool(near)


@given(st.lists(st.tuples(st.lists(st.sampled_from(VI_WORDS), min_size=1, max_size=6),
                          st.lists(st.sampled_from(EN_WORDS), min_size=1, max_size=6)), max_size=30),
       st.integers(1, 3), st.sampled_from([0.05, 0.1, 0.3, 0.5]), st.integers(1, 3))
def test_learnt_table_is_the_model1_table_its_definition_gives(pairs, min_count, min_probability, max_ngram):
    pairs = [(" ".join(vi), " ".join(en)) for vi, en in pairs]
    expected, on_the_edge = _model1_table_by_hand(pairs, min_count, min_probability, max_ngram)
    assume(not on_the_edge)  # a probability a rounding away from the threshold could fall either side
    units = [translation_units(words_of(vi, "vi"), words_of(en, "en"), max_ngram=max_ngram) for vi, en in pairs]
    assert train_translations(units, min_count=min_count, min_probability=min_probability) == expected


DICTIONARY = Lexicon.build(dictionary=tuple(Term(v, e) for v, e in zip(VI_WORDS, EN_WORDS)))
LEARNT_VI = ["hợp tác", "tăng trưởng", "kinh", "là", "giáo"]
LEARNT_EN = ["cooperation", "growth", "economy", "silk", "teaching"]


LEARNT_STEMS = sorted(translation_words(words_of(" ".join(LEARNT_EN + EN_WORDS), "en")))


@given(st.lists(st.sampled_from(VI_WORDS + LEARNT_VI), max_size=8), st.lists(st.sampled_from(EN_WORDS + LEARNT_EN), max_size=8),
       st.dictionaries(st.sampled_from(LEARNT_VI + VI_WORDS[:3]),
                       st.frozensets(st.sampled_from(LEARNT_STEMS), min_size=1, max_size=3), max_size=5))
def test_a_learnt_tables_words_add_to_the_dictionarys_as_if_merged_into_it(vi, en, table):
    # what pipeline relies on to add a document's own table without keying sentences again
    table = {" ".join(words_of(k, "vi")): v for k, v in table.items()}
    merged, learnt = DICTIONARY.with_translations(table), Lexicon().with_translations(table)
    for text, lang in ((" ".join(vi), "vi"), (" ".join(en), "en")):
        keys = words_of(text, lang)
        words, reach = DICTIONARY.known_words(keys, lang)
        more_words, more_reach = learnt.known_words(keys, lang)
        assert merged.known_words(keys, lang) == (words | more_words, reach | more_reach)


@pytest.mark.parametrize("text, count", [
    ("Thật ngạc nhiên! Máy móc có vẻ ồn ào thật. Nhưng đó là âm thanh của công nghệ.", 3),
    ("And this is Felix, actually.", 1),
    ("inventing his own narrative", 1),  # no full stop: still one sentence
    ("Đây là Felix. Đúng vậy", 2),  # a Vietnamese capital opens the second
    ('He said "Go." Then he left.', 2),  # closing quotes after the stop
    ("I can carry 200 lbs. over varied terrain.", 1),  # an abbreviation before a small letter
    ("Wait... What?", 2),
    ("", 1),
])
def test_sentence_count(text, count):
    assert sentence_count(text) == count


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="Việt Nam hòa bình Hoà ĐỐI tác-đối'’ \u00ad\u200b\u0302\u0323e1", max_size=40),
       st.sampled_from(["classic", "modern"]), st.sampled_from(["NFC", "NFD"]))
def test_vietnamese_words_are_keyed_as_match_key_keys_the_whole_text(text, style, form):
    # words_of keys word by word, through a cache; the keys are those of the sentence keyed whole
    import unicodedata
    from align.lexicon import _WORD
    from align.normalize import match_key
    text = unicodedata.normalize(form, text)
    whole = _WORD.findall(match_key(text, style))
    assert words_of(text, "vi", style) == whole
