"""Term extraction on real talks: build a memory from the IWSLT15 TED talks, time `align glossary
extract` on it and print the top candidates for judging (figures in BENCHMARKS.md).

The talks are aligned with `align run --presegmented --no-glossary` (the seed glossary is about
diplomacy, not TED talks); the memory and the candidates are kept in --workdir.

    python scripts/bench_terms.py --sets dev2010 tst2010 tst2011 tst2012 --top 50
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_align import DEFAULT_DATA, read_talks  # noqa: E402


def build_memory(data: Path, sets: list[str], workdir: Path) -> Path:
    vi, en = workdir / "vi", workdir / "en"
    for folder in (vi, en):
        folder.mkdir(parents=True, exist_ok=True)
    for test_set in sets:
        for talk, vi_lines, en_lines in read_talks(data, test_set):
            (vi / f"{test_set}-{talk}.txt").write_text("".join(f"{s}\n" for s in vi_lines if s), encoding="utf-8")
            (en / f"{test_set}-{talk}.txt").write_text("".join(f"{s}\n" for s in en_lines if s), encoding="utf-8")
    memory = workdir / "memory.tmx"
    subprocess.run([sys.executable, "-m", "align", "run", str(vi), str(en), "-o", str(memory),
                    "--presegmented", "--no-glossary", "--quiet"], check=True)
    return memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", nargs="+", default=["dev2010", "tst2010", "tst2011", "tst2012"])
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--workdir", type=Path, help="Keep the memory and candidates here.")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-terms-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    memory = build_memory(args.data, args.sets, workdir)
    aligned = time.perf_counter() - started
    candidates = workdir / "candidates.tsv"
    command = [sys.executable, "-m", "align", "glossary", "extract", str(memory), "-o", str(candidates),
               "--min-count", str(args.min_count)]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    extracted = time.perf_counter() - started
    units = len(re.findall(r"<tu[ >]", memory.read_text(encoding="utf-8")))
    rows = [line.split("\t") for line in candidates.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")]
    print(f"| sets | units | candidates | align s | extract s |\n|---|---|---|---|---|\n"
          f"| {' '.join(args.sets)} | {units} | {len(rows)} | {aligned:.1f} | {extracted:.1f} |\n")
    for rank, (vi, en, note) in enumerate(rows[:args.top], start=1):
        score, together = note.split(";")[0].split()[1], note.split(";")[1].split()[0]
        print(f"{rank:3d}  {score:>7}  {together:>3}  {vi} = {en}")


if __name__ == "__main__":
    main()
