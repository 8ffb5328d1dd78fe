"""align tmx stats | merge | filter | convert, and '-' for standard input and output."""

import io
import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st
from lxml import etree

from align.cli import main
from align.model import FormatError, InputError
from align.tmx import Unit, Variant, read_tmx
from align.tmxtools import (FilterRule, LanguagePair, best_positions, check_pair, quantile, read_moses, read_tsv, same_language,
                            sniff_format, stats, unit_key)

from conftest import SHARED_DATA, TMX_DTD, needs_shared

COMPLIANCE_KIT = SHARED_DATA / "tmx" / "compliance-kit"
KIT_FILES = sorted(p.name for p in COMPLIANCE_KIT.glob("*.tmx")) if COMPLIANCE_KIT.exists() else []


def tu(vi, en, score=None, document=None, vi_lang="vi", en_lang="en", extra=""):
    props = "".join(f'<prop type="{kind}">{value}</prop>' for kind, value in
                    (("x-score", score), ("x-document", document)) if value is not None)
    return (f"<tu{extra}>{props}<tuv xml:lang=\"{vi_lang}\"><seg>{vi}</seg></tuv>"
            f"<tuv xml:lang=\"{en_lang}\"><seg>{en}</seg></tuv></tu>")


def memory(*units, srclang="vi", signature=None, header_extra=""):
    sig = f'<prop type="x-align-signature">{signature}</prop>' if signature else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header creationtool="t" '
            f'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="{srclang}" '
            f'datatype="plaintext">{sig}{header_extra}</header><body>{"".join(units)}</body></tmx>').encode("utf-8")


NEWS = memory(
    tu("Hai nước nâng cấp quan hệ.", "The two countries upgraded ties.", "0.9100", "visit"),
    tu("Thủ tướng phát biểu.", "The Prime Minister spoke.", "0.5000", "visit"),
    tu("Hợp tác giáo dục được mở rộng.", "Education cooperation was expanded.", "0.7000", "education"),
    tu("Thủ tướng phát biểu.", "The Prime Minister gave a speech.", "0.3000", "education"),
    tu("Hai nước nâng cấp quan hệ.", "The two countries upgraded ties.", "0.6000", "education"),
    tu("", "An empty Vietnamese side.", None, "education"),
    signature="align:test|band:20")

MARKUP_UNIT = ('<tu tuid="7" usagecount="3"><note>kept as it is</note><prop type="x-score">0.8000</prop>'
               '<tuv xml:lang="vi"><seg>Nhấn <bpt i="1">&lt;b&gt;</bpt>vào đây<ept i="1">&lt;/b&gt;</ept>'
               '<ph x="2">{0}</ph></seg></tuv>'
               '<tuv xml:lang="en"><seg>Click <bpt i="1">&lt;b&gt;</bpt>here<ept i="1">&lt;/b&gt;</ept>'
               '<ph x="2">{0}</ph> <hi type="em">now</hi></seg></tuv></tu>')


def seg_xml(data: bytes) -> list[str]:
    return [v.seg_xml for u in read_tmx(io.BytesIO(data)).units for v in u.variants]


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def valid(path_or_bytes) -> bool:
    dtd = etree.DTD(str(TMX_DTD))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    if isinstance(path_or_bytes, bytes):
        tree = etree.fromstring(path_or_bytes, parser)
    else:
        tree = etree.parse(str(path_or_bytes), parser)
    return dtd.validate(tree)


# --- languages ----------------------------------------------------------------------------

@pytest.mark.parametrize("first, second, same", [
    ("en", "en", True),
    ("EN-US", "en-us", True),  # case never matters
    ("en", "en-US", True),  # a bare language covers its regions
    ("en-GB", "en", True),
    ("en-US", "en-GB", False),  # two regions are two languages: en-us/en-gb memories exist
    ("vi", "en", False),
    ("vi", "vi-VN", True),
    ("zh-Hant", "zh-Hans", False),
    ("e", "en", False),  # a prefix of letters is not a primary subtag
])
def test_language_tags_are_compared_as_the_spec_means(first, second, same):
    assert same_language(first, second) is same
    assert same_language(second, first) is same


