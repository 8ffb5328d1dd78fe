"""Glossary files: TSV and TBX reading and writing, the seed glossary, `align glossary add|merge`."""

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from align.config import Settings
from align.glossary import (TBX, TSV, Entry, appended, deduplicated, problems, read_glossary,
                            seed_glossary_path, tbx_bytes, term_key, tsv_bytes)
from align.model import FormatError, InputError, Term
from align.pipeline import load_sentences
from align.tmx import read_tmx

from conftest import CORPORA

SEED = CORPORA / "glossary.vi-en.tsv"

TBX_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX-Basic" xml:lang="en">
  <martifHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="t1">
      <descrip type="definition">partnership level</descrip>
      <langSet xml:lang="vi"><tig><term>Đối tác Chiến lược</term></tig></langSet>
      <langSet xml:lang="en-GB"><tig><term>Strategic Partnership</term></tig></langSet>
    </termEntry>
    <termEntry id="t2">
      <langSet xml:lang="vi"><ntig><termGrp><term>Bộ Chính trị</term></termGrp></ntig></langSet>
      <langSet xml:lang="en"><tig><term>Politburo</term></tig><tig><term>Political Bureau</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""


def _write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def _corpus_keys(lang: str) -> list[str]:
    sentences = []
    for page in sorted((CORPORA / lang).iterdir()):
        sentences += [f" {term_key(s.text, lang)} " for s in load_sentences(str(page), lang, Settings())]
    return sentences


def test_seed_glossary_terms_all_occur_in_the_bundled_pages():
    glossary = read_glossary(SEED)
    assert len(glossary.entries) >= 40 and not problems(glossary.entries)
    vi, en = _corpus_keys("vi"), _corpus_keys("en")
    missing = [entry.term for entry in glossary.entries
               if not any(f" {term_key(entry.term.vi, 'vi')} " in s for s in vi)
               or not any(f" {term_key(entry.term.en, 'en')} " in s for s in en)]
    assert missing == []


def test_seed_glossary_is_package_data_and_the_corpora_copy_is_the_same_file():
    assert seed_glossary_path().read_bytes() == SEED.read_bytes()
    assert seed_glossary_path().parent.name == "data"


def test_tsv_reading_normalises_and_skips_comments(tmp_path):
    path = _write(tmp_path / "g.tsv", "\ufeff# heading\n\nĐo\u0302\u0301i ta\u0301c\t  partner \tnote\n"
                                      "hợp tác\tcooperation\n")
    glossary = read_glossary(path)
    assert glossary.format == TSV
    assert glossary.terms == (Term("Đối tác", "partner", "note"), Term("hợp tác", "cooperation"))
    assert [e.line for e in glossary.entries] == [3, 4]


def test_tbx_basic_and_v3_are_read(tmp_path):
    glossary = read_glossary(_write(tmp_path / "g.tbx", TBX_BASIC))
    assert glossary.format == TBX
    assert glossary.terms == (Term("Đối tác Chiến lược", "Strategic Partnership", "partnership level"),
                              Term("Bộ Chính trị", "Politburo"), Term("Bộ Chính trị", "Political Bureau"))
    v3 = read_glossary(_write(tmp_path / "v3.xml", tbx_bytes([Entry(Term("Thủ tướng", "Prime Minister", "x"))])))
    assert v3.terms == (Term("Thủ tướng", "Prime Minister", "x"),)


