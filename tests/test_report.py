"""`align run --report`: the review page a translator opens, checked as a parsed tree and in a browser."""

import base64
import hashlib
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from lxml import html

from align.beads import parse_beads
from align.lexicon import Lexicon
from align.model import Bead, Pair, PairResult, ScoreParts, Sentence, Term
from align.normalize import clean_text
from align.pipeline import Summary
from align.report import CONTENT_SECURITY_POLICY, SCRIPT, STYLE, HtmlReport

from conftest import CORPORA

VI, EN = CORPORA / "vi", CORPORA / "en"
MIN_SCORE = 0.5  # above some pairs of the bundled pages, so the report has rejected rows
SUMMARY_LINE = re.compile(r"(\d+) documents, (\d+) vi / (\d+) en sentences; (\d+) pairs accepted, (\d+) rejected "
                          r"\(min score [\d.]+\), (\d+) sentences unaligned; mean score ([\d.]+)")


def rows_of(section) -> list:
    return section.xpath(".//tr[contains(concat(' ', @class, ' '), ' bead ')]")


def texts(cell) -> list[str]:
    return [span.text_content() for span in cell.xpath("./span[@class='s']")]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """One run over the bundled pages with a report and bead files: (stderr, report tree, beads folder, path)."""
    from click.testing import CliRunner
    from align.cli import main
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(main, ["run", str(VI), str(EN), "-o", str(out / "memory.tmx"), "--beads",
                                       str(out / "beads"), "--report", str(out / "report.html"),
                                       "--min-score", str(MIN_SCORE)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stderr, html.parse(str(out / "report.html")).getroot(), out / "beads", out / "report.html"


# --- the bundled pages -------------------------------------------------------------------------

def test_each_document_has_one_row_per_bead_in_order(bundled):
    _, page, beads, _ = bundled
    sections = page.xpath("//section[@class='document']")
    assert [s.xpath("string(h2)").split(". ", 1)[1] for s in sections] == sorted(p.stem for p in beads.iterdir())
    for section in sections:
        name = section.xpath("string(h2)").split(". ", 1)[1]
        expected = parse_beads((beads / f"{name}.beads").read_text(), name)
        rows = rows_of(section)
        assert [row.get("data-bead") for row in rows] == [str(b) for b in expected]
        for row, bead in zip(rows, expected):
            vi, en = row.xpath("./td[contains(@class, 'text')]")
            assert len(texts(vi)) == len(bead.src) and len(texts(en)) == len(bead.trg)


def test_summary_at_the_top_equals_the_run_summary(bundled):
    stderr, page, _, _ = bundled
    documents, vi, en, accepted, rejected, unaligned, mean = SUMMARY_LINE.search(stderr).groups()
    figure = {row.get("data-figure"): row.xpath("string(td)") for row in page.xpath("//table[@id='figures']/tr")}
    assert figure["documents"] == documents
    assert figure["sentences"] == f"{vi} Vietnamese, {en} English"
    assert figure["pairs"] == str(int(accepted) + int(rejected))
    assert figure["accepted"].startswith(f"{accepted} (score at least {MIN_SCORE:g}); {accepted} units written")
    assert figure["rejected"] == rejected and int(rejected) > 0
    assert figure["unaligned-sentences"].startswith(unaligned)
    assert figure["mean-score"].startswith(mean)
    signature = page.xpath("string(//div[@class='signature']/code)")
    assert f"min-score:{MIN_SCORE:g}" in signature and "glossary:glossary.vi-en.tsv@" in signature
    # the summary comes before the documents in the page itself, not only on screen
    assert page.xpath("count(//header//table[@id='figures'])") == 1
    assert page.xpath("count(//header/following::section[@class='document'])") == int(documents)


def test_rejected_unaligned_and_merged_rows_are_marked(bundled):
    _, page, _, _ = bundled
    rows = page.xpath("//tr[contains(@class, 'bead')]")
    for row in rows:
        bead = row.get("data-bead")
        src, trg = (len(parse_beads(bead, "row")[0].src), len(parse_beads(bead, "row")[0].trg))
        badges = row.xpath(".//span[contains(@class, 'badge')]/text()")
        if not (src and trg):
            assert row.get("data-verdict") == "unaligned" and badges[:1] == ["vi only" if src else "en only"]
            assert row.xpath("string(td[contains(@class, 'none')])") == "no counterpart"
            assert row.get("data-score") is None
        else:
            score = float(row.get("data-score"))
            assert row.get("data-verdict") == ("accepted" if score >= MIN_SCORE else "rejected")
            assert ("rejected" in badges) == (score < MIN_SCORE)
        assert (f"{src}-{trg} merge" in badges) == (src > 1 or trg > 1)
    verdicts = [row.get("data-verdict") for row in rows]
    assert {"accepted", "rejected", "unaligned"} <= set(verdicts)
    assert any("merge" in row.get("class") for row in rows)


def test_every_pair_shows_its_score_and_parts(bundled):
    _, page, _, _ = bundled
    for row in page.xpath("//tr[@data-score]"):
        score = float(row.get("data-score"))
        assert float(row.xpath("string(.//span[@class='value'])")) == pytest.approx(score, abs=0.0006)
        assert float(row.xpath(".//meter")[0].get("value")) == pytest.approx(score)
        parts = row.xpath("./td[@class='parts']/span/text()")
        assert parts[0].startswith("length ") and parts[1].startswith("anchors ")


def test_the_page_has_a_score_filter(bundled):
    _, page, _, _ = bundled
    slider = page.xpath("//form[@id='filter']//input[@type='range']")[0]
    assert (slider.get("name"), slider.get("min"), slider.get("max")) == ("min-score", "0", "1")
    assert {box.get("name") for box in page.xpath("//form[@id='filter']//input[@type='checkbox']")} == \
        {"accepted", "rejected", "unaligned"}


def test_glossary_terms_of_the_bundled_pages_are_highlighted(bundled):
    _, page, _, _ = bundled
    marks = page.xpath("//td[@lang='vi']//mark[contains(@class, 'matched')]")
    partnership = [m for m in marks if m.text == "Đối tác Chiến lược Toàn diện"]
    assert partnership and partnership[0].get("title") == \
        "Đối tác Chiến lược Toàn diện = Comprehensive Strategic Partnership"
    row = partnership[0].xpath("ancestor::tr")[0]
    assert "Comprehensive Strategic Partnership" in row.xpath("td[@lang='en']//mark/text()")
    for section in page.xpath("//section[@class='document']"):
        count = int(re.search(r"(\d+) glossary terms highlighted", section.xpath("string(p)")).group(1))
        assert count == len(section.xpath(".//mark")) > 0


def test_the_page_is_self_contained(bundled):
    _, page, _, _ = bundled
    assert not page.xpath("//*[@src] | //link | //iframe | //object | //embed | //img")
    assert all(a.get("href").startswith("#") for a in page.xpath("//a"))
    styles, scripts = page.xpath("//style"), page.xpath("//script")
    assert [s.text for s in styles] == [STYLE] and [s.text for s in scripts] == [SCRIPT]
    policy = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    assert policy == CONTENT_SECURITY_POLICY and f"script-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy


# --- hand-made results: exact marks, escaping ----------------------------------------------------

def _result(name: str, src: list[str], trg: list[str], beads: list[Bead], scores: dict[Bead, float],
            min_score: float = 0.3) -> PairResult:
    pairs = tuple(Pair(name, b, " ".join(src[i] for i in b.src), " ".join(trg[j] for j in b.trg), scores[b],
                       ScoreParts(length=scores[b], anchors=0.5), scores[b] >= min_score)
                  for b in beads if b.src and b.trg)
    return PairResult(name, tuple(Sentence(t) for t in src), tuple(Sentence(t) for t in trg), tuple(beads), pairs)


def _summary(results: list[PairResult]) -> Summary:
    pairs = [p for r in results for p in r.pairs]
    return Summary(len(results), sum(len(r.src_sentences) for r in results), sum(len(r.trg_sentences) for r in results),
                   sum(p.accepted for p in pairs), sum(not p.accepted for p in pairs), sum(r.unaligned for r in results),
                   sum(p.score for p in pairs) / len(pairs) if pairs else 0.0, 0.1, sum(p.accepted for p in pairs))


def _write(path: Path, results: list[PairResult], lexicon: Lexicon = Lexicon(), min_score: float = 0.3):
    with HtmlReport(path, lexicon, "align:test|min-score:0.3", min_score) as report:
        for result in results:
            report.add(result)
        report.finish(_summary(results))
    return html.parse(str(path)).getroot()


B = Bead
GLOSSARY = Lexicon.build((Term("Đối tác Chiến lược", "Strategic Partnership"), Term("Bộ Ngoại giao", "Foreign Ministry")))
HAND_MADE = _result(
    "hand-made",
    ["Hai nước là Đối tác Chiến lược.", "Bộ Ngoại giao họp.", "Câu một.", "Câu hai.", "Chỉ có tiếng Việt."],
    ["The two are a Strategic Partnership.", "The ministers met.", "Sentence one and two.", "Only English."],
    [B((0,), (0,)), B((1,), (1,)), B((2, 3), (2,)), B((4,), ()), B((), (3,))],
    {B((0,), (0,)): 0.9, B((1,), (1,)): 0.2, B((2, 3), (2,)): 0.6})


def test_hand_made_result_rows(tmp_path):
    page = _write(tmp_path / "r.html", [HAND_MADE], GLOSSARY)
    rows = page.xpath("//tr[contains(@class, 'bead')]")
    assert [(r.get("data-bead"), r.get("data-verdict"), r.get("data-score")) for r in rows] == [
        ("[0]:[0]", "accepted", "0.9000"), ("[1]:[1]", "rejected", "0.2000"), ("[2, 3]:[2]", "accepted", "0.6000"),
        ("[4]:[]", "unaligned", None), ("[]:[3]", "unaligned", None)]
    assert texts(rows[2].xpath("td[@lang='vi']")[0]) == ["Câu một.", "Câu hai."]
    assert rows[2].xpath(".//span[contains(@class, 'merge')]/text()") == ["2-1 merge"]
    assert rows[3].xpath(".//span[contains(@class, 'badge')]/text()") == ["vi only"]
    assert rows[4].xpath(".//span[contains(@class, 'badge')]/text()") == ["en only"]
    assert rows[1].xpath(".//span[contains(@class, 'badge')]/text()") == ["rejected"]
    # every row shown without script, and the count says so
    assert page.xpath("string(//span[@id='shown'])") == "5 rows"
    assert not page.xpath("//tr[@hidden]")


def test_terms_matched_on_the_other_side_are_told_from_terms_alone(tmp_path):
    page = _write(tmp_path / "r.html", [HAND_MADE], GLOSSARY)
    marks = [(m.text, m.get("class"), m.xpath("string(ancestor::td/@lang)")) for m in page.xpath("//mark[@title]")]
    assert marks == [("Đối tác Chiến lược", "term matched", "vi"), ("Strategic Partnership", "term matched", "en"),
                     ("Bộ Ngoại giao", "term", "vi")]
    assert "Đối tác Chiến lược = Strategic Partnership: 2 found, 2 with the term on the other side" in \
        page.xpath("//details//li/text()")


def test_script_and_event_handlers_in_pages_stay_text(tmp_path):
    hostile = ['<script>document.title="pwned"</script> Xin chào.', '<img src=x onerror="alert(1)"> & "quoted"']
    english = ['</td></tr></table><script>alert(2)</script>', "<style>body{display:none}</style>"]
    result = _result('doc<b onmouseover="alert(3)">', hostile, english, [B((0,), (0,)), B((1,), (1,))],
                     {B((0,), (0,)): 0.5, B((1,), (1,)): 0.5})
    page = _write(tmp_path / "r.html", [result])
    assert [s.text for s in page.xpath("//script")] == [SCRIPT]
    assert [s.text for s in page.xpath("//style")] == [STYLE]
    assert not page.xpath("//img | //b | //table[not(@class)]")
    assert not [name for element in page.iter() for name in element.attrib if name.startswith("on")]
    vi = [texts(td)[0] for td in page.xpath("//td[@lang='vi']")]
    en = [texts(td)[0] for td in page.xpath("//td[@lang='en']")]
    assert (vi, en) == (hostile, english)
    assert page.xpath("string(//section/h2)") == '1. doc<b onmouseover="alert(3)">'


_sentence = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).map(clean_text).filter(bool)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_sentence, _sentence), min_size=1, max_size=5))
def test_any_sentence_comes_back_from_the_page_unchanged(pairs):
    beads = [B((k,), (k,)) for k in range(len(pairs))]
    result = _result("any", [vi for vi, _ in pairs], [en for _, en in pairs], beads, {b: 0.5 for b in beads})
    with tempfile.TemporaryDirectory() as folder:
        page = _write(Path(folder) / "r.html", [result])
    assert [texts(td)[0] for td in page.xpath("//td[@lang='vi']")] == [vi for vi, _ in pairs]
    assert [texts(td)[0] for td in page.xpath("//td[@lang='en']")] == [en for _, en in pairs]
    assert len(page.xpath("//script")) == 1


