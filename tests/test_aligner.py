import numpy as np
from hypothesis import example, given, settings, strategies as st

from align import aligner
from align.config import Settings
from align.lexicon import Lexicon
from align.model import Bead, Sentence, Term
from align.pipeline import align_sentences


class FunctionCosts:
    """Prices beads with a plain function of (i0, i1, j0, j1), one cell at a time."""

    def __init__(self, function):
        self.function = function
        self.skip = None

    def band_costs(self, a, b, limits):
        width = max(hi - lo for lo, hi in limits) + 1
        costs = np.full((len(limits), width), np.inf)
        for i, (lo, hi) in enumerate(limits):
            for j in range(max(lo, b), hi + 1):
                if i >= a:
                    costs[i, j - lo] = self.function(i - a, i, j - b, j)
        return costs


def align(n_src, n_trg, function, band):
    costs = FunctionCosts(function)
    costs.skip = function(0, 1, 0, 0)  # the aligner prices 1-0 and 0-1 beads with one constant
    return aligner.align(n_src, n_trg, costs, band)


def covers_everything_once_in_order(beads, n_src, n_trg):
    src = [i for b in beads for i in b.src]
    trg = [j for b in beads for j in b.trg]
    return src == list(range(n_src)) and trg == list(range(n_trg)) and all(b.src or b.trg for b in beads)


def test_equal_costs_follow_the_diagonal():
    beads = align(5, 5, lambda i0, i1, j0, j1: 0.0 if (i1 - i0, j1 - j0) == (1, 1) else 10.0, band=3)
    assert beads == tuple(Bead((k,), (k,)) for k in range(5))


def test_an_empty_side_leaves_every_sentence_unaligned():
    assert align(2, 0, lambda *a: 0.0, band=3) == (Bead((0,), ()), Bead((1,), ()))
    assert align(0, 1, lambda *a: 0.0, band=3) == (Bead((), (0,)),)


def test_a_path_outside_the_first_band_is_still_found():
    # The cheapest path skips the first 30 target sentences: far off the diagonal of a band of 2.
    def cost(i0, i1, j0, j1):
        if (i1 - i0, j1 - j0) in ((0, 1), (1, 0)):
            return 1.0
        if (i1 - i0, j1 - j0) == (1, 1):
            return 0.0 if j0 - i0 == 30 else 20.0
        return 50.0
    beads = align(10, 40, cost, band=2)
    assert beads[:30] == tuple(Bead((), (j,)) for j in range(30))
    assert beads[30:] == tuple(Bead((k,), (k + 30,)) for k in range(10))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 25), st.integers(0, 25), st.integers(0, 10_000), st.integers(1, 6))
# the band re-centred on a path that ends in 0-1 beads along the last row once left out its end
@example(n_src=4, n_trg=20, seed=289, band=1)
def test_beads_cover_every_sentence_once_in_order(n_src, n_trg, seed, band):
    def cost(i0, i1, j0, j1):
        return ((i0 * 7919 + i1 * 104729 + j0 * 1299709 + j1 * 15485863 + seed) % 1000) / 100.0
    beads = align(n_src, n_trg, cost, band)
    assert covers_everything_once_in_order(beads, n_src, n_trg)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 25), st.integers(1, 25), st.integers(0, 10_000))
def test_a_narrow_band_around_the_best_path_finds_that_path_again(n_src, n_trg, seed):
    # calibration's second pass searches close to the first pass's path (Settings.guided_band)
    def cost(i0, i1, j0, j1):
        return ((i0 * 7919 + i1 * 104729 + j0 * 1299709 + j1 * 15485863 + seed) % 1000) / 100.0
    costs = FunctionCosts(cost)
    costs.skip = cost(0, 1, 0, 0)

    def total(beads):
        return sum(cost(b.src[0], b.src[-1] + 1, b.trg[0], b.trg[-1] + 1) if b.src and b.trg else costs.skip
                   for b in beads)
    best = aligner.align(n_src, n_trg, costs, max(n_src, n_trg))
    again = aligner.align(n_src, n_trg, costs, 1, guide=best)
    assert covers_everything_once_in_order(again, n_src, n_trg)
    assert total(again) == total(best)  # the same path, or one that ties with it


VI = ["Năm 2010, hai nước thiết lập quan hệ Đối tác Chiến lược.",
      "Năm 2020, hai bên ra Tuyên bố chung về 7 lĩnh vực ưu tiên.",
      "Hiện có hơn 12.000 sinh viên Việt Nam học tập tại Anh.",
      "Khoảng 50 dự án nghiên cứu chung đã được triển khai.",
      "Tổng Bí thư Tô Lâm phát biểu tại Đại học Oxford."]
EN = ["In 2010 the two countries established a Strategic Partnership.",
      "In 2020 they issued a Joint Statement on 7 priority areas.",
      "More than 12,000 Vietnamese students are studying in the UK.",
      "About 50 joint research projects have been carried out.",
      "General Secretary To Lam spoke at Oxford University."]


