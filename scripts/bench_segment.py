#!/usr/bin/env python3
"""Sentence splitting quality and speed against treebank gold (Universal Dependencies).

Running text with known sentence boundaries is rebuilt from ../shared/data/ud/ (read in
place): English EWT as it stood (documents from `# newdoc`, paragraphs from `# newpar`, the
sentences of a paragraph joined with the space, or none, that followed their last token);
Vietnamese VTB and TueCL from their tokenised `# text` lines, detokenised (no space before
closing punctuation, none after opening brackets or quotes), five consecutive sentences to a
paragraph. align's splitter runs on every paragraph, and in the same run the peers that are
installed (`pip install -e '.[bench]'`): pysbd, sentence-splitter, NLTK Punkt trained on a
training set (EWT dev for English, since EWT train is not in shared data; VTB train for
Vietnamese), underthesea's sent_tokenize, and a naive regex. English-only peers also run on
Vietnamese with their English rules, labelled so.

A boundary is the offset where a sentence's last non-space character ends; precision, recall
and F1 count the boundaries inside paragraphs (a paragraph's end is given to every splitter).
"exact" is the share of paragraphs split exactly right; "punct R" the recall on boundaries
whose sentence ends in . ! ? or … (a fifth of EWT's end without any: headers, list items).

    python scripts/bench_segment.py                          # every set, every installed peer
    python scripts/bench_segment.py --sets vtb-train --no-peers --errors 20   # tuning: train only
    python scripts/bench_segment.py --sets ewt-test vtb-test --no-peers --floor ewt-test=0.87
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from align.segment import split_sentences

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ud"
SETS = {
    "ewt-dev": ("en", "EWT_en_ewt-ud-dev.conllu"),
    "ewt-test": ("en", "EWT_en_ewt-ud-test.conllu"),
    "vtb-train": ("vi", "vi_vtb-ud-train.conllu"),
    "vtb-dev": ("vi", "vi_vtb-ud-dev.conllu"),
    "vtb-test": ("vi", "vi_vtb-ud-test.conllu"),
    "tuecl-test": ("vi", "vi_tuecl-ud-test.conllu"),
}
DEFAULT_SETS = ("ewt-dev", "ewt-test", "vtb-dev", "vtb-test", "tuecl-test")
PARAGRAPH_SIZE = 5  # Vietnamese treebanks have no paragraphs: five consecutive sentences make one
CLOSERS = "\"'”’»)]}"
STOPS = ".!?…"


@dataclass(frozen=True)
class Paragraph:
    text: str
    boundaries: frozenset[int]    # end offsets of every sentence but the last
    punctuated: frozenset[int]    # the boundaries whose sentence ends in a stop


def _paragraph(sentences: list[str], separators: list[str]) -> Paragraph:
    text, boundaries, punctuated = "", set(), set()
    for i, (sentence, separator) in enumerate(zip(sentences, separators)):
        text += sentence
        if i < len(sentences) - 1:
            boundaries.add(len(text))
            if sentence.rstrip(CLOSERS)[-1:] in STOPS:
                punctuated.add(len(text))
            text += separator
    return Paragraph(text, frozenset(boundaries), frozenset(punctuated))


def read_ewt(path: Path) -> list[Paragraph]:
    """Paragraphs of EWT as the text stood: `# newdoc`/`# newpar` start one, SpaceAfter=No joins."""
    paragraphs, sentences, separators = [], [], []
    text, space_after = None, " "

    def flush():
        if sentences:
            paragraphs.append(_paragraph(sentences, separators))
        sentences.clear()
        separators.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newdoc") or line.startswith("# newpar"):
            flush()
        elif line.startswith("# text ="):
            text = line.partition("=")[2].strip()
        elif line and line[0].isdigit():
            space_after = "" if "SpaceAfter=No" in line.split("\t")[-1] else " "
        elif not line and text is not None:
            sentences.append(text)
            separators.append(space_after)
            text = None
    flush()
    return paragraphs


_NO_SPACE_BEFORE = set(",.;:!?)]}%…") | {"...", ");"}
_NO_SPACE_AFTER = set("([{")
_BRACKETS = {"LBKT": "(", "RBKT": ")"}


def detokenise(tokenised: str) -> str:
    """A treebank's space-separated tokens back to running text. A straight quote closes when one is
    open, when it follows a stop or comes before punctuation or the end (treebank sentences often
    close a quote opened in an earlier one); otherwise it opens. Digits that tokenisation split at a
    dot ("70 . 000") are joined again."""
    tokens = [_BRACKETS.get(token, token) for token in tokenised.split()]
    out, quote_open, glue_next = "", False, True
    for i, token in enumerate(tokens):
        previous = tokens[i - 1] if i else ""
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        glue = glue_next
        glue_next = token in _NO_SPACE_AFTER
        if token in _NO_SPACE_BEFORE:
            glue = True
        elif token == '"':
            closing = quote_open or following is None or following in _NO_SPACE_BEFORE \
                or previous in (".", "!", "?", "...", "…")
            glue, glue_next = (True, False) if closing else (glue, True)
            quote_open = not closing
        elif previous == "." and i >= 2 and tokens[i - 2].isdigit() and token.isdigit():
            glue = True  # "70 . 000" was "70.000", "( 84 . 4 )" was "(84.4)"
        out += token if glue or not out else " " + token
    return out


def read_tokenised(path: Path) -> list[Paragraph]:
    texts = [detokenise(line.partition("=")[2]) for line in path.read_text(encoding="utf-8").splitlines()
             if line.startswith("# text =")]  # VTB test writes "# text =Thanh ..."
    return [_paragraph(texts[i:i + PARAGRAPH_SIZE], [" "] * PARAGRAPH_SIZE)
            for i in range(0, len(texts), PARAGRAPH_SIZE)]


def read_set(data: Path, name: str) -> list[Paragraph]:
    path = data / SETS[name][1]
    return read_ewt(path) if name.startswith("ewt") else read_tokenised(path)


def predicted_boundaries(text: str, sentences: list[str]) -> set[int]:
    """Offsets in `text` where each predicted sentence but the last ends, found by counting the
    non-space characters (peers may trim, or keep, the white space between sentences)."""
    ends = [i + 1 for i, ch in enumerate(text) if not ch.isspace()]
    boundaries, seen = set(), 0
    for sentence in sentences[:-1]:
        seen += sum(1 for ch in sentence if not ch.isspace())
        if 0 < seen < len(ends):
            boundaries.add(ends[seen - 1])
    return boundaries


# --- splitters ----------------------------------------------------------------------------

Splitter = Callable[[str], list[str]]


def naive_regex(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def _train_punkt(paragraphs: list[Paragraph]):
    from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTrainer
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    trainer.train("\n\n".join(p.text for p in paragraphs), finalize=True)
    return PunktSentenceTokenizer(trainer.get_params()).tokenize


def peers(lang: str, data: Path) -> tuple[list[tuple[str, Splitter]], list[str]]:
    """The peers that are installed, and a note for each one that is not."""
    found, missing = [("naive regex", naive_regex)], []
    label = "" if lang == "en" else " (en rules)"
    try:
        import pysbd
        found.append((f"pysbd{label}", pysbd.Segmenter(language="en", clean=False).segment))
    except ImportError:
        missing.append("pysbd")
    try:
        from sentence_splitter import SentenceSplitter
        found.append((f"sentence-splitter{label}", SentenceSplitter(language="en").split))
    except ImportError:
        missing.append("sentence-splitter")
    try:
        training = "ewt-dev" if lang == "en" else "vtb-train"
        found.append((f"NLTK Punkt (trained on {training})", _train_punkt(read_set(data, training))))
    except ImportError:
        missing.append("nltk")
    if lang == "vi":
        try:
            from underthesea import sent_tokenize
            found.append(("underthesea sent_tokenize", sent_tokenize))
        except ImportError:
            missing.append("underthesea")
    return found, missing


# --- scoring ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    precision: float
    recall: float
    f1: float
    punctuated_recall: float
    exact: float
    chars_per_second: float


def evaluate(splitter: Splitter, paragraphs: list[Paragraph], errors: list | None = None) -> Result:
    true_pos = predicted = gold = punct_hit = punct_gold = exact = 0
    elapsed = 0.0
    for paragraph in paragraphs:
        start = time.perf_counter()
        sentences = splitter(paragraph.text)
        elapsed += time.perf_counter() - start
        found = predicted_boundaries(paragraph.text, sentences)
        hits = found & paragraph.boundaries
        true_pos += len(hits)
        predicted += len(found)
        gold += len(paragraph.boundaries)
        punct_hit += len(hits & paragraph.punctuated)
        punct_gold += len(paragraph.punctuated)
        exact += found == paragraph.boundaries
        if errors is not None:
            for offset in sorted(found ^ paragraph.boundaries):
                kind = "missed" if offset in paragraph.boundaries else "false"
                errors.append(f"{kind:6}  …{paragraph.text[max(0, offset - 60):offset]}|"
                              f"{paragraph.text[offset:offset + 40]}…")
    precision = true_pos / predicted if predicted else 1.0
    recall = true_pos / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    chars = sum(len(p.text) for p in paragraphs)
    return Result(precision, recall, f1, punct_hit / punct_gold if punct_gold else 1.0,
                  exact / len(paragraphs), chars / elapsed if elapsed else float("inf"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the UD .conllu files")
    parser.add_argument("--sets", nargs="+", choices=sorted(SETS), default=list(DEFAULT_SETS))
    parser.add_argument("--no-peers", action="store_true", help="run align's splitter only")
    parser.add_argument("--errors", type=int, default=0, metavar="N",
                        help="print N of align's wrong boundaries per set (tune on train sets only)")
    parser.add_argument("--floor", action="append", default=[], metavar="SET=F1",
                        help="exit 1 when align's boundary F1 on SET is below F1 (repeatable)")
    args = parser.parse_args(argv)
    floors = {}
    for item in args.floor:
        name, _, value = item.partition("=")
        if name not in SETS or not value:
            parser.error(f"--floor wants SET=F1 with SET one of {', '.join(SETS)}: {item!r}")
        floors[name] = float(value)

    print(f"{'set':<11} {'splitter':<36} {'P':>6} {'R':>6} {'F1':>6} {'punct R':>7} {'exact':>6} {'chars/s':>10}")
    failed, notes, peer_cache = [], set(), {}
    for name in args.sets:
        lang = SETS[name][0]
        paragraphs = read_set(args.data, name)
        errors: list | None = [] if args.errors else None
        runs = [("align", lambda text: split_sentences(text, lang))]
        if not args.no_peers:
            if lang not in peer_cache:
                peer_cache[lang] = peers(lang, args.data)
            found, missing = peer_cache[lang]
            runs += found
            notes.update(f"{peer} is not installed (pip install -e '.[bench]')" for peer in missing)
        for label, splitter in runs:
            result = evaluate(splitter, paragraphs, errors if label == "align" else None)
            print(f"{name:<11} {label:<36} {result.precision:6.3f} {result.recall:6.3f} {result.f1:6.3f} "
                  f"{result.punctuated_recall:7.3f} {result.exact:6.3f} {result.chars_per_second:10,.0f}")
            if label == "align" and name in floors and result.f1 < floors[name]:
                failed.append(f"{name}: align F1 {result.f1:.3f} < floor {floors[name]}")
        if errors:
            for line in errors[:args.errors]:
                print("   ", line)
    for note in sorted(notes):
        print("note:", note)
    for line in failed:
        print("FLOOR FAILED:", line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