@pytest.mark.parametrize("name, content, problem", [
    ("cols.tsv", "hợp tác\tcooperation\nmột cột\n", "line 2: 1 tab-separated column"),
    ("four.tsv", "# x\na\tb\tc\td\n", "line 2: 4 tab-separated columns"),
    ("empty-vi.tsv", "hợp tác\tcooperation\n \tpartner\n", "line 2: empty Vietnamese term"),
    ("empty-en.tsv", "hợp tác\t\tnote\n", "line 1: empty English term"),
    ("latin1.tsv", "hợp tác\tcooperation\n".encode() + b"caf\xe9\tcafe\n", "line 2: not UTF-8 (byte 0xe9)"),
    ("nothing.tsv", "# only a comment\n", "glossary has no entries"),
    ("not.tbx", "<html><body/></html>", "line 1: not a TBX file (the root element is <html>"),
    ("broken.tbx", "<martif>\n<text>\n</martif>", "line 3: not well-formed XML"),
    ("one-side.tbx", TBX_BASIC.replace('<langSet xml:lang="en-GB"><tig><term>Strategic Partnership</term></tig>'
                                       '</langSet>', ""), "line 5: entry has no English (en) term"),
    ("missing.tsv", None, "no such file"),
])
def test_bad_glossaries_are_refused_naming_file_and_line(tmp_path, name, content, problem):
    path = tmp_path / name if content is None else _write(tmp_path / name, content)
    with pytest.raises((FormatError, InputError)) as caught:
        read_glossary(path)
    assert caught.value.where == str(path)
    assert problem in caught.value.problem


@pytest.mark.parametrize("rows, expected", [
    ([("hợp tác", "cooperation"), ("Hợp tác", "Cooperation")], [("duplicate", 1, 2)]),
    ([("hòa bình", "peace"), ("hoà bình", "peace")], [("duplicate", 1, 2)]),  # tone placement
    ([("đối tác", "partner"), ("đối tác", "partners")], [("duplicate", 1, 2)]),  # plural
    ([("đối tác", "partner"), ("đối tác", "counterpart")], [("conflict", 1, 2)]),
    ([("đối tác", "partner"), ("hợp tác", "partner")], []),  # one English term for two: fine
])
def test_duplicates_and_conflicts(rows, expected):
    entries = [Entry(Term(vi, en), line) for line, (vi, en) in enumerate(rows, start=1)]
    assert [(p.kind, p.first.line, p.second.line) for p in problems(entries)] == expected
    assert len(deduplicated(entries)) == len(rows) - sum(kind == "duplicate" for kind, _, _ in expected)


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20)
_TERM = st.builds(Term, _TEXT, _TEXT, st.one_of(st.just(""), _TEXT)).filter(
    lambda t: t.vi.strip() and t.en.strip() and not t.vi.lstrip().startswith("#"))


@settings(max_examples=60, deadline=None)
@given(st.lists(_TERM, min_size=1, max_size=6))
def test_tsv_and_tbx_round_trip(tmp_path_factory, terms):
    from align.normalize import clean_text
    folder = tmp_path_factory.mktemp("rt")
    cleaned = tuple(Term(clean_text(t.vi), clean_text(t.en), clean_text(t.comment)) for t in terms)
    cleaned = tuple(t for t in cleaned if t.vi and t.en)
    if not cleaned:
        return
    entries = [Entry(t) for t in cleaned]
    tsv = read_glossary(_write(folder / "g.tsv", tsv_bytes(entries)))
    tbx = read_glossary(_write(folder / "g.tbx", tbx_bytes(tsv.entries)))
    back = read_glossary(_write(folder / "back.tsv", tsv_bytes(tbx.entries)))
    assert tsv.terms == tbx.terms == back.terms == cleaned


def test_add_keeps_the_files_format_and_content(cli, tmp_path):
    tsv = _write(tmp_path / "g.tsv", "# my terms\nhợp tác\tcooperation")
    result = cli("glossary", "add", tsv, "Đối tác Chiến lược", "Strategic Partnership", "--comment", "2010")
    assert result.exit_code == 0
    assert tsv.read_text(encoding="utf-8") == ("# my terms\nhợp tác\tcooperation\n"
                                               "Đối tác Chiến lược\tStrategic Partnership\t2010\n")
    tbx = _write(tmp_path / "g.tbx", TBX_BASIC)
    assert cli("glossary", "add", tbx, "Thủ tướng", "Prime Minister").exit_code == 0
    data = tbx.read_bytes()
    assert b"<martif" in data and b'<descrip type="definition">partnership level' in data
    assert read_glossary(tbx).terms[-1] == Term("Thủ tướng", "Prime Minister")


