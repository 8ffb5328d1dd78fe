#!/usr/bin/env python3
"""How `align run` scales with the number of document pairs: one process, two worker processes,
and a two-worker Dask LocalCluster, on synthetic archives of 100, 1,000 and 10,000 pairs.

Each document pair is an excerpt of an IWSLT15 TED talk (tst2010-2012 and dev2010, read in
place): 10 to 20 consecutive segment pairs from a random place in a random talk, then perturbed
as in scripts/bench_align.py (5% deletions, 5% joins). Files are named differently on the two
sides (`vi/000042.vi.txt`, `en/000042.en.txt`) and paired by a pair list, as a crawl is.
`align run --pairs --presegmented` runs as a real process; its peak memory (the parent) is
read when it exits, the workers' peak (VmHWM) by polling /proc while it runs.

    python scripts/bench_scale.py                          # 100, 1,000 and 10,000 pairs
    python scripts/bench_scale.py --sizes 100 1000 --modes jobs1 jobs2
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_align import DEFAULT_DATA, perturb, read_talks  # noqa: E402

SETS = ("dev2010", "tst2010", "tst2011", "tst2012")
EXCERPT = (10, 20)  # segment pairs per document, inclusive
MODES = ("jobs1", "jobs2", "cluster")
FIXED_DATE = "1764547200"  # SOURCE_DATE_EPOCH: the three memories must be the same bytes

# The real command line in a fresh interpreter, reporting that process's own peak memory and CPU
# time (children not included): what the parent costs per document decides how many workers it can feed.
RUNNER = ("import atexit, resource, sys\n"
          "def report():\n"
          "    usage = resource.getrusage(resource.RUSAGE_SELF)\n"
          "    sys.stderr.write('PEAK_KIB %d CPU_S %f\\n' % (usage.ru_maxrss, usage.ru_utime + usage.ru_stime))\n"
          "atexit.register(report)\n"
          "from align.cli import main\n"
          "sys.argv = ['align'] + sys.argv[1:]\n"
          "main()\n")


def build_archive(folder: Path, size: int, seed: int, talks: list) -> Path:
    """`size` perturbed excerpts as presegmented files, and the pair list naming them."""
    for side in ("vi", "en"):
        (folder / side).mkdir(parents=True, exist_ok=True)
    lines = []
    for k in range(size):
        rng = random.Random(f"{seed}-{k}")
        test_set, docid, vi, en = talks[rng.randrange(len(talks))]
        length = rng.randint(*EXCERPT)
        start = rng.randrange(max(1, len(vi) - length))
        doc = perturb(f"{docid}-{k}", vi[start:start + length], en[start:start + length], seed, test_set, False)
        (folder / "vi" / f"{k:06d}.vi.txt").write_text("".join(f"{s}\n" for s in doc.vi), encoding="utf-8")
        (folder / "en" / f"{k:06d}.en.txt").write_text("".join(f"{s}\n" for s in doc.en), encoding="utf-8")
        lines.append(f"vi/{k:06d}.vi.txt\ten/{k:06d}.en.txt\tdoc-{k:06d}\n")
    pair_list = folder / "pairs.tsv"
    pair_list.write_text("".join(lines), encoding="utf-8")
    return pair_list


# --- peak memory of the processes below a process ------------------------------------------

def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry))
    return tree


def _descendants(root: int, tree: dict[int, list[int]], skip: set[int]) -> list[int]:
    found, todo = [], list(tree.get(root, []))
    while todo:
        pid = todo.pop()
        if pid in skip:
            continue
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def _peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class WorkerPeak:
    """Polls the highest peak resident memory among the processes below `root` (not `skip`)."""

    def __init__(self, root: int, skip: set[int] | None = None):
        self.root, self.skip, self.peak_kib = root, skip or set(), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.wait(0.25):
            for pid in _descendants(self.root, _children(), self.skip):
                self.peak_kib = max(self.peak_kib, _peak_kib(pid))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- one measured run ----------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    size: int
    mode: str
    seconds: float
    sentence_pairs: int
    parent_mib: float
    parent_cpu: float  # seconds of CPU the parent used itself
    worker_mib: float | None
    tmx_bytes: int
    tmx: bytes


SUMMARY = re.compile(r"(\d+) pairs accepted, (\d+) rejected")


def run_align(pair_list: Path, output: Path, mode: str, scheduler: str | None, extra: list[str],
              watch_root: int | None, skip_self: bool) -> tuple[float, int, float, float, float | None]:
    command = [sys.executable, "-c", RUNNER, "run", "--pairs", str(pair_list), "-o", str(output),
               "--presegmented", *extra]
    command += ["--scheduler", scheduler] if scheduler else ["--jobs", "1" if mode == "jobs1" else "2"]
    env = dict(os.environ, SOURCE_DATE_EPOCH=FIXED_DATE)
    env.pop("ALIGN_SCHEDULER", None)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    root = watch_root if watch_root is not None else process.pid
    with WorkerPeak(root, {process.pid} if skip_self else None) as workers:
        _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode:
        sys.exit(f"align failed ({mode}):\n{stderr}")
    accepted, rejected = map(int, SUMMARY.search(stderr).groups())
    figures = stderr.rsplit("PEAK_KIB", 1)[1].split()
    worker = workers.peak_kib / 1024 if mode != "jobs1" else None
    return seconds, accepted + rejected, int(figures[0]) / 1024, float(figures[2]), worker


def measure(size: int, mode: str, pair_list: Path, workdir: Path, extra: list[str]) -> Row:
    output = workdir / f"{mode}.tmx"
    if mode == "cluster":
        from distributed import LocalCluster
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            figures = run_align(pair_list, output, mode, cluster.scheduler_address, extra, os.getpid(), True)
    else:
        figures = run_align(pair_list, output, mode, None, extra, None, False)
    seconds, pairs, parent, cpu, worker = figures
    data = output.read_bytes()
    return Row(size, mode, seconds, pairs, parent, cpu, worker, len(data), data)


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def print_table(rows: list[Row]) -> None:
    print("| pairs | mode | s | documents/s | sentence pairs/s | parent peak MiB | parent CPU ms/document "
          "| worker peak MiB | TMX MiB | speed vs jobs1 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    base = {r.size: r.seconds for r in rows if r.mode == "jobs1"}
    for r in rows:
        worker = f"{r.worker_mib:.0f}" if r.worker_mib is not None else "(in parent)"
        speed = f"{base[r.size] / r.seconds:.2f}x" if r.size in base else "-"
        print(f"| {r.size:,} | {r.mode} | {r.seconds:.1f} | {r.size / r.seconds:.1f} | "
              f"{r.sentence_pairs / r.seconds:.0f} | {r.parent_mib:.0f} | {1000 * r.parent_cpu / r.size:.1f} | {worker} | "
              f"{r.tmx_bytes / 2**20:.2f} | {speed} |")


def verdicts(rows: list[Row]) -> list[str]:
    lines = []
    by = {(r.size, r.mode): r for r in rows}
    for size in sorted({r.size for r in rows}):
        memories = {r.tmx for r in rows if r.size == size}
        lines.append(f"{size:,} pairs: the memories of {', '.join(r.mode for r in rows if r.size == size)} are "
                     + ("byte-identical" if len(memories) == 1 else "DIFFERENT"))
        one, two, cluster = by.get((size, "jobs1")), by.get((size, "jobs2")), by.get((size, "cluster"))
        if one and two:
            lines.append(f"  --jobs 2 is {one.seconds / two.seconds:.2f}x --jobs 1 (target >= 1.7x)")
        if two and cluster:
            lines.append(f"  the LocalCluster takes {cluster.seconds / two.seconds - 1:+.0%} of --jobs 2's time "
                         "(target within 25%)")
    for mode in MODES:
        small, large = by.get((1000, mode)), by.get((10000, mode))
        if small and large:
            lines.append(f"parent memory, {mode}: {small.parent_mib:.0f} MiB at 1,000 pairs, {large.parent_mib:.0f} MiB "
                         f"at 10,000 ({large.parent_mib / small.parent_mib - 1:+.0%}; target within 20%)")
    one = max((r for r in rows if r.mode == "jobs1"), key=lambda r: r.size, default=None)
    if one:
        per_pair = one.seconds / one.size
        hours = 1_000_000 * per_pair / 16 / 3600
        lines.append(f"cost per document pair with --jobs 1 at {one.size:,} pairs: {per_pair * 1000:.1f} ms "
                     f"({one.sentence_pairs / one.size:.1f} sentence pairs each); one million pairs on 16 workers "
                     f"of this speed: about {hours:.1f} h")
        client = max((r for r in rows if r.mode != "jobs1"), key=lambda r: r.size, default=None)
        if client:
            per_document = client.parent_cpu / client.size
            lines.append(f"  the client ({client.mode}, {client.size:,} pairs) spends {per_document * 1000:.1f} ms of "
                         f"CPU per document: it can feed about {1 / per_document:,.0f} documents/s, "
                         f"16 workers need {16 / per_pair:,.0f}/s")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 1000, 10000])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--align-args", default="", help="extra options for align run (quoted)")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data}: IWSLT15 data not found")
    talks = [(test_set, docid, vi, en) for test_set in SETS for docid, vi, en in read_talks(args.data, test_set)]
    print(f"{len(talks)} talks; before: {load()}", flush=True)
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            pair_list = build_archive(workdir / "archive", size, args.seed, talks)
            for mode in args.modes:
                rows.append(measure(size, mode, pair_list, workdir, args.align_args.split()))
                print(f"  {size:,} pairs, {mode}: {rows[-1].seconds:.1f} s; {load()}", flush=True)
    print(f"after: {load()}\n")
    print_table(rows)
    print()
    for line in verdicts(rows):
        print(line)
    same = all(len({r.tmx for r in rows if r.size == size}) == 1 for size in args.sizes)
    return 0 if same else 1  # speed depends on the machine; the same bytes do not


if __name__ == "__main__":
    sys.exit(main())
