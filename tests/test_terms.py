"""Term candidates from aligned units and glossary consistency checks (`align glossary extract|check`)."""

import json

import pytest

from align.glossary import read_glossary
from align.model import Term
from align.terms import Unit, check, extract, g2, ngrams

from conftest import CORPORA

# A small memory written for these tests: "biến đổi khí hậu" is always "climate change",
# "năng lượng tái tạo" is "renewable energy" twice and "green power" once.
UNITS = [
    Unit("Biến đổi khí hậu là thách thức lớn.", "Climate change is a big challenge.", "u1"),
    Unit("Chúng ta phải chống biến đổi khí hậu.", "We must fight climate change.", "u2"),
    Unit("Biến đổi khí hậu ảnh hưởng đến nông nghiệp.", "Climate change affects farming.", "u3"),
    Unit("Năng lượng tái tạo đang rẻ hơn.", "Renewable energy is getting cheaper.", "u4"),
    Unit("Họ đầu tư vào năng lượng tái tạo.", "They invest in renewable energy.", "u5"),
    Unit("Năng lượng tái tạo cần lưới điện tốt.", "Green power needs a good grid.", "u6"),
    Unit("Nông dân trồng lúa ở đồng bằng.", "Farmers grow rice in the delta.", "u7"),
    Unit("Đồng bằng sông Cửu Long bị ngập.", "The Mekong Delta is flooded.", "u8"),
    Unit("Trời mưa to.", "It rains hard.", "u9"),
]
# For checking: "green power" a second time, so that it is seen to go with "năng lượng tái tạo".
CHECK_UNITS = UNITS + [Unit("Năng lượng tái tạo giúp giảm khí thải.", "Green power helps cut emissions.", "u10")]


def test_g2_is_signed_and_grows_with_evidence():
    assert g2(2, 2, 2, 10) > 0 and g2(0, 5, 5, 10) < 0
    assert g2(20, 20, 20, 100) > g2(2, 2, 2, 10)
    assert g2(1, 2, 5, 10) == pytest.approx(0.0)  # exactly as often as chance


@pytest.mark.parametrize("text, lang, present, absent", [
    ("Đối tác Chiến lược Toàn diện", "vi", ["đối tác chiến lược toàn diện", "chiến lược"], ["đối tác chiến lược toàn diện x"]),
    ("của các nhà khoa học", "vi", ["nhà khoa học"], ["của các", "các nhà khoa học"]),  # stopword edges
    ("Việt Nam và Vương quốc Anh", "vi", ["vương quốc anh"], ["việt nam và"]),  # capitalised 'Anh' is a name
    ("the Ministry of Industry and Trade", "en", ["ministry of industry and trade"], ["the ministry", "trade and"]),
    ("in 2025 the visit", "en", ["visit"], ["2025", "2025 the visit"]),  # numbers are no edge
    ("science, technology", "en", ["science", "technology"], ["science technology"]),  # no term across a comma
    ("this idea", "en", ["idea"], ["thi", "thi idea"]),
    ("Đông Nam Á", "vi", ["đông nam á"], []),  # a one-letter syllable
])
def test_candidate_ngrams(text, lang, present, absent):
    keys = {key for key, _ in ngrams(text, lang)}
    assert set(present) <= keys
    assert not set(absent) & keys


@pytest.mark.parametrize("min_count, glossary, expected", [
    (2, (), [("Biến đổi khí hậu", "Climate change", 3, ""), ("Năng lượng tái tạo", "Renewable energy", 2, "")]),
    (3, (), [("Biến đổi khí hậu", "Climate change", 3, "")]),
    (2, (Term("biến đổi khí hậu", "climate change"), Term("năng lượng tái tạo", "green power")),
     [("Biến đổi khí hậu", "Climate change", 3, "="), ("Năng lượng tái tạo", "Renewable energy", 2, "~")]),
])
def test_extract_finds_the_term_pairs(min_count, glossary, expected):
    found = extract(UNITS, glossary, min_count)
    assert [(c.vi, c.en, c.together, c.in_glossary) for c in found] == expected
    assert found[0].example.label == "u1" and found[0].score > 0


def test_extract_links_each_ngram_to_one_partner():
    found = extract(UNITS * 3, (), 2)
    assert len({c.vi.lower() for c in found}) == len(found) == len({c.en.lower() for c in found})


@pytest.mark.parametrize("glossary, findings", [
    ([Term("biến đổi khí hậu", "climate change")], []),
    ([Term("năng lượng tái tạo", "renewable energy")],
     [("u6", "năng lượng tái tạo", "Green power"), ("u10", "năng lượng tái tạo", "Green power")]),
    ([Term("năng lượng tái tạo", "renewable energy"), Term("năng lượng tái tạo", "green power")], []),
    ([Term("đồng bằng", "plain")], [("u7", "đồng bằng", "delta"), ("u8", "đồng bằng", "Delta")]),
    ([Term("lúa", "rice")], []),
    ([Term("mưa", "snow")], [("u9", "mưa", None)]),  # nothing shares a word or goes with 'mưa' twice
])
def test_check_case_table(glossary, findings):
    report = check(CHECK_UNITS, glossary)
    assert [(f.unit.label, f.term.vi, f.used) for f in report.findings] == findings