@pytest.mark.parametrize("tags, fits", [
    (("VI", "EN-US"), True),  # case, and a region of a language the first memory has
    (("vi",), True),  # fewer languages is fine
    (("en", "ja-jp"), True),
    (("vi", "fr"), False),
    (("vi", "en-gb"), False),  # the first memory has en-us, not English of any region
])
def test_units_must_be_in_the_languages_of_the_first_memory(tags, fits):
    first = LanguagePair("vi", ("en-us", "ja-jp"))
    unit = Unit(tuple(Variant(tag, "x", "x") for tag in tags), line=3)
    if fits:
        check_pair(first, "a.tmx", unit, "b.tmx")
    else:
        with pytest.raises(FormatError, match=r"b.tmx: line 3: a segment in .*, but a.tmx is vi -> en-us, ja-jp"):
            check_pair(first, "a.tmx", unit, "b.tmx")


# --- stats --------------------------------------------------------------------------------

@pytest.mark.parametrize("values, fraction, expected", [
    ([1.0], 0.25, 1.0),
    ([0.0, 1.0], 0.5, 0.5),
    ([0.1, 0.2, 0.3, 0.4, 0.5], 0.25, 0.2),
    ([0.1, 0.2, 0.3, 0.4], 0.75, 0.325),
])
def test_quantiles_interpolate_between_ranks(values, fraction, expected):
    assert quantile(values, fraction) == pytest.approx(expected)


def news_stats():
    from align.tmx import open_tmx
    header, units = open_tmx(io.BytesIO(NEWS), "news.tmx")
    return stats(header, units)


def test_stats_count_what_the_memory_holds():
    result = news_stats()
    assert result.units == 6
    assert str(result.pair) == "vi -> en"
    assert dict(result.languages) == {"vi": 6, "en": 6}
    assert result.documents == (("visit", 2), ("education", 4))
    assert result.scores.count == 5 and result.unscored == 1
    assert (result.scores.minimum, result.scores.median, result.scores.maximum) == (0.3, 0.6, 0.91)
    assert result.scores.q1 == pytest.approx(0.5) and result.scores.q3 == pytest.approx(0.7)
    assert result.duplicates == 1  # the repeated "Hai nước..." unit
    assert result.retranslated == 1  # "Thủ tướng phát biểu." has two translations
    assert result.empty_segments == 1
    assert result.signature == "align:test|band:20"


def test_stats_cli_prints_a_table_and_json(cli, tmp_path):
    path = write(tmp_path, "news.tmx", NEWS)
    table = cli("tmx", "stats", path)
    assert table.exit_code == 0, table.output
    assert "units        6" in table.stdout and "pair         vi -> en" in table.stdout
    assert "min 0.300  q1 0.500  median 0.600  q3 0.700  max 0.910" in table.stdout
    assert "1 units repeat an earlier one" in table.stdout
    assert "signature    align:test|band:20" in table.stdout
    as_json = json.loads(cli("tmx", "stats", path, "--json").stdout)
    assert as_json["documents"] == {"visit": 2, "education": 4}
    assert as_json["scores"]["median"] == 0.6 and as_json["empty_segments"] == 1
    assert as_json["header"]["srclang"] == "vi"


def test_stats_reads_standard_input(cli):
    result = cli("tmx", "stats", "-", "--json", input=NEWS)
    assert result.exit_code == 0 and json.loads(result.stdout)["file"] == "<stdin>"


# --- filter -------------------------------------------------------------------------------

def unit_with(score=None, document=None):
    props = tuple((k, v) for k, v in (("x-score", score), ("x-document", document)) if v is not None)
    return Unit((Variant("vi", "a", "a"), Variant("en", "b", "b")), props)


