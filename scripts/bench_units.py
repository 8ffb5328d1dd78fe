#!/usr/bin/env python3
"""Which units self-training learns its translation table over, lengths are counted in, and which
table it learns (Dice or IBM Model 1), measured.

The issue asked for SentencePiece units "where they help", measured with and without, and for
IBM Model 1 or Dice. This runs the default path (a table learnt from a first alignment of the
run; --dictionary adds a word list beneath it) on the IWSLT15 talks, perturbed as in
bench_align.py, once per scheme:

- stems: what align ships: English Porter2 stems, Vietnamese syllables and syllable pairs, an
  IBM Model 1 table (both directions, probability 0.1 or more);
- words: English word keys without stemming;
- pieces N: English SentencePiece pieces (unigram model, N pieces at most) trained on the
  run's own English side, in memory, before the run; no stems;
- pieces N + stems: both, side by side;
- trigrams: Vietnamese syllable triples learnt too (SentencePiece pieces spanning syllables
  could only add a subset of these);
- piece lengths V: the length model counts SentencePiece pieces (a model per side) instead of
  characters, with Gale-Church variance V per piece (6.8 per character is shipped) and the
  run's own pieces ratio as the prior;
- dice: the table counted by Dice coefficient (0.5 or more, seen together twice), as align
  learnt it before IBM Model 1;
- model1 P: IBM Model 1 kept at probability P in both directions instead of the shipped 0.1.

The schemes are swapped in this process (align's English-unit function is replaced for the
run), so the runs are serial and in-process. It tunes nothing: it prints one table, pooled
over the seeds, micro-averaged. Use the tuning set (dev2010) to choose; the held-out sets
only to confirm.

    python scripts/bench_units.py                      # dev2010, seeds 3-22
    python scripts/bench_units.py --seeds 3 6 --schemes stems "pieces 8000"
"""

from __future__ import annotations

import argparse
import functools
import io
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import sentencepiece

from align import lexicon, pipeline
from align.config import Settings
from align.glossary import seed_glossary_path
from align.lexicon import words_of

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_align import DEFAULT_DATA, measure, perturb, pooled, print_table, read_talks, write_talks  # noqa: E402

SHIPPED_ENGLISH_UNITS = lexicon.translation_words
SHIPPED_TRAINING = lexicon.train_translations
SHIPPED_UNITS = lexicon.translation_units
SHIPPED_EVIDENCE = lexicon.Lexicon.evidence
SCHEMES = ("stems", "words", "pieces 8000", "pieces 2000", "pieces 2000 + stems", "trigrams",
           "piece lengths 1", "piece lengths 1.5", "piece lengths 2", "piece lengths 3",
           "dice", "model1 0.07", "model1 0.15")


def piece_model(texts: list[str], size: int, lang: str = "en") -> sentencepiece.SentencePieceProcessor:
    """A unigram SentencePiece model of the run's word keys on one side, trained in memory."""
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(" ".join(words_of(s, lang)) for s in texts), model_writer=model,
        vocab_size=size, model_type="unigram", hard_vocab_limit=False, character_coverage=1.0,
        minloglevel=2, num_threads=1)
    return sentencepiece.SentencePieceProcessor(model_proto=model.getvalue())


def english_units(scheme: str, english: list[str]):
    """The function that turns English word keys into table units under `scheme`."""
    if scheme == "words":
        return lambda keys: {k.replace("-", "") for k in keys if k not in lexicon._EN_FUNCTION_KEYS}
    if not scheme.startswith("pieces"):
        return SHIPPED_ENGLISH_UNITS
    model = piece_model(english, int(scheme.split()[1]))

    @functools.lru_cache(maxsize=None)
    def pieces(key: str) -> tuple[str, ...]:
        # "▁" marks a word start; pieces of one letter say nothing
        return tuple("§" + p for p in model.encode(key, out_type=str) if len(p.strip("▁")) >= 2)

    with_stems = scheme.endswith("+ stems")

    def units(keys) -> set[str]:
        content = [k for k in keys if k not in lexicon._EN_FUNCTION_KEYS]
        found = {p for k in content for p in pieces(k)}
        return found | SHIPPED_ENGLISH_UNITS(content) if with_stems else found
    return units


def piece_lengths(vietnamese: list[str], english: list[str]):
    """Lexicon.evidence with each sentence's length counted in SentencePiece pieces (a model per
    side, from the run's own text) instead of characters; and the run's pieces ratio en / vi."""
    models = {"vi": piece_model(vietnamese, 8000, "vi"), "en": piece_model(english, 8000, "en")}

    def count(text: str, lang: str) -> int:
        return len(models[lang].encode(" ".join(words_of(text, lang))))

    def evidence(self, text: str, lang: str, *place):
        return replace(SHIPPED_EVIDENCE(self, text, lang, *place), length=count(text, lang))
    ratio = sum(count(s, "en") for s in english) / max(sum(count(s, "vi") for s in vietnamese), 1)
    return evidence, ratio