def test_add_skips_duplicates_and_reports_conflicts(cli, tmp_path):
    tsv = _write(tmp_path / "g.tsv", "hòa bình\tpeace\n")
    before = tsv.read_bytes()
    duplicate = cli("glossary", "add", tsv, "hoà bình", "Peace")
    assert duplicate.exit_code == 0 and "already there" in duplicate.stderr and tsv.read_bytes() == before
    conflict = cli("glossary", "add", tsv, "hòa bình", "peacefulness")
    assert conflict.exit_code == 0 and "conflicts with 'peace'" in conflict.stderr
    assert len(read_glossary(tsv).entries) == 2


def test_add_to_a_bad_file_changes_nothing(cli, tmp_path):
    bad = _write(tmp_path / "g.tsv", "no tab here\n")
    result = cli("glossary", "add", bad, "a b", "c")
    assert result.exit_code == 1 and f"{bad}: line 1" in result.stderr
    assert bad.read_text() == "no tab here\n"


def test_merge_tsv_and_tbx(cli, tmp_path):
    tsv = _write(tmp_path / "a.tsv", "Đối tác Chiến lược\tstrategic partnership\nThủ tướng\tPrime Minister\n")
    tbx = _write(tmp_path / "b.tbx", TBX_BASIC)
    result = cli("glossary", "merge", tsv, tbx, "-o", tmp_path / "out.tsv")
    assert result.exit_code == 0
    assert (f"{tbx}: line 10: conflict of 'Bộ Chính trị' = 'Politburo' ({tbx}, line 10): "
            "'Political Bureau' kept as well") in result.stderr
    assert f"{tbx}: line 5: duplicate of 'Đối tác Chiến lược' = 'strategic partnership' ({tsv}, line 1)" in result.stderr
    merged = read_glossary(tmp_path / "out.tsv")
    assert merged.terms == (Term("Đối tác Chiến lược", "strategic partnership", "partnership level"),
                            Term("Thủ tướng", "Prime Minister"), Term("Bộ Chính trị", "Politburo"),
                            Term("Bộ Chính trị", "Political Bureau"))
    assert cli("glossary", "merge", tsv, tbx, "-o", tmp_path / "out.tbx").exit_code == 0
    assert read_glossary(tmp_path / "out.tbx").terms == merged.terms


def test_appended_to_a_new_file_takes_its_format(tmp_path):
    assert b"<tbx" in appended(tmp_path / "new.tbx", Term("a b", "c"))
    assert appended(tmp_path / "new.tsv", Term("a b", "c")) == b"a b\tc\n"


def test_run_uses_the_seed_glossary_unless_told_not_to(cli, tmp_path):
    vi, en = CORPORA / "vi", CORPORA / "en"
    assert cli("run", vi, en, "-o", tmp_path / "seed.tmx", "-q").exit_code == 0
    assert "glossary:glossary.vi-en.tsv@" in read_tmx(str(tmp_path / "seed.tmx")).signature
    assert cli("run", vi, en, "-o", tmp_path / "none.tmx", "-q", "--no-glossary").exit_code == 0
    assert "glossary:none" in read_tmx(str(tmp_path / "none.tmx")).signature
    both = cli("run", vi, en, "-o", tmp_path / "x.tmx", "--no-glossary", "--glossary", SEED)
    assert both.exit_code == 1 and "cannot be used together" in both.stderr


def test_run_reports_glossary_duplicates_and_conflicts(cli, tmp_path):
    glossary = _write(tmp_path / "g.tsv", "Tổng Bí thư\tGeneral Secretary\ntổng bí thư\tgeneral secretary\n"
                                          "Thủ tướng\tPrime Minister\nThủ tướng\tPremier\n")
    result = cli("run", CORPORA / "vi", CORPORA / "en", "-o", tmp_path / "m.tmx", "--glossary", glossary)
    assert result.exit_code == 0
    assert f"align: warning: {glossary}: line 2: duplicate of 'Tổng Bí thư' = 'General Secretary' (line 1)" in result.stderr
    assert f"{glossary}: line 4: 'Thủ tướng' = 'Premier' conflicts with 'Prime Minister' (line 3)" in result.stderr