@pytest.mark.parametrize("rule, unit, kept", [
    (FilterRule(0.5), unit_with("0.5000"), True),  # at the threshold: kept, as run accepts it
    (FilterRule(0.5), unit_with("0.4999"), False),
    (FilterRule(0.5), unit_with(None), True),  # no score to judge by: kept unless told
    (FilterRule(0.5, keep_unscored=False), unit_with(None), False),
    (FilterRule(0.5), unit_with("not a number"), True),
    (FilterRule(None, frozenset({"visit"})), unit_with("0.1", "visit"), True),
    (FilterRule(None, frozenset({"visit"})), unit_with("0.9", "education"), False),
    (FilterRule(0.5, frozenset({"visit"})), unit_with("0.4", "visit"), False),
    (FilterRule(), unit_with(), True),
])
def test_filter_rules(rule, unit, kept):
    assert rule.keeps(unit) is kept


def test_filter_keeps_units_whole_and_says_what_it_did(cli, tmp_path):
    path = write(tmp_path, "in.tmx", memory(MARKUP_UNIT, tu("Thấp.", "Low.", "0.2000", "d"), signature="sig-1"))
    result = cli("tmx", "filter", path, "-o", tmp_path / "out.tmx", "--min-score", "0.5")
    assert result.exit_code == 0, result.output
    assert "1 of 2 units kept" in result.stderr
    out = (tmp_path / "out.tmx").read_bytes()
    assert seg_xml(out) == seg_xml(memory(MARKUP_UNIT))
    root = etree.fromstring(out)
    assert root.find("body/tu").get("tuid") == "7" and root.findtext("body/tu/note") == "kept as it is"
    header = root.find("header")
    assert header.findtext("prop[@type='x-align-signature']") == "sig-1"
    assert header.findtext("prop[@type='x-align-step']").endswith("tmx filter --min-score 0.5 in.tmx")
    assert header.get("srclang") == "vi" and header.get("creationtool") == "align"


def test_filter_by_document_to_standard_output(cli):
    result = cli("tmx", "filter", "-", "-o", "-", "--document", "visit", "-q", input=NEWS)
    assert result.exit_code == 0 and result.stderr == ""
    units = read_tmx(io.BytesIO(result.stdout_bytes)).units
    assert [u.prop("x-document") for u in units] == ["visit", "visit"]


# --- merge --------------------------------------------------------------------------------

def test_best_positions_keep_the_best_score_and_the_first_of_equals():
    assert best_positions([(b"a", 0.5), (b"b", 0.9), (b"a", 0.7), (b"a", 0.7), (b"b", None)]) == bytes([0, 1, 1, 0, 0])
    assert best_positions([(b"a", None), (b"a", 0.1)]) == bytes([0, 1])
    assert best_positions([(b"a", None), (b"a", None)]) == bytes([1, 0])
    assert best_positions([]) == b""


@pytest.mark.parametrize("first, second, dedupe, same", [
    (("Hòa bình.", "Peace."), ("Hòa bình.", "Peace."), "text", True),
    (("Hòa  bình. ", "Peace."), ("Hòa bình.", "Peace."), "text", True),  # white space
    (("Hòa bình.", "Peace."), ("Hoà bình.", "Peace."), "text", False),  # two spellings a translator typed
    (("Hòa bình.", "Peace."), ("Hoà bình.", "Peace."), "loose", True),
    (("Hòa bình.", "\u201cPeace.\u201d"), ("hòa bình.", '"peace."'), "loose", True),
    (("Hòa bình.", "Peace."), ("Hòa bình.", "Peace!"), "loose", False),
])
def test_dedupe_keys(first, second, dedupe, same):
    units = [Unit((Variant("vi", vi, vi), Variant("en", en, en))) for vi, en in (first, second)]
    assert (unit_key(units[0], dedupe) == unit_key(units[1], dedupe)) is same


def test_a_tagged_segment_is_not_a_duplicate_of_the_plain_one():
    plain = Unit((Variant("en", "Click here", "Click here"),))
    tagged = Unit((Variant("en", "Click here", 'Click <ph x="1">{0}</ph>here', True),))
    assert unit_key(plain) != unit_key(tagged)