# --- the command: options, failures ----------------------------------------------------------------

def _pair_folders(tmp_path: Path, broken_second: bool) -> tuple[Path, Path]:
    vi, en = tmp_path / "vi", tmp_path / "en"
    vi.mkdir(), en.mkdir()
    for name in ("a", "b"):
        (vi / f"{name}.txt").write_text("Năm 2010, hai nước lập quan hệ.\nCó 12.000 sinh viên.\n", encoding="utf-8")
        (en / f"{name}.txt").write_text("In 2010 the two set up relations.\nThere are 12,000 students.\n",
                                        encoding="utf-8")
    if broken_second:
        (en / "b.txt").write_bytes(b"\x00\x01\x02binary\xff\xfe")
    return vi, en


def test_a_failed_run_keeps_the_old_report_and_leaves_nothing_else(cli, tmp_path):
    vi, en = _pair_folders(tmp_path, broken_second=True)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("old report")
    result = cli("run", vi, en, "-o", out / "m.tmx", "--report", out / "report.html", "--presegmented",
                 "--no-glossary")
    assert result.exit_code == 1 and "b.txt" in result.stderr
    assert (out / "report.html").read_text() == "old report"
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]


def test_a_report_that_cannot_be_written_fails_the_run_and_leaves_no_memory(cli, tmp_path, monkeypatch):
    def disk_full(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("align.report.shutil.copyfileobj", disk_full)
    vi, en = _pair_folders(tmp_path, broken_second=False)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("old report")
    result = cli("run", vi, en, "-o", out / "m.tmx", "--report", out / "report.html", "--presegmented")
    assert result.exit_code == 1
    assert "report.html: cannot write the report: No space left on device" in result.stderr
    # no memory, the old report intact; only the finished pairs are kept (hidden) for --resume
    assert sorted(p.name for p in out.iterdir() if not p.name.endswith(".align-resume")) == ["report.html"]
    assert (out / "report.html").read_text() == "old report"


def test_a_successful_run_replaces_the_report(cli, tmp_path):
    vi, en = _pair_folders(tmp_path, broken_second=False)
    (tmp_path / "report.html").write_text("old report")
    result = cli("run", vi, en, "-o", tmp_path / "m.tmx", "--report", tmp_path / "report.html", "--presegmented")
    assert result.exit_code == 0, result.output
    page = html.parse(str(tmp_path / "report.html")).getroot()
    assert len(page.xpath("//section[@class='document']")) == 2
    assert "report -> " in result.stderr


def test_the_memory_may_go_to_stdout_while_the_report_goes_to_a_file(cli, tmp_path):
    vi, en = _pair_folders(tmp_path, broken_second=False)
    result = cli("run", vi / "a.txt", en / "a.txt", "-o", "-", "--report", tmp_path / "r.html", "--presegmented")
    assert result.exit_code == 0 and "<tmx" in result.stdout
    assert len(html.parse(str(tmp_path / "r.html")).getroot().xpath("//tr[@data-bead]")) == 2


@pytest.mark.parametrize("report, output, message", [
    ("-", "m.tmx", "--report -: the report is a page to open in a browser"),
    ("m.tmx", "m.tmx", "the same file as the memory"),
    ("missing/r.html", "m.tmx", "missing: output folder does not exist"),
])
def test_unusable_report_names_are_refused_before_aligning(cli, tmp_path, monkeypatch, report, output, message):
    monkeypatch.chdir(tmp_path)
    vi, en = _pair_folders(tmp_path, broken_second=False)
    result = cli("run", vi, en, "-o", output, "--report", report, "--presegmented")
    assert result.exit_code == 1 and message in result.stderr
    assert not (tmp_path / "m.tmx").exists()


# --- in a real browser ---------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


def chromium(*args: str) -> subprocess.CompletedProcess:
    """Headless Chromium with a throw-away profile and no network activity of its own."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                               "--no-first-run", "--disable-background-networking", "--disable-component-update",
                               "--disable-sync", f"--user-data-dir={profile}", *args],
                              capture_output=True, timeout=120, check=True)


@needs_chromium
def test_the_browser_runs_the_filter_over_every_row(bundled):
    _, page, _, path = bundled
    beads = len(page.xpath("//tr[@data-bead]"))
    scores = [float(s) for s in page.xpath("//tr/@data-score")]
    filtered = html.fromstring(chromium("--dump-dom", path.as_uri() + "?min-score=0.7").stdout)
    assert len(filtered.xpath("//tr[contains(@class, 'bead')]")) == beads
    visible = filtered.xpath("//tr[contains(@class, 'bead')][not(@hidden)]")
    unaligned = beads - len(scores)
    assert len(visible) == sum(s >= 0.7 for s in scores) + unaligned
    assert filtered.xpath("string(//span[@id='shown'])") == f"{len(visible)} of {beads} rows shown"


@needs_chromium
def test_the_browser_runs_no_script_from_the_pages(tmp_path):
    result = _result("hostile", ['<script>document.title="pwned"</script>', '<img src=x onerror="document.title=1">'],
                     ["a", "b"], [B((0,), (0,)), B((1,), (1,))], {B((0,), (0,)): 0.5, B((1,), (1,)): 0.5})
    _write(tmp_path / "r.html", [result])
    dom = html.fromstring(chromium("--dump-dom", (tmp_path / "r.html").as_uri()).stdout)
    assert dom.xpath("string(//title)").startswith("align report")
    assert dom.xpath("string(//span[@id='shown'])") == "2 of 2 rows shown"


def png_size_and_ink(path: Path) -> tuple[tuple[int, int], float]:
    """A PNG's width and height, and the share of non-zero bytes in its filtered scanlines: about
    0 for a blank page (every row repeats the one above), a few percent for a page of text."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, size, idat = 8, (0, 0), b""
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IHDR":
            size = struct.unpack(">II", data[at + 8:at + 16])
        elif kind == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    scanlines = zlib.decompress(idat)
    return size, sum(byte != 0 for byte in scanlines) / len(scanlines)


@needs_chromium
def test_the_browser_renders_a_screenshot(bundled, tmp_path):
    shot = tmp_path / "report.png"
    chromium(f"--screenshot={shot}", "--window-size=1280,2000", bundled[3].as_uri())
    size, ink = png_size_and_ink(shot)
    assert size == (1280, 2000) and ink > 0.01