def train_dice(pairs, min_count=2, min_probability=None, min_dice=0.5):
    """The table align learnt before IBM Model 1 (to 2026-12-01): Vietnamese syllables and pairs
    against English stems, kept when seen together in `min_count` pairs with a Dice coefficient
    (2 * together / (count vi + count en)) of `min_dice` or more. Counted plainly: slow, small runs only."""
    vi_seen, en_seen, together = Counter(), Counter(), Counter()
    for vi_keys, en_words in pairs:
        vi_seen.update(vi_keys)
        en_seen.update(en_words)
        together.update((v, e) for v in vi_keys for e in en_words)
    table: dict[str, set[str]] = {}
    for (v, e), both in together.items():
        if both >= min_count and 2 * both / (vi_seen[v] + en_seen[e]) >= min_dice:
            table.setdefault(v, set()).add(e)
    return {v: frozenset(e) for v, e in table.items()}


@contextmanager
def scheme_in_force(scheme: str, vietnamese: list[str], english: list[str]):
    """Swap the units for the run; yields the settings that go with them."""
    settings = Settings(presegmented=True)
    lexicon.translation_words = english_units(scheme, english)
    if scheme == "trigrams":
        pipeline.translation_units = functools.partial(SHIPPED_UNITS, max_ngram=3)
    elif scheme == "dice":
        pipeline.train_translations = train_dice
    elif scheme.startswith("model1"):
        pipeline.train_translations = functools.partial(SHIPPED_TRAINING, min_probability=float(scheme.split()[1]))
    if scheme.startswith("piece lengths"):
        lexicon.Lexicon.evidence, ratio = piece_lengths(vietnamese, english)
        # Gale-Church's variance is per source unit: a piece is several characters
        settings = settings.with_(length_variance=float(scheme.split()[-1]), length_ratio_prior=ratio,
                                  length_ratio_prior_chars=250)
    try:
        yield settings.checked()
    finally:
        lexicon.translation_words = SHIPPED_ENGLISH_UNITS
        pipeline.train_translations = SHIPPED_TRAINING
        pipeline.translation_units = SHIPPED_UNITS
        lexicon.Lexicon.evidence = SHIPPED_EVIDENCE


def run(talks, scheme: str, dictionary: Path | None = None) -> dict:
    """Beads per talk from `align run --presegmented` on the talks, in this process, under `scheme`."""
    with (tempfile.TemporaryDirectory() as tmp,
          scheme_in_force(scheme, [s for t in talks for s in t.vi], [s for t in talks for s in t.en]) as settings):
        vi, en = write_talks(talks, Path(tmp))
        lexicon_, settings = pipeline.load_lexicon(settings, str(seed_glossary_path()),
                                                   str(dictionary) if dictionary else None)
        pairs = pipeline.pair_inputs(vi, en).pairs
        return {result.name: list(result.beads) for result in pipeline.run(pairs, settings, lexicon_)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", nargs="+", default=["dev2010"])
    parser.add_argument("--seeds", nargs=2, type=int, default=[3, 22], metavar=("FIRST", "LAST"))
    parser.add_argument("--schemes", nargs="+", default=list(SCHEMES), choices=SCHEMES)
    parser.add_argument("--dictionary", type=Path, help="with this --dictionary (self-training stays on: its table is what is measured)")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data}: IWSLT15 data not found")
    runs = [[perturb(docid, vi, en, seed, test_set, False) for docid, vi, en in read_talks(args.data, test_set)]
            for seed in range(args.seeds[0], args.seeds[1] + 1) for test_set in args.sets]
    rows = []
    for scheme in args.schemes:
        parts = []
        for number, talks in enumerate(runs, start=1):
            print(f"\r{scheme}: run {number} of {len(runs)}", end="", file=sys.stderr, flush=True)
            started = time.perf_counter()
            results = run(talks, scheme, args.dictionary)
            parts.append(measure(scheme, talks, results, time.perf_counter() - started, None))
        print(file=sys.stderr)
        rows.append(pooled(scheme, parts))
    print_table(f"self-trained, {'with ' + args.dictionary.name if args.dictionary else 'no dictionary'}: "
                f"{'+'.join(args.sets)}, perturbed, seeds "
                f"{args.seeds[0]}-{args.seeds[1]} pooled", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