def test_merge_dedupe_keeps_the_best_scored_unit_in_input_order(cli, tmp_path):
    first = write(tmp_path, "a.tmx", NEWS)
    second = write(tmp_path, "b.tmx", memory(tu("Hai nước nâng cấp quan hệ.", "The two countries upgraded ties.",
                                                 "0.9500", "other"), MARKUP_UNIT, signature="sig-b"))
    result = cli("tmx", "merge", first, second, "-o", tmp_path / "out.tmx", "--dedupe")
    assert result.exit_code == 0, result.output
    assert "6 units from 8 in 2 memories" in result.stderr and "2 duplicates dropped" in result.stderr
    out = (tmp_path / "out.tmx").read_bytes()
    units = read_tmx(io.BytesIO(out)).units
    assert [u.prop("x-score") for u in units] == ["0.5000", "0.7000", "0.3000", None, "0.9500", "0.8000"]
    assert seg_xml(out)[-2:] == seg_xml(memory(MARKUP_UNIT))  # inline markup intact
    header = etree.fromstring(out).find("header")
    assert [p.text for p in header.findall("prop[@type='x-align-signature']")] == ["align:test|band:20", "sig-b"]
    assert "tmx merge --dedupe --dedupe-key text a.tmx b.tmx" in header.findtext("prop[@type='x-align-step']")


def test_merge_without_dedupe_concatenates(cli, tmp_path):
    first = write(tmp_path, "a.tmx", NEWS)
    result = cli("tmx", "merge", first, "-", "-o", "-", "-q", input=NEWS)
    assert result.exit_code == 0 and result.stderr == ""
    assert len(read_tmx(io.BytesIO(result.stdout_bytes)).units) == 12


def test_merge_dedupe_reads_standard_input_twice_from_a_copy(cli, tmp_path):
    result = cli("tmx", "merge", "-", write(tmp_path, "a.tmx", NEWS), "-o", tmp_path / "o.tmx", "--dedupe", "--dedupe-key", "loose",
                 input=NEWS)
    assert result.exit_code == 0, result.output
    assert len(read_tmx(str(tmp_path / "o.tmx")).units) == 5


def test_merge_accepts_the_same_languages_written_differently_and_dedupes_across_them(cli, tmp_path):
    first = write(tmp_path, "a.tmx", NEWS)
    second = write(tmp_path, "b.tmx", memory(tu("Xin chào.", "Hello.", vi_lang="VI", en_lang="en-US"),
                                             tu("Thủ tướng phát biểu.", "The Prime Minister spoke.", "0.99",
                                                vi_lang="vi-VN", en_lang="EN"), srclang="VI"))
    assert cli("tmx", "merge", first, second, "-o", tmp_path / "o.tmx").exit_code == 0
    assert cli("tmx", "merge", first, second, "-o", tmp_path / "d.tmx", "--dedupe").exit_code == 0
    units = read_tmx(str(tmp_path / "d.tmx")).units
    spoke = [u for u in units if u.text("en") == "The Prime Minister spoke."]
    assert len(units) == 6 and [u.prop("x-score") for u in spoke] == ["0.99"]


@pytest.mark.parametrize("other, message", [
    (memory(tu("Hello.", "Xin chào.", vi_lang="en", en_lang="vi"), srclang="en"),
     ("b.tmx: source language en, but ", "a.tmx has vi")),
    (memory(tu("Xin chào.", "Bonjour.", en_lang="fr")), ("b.tmx: line 1: a segment in fr, but ", "a.tmx is vi -> en")),
])
def test_merge_refuses_another_language_pair_and_writes_nothing(cli, tmp_path, other, message):
    first, second = write(tmp_path, "a.tmx", NEWS), write(tmp_path, "b.tmx", other)
    old = write(tmp_path, "out.tmx", b"old memory")
    result = cli("tmx", "merge", first, second, "-o", old)
    assert result.exit_code == 1 and all(part in result.stderr for part in message)
    assert old.read_bytes() == b"old memory"


# --- convert ------------------------------------------------------------------------------