def aligned(vi, en):
    result = align_sentences("t", tuple(Sentence(s, k) for k, s in enumerate(vi)),
                             tuple(Sentence(s, k) for k, s in enumerate(en)), Settings(), Lexicon.build())
    return [str(b) for b in result.beads]


def sentences(texts):
    return tuple(Sentence(s, k) for k, s in enumerate(texts))


WORDS = Lexicon.build(dictionary=(Term("sinh viên", "student"), Term("dự án", "project"),
                                  Term("nghiên cứu", "research"), Term("đối tác", "partner")))


def test_an_earlier_alignment_stands_in_for_the_first_of_calibrations_two(monkeypatch):
    # self-training's first pass is not calibrated: with the same lexicon, its beads are what
    # calibration's first alignment would have been, so the result is the same with one alignment fewer
    src, trg = sentences(VI), sentences(EN[:2] + EN[3:])
    first = align_sentences("t", src, trg, Settings(calibrate=False), WORDS)
    searches = []
    search = aligner.align
    monkeypatch.setattr(aligner, "align", lambda *args, **kwargs: searches.append(1) or search(*args, **kwargs))
    reused = align_sentences("t", src, trg, Settings(), WORDS, earlier=first.beads)
    assert len(searches) == 1
    assert reused == align_sentences("t", src, trg, Settings(), WORDS) and len(searches) == 3


def test_an_earlier_alignment_of_other_sentences_is_ignored():
    src, trg = sentences(VI), sentences(EN)
    assert align_sentences("t", src, trg, Settings(), WORDS, earlier=(Bead((0,), (0,)),)) == \
        align_sentences("t", src, trg, Settings(), WORDS)


def test_parallel_sentences_align_one_to_one():
    assert aligned(VI, EN) == ["[0]:[0]", "[1]:[1]", "[2]:[2]", "[3]:[3]", "[4]:[4]"]


def test_a_sentence_left_untranslated_becomes_a_deletion():
    assert aligned(VI, EN[:2] + EN[3:]) == ["[0]:[0]", "[1]:[1]", "[2]:[]", "[3]:[2]", "[4]:[3]"]


def test_two_sentences_rendered_as_one_become_a_merge():
    merged = EN[:2] + [EN[2][:-1] + ", and " + EN[3][0].lower() + EN[3][1:]] + EN[4:]
    assert aligned(VI, merged) == ["[0]:[0]", "[1]:[1]", "[2, 3]:[2]", "[4]:[3]"]


sentence_text = st.sampled_from(VI + EN + ["Có 12.000 sinh viên.", "Yes.", "Một câu ngắn.", "2010"])


@settings(max_examples=60, deadline=None)
@given(st.lists(sentence_text, max_size=6), st.lists(sentence_text, max_size=6), st.booleans())
def test_real_costs_cover_every_sentence_once_even_for_tiny_documents(vi, en, with_lexicon):
    lexicon = Lexicon.build().with_translations({"sinh viên": frozenset({"student"})}) if with_lexicon \
        else Lexicon.build()
    result = align_sentences("t", tuple(Sentence(s, k) for k, s in enumerate(vi)),
                             tuple(Sentence(s, k) for k, s in enumerate(en)), Settings(), lexicon)
    assert covers_everything_once_in_order(result.beads, len(vi), len(en))


# The test dictionary knows none of these words; the document pairs mèo / cat and chó / dog again and again.
PETS_VI = ["Con mèo ngủ trên ghế cả ngày.", "Con chó chạy quanh vườn mỗi sáng.", "Mèo nhà tôi rất thích ăn cá.",
           "Chó nhà hàng xóm thích gặm xương.", "Buổi tối con mèo nằm cạnh bếp.", "Buổi trưa con chó ngủ dưới gốc cây.",
           "Sáng nay con mèo bắt được chuột.", "Chiều nay con chó đuổi theo xe."]
PETS_EN = ["The cat sleeps on the chair all day.", "The dog runs around the garden every morning.",
           "My cat really likes to eat fish.", "The neighbour's dog likes to chew bones.",
           "In the evening the cat lies by the stove.", "At noon the dog sleeps under a tree.",
           "This morning the cat caught a mouse.", "This afternoon the dog chased the car."]


def test_words_a_document_repeats_are_learnt_from_it_and_place_a_deletion():
    en = PETS_EN[:3] + PETS_EN[4:]  # the neighbour's dog left untranslated
    expected = ["[0]:[0]", "[1]:[1]", "[2]:[2]", "[3]:[]", "[4]:[3]", "[5]:[4]", "[6]:[5]", "[7]:[6]"]

    def beads(settings):
        paragraph = [tuple(Sentence(text, 0) for text in side) for side in (PETS_VI, en)]  # one paragraph a side
        return [str(b) for b in align_sentences("t", *paragraph, settings, WORDS).beads]
    per_document = Settings(self_train=False)  # a run-wide table (the default) takes its place
    assert per_document.learns_per_document and not Settings().learns_per_document
    assert beads(per_document) == expected
    assert beads(per_document.with_(learn_per_document=False)) != expected  # the dictionary alone gets it wrong