def test_check_prefers_the_longest_term():
    units = [Unit("Thứ trưởng Bộ Ngoại giao phát biểu.", "The Deputy Foreign Minister spoke.", "a")]
    glossary = [Term("Thứ trưởng", "Deputy Minister"), Term("Thứ trưởng Bộ Ngoại giao", "Deputy Foreign Minister")]
    report = check(units, glossary)
    assert report.findings == ()
    assert [(t.vi, t.units, t.consistent) for t in report.terms] == [("Thứ trưởng Bộ Ngoại giao", 1, 1)]


def test_check_summary_counts_variants():
    report = check(CHECK_UNITS, [Term("năng lượng tái tạo", "renewable energy")])
    (summary,) = report.terms
    assert (summary.units, summary.consistent, summary.variants) == (4, 2, (("Green power", 2),))
    assert check(UNITS, [Term("năng lượng tái tạo", "renewable energy")]).terms[0].variants == (("not found", 1),)


@pytest.fixture(scope="module")
def bundled_memory(tmp_path_factory):
    """The bundled corpora aligned WITHOUT the seed glossary."""
    from click.testing import CliRunner
    from align.cli import main
    path = tmp_path_factory.mktemp("memory") / "m.tmx"
    result = CliRunner().invoke(main, ["run", str(CORPORA / "vi"), str(CORPORA / "en"), "-o", str(path),
                                       "--no-glossary", "-q"])
    assert result.exit_code == 0, result.output
    return path


def test_comprehensive_strategic_partnership_is_a_top_10_candidate(cli, bundled_memory, tmp_path):
    result = cli("glossary", "extract", bundled_memory, "-o", tmp_path / "c.tsv", "--glossary",
                 CORPORA / "glossary.vi-en.tsv")
    assert result.exit_code == 0
    candidates = read_glossary(tmp_path / "c.tsv")  # the candidates file is a glossary itself
    top = [(term.vi, term.en) for term in candidates.terms[:10]]
    assert ("Đối tác Chiến lược Toàn diện", "Comprehensive Strategic Partnership") in top
    csp = candidates.terms[top.index(("Đối tác Chiến lược Toàn diện", "Comprehensive Strategic Partnership"))]
    assert csp.comment.startswith("G2 ") and "; in glossary; e.g. vietnam-uk-" in csp.comment


def test_check_exit_codes_and_json(cli, bundled_memory, tmp_path):
    clean = tmp_path / "clean.tsv"
    clean.write_text("Đối tác Chiến lược Toàn diện\tComprehensive Strategic Partnership\n", encoding="utf-8")
    assert cli("glossary", "check", bundled_memory, "--glossary", clean).exit_code == 0
    dirty = tmp_path / "dirty.tsv"
    dirty.write_text("quan hệ ngoại giao\tdiplomatic relations\n", encoding="utf-8")
    result = cli("glossary", "check", bundled_memory, "--glossary", dirty, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert {f["used"] for f in report["findings"]} >= {"diplomatic"}
    assert report["terms"][0]["units"] > report["terms"][0]["consistent"]


@pytest.mark.parametrize("make, problem", [
    (lambda p: None, "no such file"),
    (lambda p: p.write_text("<html/>"), "not a TMX file"),
])
def test_check_errors_exit_2(cli, tmp_path, make, problem):
    memory = tmp_path / "m.tmx"
    make(memory)
    result = cli("glossary", "check", memory, "--glossary", CORPORA / "glossary.vi-en.tsv")
    assert result.exit_code == 2 and problem in result.stderr and result.stderr.startswith("align: error: ")


def test_check_bad_glossary_exits_2(cli, bundled_memory, tmp_path):
    bad = tmp_path / "g.tsv"
    bad.write_text("one column only\n")
    result = cli("glossary", "check", bundled_memory, "--glossary", bad)
    assert result.exit_code == 2 and f"{bad}: line 1" in result.stderr


def test_extract_and_check_give_the_same_output_on_every_run(tmp_path, bundled_memory):
    """Sets of n-grams are iterated in hash order, which changes from run to run; the output must not."""
    import os
    import subprocess
    import sys
    outputs = set()
    for seed in ("1", "2"):
        command = [sys.executable, "-m", "align", "glossary"]
        extracted = subprocess.run(command + ["extract", str(bundled_memory)], capture_output=True, text=True,
                                   env={**os.environ, "PYTHONHASHSEED": seed})
        checked = subprocess.run(command + ["check", str(bundled_memory), "--glossary",
                                            str(CORPORA / "glossary.vi-en.tsv")],
                                 capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert extracted.returncode == 0 and checked.returncode == 1
        outputs.add(extracted.stdout + checked.stdout)
    assert len(outputs) == 1
