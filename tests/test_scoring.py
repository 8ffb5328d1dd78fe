import pytest

from align.model import Bead, Evidence
from align.scoring import LexicalRates, estimate_rates

RATES = LexicalRates(src_true=0.2, src_random=0.04, trg_true=0.5, trg_random=0.1)


def test_word_costs_reward_hits_and_charge_misses():
    src_hit, src_miss, trg_hit, trg_miss = RATES.word_costs(1, 1)
    assert src_hit < 0 < src_miss and trg_hit < 0 < trg_miss


def test_a_merge_does_not_win_by_offering_more_words_to_hit():
    one = RATES.word_costs(1, 1)
    two = RATES.word_costs(2, 2)
    assert two[0] > one[0] and two[2] > one[2]  # a hit against two sentences is weaker evidence


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
