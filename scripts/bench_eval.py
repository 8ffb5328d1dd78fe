#!/usr/bin/env python3
"""Speed of `align eval` against the sacrebleu command line on the same files, in one run.

The reference is the English side of IWSLT15 TED talks (../shared/data/iwslt15, read in
place); the hypothesis is a seeded, perturbed copy of it (words dropped, swapped, replaced,
a sentence lower-cased), both written to a temporary folder. Each command runs as its own
process (`python -m align eval ...`, `python -m sacrebleu ...`), start-up included, the two
interleaved, several repetitions, after one untimed warm-up run of each that compiles the
bytecode of both (as `pip install` does); the table gives medians of wall-clock and CPU time
(user + system of the child) and the ratio align / sacrebleu. The scores of both are compared
too, so a faster wrong answer cannot pass.

    python scripts/bench_eval.py                                  # all four sets, 5 repetitions
    python scripts/bench_eval.py --sets tst2012 --metrics bleu chrf --repeat 3
    python scripts/bench_eval.py --paired --metrics bleu,chrf     # two systems, significance
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "iwslt15"
SETS = ("dev2010", "tst2010", "tst2011", "tst2012")


def english_segments(data: Path, sets: list[str]) -> list[str]:
    segments = []
    for name in sets:
        tree = etree.parse(str(data / f"IWSLT15.TED.{name}.en-vi.en.xml"),
                           etree.XMLParser(resolve_entities=False, no_network=True))
        segments += [" ".join((seg.text or "").split()) for seg in tree.iter("seg")]
    return segments


def perturbed(segment: str, rng: random.Random, vocabulary: list[str]) -> str:
    """A plausible bad translation: 10% of words dropped, 5% replaced, 5% swapped with the next;
    one sentence in twenty lower-cased."""
    words = []
    for word in segment.split():
        roll = rng.random()
        if roll < 0.10:
            continue
        words.append(rng.choice(vocabulary) if roll < 0.15 else word)
    for i in range(len(words) - 1):
        if rng.random() < 0.05:
            words[i], words[i + 1] = words[i + 1], words[i]
    text = " ".join(words)
    return text.lower() if rng.random() < 0.05 else text


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall-clock seconds, CPU seconds of the child and its standard output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def scores_of(output: str, tool: str) -> list[float]:
    """Every system's scores, rounded as sacrebleu prints them (its text table when paired:
    its JSON writer fails on the bootstrap figures)."""
    if tool == "align":
        return [round(s["score"], 1) for system in json.loads(output)["systems"] for s in system["scores"]]
    if output.lstrip().startswith(("{", "[")):
        data = json.loads(output)
        return [s["score"] for s in (data if isinstance(data, list) else [data])]
    return [float(score) for score in re.findall(r"(\d+\.\d) \(\d+\.\d ± ", output)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--metrics", nargs="+", default=["bleu", "chrf", "ter", "bleu,chrf,ter"],
                        help="one row per item; an item is a comma-separated metric list")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--paired", action="store_true",
                        help="compare two systems instead (a second hypothesis perturbed with seed + 1): "
                             "paired bootstrap resampling, 1000 resamples, in both tools")
    args = parser.parse_args()

    reference = english_segments(args.data, args.sets)
    rng = random.Random(args.seed)
    vocabulary = sorted({w for s in reference for w in s.split()})
    hypothesis = [perturbed(s, rng, vocabulary) for s in reference]
    other_rng = random.Random(args.seed + 1)
    other = [perturbed(s, other_rng, vocabulary) for s in reference]
    print(f"{len(reference)} segments ({', '.join(args.sets)}), hypothesis perturbed with seed {args.seed}"
          + (f", a second with seed {args.seed + 1}, paired bootstrap" if args.paired else "") + "; "
          f"median of {args.repeat} runs each, interleaved; 2 shared cores, timings are noisy")
    header = (f"{'metrics':<14} {'align s':>8} {'sacrebleu s':>11} {'ratio':>6}   "
              f"{'align cpu s':>11} {'sacrebleu cpu s':>15} {'cpu ratio':>9}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as folder:
        ref, hyp = Path(folder) / "ref.en.txt", Path(folder) / "hyp.en.txt"
        ref.write_text("".join(s + "\n" for s in reference), encoding="utf-8")
        hyp.write_text("".join(s + "\n" for s in hypothesis), encoding="utf-8")
        hyp2 = Path(folder) / "hyp2.en.txt"
        hyp2.write_text("".join(s + "\n" for s in other), encoding="utf-8")
        systems = [str(hyp), str(hyp2)] if args.paired else [str(hyp)]
        # Both tools start from compiled bytecode, as after `pip install` (an editable install
        # under PYTHONDONTWRITEBYTECODE would recompile align's modules on every run).
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "bytecode")
        for metrics in args.metrics:
            commands = {
                "align": [sys.executable, "-m", "align", "eval", *(a for h in systems for a in ("--hyp", h)),
                          "--ref", str(ref), "--metric", metrics, "--json"],
                "sacrebleu": [sys.executable, "-m", "sacrebleu", str(ref), "-i", *systems, "-m", *metrics.split(","),
                              *(["--paired-bs", "-f", "text", "-nc"] if args.paired else [])],
            }
            runs: dict[str, list[tuple[float, float]]] = {tool: [] for tool in commands}
            outputs = {}
            for command in commands.values():
                timed(command, env)  # warm-up, not timed: writes the bytecode caches
            for _ in range(args.repeat):
                for tool, command in commands.items():
                    wall, cpu, outputs[tool] = timed(command, env)
                    runs[tool].append((wall, cpu))
            ours, theirs = scores_of(outputs["align"], "align"), scores_of(outputs["sacrebleu"], "sacrebleu")
            if ours != theirs:
                print(f"scores differ for {metrics}: align {ours}, sacrebleu {theirs}", file=sys.stderr)
                return 1
            wall = {tool: statistics.median(w for w, _ in r) for tool, r in runs.items()}
            cpu = {tool: statistics.median(c for _, c in r) for tool, r in runs.items()}
            print(f"{metrics:<14} {wall['align']:8.2f} {wall['sacrebleu']:11.2f} {wall['align'] / wall['sacrebleu']:6.2f}"
                  f"   {cpu['align']:11.2f} {cpu['sacrebleu']:15.2f} {cpu['align'] / cpu['sacrebleu']:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