def test_tsv_and_moses_conversions_of_a_memory(cli, tmp_path):
    path = write(tmp_path, "news.tmx", NEWS)
    result = cli("tmx", "convert", path, "-o", tmp_path / "news.tsv")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "news.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Hai nước nâng cấp quan hệ.\tThe two countries upgraded ties.\t0.9100\tvisit"
    assert lines[5] == "\tAn empty Vietnamese side.\t\teducation"
    result = cli("tmx", "convert", path, "-o", tmp_path / "corpus", "--to", "moses")
    assert result.exit_code == 0 and "corpus.vi + " in result.stderr
    assert (tmp_path / "corpus.vi").read_text(encoding="utf-8").splitlines()[1] == "Thủ tướng phát biểu."
    assert (tmp_path / "corpus.en").read_text(encoding="utf-8").splitlines()[1] == "The Prime Minister spoke."


def test_tsv_from_standard_input_to_tmx_on_standard_output(cli):
    tsv = "Xin chào.\tHello.\nCảm ơn.\tThank you.\t0.7\tgreetings\n".encode("utf-8")
    result = cli("tmx", "convert", "-", "-o", "-", "--to", "tmx", input=tsv)
    assert result.exit_code == 0, result.output
    units = read_tmx(io.BytesIO(result.stdout_bytes)).units
    assert [(u.text("vi"), u.text("en"), u.prop("x-score")) for u in units] == [
        ("Xin chào.", "Hello.", None), ("Cảm ơn.", "Thank you.", "0.7")]


@pytest.mark.parametrize("head, found", [
    (b'<?xml version="1.0"?><tmx>', "tmx"),
    (b"\xef\xbb\xbf<tmx version", "tmx"),
    ("<?xml".encode("utf-16"), "tmx"),
    (b"  \n<tmx", "tmx"),
    ("Xin chào\tHello\n".encode("utf-8"), "tsv"),
])
def test_standard_input_format_is_told_by_its_first_bytes(head, found):
    assert sniff_format(head) == found


def test_lines_that_a_line_format_cannot_hold_are_flattened_and_reported(cli, tmp_path):
    path = write(tmp_path, "a.tmx", memory(tu("Dòng một\tcột", "Line one\ncontinued", "0.5000"), MARKUP_UNIT))
    result = cli("tmx", "convert", path, "-o", tmp_path / "a.tsv")
    assert result.exit_code == 0
    assert "2 segments had tabs or line breaks" in result.stderr and "2 segments had inline codes" in result.stderr
    first = (tmp_path / "a.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert first == "Dòng một cột\tLine one continued\t0.5000\t"


# Text a TMX, a TSV line and a Moses line can all hold: no control characters (tabs, line breaks).
line_text = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
                    max_size=30)
rows = st.lists(st.tuples(line_text, line_text, st.floats(0, 1), st.sampled_from(["", "doc-1", "tài liệu 2"])),
                max_size=6)


def memory_of(rows_) -> bytes:
    from align.model import Bead, Pair, ScoreParts
    from align.tmx import TmxHeader, write_tmx
    stream = io.BytesIO()
    write_tmx(stream, [Pair(doc, Bead((0,), (0,)), vi, en, score, ScoreParts(0.5, 0.5))
                       for vi, en, score, doc in rows_], TmxHeader("vi", "en", "sig", "20261201T000000Z"))
    return stream.getvalue()


def content(data: bytes, with_props=True):
    return [(u.text("vi"), u.text("en")) + ((u.prop("x-score"), u.prop("x-document")) if with_props else ())
            for u in read_tmx(io.BytesIO(data)).units]


