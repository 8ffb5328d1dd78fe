import pytest

from align.beads import format_beads, parse_beads
from align.model import Bead, FormatError
from align.quality import compare


def beads(text):
    return parse_beads(text.replace(";", "\n"), "test")


# gold, test, strict P, strict R, strict F1, lax F1
CASES = [
    ("[0]:[0];[1]:[1]", "[0]:[0];[1]:[1]", 1.0, 1.0, 1.0, 1.0),
    ("[0]:[0];[1]:[1]", "", 0.0, 0.0, 0.0, 0.0),
    ("", "", 0.0, 0.0, 0.0, 0.0),
    ("[0]:[0]", "[0]:[];[]:[0]", 0.0, 0.0, 0.0, 0.0),  # every sentence called a deletion
    ("[0]:[];[]:[0]", "[0]:[];[]:[0]", 1.0, 0.0, 0.0, 0.0),  # all-deletion gold: nothing to recall
    ("[0]:[0];[1]:[1]", "[0, 1]:[0, 1]", 0.0, 0.0, 0.0, 1.0),  # one merge where two 1-1: lax only
    ("[0]:[0];[1]:[];[2]:[1]", "[0]:[0];[1, 2]:[1]", 0.5, 0.5, 0.5, 1.0),  # deletion glued to its neighbour
    ("[0]:[0];[1]:[1];[2]:[2];[3]:[3]", "[0]:[0];[1]:[2];[2]:[1];[3]:[3]", 0.5, 0.5, 0.5, 0.5),
]


@pytest.mark.parametrize("gold, test, precision, recall, f1, lax_f1", CASES)
def test_strict_and_lax_scores(gold, test, precision, recall, f1, lax_f1):
    quality = compare(beads(gold), beads(test))
    assert quality.strict_precision == pytest.approx(precision)
    assert quality.strict_recall == pytest.approx(recall)
    assert quality.strict_f1 == pytest.approx(f1)
    assert quality.lax_f1 == pytest.approx(lax_f1)


def test_scores_pool_counts_over_documents():
    perfect = compare(beads("[0]:[0];[1]:[1];[2]:[2]"), beads("[0]:[0];[1]:[1];[2]:[2]"))
    wrong = compare(beads("[0]:[0]"), beads("[0]:[];[]:[0]"))
    pooled = perfect + wrong
    assert pooled.strict_precision == pytest.approx(3 / 5)
    assert pooled.strict_recall == pytest.approx(3 / 4)


def test_bead_notation_round_trips():
    text = "[0]:[0]\n[1, 2]:[1]\n[3]:[]\n[]:[2, 3]\n"
    parsed = parse_beads(text, "x")
    assert parsed[1] == Bead((1, 2), (1,))
    assert format_beads(parsed) == text


def test_a_malformed_bead_names_its_line():
    with pytest.raises(FormatError, match="line 2"):
        parse_beads("[0]:[0]\n0:0\n", "x.beads")
