import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from align.model import Bead, Evidence
from align.scoring import LexicalRates, estimate_rates

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