def run_align(*args):
    """`align ...` in-process, for property tests (hypothesis wants no function-scoped fixture)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@settings(max_examples=25, deadline=None)
@given(rows)
def test_tmx_to_tsv_to_tmx_round_trips(tmp_path_factory, rows_):
    folder = tmp_path_factory.mktemp("tsv")
    (folder / "a.tmx").write_bytes(memory_of(rows_))
    assert run_align("tmx", "convert", folder / "a.tmx", "-o", folder / "a.tsv", "-q").exit_code == 0
    assert run_align("tmx", "convert", folder / "a.tsv", "-o", folder / "b.tmx", "-q").exit_code == 0
    expected = [(vi, en, f"{score:.4f}", doc or None) for vi, en, score, doc in rows_]  # '' is no document
    assert content((folder / "b.tmx").read_bytes()) == expected


@settings(max_examples=25, deadline=None)
@given(rows.filter(bool))  # an empty memory has no target language to name a file after (tested below)
def test_tmx_to_moses_to_tmx_round_trips(tmp_path_factory, rows_):
    folder = tmp_path_factory.mktemp("moses")
    (folder / "a.tmx").write_bytes(memory_of(rows_))
    assert run_align("tmx", "convert", folder / "a.tmx", "-o", folder / "corpus.vi", "-q").exit_code == 0
    assert run_align("tmx", "convert", folder / "corpus.en", "-o", folder / "b.tmx", "-q").exit_code == 0
    assert content((folder / "b.tmx").read_bytes(), with_props=False) == [(vi, en) for vi, en, _, _ in rows_]


@pytest.mark.parametrize("text, message", [
    ("a\tb\nonly one column\n", "x.tsv: line 2: 1 tab-separated column, expected 2 to 4"),
    ("a\tb\tc\td\te\n", "x.tsv: line 1: 5 tab-separated columns, expected 2 to 4"),
    ("a\tb\thigh\n", "x.tsv: line 1: the score 'high' is not a number"),
])
def test_tsv_with_wrong_columns_names_file_and_line(text, message):
    with pytest.raises(FormatError) as caught:
        list(read_tsv(io.BytesIO(text.encode("utf-8")), "x.tsv"))
    assert message in str(caught.value)


@pytest.mark.parametrize("data, message", [
    (b"caf\xe9\tcoffee\n", "line 1: not UTF-8 (byte 0xe9)"),
    ("a\tb\n".encode("utf-16-le"), "line 1: a NUL byte"),
])
def test_tsv_that_is_not_utf8_text_is_refused(data, message):
    with pytest.raises(InputError) as caught:
        list(read_tsv(io.BytesIO(data), "x.tsv"))
    assert message in str(caught.value)


def test_moses_files_of_different_lengths_are_refused():
    with pytest.raises(FormatError, match="c.en: c.vi has 1 lines"):
        list(read_moses(io.BytesIO(b"mot\n"), io.BytesIO(b"one\ntwo\n"), "c.vi", "c.en"))


@pytest.mark.parametrize("args, message", [
    (["-o", "-", "--to", "moses"], "Moses-style output is two files"),
    (["-o", "-"], "say the format with --to"),
    (["-o", "out.xyz"], "cannot tell the output format"),
])
def test_convert_says_what_it_cannot_write(cli, tmp_path, args, message):
    result = cli("tmx", "convert", write(tmp_path, "a.tmx", NEWS), *args)
    assert result.exit_code == 1 and message in result.stderr


def test_moses_output_of_an_empty_memory_needs_the_target_language(cli, tmp_path):
    path = write(tmp_path, "empty.tmx", memory())
    result = cli("tmx", "convert", path, "-o", tmp_path / "c", "--to", "moses")
    assert result.exit_code == 1 and "give --trg-lang" in result.stderr
    assert cli("tmx", "convert", path, "-o", tmp_path / "c", "--to", "moses", "--trg-lang", "en").exit_code == 0
    assert (tmp_path / "c.vi").read_bytes() == (tmp_path / "c.en").read_bytes() == b""


def test_convert_of_a_multilingual_memory_asks_for_the_target(cli, tmp_path):
    three = memory('<tu><tuv xml:lang="vi"><seg>Chào</seg></tuv><tuv xml:lang="en"><seg>Hi</seg></tuv>'
                   '<tuv xml:lang="fr"><seg>Salut</seg></tuv></tu>')
    path = write(tmp_path, "three.tmx", three)
    result = cli("tmx", "convert", path, "-o", tmp_path / "x.tsv")
    assert result.exit_code == 1 and "choose the target with --trg-lang" in result.stderr
    result = cli("tmx", "convert", path, "-o", tmp_path / "x.tsv", "--trg-lang", "fr")
    assert result.exit_code == 0 and (tmp_path / "x.tsv").read_text(encoding="utf-8") == "Chào\tSalut\t\t\n"


# --- bad input, every command -------------------------------------------------------------

COMMANDS = [["stats"], ["filter", "-o", "{out}"], ["merge", "-o", "{out}"], ["convert", "-o", "{out}"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("data, message", [
    (b'<tmx version="1.4"><header/><body><tu><tuv', "malformed TMX"),
    (b"<html><body><p>hello</p></body></html>", "not a TMX file: the root element is <html>"),
    (None, "no such file"),
])
def test_bad_input_is_one_clear_line(cli, tmp_path, command, data, message):
    path = tmp_path / "bad.tmx"
    if data is not None:
        path.write_bytes(data)
    args = [a.format(out=tmp_path / "out.tmx") for a in command]
    result = cli("tmx", args[0], path, *args[1:])
    assert result.exit_code == 1
    assert result.stderr.startswith("align: error: ") and f"bad.tmx: {message}" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "out.tmx").exists()


# --- standard input across the other commands ---------------------------------------------

def test_split_reads_standard_input(cli):
    result = cli("split", "-", "--lang", "en", input="One sentence here. Another one there.\n".encode())
    assert result.exit_code == 0 and result.stdout.splitlines() == ["One sentence here.", "Another one there."]


def test_glossary_extract_and_check_read_standard_input(cli, tmp_path):
    glossary = write(tmp_path, "g.tsv", "quan hệ\tties\n".encode("utf-8"))
    check = cli("glossary", "check", "-", "--glossary", glossary, input=NEWS)
    assert check.exit_code == 0, check.output
    assert "quan hệ = ties\t2\t2\t-" in check.stdout
    extract = cli("glossary", "extract", "-", "--min-count", "1", input=NEWS)
    assert extract.exit_code == 0 and "vietnamese = english" in extract.stdout


def test_run_refuses_standard_input_with_the_reason(cli, tmp_path):
    result = cli("run", "-", write(tmp_path, "a.txt", b"Hello.\n"), "-o", tmp_path / "m.tmx")
    assert result.exit_code == 1 and "run reads each input twice" in result.stderr


# --- TMX from other tools: the LISA compliance kit ----------------------------------------

@needs_shared(COMPLIANCE_KIT)
@pytest.mark.parametrize("name", KIT_FILES)
def test_compliance_kit_through_every_tmx_command(cli, tmp_path, name):
    source = COMPLIANCE_KIT / name
    original = read_tmx(str(source)).units
    assert cli("tmx", "stats", source).exit_code == 0
    filtered = cli("tmx", "filter", source, "-o", tmp_path / "f.tmx")
    merged = cli("tmx", "merge", source, source, "-o", tmp_path / "m.tmx", "--dedupe")
    converted = cli("tmx", "convert", source, "-o", tmp_path / "c.tmx")
    for result, output in ((filtered, "f.tmx"), (merged, "m.tmx"), (converted, "c.tmx")):
        assert result.exit_code == 0, result.output
        assert valid(tmp_path / output), output
        units = read_tmx(str(tmp_path / output)).units
        # every segment's inline markup, word for word (merging a file with itself drops only repeats)
        assert [[v.seg_xml for v in u.variants] for u in units] == [[v.seg_xml for v in u.variants] for u in original]


@needs_shared(COMPLIANCE_KIT)
def test_compliance_kit_utf16_with_markup_becomes_tsv_text(cli, tmp_path):
    result = cli("tmx", "convert", COMPLIANCE_KIT / "ImportTest2A.tmx", "-o", tmp_path / "a.tsv")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "a.tsv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 7 and all(line.count("\t") == 3 for line in lines)
    assert "inline codes, written as plain text" in result.stderr


@needs_shared(TMX_DTD)
def test_outputs_built_from_text_are_valid(cli, tmp_path):
    tsv = write(tmp_path, "a.tsv", "A & B < C\t\"x\" > 'y'\t0.5\td\n".encode("utf-8"))
    assert cli("tmx", "convert", tsv, "-o", tmp_path / "a.tmx").exit_code == 0
    assert valid(tmp_path / "a.tmx")
    assert cli("tmx", "merge", tmp_path / "a.tmx", write(tmp_path, "b.tmx", NEWS), "-o", tmp_path / "m.tmx").exit_code == 0
    assert valid(tmp_path / "m.tmx")


def test_each_tool_adds_a_step_to_the_header_history(cli, tmp_path):
    first = tmp_path / "first.tmx"
    assert cli("tmx", "filter", write(tmp_path, "news.tmx", NEWS), "-o", first, "--min-score", "0.5").exit_code == 0
    assert cli("tmx", "convert", first, "-o", tmp_path / "second.tmx").exit_code == 0
    steps = json.loads(cli("tmx", "stats", tmp_path / "second.tmx", "--json").stdout)["steps"]
    assert [step.split(" ", 2)[2] for step in steps] == ["tmx filter --min-score 0.5 news.tmx",
                                                         "tmx convert --to tmx first.tmx"]


@needs_shared(TMX_DTD)
def test_tmx_11_language_attributes_are_written_as_xml_lang(cli, tmp_path):
    old = memory('<tu><tuv lang="vi"><seg>Chào</seg></tuv><tuv lang="en"><seg>Hi</seg></tuv></tu>')
    result = cli("tmx", "filter", write(tmp_path, "old.tmx", old), "-o", tmp_path / "new.tmx")
    assert result.exit_code == 0 and valid(tmp_path / "new.tmx")
    assert read_tmx(str(tmp_path / "new.tmx")).units[0].text("vi") == "Chào"


def test_tsv_columns_are_languages_whatever_the_direction_of_a_unit(cli, tmp_path):
    both = memory(tu("Xin chào.", "Hello."),
                  '<tu srclang="en"><tuv xml:lang="en"><seg>Thanks.</seg></tuv>'
                  '<tuv xml:lang="vi"><seg>Cảm ơn.</seg></tuv></tu>')
    assert cli("tmx", "convert", write(tmp_path, "a.tmx", both), "-o", tmp_path / "a.tsv").exit_code == 0
    assert (tmp_path / "a.tsv").read_text(encoding="utf-8") == "Xin chào.\tHello.\t\t\nCảm ơn.\tThanks.\t\t\n"


def test_a_memory_whose_source_is_any_language_needs_src_lang(cli, tmp_path):
    path = write(tmp_path, "all.tmx", memory(tu("Xin chào.", "Hello."), srclang="*all*"))
    result = cli("tmx", "convert", path, "-o", tmp_path / "a.tsv")
    assert result.exit_code == 1 and "--src-lang" in result.stderr
    assert cli("tmx", "convert", path, "-o", tmp_path / "a.tsv", "--src-lang", "en").exit_code == 0
    assert (tmp_path / "a.tsv").read_text(encoding="utf-8") == "Hello.\tXin chào.\t\t\n"


def test_dedupe_key_without_dedupe_is_refused(cli, tmp_path):
    result = cli("tmx", "merge", write(tmp_path, "a.tmx", NEWS), "-o", tmp_path / "o.tmx", "--dedupe-key", "loose")
    assert result.exit_code == 1 and "--dedupe-key goes with --dedupe" in result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_progress_shows_on_a_terminal_and_never_with_quiet(cli, tmp_path, monkeypatch, command):
    monkeypatch.setattr("align.progress._is_terminal", lambda stream: True)
    args = [a.format(out=tmp_path / "out.tmx") for a in command]
    if args[0] == "convert":
        args += ["--to", "tsv"]
    path = write(tmp_path, "news.tmx", NEWS)
    shown = cli("tmx", args[0], path, *args[1:])
    assert shown.exit_code == 0 and "\r6 units" in shown.stderr
    assert cli("tmx", args[0], path, *args[1:], "-q").stderr == ""
