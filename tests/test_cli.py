"""The `align` command as a user meets it: the bundled corpora, and bad input."""

import shutil

import pytest
from lxml import etree

from align import __version__
from align.pipeline import score_alignments
from align.tmx import read_tmx

from conftest import CORPORA, TMX_DTD, needs_shared

VI, EN = CORPORA / "vi", CORPORA / "en"


@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory):
    """One `align run` over the bundled corpora, shared by the tests that read its output."""
    from click.testing import CliRunner
    from align.cli import main
    out = tmp_path_factory.mktemp("run")
    result = CliRunner().invoke(main, ["run", str(VI), str(EN), "-o", str(out / "memory.tmx"),
                                       "--beads", str(out / "beads")], catch_exceptions=False)
    return result, out


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_run_writes_a_memory_and_a_summary(bundled_run):
    result, out = bundled_run
    assert result.exit_code == 0, result.output
    assert "2 documents" in result.stderr and "pairs accepted" in result.stderr
    memory = read_tmx(str(out / "memory.tmx"))
    assert len(memory.units) > 100
    assert "dictionary:none" in memory.signature


def test_memory_holds_the_partnership_term_pair(bundled_run):
    memory = read_tmx(str(bundled_run[1] / "memory.tmx"))
    assert any("Đối tác Chiến lược Toàn diện" in u.text("vi") and "Comprehensive Strategic Partnership" in u.text("en")
               for u in memory.units)


@needs_shared(TMX_DTD)
def test_memory_is_valid_against_the_dtd(bundled_run):
    dtd = etree.DTD(str(TMX_DTD))
    assert dtd.validate(etree.parse(str(bundled_run[1] / "memory.tmx"))), dtd.error_log.filter_from_errors()


def test_alignment_of_the_bundled_corpora_matches_the_gold(bundled_run):
    report = score_alignments(CORPORA / "gold", bundled_run[1] / "beads")
    assert report.overall.strict_f1 >= 0.95


def test_score_command_prints_a_table_and_json(cli, bundled_run):
    table = cli("score", CORPORA / "gold", bundled_run[1] / "beads")
    assert table.exit_code == 0 and "strict F1" in table.output and "all" in table.output
    as_json = cli("score", CORPORA / "gold", bundled_run[1] / "beads", "--json")
    assert '"strict"' in as_json.output


def test_run_on_two_presegmented_files_writes_one_bead_file(cli, tmp_path):
    (tmp_path / "a.vi").write_text("Năm 2010, hai nước lập quan hệ.\nCó 12.000 sinh viên.\n"
                                   "Trong năm 2025, phía Anh dự kiến cấp thêm 300 suất học bổng cho sinh viên Việt Nam.\n")
    (tmp_path / "a.en").write_text("In 2010 the two countries set up relations.\nThere are 12,000 students.\n")
    result = cli("run", tmp_path / "a.vi", tmp_path / "a.en", "-o", tmp_path / "m.tmx",
                 "--presegmented", "--beads", tmp_path / "a.beads")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a.beads").read_text() == "[0]:[0]\n[1]:[1]\n[2]:[]\n"


def test_split_prints_sentences_and_blank_lines_between_blocks(cli):
    result = cli("split", VI / "to-lam-uk-visit-interview.txt", "--lang", "vi")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("Thứ trưởng Bộ Ngoại giao") and lines[1] == ""
    assert "" in lines[2:]


def test_min_score_rejects_pairs_and_counts_them(cli, tmp_path):
    result = cli("run", VI, EN, "-o", tmp_path / "strict.tmx", "--min-score", "0.9")
    assert result.exit_code == 0
    assert " rejected" in result.stderr
    rejected = int(result.stderr.split(" rejected")[0].rsplit(" ", 1)[1])
    assert rejected > 0
    assert len(read_tmx(str(tmp_path / "strict.tmx")).units) < 111


# --- bad input: one line naming the file, non-zero exit, no output left behind --------------

def page_folders(tmp_path, vi_name, vi_bytes):
    """A vi/en folder pair holding one bundled pair plus one bad vi page and its English partner."""
    vi, en = tmp_path / "vi", tmp_path / "en"
    vi.mkdir(), en.mkdir()
    shutil.copy(VI / "to-lam-uk-visit-interview.txt", vi)
    shutil.copy(EN / "to-lam-uk-visit-interview.html", en)
    (vi / vi_name).write_bytes(vi_bytes)
    (en / (vi_name.rsplit(".", 1)[0] + ".txt")).write_text("An English page.\n", encoding="utf-8")
    return vi, en


BAD_PAGES = [
    ("empty.txt", b"", "empty file"),
    ("binary.txt", b"\x00\x01\x02\x03binary\x00data", "NUL bytes"),
    ("legacy.txt", b"Ng\xe0y h\xf4m nay", "not surely one legacy Vietnamese encoding"),  # cp1258 or VNI?
    ("broken.html", "<html><body><article><h1>Tin</h1><p>Bài viết bị cắt".encode(), "broken HTML"),
    ("huge.txt", ("Một câu rất dài không có dấu chấm " * 500).encode(), "does not look like prose"),
]


