import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.aligner import _band_limits
from align.lexicon import Lexicon
from align.model import Bead, Evidence, Term
from align.scoring import (BandCost, CostModel, FeatureTable, LexicalRates, SentenceCounts, estimate_rates,
                           estimate_sentence_counts, number_matches)

RATES = LexicalRates(src_true=0.2, src_random=0.04, trg_true=0.5, trg_random=0.1)


@pytest.mark.parametrize("side", ["src", "trg"])
def test_word_costs_reward_hits_and_charge_misses(side):
    hit, miss = RATES.word_costs(side, 8, 8.0)
    assert hit < 0 < miss


@pytest.mark.parametrize("side", ["src", "trg"])
def test_a_merge_does_not_win_by_offering_more_words_to_hit(side):
    one_sentence, _ = RATES.word_costs(side, 8, 8.0)
    two_sentences, _ = RATES.word_costs(side, 16, 8.0)
    short_addition, _ = RATES.word_costs(side, 9, 8.0)
    assert one_sentence < short_addition < two_sentences  # a hit against more words is weaker evidence


@given(st.integers(0, 200), st.floats(0.5, 40))
def test_word_costs_stay_finite_and_a_hit_never_costs(other_words, mean_words):
    for side in ("src", "trg"):
        hit, miss = RATES.word_costs(side, np.array([other_words]), mean_words)
        assert np.isfinite(hit).all() and hit[0] < 0 and math.isfinite(miss)


def sentence(words, reach):
    return Evidence(length=20, words=frozenset(words), reach=frozenset(reach))


def test_rates_are_estimated_from_a_first_alignment():
    # Three true pairs where every word is translated, against neighbours that share nothing.
    src = [sentence({f"v{k}"}, {f"e{k}"}) for k in range(3)]
    trg = [sentence({f"e{k}"}, {f"v{k}"}) for k in range(3)]
    beads = [Bead((k,), (k,)) for k in range(3)]
    rates = estimate_rates(src, trg, beads, RATES, prior_words=0)
    assert rates.src_true == pytest.approx(0.95) and rates.trg_true == pytest.approx(0.95)  # capped
    assert rates.src_random == pytest.approx(0.005) and rates.trg_random == pytest.approx(0.005)  # floored


def test_estimates_lean_on_the_prior_when_there_is_little_evidence():
    src, trg = [sentence({"v"}, {"e"})], [sentence({"e"}, {"v"})]
    rates = estimate_rates(src, trg, [Bead((0,), (0,))], RATES, prior_words=1000)
    assert rates.src_true == pytest.approx(RATES.src_true, abs=0.01)


def test_agreeing_sentence_counts_are_a_small_bonus_and_differing_ones_a_cost():
    agree, differ = SentenceCounts(0.96, 0.82).costs(np.array([True, False]))
    assert agree == pytest.approx(-math.log(0.96 / 0.82)) and agree < 0
    assert differ == pytest.approx(-math.log(0.04 / 0.18)) and differ > 1


def test_sentence_count_rates_are_measured_on_a_first_alignment():
    src = [Evidence(length=20, sentences=n) for n in (1, 2, 1, 1)]
    trg = [Evidence(length=20, sentences=n) for n in (1, 2, 2, 1)]
    beads = [Bead((k,), (k,)) for k in range(4)]
    counts = estimate_sentence_counts(src, trg, beads, SentenceCounts(0.5, 0.5), prior_pairs=0)
    assert counts.true_agree == pytest.approx(3 / 4)
    # each source against its beads' neighbouring targets
    assert counts.random_agree == pytest.approx(sum(src[i].sentences == trg[j].sentences for i, j in
                                                    ((0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2))) / 6)
    alternating = [Evidence(length=20, sentences=n) for n in (1, 2, 1, 2)]
    against = estimate_sentence_counts(alternating, alternating[1:] + alternating[:1], beads, SentenceCounts(0.5, 0.5),
                                       prior_pairs=0)
    assert against.true_agree == against.random_agree  # counts that agree less often than chance say nothing
    assert (against.costs(np.array([True, False])) == 0).all()
    lone = estimate_sentence_counts(src[:1], trg[:1], [Bead((0,), (0,))], SentenceCounts(0.96, 0.82), prior_pairs=50)
    assert lone.true_agree == pytest.approx((1 + 50 * 0.96) / 51) and lone.random_agree == pytest.approx(0.82)


