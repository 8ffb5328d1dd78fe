"""`align eval`: the sacrebleu command line's scores and signatures, TMX references, significance,
term accuracy, and clear errors. Fixtures (tests/data/eval) are sentences written for these tests."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from align.evaluate import evaluate
from align.testset import from_text, from_tmx, read_segments

DATA = Path(__file__).resolve().parent / "data" / "eval"
SRC, REF, REF2 = DATA / "src.vi.txt", DATA / "ref.en.txt", DATA / "ref2.en.txt"
HYP_A, HYP_B = DATA / "hyp-a.en.txt", DATA / "hyp-b.en.txt"
MEMORY, GLOSSARY = DATA / "memory.tmx", DATA / "glossary.tsv"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def sacrebleu(*args, env=None) -> str:
    """The sacrebleu command line of this environment, as a separate process."""
    done = subprocess.run([sys.executable, "-m", "sacrebleu", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=True)
    return done.stdout


def align_json(cli, *args, input=None) -> dict:
    result = cli("eval", *args, "--json", input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def lines(path) -> list[str]:
    return Path(path).read_text(encoding="utf-8").split("\n")[:-1]


def write_memory(path, units) -> Path:
    """A TMX of (vi, en, document) units; None leaves a language out."""
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", srclang="vi", adminlang="en", datatype="plaintext", segtype="sentence",
                     creationtool="tests", creationtoolversion="1", **{"o-tmf": "tests"})
    body = etree.SubElement(root, "body")
    for vi, en, document in units:
        tu = etree.SubElement(body, "tu")
        etree.SubElement(tu, "prop", type="x-document").text = document
        for lang, text in (("vi", vi), ("en", en)):
            if text is not None:
                etree.SubElement(etree.SubElement(tu, "tuv", {XML_LANG: lang}), "seg").text = text
    Path(path).write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return Path(path)


# --- the same numbers as the sacrebleu command line --------------------------------------------

@pytest.mark.parametrize("options, references", [
    ([], [REF]),
    (["--tokenize", "intl", "--chrf-word-order", "2"], [REF]),
    (["--lowercase", "--chrf-lowercase", "--ter-case-sensitive"], [REF, REF2]),
    (["--tokenize", "char", "--smooth-method", "floor", "--chrf-word-order", "2", "--ter-no-punct"], [REF, REF2]),
])
def test_scores_and_signatures_are_the_sacrebleu_command_lines(cli, options, references):
    theirs = json.loads(sacrebleu(*references, "-i", HYP_B, "-m", "bleu", "chrf", "ter", "-w", "6", *options))
    ours = align_json(cli, "--hyp", HYP_B, *(a for r in references for a in ("--ref", r)), *options)
    scores = ours["systems"][0]["scores"]
    assert [s["name"] for s in scores] == [t["name"] for t in theirs]
    for mine, their in zip(scores, theirs):
        assert round(mine["score"], 6) == their["score"]
        assert mine["signature"] == their["signature"]
        assert mine.get("verbose_score") == their.get("verbose_score")


def test_per_segment_scores_are_sacrebleus_sentence_scores(cli):
    ours = align_json(cli, "--hyp", HYP_A, "--ref", REF, "--ref", REF2, "--per-segment", "--metric", "bleu,chrf")
    segments = ours["systems"][0]["segments"]
    assert [s["line"] for s in segments] == list(range(1, 17))
    for metric, name in (("bleu", "BLEU"), ("chrf", "chrF2")):
        # each line: "BLEU|nrefs:2|...|version:2.6.0 = 61.478815 ..."
        theirs = [line.split(" = ")[:2] for line in sacrebleu(REF, REF2, "-i", HYP_A, "-m", metric, "-sl",
                                                               "-w", "6").splitlines()]
        assert [f"{s[name]:.6f}" for s in segments] == [score.split()[0] for _, score in theirs]
        assert {label for label, _ in theirs} == {f"{name}|{ours['segment_signatures'][name]}"}


def test_paired_bootstrap_is_sacrebleus_with_the_seed_given(cli, tmp_path):
    # a third system close to the first, so that its p-value is not at the floor
    close = tmp_path / "hyp-c.en.txt"
    close.write_text("".join((r if i in (1, 5, 13) else h) + "\n" for i, (h, r) in
                             enumerate(zip(lines(HYP_A), lines(REF)))), encoding="utf-8")
    systems = [HYP_A, HYP_B, close]
    ours = align_json(cli, *(a for h in systems for a in ("--hyp", h)), "--ref", REF, "--metric", "bleu,chrf",
                      "--seed", "7", "--paired-bs-n", "200")
    table = sacrebleu(REF, "-i", *systems, "-m", "bleu", "chrf", "--paired-bs", "--paired-bs-n", "200",
                      "-f", "text", "-w", "4", "-nc", "-q", env={"SACREBLEU_SEED": "7"})
    # a row per system: "score (mean ± ci)" per metric; "(p = x)" under the other systems' scores
    cells = re.findall(r"(\d+\.\d+) \((\d+\.\d+) ± (\d+\.\d+)\)", table)
    p_values = re.findall(r"\(p = (\d\.\d+)\)", table)
    assert len(cells) == 6 and len(p_values) == 4
    for number, system in enumerate(ours["systems"]):
        for score, (value, mean, ci) in zip(system["scores"], cells[2 * number:2 * number + 2]):
            assert (f"{score['score']:.4f}", f"{score['bootstrap_mean']:.4f}", f"{score['bootstrap_ci95']:.4f}") \
                == (value, mean, ci)
            assert "|bs:200|seed:7|" in score["signature"]
    assert [f"{s['p_value']:.4f}" for system in ours["systems"][1:] for s in system["scores"]] == p_values
    assert 0.01 < ours["systems"][2]["scores"][0]["p_value"] < 1
    assert all(s["p_value"] is None for s in ours["systems"][0]["scores"])
    assert ours["significance"]["baseline"] == str(HYP_A)


def test_a_different_seed_gives_different_bootstrap_estimates(cli):
    def means(seed):
        data = align_json(cli, "--hyp", HYP_A, "--hyp", HYP_B, "--ref", REF, "--metric", "chrf", "--seed", seed,
                          "--paired-bs-n", "100")
        return [s["scores"][0]["bootstrap_mean"] for s in data["systems"]]
    assert means("3") == means("3") != means("4")


@pytest.mark.parametrize("tokenizer", ["flores101", "flores200", "spm"])
def test_tokenizers_that_download_a_model_are_refused(cli, tokenizer):
    result = cli("eval", "--hyp", HYP_A, "--ref", REF, "--tokenize", tokenizer)
    assert result.exit_code == 1
    assert f"--tokenize {tokenizer} downloads" in result.stderr and "13a" in result.stderr


def test_an_unknown_tokenizer_is_refused_with_the_choices(cli):
    result = cli("eval", "--hyp", HYP_A, "--ref", REF, "--tokenize", "moses")
    assert result.exit_code == 1 and "unknown BLEU tokenizer 'moses'; choose from 13a, intl" in result.stderr


def test_the_table_shows_every_score_with_its_signature(cli):
    result = cli("eval", "--hyp", HYP_A, "--ref", REF)
    assert result.exit_code == 0
    assert re.search(r"^BLEU +\d+\.\d  \d+\.\d/", result.stdout, re.M)
    for name, signature_start in (("BLEU", "nrefs:1|case:mixed|eff:no|tok:13a"), ("chrF2", "nrefs:1|case:mixed|eff:yes"),
                                  ("TER", "nrefs:1|case:lc|tok:tercom")):
        assert re.search(rf"^  {name} +{re.escape(signature_start)}", result.stdout, re.M)


def test_hypothesis_from_standard_input(cli):
    piped = align_json(cli, "--hyp", "-", "--ref", REF, input=HYP_A.read_bytes())
    named = align_json(cli, "--hyp", HYP_A, "--ref", REF)
    assert piped["systems"][0]["scores"] == named["systems"][0]["scores"]
    assert piped["systems"][0]["system"] == "<stdin>"


# --- a TMX as the reference ---------------------------------------------------------------------

def test_a_memory_in_test_set_order_scores_as_its_reference_text_and_per_document(cli):
    from sacrebleu.metrics import BLEU
    by_tmx = align_json(cli, "--hyp", HYP_A, "--ref", MEMORY, "--src-lang", "vi", "--trg-lang", "en")
    by_text = align_json(cli, "--hyp", HYP_A, "--ref", REF)
    assert by_tmx["systems"][0]["scores"] == by_text["systems"][0]["scores"]
    assert by_tmx["matching"]["method"] == "order" and by_tmx["matching"]["matched_lines"] == 16
    documents = by_tmx["systems"][0]["documents"]
    assert [(d["document"], d["segments"]) for d in documents] == [("trade-talks", 9), ("climate-forum", 7)]
    hyps, refs = lines(HYP_A), lines(REF)
    assert documents[1]["scores"]["BLEU"] == pytest.approx(BLEU().corpus_score(hyps[9:], [refs[9:]]).score)


def test_matching_by_source_text_counts_what_does_not_match(cli, tmp_path):
    vi, en = lines(SRC), lines(REF)
    units = [(vi[i], en[i], "talks") for i in reversed(range(16)) if i != 2]  # another order; line 3 missing
    units[0] = (vi[15], None, "talks")  # the last line's unit has no English
    units.append(("Một câu không có trong bộ kiểm thử.", "A sentence not in the test set.", "talks"))
    memory = write_memory(tmp_path / "m.tmx", units)
    source = tmp_path / "src.txt"
    # other tone-mark placement and spacing than the memory: still the same source
    source.write_text("\n".join(vi).replace("khóa", "khoá").replace("Hai bên", "Hai  bên") + "\n", encoding="utf-8")
    data = align_json(cli, "--hyp", HYP_A, "--ref", memory, "--src", source)
    matching = data["matching"]
    assert matching["method"] == "source" and matching["units"] == 16
    assert matching["lines_without_unit"] == [3] and matching["lines_without_reference"] == [16]
    assert matching["matched_lines"] == 14 and matching["units_unused"] == 1
    keep = [i for i in range(16) if i not in (2, 15)]
    (tmp_path / "h.txt").write_text("".join(lines(HYP_A)[i] + "\n" for i in keep), encoding="utf-8")
    (tmp_path / "r.txt").write_text("".join(en[i] + "\n" for i in keep), encoding="utf-8")
    subset = align_json(cli, "--hyp", tmp_path / "h.txt", "--ref", tmp_path / "r.txt")
    assert [s["score"] for s in data["systems"][0]["scores"]] == [s["score"] for s in subset["systems"][0]["scores"]]
    table = cli("eval", "--hyp", HYP_A, "--ref", memory, "--src", source).stdout
    assert "1 lines whose source no unit has (not scored): 3" in table
    assert "1 lines whose unit has no reference text (not scored): 16" in table


def test_a_source_repeated_more_often_than_the_memory_has_it_reuses_its_unit(tmp_path):
    memory = write_memory(tmp_path / "m.tmx", [("Cảm ơn.", "Thank you.", "d"), ("Xin chào.", "Hello.", "d")])
    (tmp_path / "s.txt").write_text("Xin chào.\nCảm ơn.\nCảm ơn.\n", encoding="utf-8")
    (tmp_path / "h.txt").write_text("Hello.\nThanks.\nThank you.\n", encoding="utf-8")
    test_set = from_tmx([str(tmp_path / "h.txt")], str(memory), "vi", "en", str(tmp_path / "s.txt"))
    assert test_set.references == (("Hello.", "Thank you.", "Thank you."),)
    assert test_set.matching.lines_sharing_a_unit == 1 and test_set.matching.matched == 3


@settings(max_examples=15, deadline=None)
@given(st.permutations(range(16)))
def test_matching_by_source_does_not_depend_on_the_memorys_order(tmp_path_factory, order):
    vi, en = lines(SRC), lines(REF)
    memory = write_memory(tmp_path_factory.mktemp("m") / "m.tmx", [(vi[i], en[i], "d") for i in order])
    matched = evaluate(from_tmx([str(HYP_B)], str(memory), "vi", "en", str(SRC)), ["bleu", "ter"])
    plain = evaluate(from_text([str(HYP_B)], [str(REF)]), ["bleu", "ter"])
    assert matched.systems[0].scores == plain.systems[0].scores


def test_memory_and_hypothesis_of_different_lengths_is_an_error_with_both_counts(cli, tmp_path):
    vi, en = lines(SRC), lines(REF)
    memory = write_memory(tmp_path / "m.tmx", [(v, e, "d") for v, e in zip(vi[:15], en[:15])])
    result = cli("eval", "--hyp", HYP_A, "--ref", memory)
    assert result.exit_code == 1
    assert f"{HYP_A}: 16 lines, but {memory} has 15 units" in result.stderr and "--src" in result.stderr


def test_memory_without_the_requested_language_is_an_error(cli):
    result = cli("eval", "--hyp", HYP_A, "--ref", MEMORY, "--trg-lang", "fr")
    assert result.exit_code == 1 and f"{MEMORY}: no unit has text in 'fr'" in result.stderr


# --- terminology --------------------------------------------------------------------------------

def test_term_accuracy_reports_the_rate_and_each_miss(cli):
    data = align_json(cli, "--hyp", HYP_A, "--ref", MEMORY, "--glossary", GLOSSARY)
    terms = data["systems"][0]["terms"]
    misses = {(m["segment"], m["term"]) for m in terms["misses"]}
    # line 4: "Foreign Ministry"; line 9: "Minister of Foreign Affairs"; line 14: "Creativity"
    assert misses == {(4, "Bộ Ngoại giao"), (9, "Bộ Ngoại giao"), (14, "đổi mới sáng tạo")}
    # line 4 "Strategic Partnerships" (plural) and line 8 "strategic partnership" (case) are right
    assert terms["occurrences"] == 10 and terms["correct"] == 7 and terms["rate"] == pytest.approx(0.7)
    assert terms["glossary"].startswith("glossary.tsv@")
    table = cli("eval", "--hyp", HYP_A, "--ref", MEMORY, "--glossary", GLOSSARY).stdout
    assert "7 of 10 translated as the glossary says (70.0%)" in table
    assert "line 14: 'đổi mới sáng tạo' should be \"innovation\"" in table


def test_term_accuracy_with_text_references_takes_the_source_file(cli):
    with_source = align_json(cli, "--hyp", HYP_A, "--ref", REF, "--src", SRC, "--glossary", GLOSSARY)
    from_memory = align_json(cli, "--hyp", HYP_A, "--ref", MEMORY, "--glossary", GLOSSARY)
    assert with_source["systems"][0]["terms"] == from_memory["systems"][0]["terms"]
    result = cli("eval", "--hyp", HYP_A, "--ref", REF, "--glossary", GLOSSARY)
    assert result.exit_code == 1 and "needs the source segments" in result.stderr


# --- bad input ----------------------------------------------------------------------------------

def test_line_count_mismatch_names_the_file_and_both_counts(cli, tmp_path):
    short = tmp_path / "short.txt"
    short.write_text("".join(line + "\n" for line in lines(HYP_A)[:15]), encoding="utf-8")
    result = cli("eval", "--hyp", short, "--ref", REF)
    assert result.exit_code == 1
    assert result.stderr == f"align: error: {REF}: 16 lines, but {short} has 15; every file needs one line per segment\n"


@pytest.mark.parametrize("content, problem", [
    (b"", "empty file"),
    (b"\n  \n", "empty file"),
    (b"good line\nbad \xff byte\n", "line 2: not UTF-8 (byte 0xff)"),
    (b"PK\x03\x04\x00\x00binary", "binary file"),
    ("one line\n".encode("utf-16"), "UTF-16 text"),
])
def test_bad_files_are_named_with_the_problem(cli, tmp_path, content, problem):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    for args in (["--hyp", bad, "--ref", REF], ["--hyp", HYP_A, "--ref", bad]):
        result = cli("eval", *args)
        assert result.exit_code == 1 and result.stderr.startswith(f"align: error: {bad}: {problem}")


def test_a_malformed_memory_is_named(cli, tmp_path):
    broken = tmp_path / "broken.tmx"
    broken.write_text("<tmx version='1.4'><body><tu><tuv xml:lang='en'><seg>cut short", encoding="utf-8")
    result = cli("eval", "--hyp", HYP_A, "--ref", broken)
    assert result.exit_code == 1 and result.stderr.startswith(f"align: error: {broken}: malformed TMX")


def test_only_the_hypothesis_comes_from_standard_input(cli):
    result = cli("eval", "--hyp", HYP_A, "--ref", "-", input=REF.read_bytes())
    assert result.exit_code == 1 and "only --hyp reads standard input" in result.stderr


def test_missing_file_and_bad_metric_are_one_line_errors(cli):
    missing = cli("eval", "--hyp", DATA / "nope.txt", "--ref", REF)
    assert missing.exit_code == 1 and "nope.txt: no such file" in missing.stderr
    metric = cli("eval", "--hyp", HYP_A, "--ref", REF, "--metric", "bleu,meteor")
    assert metric.exit_code == 1 and "unknown metric 'meteor'" in metric.stderr


@settings(max_examples=50)
@given(st.lists(st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",))), min_size=1))
def test_a_file_is_read_one_segment_per_line_as_sacrebleu_reads_it(tmp_path_factory, segments):
    path = tmp_path_factory.mktemp("r") / "f.txt"
    path.write_bytes(("\n".join(segments) + "\n").encode("utf-8"))
    if not "".join(segments).strip() or "\x00" in "".join(segments):
        return  # refused as empty or binary, tested above
    with open(path, encoding="utf-8", newline="\n") as stream:  # how sacrebleu opens a file
        expected = tuple(line.rstrip() for line in stream)
    assert read_segments(str(path)).lines == expected


def test_the_command_line_starts_without_numpy_lxml_or_sacrebleu():
    code = "import sys, align.cli; print(sorted(m for m in ('numpy', 'lxml', 'sacrebleu') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