@pytest.mark.parametrize("name, data, problem", BAD_PAGES, ids=[b[0] for b in BAD_PAGES])
def test_bad_page_gives_one_line_naming_the_file_and_keeps_the_old_memory(cli, tmp_path, name, data, problem):
    vi, en = page_folders(tmp_path, name, data)
    output = tmp_path / "memory.tmx"
    output.write_text("a good memory from yesterday")
    result = cli("run", vi, en, "-o", output)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"align: error: {vi / name}:") and problem in lines[0]
    assert output.read_text() == "a good memory from yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["en", "memory.tmx", "vi"]  # no temporary left


def test_unpaired_file_is_an_error_unless_skipped(cli, tmp_path):
    vi, en = page_folders(tmp_path, "orphan.txt", "Một trang.".encode())
    (en / "orphan.txt").unlink()
    result = cli("run", vi, en, "-o", tmp_path / "m.tmx")
    assert result.exit_code != 0 and f"{vi / 'orphan.txt'}: no counterpart" in result.stderr
    assert not (tmp_path / "m.tmx").exists()
    skipped = cli("run", vi, en, "-o", tmp_path / "m.tmx", "--skip-unpaired")
    assert skipped.exit_code == 0 and "orphan.txt: no counterpart" in skipped.stderr
    assert (tmp_path / "m.tmx").exists()


@pytest.mark.parametrize("args, problem", [
    (["run", "no/such/dir", str(EN), "-o", "x.tmx"], "no/such/dir: no such file or folder"),
    (["run", str(VI), str(EN / "to-lam-uk-visit-interview.html"), "-o", "x.tmx"], "not one of each"),
    (["run", str(VI), str(EN), "-o", "x.tmx", "--min-score", "2"], "between 0 and 1"),
    (["run", str(VI), str(EN), "-o", "x.tmx", "--glossary", "missing.tsv"], "missing.tsv"),
    (["split", "missing.html", "--lang", "vi"], "missing.html: no such file"),
    (["score", str(CORPORA / "gold"), "missing"], "missing: no such file or folder"),
])
def test_usage_errors_are_one_clear_line(cli, tmp_path, monkeypatch, args, problem):
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert result.exit_code != 0
    assert result.stderr.strip().splitlines() == [f"align: error: {result.stderr.strip()[len('align: error: '):]}"]
    assert problem in result.stderr
    assert not (tmp_path / "x.tmx").exists()


def test_no_pair_at_all_is_an_error(cli, tmp_path):
    (tmp_path / "vi").mkdir(), (tmp_path / "en").mkdir()
    (tmp_path / "vi" / "a.txt").write_text("Một.")
    (tmp_path / "en" / "b.txt").write_text("One.")
    result = cli("run", tmp_path / "vi", tmp_path / "en", "-o", tmp_path / "m.tmx")
    assert result.exit_code != 0 and "no page has a counterpart" in result.stderr


def test_signature_names_the_word_lists_and_self_training(cli, tmp_path):
    (tmp_path / "a.vi").write_text("Hai nước hợp tác kinh tế.\nGiáo dục là ưu tiên.\n")
    (tmp_path / "a.en").write_text("The two countries cooperate on the economy.\nEducation is a priority.\n")
    (tmp_path / "d.tsv").write_text("hợp tác\tcooperate\ngiáo dục\teducation\n")
    plain = cli("run", tmp_path / "a.vi", tmp_path / "a.en", "-o", tmp_path / "plain.tmx", "--presegmented")
    with_dictionary = cli("run", tmp_path / "a.vi", tmp_path / "a.en", "-o", tmp_path / "dict.tmx", "--presegmented",
                          "--dictionary", tmp_path / "d.tsv")
    assert plain.exit_code == with_dictionary.exit_code == 0
    plain_signature = read_tmx(str(tmp_path / "plain.tmx")).signature
    dictionary_signature = read_tmx(str(tmp_path / "dict.tmx")).signature
    assert "self-trained" in plain_signature and "dictionary:none" in plain_signature
    assert "dictionary:d.tsv@" in dictionary_signature and "self-trained" in dictionary_signature
    assert len(read_tmx(str(tmp_path / "dict.tmx")).units) == 2
    per_document = cli("run", tmp_path / "a.vi", tmp_path / "a.en", "-o", tmp_path / "doc.tmx", "--presegmented",
                       "--dictionary", tmp_path / "d.tsv", "--no-self-train")
    neither = cli("run", tmp_path / "a.vi", tmp_path / "a.en", "-o", tmp_path / "neither.tmx", "--presegmented",
                  "--no-self-train")
    assert per_document.exit_code == neither.exit_code == 0
    per_document_signature = read_tmx(str(tmp_path / "doc.tmx")).signature
    assert "self-trained" not in per_document_signature and "document-trained" in per_document_signature
    assert "self-trained" not in read_tmx(str(tmp_path / "neither.tmx")).signature