def test_a_line_of_two_sentences_pairs_more_cheaply_with_both_of_its_translations():
    src = [Evidence(length=41, sentences=2)]  # one line, two sentences
    trg = [Evidence(length=20, sentences=1), Evidence(length=20, sentences=1)]
    counts = SentenceCounts(0.97, 0.82)

    def bead_cost(a, b, sentence_counts):
        model = CostModel(length_ratio=1.0, length_variance=6.8, skip_cost=5.0, merge_cost=4.5, merge22_cost=8.0,
                          anchor_match_bonus=1.5, anchor_miss_cost=0.6, sentence_counts=sentence_counts)
        return float(BandCost(FeatureTable(src, trg), model).band_costs(a, b, [(0, 2), (0, 2)])[1, b])
    assert bead_cost(1, 2, counts) == pytest.approx(bead_cost(1, 2, None) - math.log(0.97 / 0.82))
    assert bead_cost(1, 1, counts) == pytest.approx(bead_cost(1, 1, None) - math.log(0.03 / 0.18))


def test_sentence_counts_are_compared_only_for_lines_and_only_where_a_line_holds_several():
    from align.config import Settings
    from align.pipeline import cost_model
    lines, pages = Settings(presegmented=True), Settings()
    assert cost_model([10], [10], lines, Lexicon(), several_sentences=True).sentence_counts == SentenceCounts(0.97, 0.82)
    assert cost_model([10], [10], lines, Lexicon(), several_sentences=False).sentence_counts is None
    assert cost_model([10], [10], pages, Lexicon(), several_sentences=True).sentence_counts is None


# --- the band's counts against counting each sentence pair by hand --------------------------

def _weights_by_hand(words_of_side, reach_of_other):
    """Each word's weight, with sets: -log of the share of the other side's sentences that reach
    it (at least one), over its mean across the side's words that some sentence reaches."""
    reached_by = {w: sum(w in reach for reach in reach_of_other) for w in set().union(*words_of_side)}
    weight = {w: -math.log(max(k, 1) / len(reach_of_other)) for w, k in reached_by.items()}
    hittable = [weight[w] for words in words_of_side for w in words if reached_by[w]]
    mean = sum(hittable) / max(len(hittable), 1)
    return {w: min(value / mean, 3.0) if mean > 1e-9 else 1.0 for w, value in weight.items()}


def _counted_by_hand(src, trg, r, lo, hi, weighted):
    """Source sentence r against targets lo..hi-1, one set intersection at a time: src hits,
    trg hits (each hit weighted), numbers, names, terms, then src hits against each target with
    the next one, then each target's hits against r with r + 1 (the reference for FeatureTable's counts)."""
    src_weight = _weights_by_hand([e.words for e in src], [e.reach for e in trg])
    trg_weight = _weights_by_hand([e.words for e in trg], [e.reach for e in src])
    if not weighted:
        src_weight, trg_weight = dict.fromkeys(src_weight, 1.0), dict.fromkeys(trg_weight, 1.0)
    s = src[r]
    rows = []
    for c in range(lo, hi):
        t = trg[c]
        next_reach = t.reach | trg[c + 1].reach if c + 1 < len(trg) else None
        pair_reach = s.reach | src[r + 1].reach if r + 1 < len(src) else frozenset()
        rows.append([sum(src_weight[w] for w in s.words & t.reach), sum(trg_weight[w] for w in t.words & s.reach),
                     number_matches(s, t), len(s.names & t.names), len(s.terms & t.terms), 0.0,
                     sum(src_weight[w] for w in s.words & next_reach) if next_reach is not None else 0,
                     sum(trg_weight[w] for w in t.words & pair_reach)])
    return np.array(rows, dtype=np.float32).T.reshape(FeatureTable.FEATURES + 2, hi - lo)


VI_WORDS_ = ["hợp tác", "kinh tế", "giáo dục", "năm", "2025", "Anh", "Việt Nam", "sinh viên"]
EN_WORDS_ = ["cooperation", "economy", "education", "year", "2025", "Britain", "Vietnam", "students"]
WORDS = Lexicon.build(dictionary=tuple(Term(v, e) for v, e in zip(VI_WORDS_, EN_WORDS_) if not v.isdigit()))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.sampled_from(VI_WORDS_ + ["và", "là"]), max_size=5), min_size=1, max_size=16),
       st.lists(st.lists(st.sampled_from(EN_WORDS_ + ["and", "the"]), max_size=5), min_size=1, max_size=16),
       st.integers(1, 4), st.integers(1, 4), st.booleans(), st.sets(st.integers(0, 8)))
