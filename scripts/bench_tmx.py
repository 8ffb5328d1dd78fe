#!/usr/bin/env python3
"""Throughput and peak memory of `align tmx stats | filter | merge | convert` on big memories.

A real memory first: `align run --presegmented` over the IWSLT15 talks (one talk per document
pair, the segments as sentences). Bigger ones are made from it by repeating its units with a
copy number appended to the English side (so every unit stays distinct and `merge --dedupe`
has a key per unit to hold). Each command then runs as its own process; its wall time and
CPU time and peak resident memory (wait4 rusage) are printed as a table, for every size, so a flat memory
(filter, convert) and a growing one (stats, merge --dedupe: a key per distinct unit) show.

    python scripts/bench_tmx.py                     # copies 1, 10, 40 of the talks' memory
    python scripts/bench_tmx.py --copies 1 100
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_align import DEFAULT_DATA, read_talks  # noqa: E402

SETS = ("dev2010", "tst2010", "tst2011", "tst2012")


def run(args: list[str]) -> tuple[float, float, float]:
    """Run one command to completion: (wall seconds, CPU seconds, peak resident memory in MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"failed ({process.returncode}): {' '.join(args)}\n{error}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def talks_memory(data: Path, folder: Path) -> Path:
    """`align run --presegmented` over every talk of the four sets: the real memory to grow from."""
    for lang in ("vi", "en"):
        (folder / lang).mkdir()
    for test_set in SETS:
        for docid, vi, en in read_talks(data, test_set):
            (folder / "vi" / f"{test_set}-{docid}.txt").write_text("\n".join(vi) + "\n", encoding="utf-8")
            (folder / "en" / f"{test_set}-{docid}.txt").write_text("\n".join(en) + "\n", encoding="utf-8")
    memory = folder / "talks.tmx"
    seconds, _, _ = run(["align", "run", str(folder / "vi"), str(folder / "en"), "-o", str(memory),
                         "--presegmented", "-q"])
    print(f"align run --presegmented over {len(list((folder / 'vi').iterdir()))} talks: {seconds:.1f} s")
    return memory


def grown(talks_tsv: Path, copies: int, folder: Path) -> tuple[Path, int]:
    """A TSV of `copies` copies of the talks' units, each copy's English side marked with its number."""
    lines = talks_tsv.read_text(encoding="utf-8").splitlines()
    path = folder / f"x{copies}.tsv"
    with path.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            for line in lines:
                vi, en, score, document = line.split("\t")
                out.write(f"{vi}\t{en} [{copy}]\t{score}\t{document}\n")
    return path, copies * len(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10, 40])
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"no IWSLT15 data at {args.data}")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        talks = talks_memory(args.data, folder)
        run(["align", "tmx", "convert", str(talks), "-o", str(folder / "talks.tsv"), "-q"])
        print(f"{'units':>9}  {'TMX MB':>6}  {'command':<34}  {'wall s':>6}  {'CPU s':>6}  {'units/CPU s':>11}  "
              f"{'peak MB':>7}")
        for copies in args.copies:
            tsv, units = grown(folder / "talks.tsv", copies, folder)
            big = folder / f"x{copies}.tmx"
            commands = [
                ("convert TSV -> TMX", ["convert", str(tsv), "-o", str(big)], units),
                ("stats", ["stats", str(big)], units),
                ("filter --min-score 0.5", ["filter", str(big), "-o", str(folder / "f.tmx"), "--min-score", "0.5"],
                 units),
                ("convert TMX -> TSV", ["convert", str(big), "-o", str(folder / "c.tsv")], units),
                ("convert TMX -> Moses", ["convert", str(big), "-o", str(folder / "c"), "--to", "moses"], units),
                ("merge A A (no dedupe)", ["merge", str(big), str(big), "-o", str(folder / "m.tmx")], 2 * units),
                ("merge A A --dedupe (half dropped)", ["merge", str(big), str(big), "-o", str(folder / "d.tmx"),
                                                       "--dedupe"], 2 * units),
            ]
            for label, command, count in commands:
                seconds, cpu, peak = run(["align", "tmx", *command, "-q"])
                size = big.stat().st_size / 1e6 if big.exists() else 0.0
                print(f"{count:>9,}  {size:>6.1f}  {label:<34}  {seconds:>6.2f}  {cpu:>6.2f}  {count / cpu:>11,.0f}  "
                      f"{peak:>7.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
