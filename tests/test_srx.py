"""SRX 2.0 rules: align's own exported and read back, a CAT tool's rules read and used, bad files."""

import pytest
from hypothesis import given, settings, strategies as st

from align.model import ConfigError
from align.segment import builtin_rules, split_sentences
from align.srx import java_to_python, read_srx, write_srx

from conftest import CORPORA

from test_segment import text_with_stops

PAGES = [(path, lang) for lang in ("vi", "en") for path in sorted((CORPORA / lang).iterdir())]

# Rules written the way OmegaT's defaults are: Java classes, cascading language maps.
CAT_TOOL_SRX = """<?xml version="1.0" encoding="UTF-8"?>
<srx xmlns="http://www.lisa.org/srx20" version="2.0">
  <header segmentsubflows="yes" cascade="yes"/>
  <body>
    <languagerules>
      <languagerule languagerulename="Vietnamese">
        <rule break="no"><beforebreak>\\bTP\\.</beforebreak><afterbreak>\\s</afterbreak></rule>
      </languagerule>
      <languagerule languagerulename="Default">
        <rule break="no"><beforebreak>^\\s*[0-9]+\\.</beforebreak><afterbreak>\\s</afterbreak></rule>
        <rule break="yes"><beforebreak>[\\.\\?!]+</beforebreak><afterbreak>\\s+\\p{Lu}</afterbreak></rule>
        <rule break="yes"><beforebreak>:</beforebreak><afterbreak>\\h+[\\p{Lu}\\p{N}]</afterbreak></rule>
      </languagerule>
    </languagerules>
    <maprules>
      <languagemap languagepattern="VI.*" languagerulename="Vietnamese"/>
      <languagemap languagepattern=".*" languagerulename="Default"/>
    </maprules>
  </body>
</srx>
"""


@pytest.fixture
def exported(tmp_path):
    path = tmp_path / "align.srx"
    path.write_bytes(write_srx())
    return path


def test_exported_rules_read_back_unchanged(exported):
    rules = read_srx(exported)
    for lang in ("vi", "en"):
        assert [(r.breaks, r.before, r.after) for r in rules.rules_for(lang)] == \
               [(r.breaks, r.before, r.after) for r in builtin_rules(lang)]


@pytest.mark.parametrize("page, lang", PAGES, ids=[p.name for p, _ in PAGES])
def test_exported_rules_split_the_bundled_corpora_as_align_does(cli, exported, page, lang):
    builtin = cli("split", page, "--lang", lang)
    with_srx = cli("split", page, "--lang", lang, "--srx", exported)
    assert builtin.exit_code == with_srx.exit_code == 0
    assert with_srx.stdout == builtin.stdout
    assert builtin.stdout.count("\n") > 50


def test_export_to_standard_output_is_srx(cli):
    result = cli("split", "--export-srx", "-")
    assert result.exit_code == 0
    assert 'xmlns="http://www.lisa.org/srx20"' in result.stdout and "PGS\\.TS\\." in result.stdout


def test_a_cat_tools_rules_split_the_page(cli, tmp_path):
    rules_file = tmp_path / "omegat.srx"
    rules_file.write_text(CAT_TOOL_SRX, encoding="utf-8")
    rules = read_srx(rules_file)
    vi, en = rules.rules_for("vi"), rules.rules_for("en")
    assert len(vi) == 4 and len(en) == 3  # cascade: Vietnamese rules, then the defaults
    text = "Đoàn tới TP. Huế lúc 9 giờ. Ông nói: Chào mừng! Đoàn về Hà Nội."
    assert split_sentences(text, "vi", vi) == ["Đoàn tới TP. Huế lúc 9 giờ.", "Ông nói:", "Chào mừng!",
                                               "Đoàn về Hà Nội."]
    assert split_sentences(text, "en", en)[0] == "Đoàn tới TP."
    page = tmp_path / "page.txt"
    page.write_text(text, encoding="utf-8")
    result = cli("split", page, "--lang", "vi", "--srx", rules_file)
    assert result.stdout.splitlines() == ["Đoàn tới TP. Huế lúc 9 giờ.", "Ông nói:", "Chào mừng!", "Đoàn về Hà Nội."]


def test_run_splits_with_srx_rules(cli, tmp_path, exported):
    vi, en = tmp_path / "vi.txt", tmp_path / "en.txt"
    vi.write_text("Hai nước ký hiệp định. Thương mại tăng mạnh.", encoding="utf-8")
    en.write_text("The two countries signed a treaty. Trade grew strongly.", encoding="utf-8")
    result = cli("run", vi, en, "-o", tmp_path / "m.tmx", "--srx", exported)
    assert result.exit_code == 0, result.stderr
    assert "2 vi / 2 en sentences" in result.stderr
    assert "segmentation:align.srx@" in (tmp_path / "m.tmx").read_text(encoding="utf-8")
    conflict = cli("run", vi, en, "-o", tmp_path / "m.tmx", "--srx", exported, "--presegmented")
    assert conflict.exit_code == 1 and "--presegmented" in conflict.stderr


@pytest.mark.parametrize("java, python", [
    (r"\p{Lu}", None), (r"[\p{Ll}\d]", None), (r"\QMr.\E", r"Mr\."), (r"\x{2026}", "\\U00002026"),
])
def test_java_classes_are_translated(java, python):
    translated = java_to_python(java)
    if python is not None:
        assert translated == python
    assert "\\p" not in translated


@pytest.mark.parametrize("content, message", [
    ("<srx", "not well-formed XML"),
    ('<srx xmlns="http://www.lisa.org/srx10"/>', "not an SRX 2.0 file"),
    (CAT_TOOL_SRX.replace("\\s+\\p{Lu}", "(\\s+"), "not a valid regular expression"),
    (CAT_TOOL_SRX.replace("\\p{Lu}", "\\p{InGreek}"), "line 11: rule in 'Default'"),
    (CAT_TOOL_SRX.replace('languagerulename="Default"/>', 'languagerulename="Nope"/>'), "does not define"),
    (CAT_TOOL_SRX.replace('languagepattern=".*"', 'languagepattern="FR.*"').replace("VI.*", "DE.*"),
     "no map rule applies"),
])
def test_bad_srx_files_are_refused_naming_the_file(cli, tmp_path, content, message):
    path = tmp_path / "rules.srx"
    path.write_text(content, encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("Một câu.", encoding="utf-8")
    result = cli("split", page, "--lang", "vi", "--srx", path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"align: error: {path}: ") and message in result.stderr


def test_a_language_the_file_does_not_map_is_refused(tmp_path):
    path = tmp_path / "rules.srx"
    path.write_text(CAT_TOOL_SRX.replace('languagepattern=".*"', 'languagepattern="FR.*"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="no map rule applies to language 'en'"):
        read_srx(path).rules_for("en")


def test_split_needs_a_page_or_export(cli):
    result = cli("split")
    assert result.exit_code == 1 and "--export-srx" in result.stderr


@pytest.fixture(scope="module")
def exported_rules(tmp_path_factory):
    path = tmp_path_factory.mktemp("srx") / "align.srx"
    path.write_bytes(write_srx())
    return read_srx(path)


@settings(max_examples=200)
@given(text=text_with_stops, lang=st.sampled_from(["vi", "en"]))
def test_exported_rules_split_any_text_as_the_builtin_ones(exported_rules, text, lang):
    assert split_sentences(text, lang, exported_rules.rules_for(lang)) == split_sentences(text, lang)