def test_band_counts_are_the_counts_of_each_sentence_pair(vi, en, width, block, weighted, counted_first):
    src = [WORDS.evidence(" ".join(words), "vi") for words in vi]
    trg = [WORDS.evidence(" ".join(words), "en") for words in en]
    table = FeatureTable(src, trg, rare_word_weights=weighted)
    table.BLOCK = block  # sentences counted together: a block's edges must not show
    # some sentences counted over every target first: the band skips them, so its blocks have gaps
    table._count([(r, 0, len(trg)) for r in sorted(counted_first) if r < len(src)])
    table.prepare(_band_limits(len(src), len(trg), width))
    for r in range(len(src)):  # each sentence over its own span in the band, wherever its block began
        lo, counts = table._counted[r]
        expected = _counted_by_hand(src, trg, r, lo, lo + counts.shape[1], weighted)
        np.testing.assert_allclose(counts, expected, rtol=1e-5, atol=1e-5)
    table._count([(r, 0, len(trg)) for r in range(len(src))])  # a wider span than the band's: counted again
    for r in range(len(src)):
        lo, counts = table._counted[r]
        assert lo == 0
        np.testing.assert_allclose(counts, _counted_by_hand(src, trg, r, 0, len(trg), weighted), rtol=1e-5, atol=1e-5)


def test_a_hit_on_a_word_whose_translation_is_everywhere_says_nothing_and_a_rare_one_says_most():
    from align.scoring import _informativeness
    # three words, reached by 4, 2 and 1 of 4 sentences, each once on this side; one never reached
    weights = _informativeness(np.array([4, 2, 1, 0]), np.array([1, 1, 1, 5]), sentences=4)
    assert weights[0] == 0 and weights[1] < weights[2]
    assert weights[:3].mean() == pytest.approx(1.0)  # the scale the calibrated rates were measured on
    assert (_informativeness(np.array([1, 1]), np.array([2, 1]), sentences=1) == 1).all()  # nothing to tell apart
    # nearly every word everywhere: the rare one is capped, not a hundred hits
    assert _informativeness(np.array([2, 1]), np.array([99, 1]), sentences=2).tolist() == [0, 3]


def test_a_heavy_hit_leaves_no_misses_rather_than_fewer_than_none():
    src = [WORDS.evidence(text, "vi") for text in ("sinh viên", "kinh tế", "kinh tế", "kinh tế")]
    trg = [WORDS.evidence(text, "en") for text in ("students", "economy", "economy", "economy")]
    rates = LexicalRates(0.4, 0.08, 0.5, 0.1)
    model = CostModel(length_ratio=1.0, length_variance=6.8, skip_cost=5.0, merge_cost=4.5, merge22_cost=8.0,
                      anchor_match_bonus=1.5, anchor_miss_cost=0.6, lexical=rates, lexical_weight=0.5)
    limits = [(0, 4)] * 5

    def first_pair_cost(model):
        return float(BandCost(FeatureTable(src, trg, rare_word_weights=True), model).band_costs(1, 1, limits)[1, 1])
    table = FeatureTable(src, trg, rare_word_weights=True)
    table._count([(0, 0, 4)])
    src_hits, trg_hits = table._counted[0][1][:2, 0]
    assert src_hits > 1  # 'sinh viên' is rare on the English side: one word, more than one hit
    mean_words = (1.0, 1.0)
    src_hit, _ = rates.word_costs("src", 1, mean_words[1])
    trg_hit, trg_miss = rates.word_costs("trg", 1, mean_words[0])
    lexical = 0.5 * (float(src_hit) * src_hits + float(trg_hit) * trg_hits + trg_miss * max(1 - trg_hits, 0))
    assert first_pair_cost(model) - first_pair_cost(replace(model, lexical=None)) == pytest.approx(lexical, rel=1e-5)


def test_one_word_found_counts_more_where_its_translation_is_rare():
    src = [WORDS.evidence("sinh viên kinh tế", "vi")]
    trg = [WORDS.evidence(text, "en") for text in ("students", "economy", "economy", "economy")]
    table = FeatureTable(src, trg, rare_word_weights=True)
    table._count([(0, 0, len(trg))])
    lo, counts = table._counted[0]
    # one word found in each, but 'economy' is in three of the four targets and 'students' in one
    assert counts[0, 0] > 2 * counts[0, 1] > 0


def test_rare_words_weigh_more_only_with_a_dictionary(tmp_path):
    from align.config import Settings
    from align.pipeline import load_lexicon
    dictionary = tmp_path / "words.tsv"
    dictionary.write_text("sinh viên\tstudent\n", encoding="utf-8")
    with_dictionary = load_lexicon(Settings(), None, str(dictionary))[1]
    assert with_dictionary.rare_word_weights and "+rare-words" in with_dictionary.signature()
    self_trained = load_lexicon(Settings(), None, None)[1]
    assert not self_trained.rare_word_weights and "+rare-words" not in self_trained.signature()
    assert load_lexicon(Settings(rare_word_weights=True), None, None)[1].rare_word_weights  # asked for
