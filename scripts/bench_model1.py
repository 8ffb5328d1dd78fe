#!/usr/bin/env python3
"""What self-training's table costs: IBM Model 1 (`lexicon.train_translations`) on the 1-1
sentence pairs of the IWSLT15 talks (read in place from ../shared/data/iwslt15), for growing
numbers of pairs up to the run's cap (`Settings.self_train_pairs`). Prints one table: pairs,
word pair occurrences, seconds, peak memory of the training (tracemalloc, numpy included),
and the entries of the table learnt.

    python scripts/bench_model1.py
    python scripts/bench_model1.py --sizes 1000 10000
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_align import DEFAULT_DATA, read_talks  # noqa: E402  (the talks as the alignment benchmark reads them)

from align.config import Settings  # noqa: E402
from align.lexicon import train_translations, translation_units, words_of  # noqa: E402

SETS = ("dev2010", "tst2010", "tst2011", "tst2012")


def sentence_pairs(data: Path) -> list:
    """Every segment pair of the four sets as the translation units a first pass would learn from."""
    return [translation_units(words_of(vi, "vi"), words_of(en, "en"))
            for test_set in SETS for _, vi_talk, en_talk in read_talks(data, test_set)
            for vi, en in zip(vi_talk, en_talk)]


def main() -> int:
    settings = Settings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2500, 5000, settings.self_train_pairs],
                        help="numbers of sentence pairs; past the talks' own (about 9,700) they repeat from the start")
    args = parser.parse_args()
    units = sentence_pairs(args.data)
    print("| pairs | word pair occurrences | s | peak MiB | table entries |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        pairs = (units * (size // len(units) + 1))[:size]
        occurrences = sum(len(vi) * len(en) for vi, en in pairs)
        started = time.perf_counter()
        table = train_translations(pairs, settings.self_train_min_count, settings.self_train_min_probability)
        seconds = time.perf_counter() - started
        tracemalloc.start()  # a second run, measured: tracemalloc slows the first's Python part
        train_translations(pairs, settings.self_train_min_count, settings.self_train_min_probability)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"| {size:,} | {occurrences:,} | {seconds:.2f} | {peak / 2**20:.0f} | {len(table):,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
