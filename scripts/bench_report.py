"""What `run --report` costs: time, page size and peak memory on the IWSLT15 TED talks.

Each talk becomes a presegmented document pair (one segment a line); `align run` is timed on
them without and with `--report`, each in a fresh process that reports its own peak resident
memory. `--copies N` aligns every talk N times over (as N distinct documents) to show that the
report's memory does not grow with the run. With Chromium installed, the time it takes to load
the page and run its filter (`--dump-dom`) is measured too. The machine's one-minute load
average is printed beside each row: timings on a shared machine are noisy, CPU seconds less so.
Figures in BENCHMARKS.md.

    python scripts/bench_report.py --sets dev2010 tst2010 tst2011 tst2012 --copies 1 4
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_align import DEFAULT_DATA, read_talks  # noqa: E402

# Runs the command in the child and prints its peak resident memory (MiB) and wall time as JSON.
CHILD = """
import json, resource, sys, time
from align.cli import main
started = time.perf_counter()
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
                      "peak_mib": usage.ru_maxrss / 1024}), file=sys.stderr)
"""


def write_documents(data: Path, sets: list[str], copies: int, workdir: Path) -> tuple[Path, Path, int]:
    vi, en = workdir / "vi", workdir / "en"
    for folder in (vi, en):
        folder.mkdir(parents=True, exist_ok=True)
    documents = 0
    for test_set in sets:
        for talk, vi_lines, en_lines in read_talks(data, test_set):
            for copy in range(copies):
                name = f"{test_set}-{talk}-{copy}"
                (vi / f"{name}.txt").write_text("".join(f"{s}\n" for s in vi_lines if s), encoding="utf-8")
                (en / f"{name}.txt").write_text("".join(f"{s}\n" for s in en_lines if s), encoding="utf-8")
                documents += 1
    return vi, en, documents


def timed_run(vi: Path, en: Path, workdir: Path, report: Path | None) -> dict:
    command = [sys.executable, "-c", CHILD, "run", str(vi), str(en), "-o", str(workdir / "memory.tmx"),
               "--presegmented", "--quiet"] + (["--report", str(report)] if report else [])
    finished = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(finished.stderr.strip().splitlines()[-1])


def browser_seconds(page: Path) -> float | None:
    chromium = shutil.which("chromium")
    if not chromium:
        return None
    with tempfile.TemporaryDirectory() as profile:
        started = time.perf_counter()
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", "--dump-dom", page.as_uri() + "?min-score=0.5"],
                       check=True, capture_output=True, timeout=600)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", nargs="+", default=["dev2010", "tst2010", "tst2011", "tst2012"])
    parser.add_argument("--copies", nargs="+", type=int, default=[1, 4],
                        help="Align every talk this many times over (one row of the table each).")
    args = parser.parse_args()
    print("| documents | rows | run s (CPU) | run + report s (CPU) | report MB | peak MiB without | peak MiB with | "
          "Chromium load s | load average |\n|---|---|---|---|---|---|---|---|---|")
    for copies in args.copies:
        with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
            workdir = Path(folder)
            vi, en, documents = write_documents(args.data, args.sets, copies, workdir)
            page = workdir / "report.html"
            without = timed_run(vi, en, workdir, None)
            with_report = timed_run(vi, en, workdir, page)
            rows = page.read_text(encoding="utf-8").count('<tr class="bead')
            browser = browser_seconds(page)
            print(f"| {documents:,} | {rows:,} | {without['seconds']:.1f} ({without['cpu']:.1f}) | "
                  f"{with_report['seconds']:.1f} ({with_report['cpu']:.1f}) | {page.stat().st_size / 1e6:.1f} | "
                  f"{without['peak_mib']:.0f} | {with_report['peak_mib']:.0f} | "
                  f"{'-' if browser is None else f'{browser:.1f}'} | {os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
