#!/usr/bin/env python3
"""Alignment quality and speed on real parallel talks (IWSLT15 TED, English-Vietnamese).

Each talk is one document pair, one segment per line. Perturbations that real renderings
have are added with a generator seeded by (seed, set, talk): for each segment pair, a 5%
chance that one side is deleted (a 1-0 / 0-1 bead) and a 5% chance that it is joined with
the next pair on one side (a 2-1 / 1-2 bead). `align run --presegmented --beads` runs as a
real process (start-up and dictionary loading timed with it); a length-only Gale-Church
baseline, written here, runs on the same documents in the same run.

    python scripts/bench_align.py                        # tst2010-2012, perturbed and clean, seed 1
    python scripts/bench_align.py --sets dev2010 --dictionary ../shared/data/lexicon/fvdp-vietanh.tsv
    python scripts/bench_align.py --sets tst2012 --floor 0.95   # exit 1 when align's strict F1 is lower
    python scripts/bench_align.py --long --sets dev2010 tst2010 tst2011 tst2012 --dictionary FVDP
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from align.beads import parse_beads
from align.model import Bead
from align.quality import Quality, compare

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "iwslt15"
DELETE_RATE = 0.05
JOIN_RATE = 0.05


@dataclass(frozen=True)
class Talk:
    name: str
    vi: tuple[str, ...]
    en: tuple[str, ...]
    gold: tuple[Bead, ...]


def read_talks(data: Path, test_set: str) -> list[tuple[str, list[str], list[str]]]:
    """(talk id, vi segments, en segments) in file order; segments pair up by id."""
    def segments(lang):
        tree = etree.parse(str(data / f"IWSLT15.TED.{test_set}.en-vi.{lang}.xml"),
                           etree.XMLParser(resolve_entities=False, no_network=True))
        return {doc.get("docid"): [" ".join((seg.text or "").split()) for seg in doc.iter("seg")]
                for doc in tree.iter("doc")}
    vi, en = segments("vi"), segments("en")
    return [(docid, vi[docid], en[docid]) for docid in vi]


def perturb(talk_id: str, vi: list[str], en: list[str], seed: int, test_set: str, clean: bool) -> Talk:
    """The talk with seeded deletions and joins, and the gold beads that describe them."""
    rng = random.Random(f"{seed}-{test_set}-{talk_id}")
    out_vi: list[str] = []
    out_en: list[str] = []
    gold: list[Bead] = []
    k = 0
    while k < len(vi):
        roll = 1.0 if clean else rng.random()
        side = rng.random() < 0.5 if not clean else False
        if roll < DELETE_RATE:
            if side:
                gold.append(Bead((len(out_vi),), ()))
                out_vi.append(vi[k])
            else:
                gold.append(Bead((), (len(out_en),)))
                out_en.append(en[k])
            k += 1
        elif roll < DELETE_RATE + JOIN_RATE and k + 1 < len(vi):
            i, j = len(out_vi), len(out_en)
            if side:  # joined on the Vietnamese side: one vi line holds two segments
                out_vi.append(f"{vi[k]} {vi[k + 1]}")
                out_en.extend((en[k], en[k + 1]))
                gold.append(Bead((i,), (j, j + 1)))
            else:
                out_vi.extend((vi[k], vi[k + 1]))
                out_en.append(f"{en[k]} {en[k + 1]}")
                gold.append(Bead((i, i + 1), (j,)))
            k += 2
        else:
            gold.append(Bead((len(out_vi),), (len(out_en),)))
            out_vi.append(vi[k])
            out_en.append(en[k])
            k += 1
    return Talk(f"{test_set}-{talk_id}", tuple(out_vi), tuple(out_en), tuple(gold))


# --- Gale-Church baseline (length only) ----------------------------------------------------

GC_PRIORS = {(1, 1): 0.89, (1, 0): 0.0099 / 2, (0, 1): 0.0099 / 2, (2, 1): 0.089 / 2, (1, 2): 0.089 / 2,
             (2, 2): 0.011}


def gale_church(vi: tuple[str, ...], en: tuple[str, ...], band: int = 60) -> list[Bead]:
    """Gale & Church (1993): characters, c from the document, s^2 = 6.8, their bead priors."""
    ls, lt = [len(s) for s in vi], [len(t) for t in en]
    c = sum(lt) / max(sum(ls), 1)

    def cost(a: int, b: int, i: int, j: int) -> float:
        l1, l2 = sum(ls[i - a:i]), sum(lt[j - b:j])
        mean = (l1 + l2 / c) / 2
        delta = (l2 - l1 * c) / math.sqrt(6.8 * mean) if mean else 0.0
        p = max(math.erfc(abs(delta) / math.sqrt(2)), 1e-300)
        return -math.log(GC_PRIORS[(a, b)]) - math.log(p)

    n, m = len(vi), len(en)
    best = {(0, 0): (0.0, None)}
    for i in range(n + 1):
        centre = i * m / max(n, 1)
        for j in range(max(0, int(centre - band)), min(m, int(centre + band)) + 1):
            if (i, j) == (0, 0):
                continue
            options = [(best[(i - a, j - b)][0] + cost(a, b, i, j), (a, b)) for a, b in GC_PRIORS
                       if (i - a, j - b) in best]
            if options:
                best[(i, j)] = min(options)
    beads, i, j = [], n, m
    while (i, j) != (0, 0):
        a, b = best[(i, j)][1]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    return beads[::-1]


# --- measuring ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    system: str
    talks: int
    sentences: int
    quality: Quality
    deletions: tuple[int, int]  # gold 1-0 / 0-1 beads found exactly, gold 1-0 / 0-1 beads
    seconds: float
    pairs_per_second: float
    peak_mib: float | None

    @property
    def deletions_found(self) -> float:
        found, total = self.deletions
        return found / total if total else float("nan")


def deletions_found(gold: list[Bead], test: list[Bead]) -> tuple[int, int]:
    """(gold 1-0 / 0-1 beads found exactly, gold 1-0 / 0-1 beads)."""
    wanted = {b for b in gold if not (b.src and b.trg)}
    return len(wanted & set(test)), len(wanted)


def measure(system: str, talks: list[Talk], results: dict[str, list[Bead]], seconds: float,
            peak_mib: float | None) -> Row:
    quality, found, total = None, 0, 0
    for talk in talks:
        q = compare(talk.gold, results[talk.name])
        quality = q if quality is None else quality + q
        f, t = deletions_found(list(talk.gold), results[talk.name])
        found, total = found + f, total + t
    pairs = sum(len(t.gold) for t in talks)
    return Row(system, len(talks), sum(len(t.vi) + len(t.en) for t in talks), quality,
               (found, total), seconds, pairs / seconds if seconds else 0.0, peak_mib)


# Runs the real command line in a fresh interpreter and reports that process's peak memory.
RUNNER = ("import atexit, resource, sys\n"
          "atexit.register(lambda: sys.stderr.write("
          "'PEAK_KIB %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n"
          "from align.cli import main\n"
          "sys.argv = ['align'] + sys.argv[1:]\n"
          "main()\n")


def write_talks(talks: list[Talk], workdir: Path) -> tuple[Path, Path]:
    """The talks as presegmented pages, one file a side and talk, in workdir/vi and workdir/en."""
    vi, en = workdir / "vi", workdir / "en"
    for folder in (vi, en):
        folder.mkdir(parents=True, exist_ok=True)
    for talk in talks:
        (vi / f"{talk.name}.txt").write_text("".join(f"{s}\n" for s in talk.vi), encoding="utf-8")
        (en / f"{talk.name}.txt").write_text("".join(f"{s}\n" for s in talk.en), encoding="utf-8")
    return vi, en


def pooled(system: str, parts: list[Row]) -> Row:
    """One row for several runs of a system: counts summed, so the figures are micro-averaged."""
    quality = parts[0].quality
    for part in parts[1:]:
        quality = quality + part.quality
    seconds = sum(p.seconds for p in parts)
    pairs = sum(p.pairs_per_second * p.seconds for p in parts)
    return Row(system, sum(p.talks for p in parts), sum(p.sentences for p in parts), quality,
               (sum(p.deletions[0] for p in parts), sum(p.deletions[1] for p in parts)),
               seconds, pairs / seconds if seconds else 0.0, None)


def run_align(talks: list[Talk], workdir: Path, extra: list[str]) -> tuple[dict[str, list[Bead]], float, float]:
    vi, en = write_talks(talks, workdir)
    beads = workdir / "beads"
    command = [sys.executable, "-c", RUNNER, "run", str(vi), str(en), "-o", str(workdir / "memory.tmx"),
               "--presegmented", "--beads", str(beads), "--quiet", *extra]
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if finished.returncode:
        sys.exit(f"align failed:\n{finished.stderr}")
    peak_kib = int(finished.stderr.rsplit("PEAK_KIB", 1)[1].split()[0])
    results = {t.name: list(parse_beads((beads / f"{t.name}.beads").read_text(), t.name)) for t in talks}
    return results, seconds, peak_kib / 1024


def run_baseline(talks: list[Talk]) -> tuple[dict[str, list[Bead]], float]:
    started = time.perf_counter()
    results = {t.name: gale_church(t.vi, t.en) for t in talks}
    return results, time.perf_counter() - started


def print_table(title: str, rows: list[Row]) -> None:
    print(f"\n{title}")
    print("| system | talks | sentences | strict P | strict R | strict F1 | lax F1 | 1-0/0-1 found | s | pairs/s | peak MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        q = r.quality
        peak = f"{r.peak_mib:.0f}" if r.peak_mib is not None else "-"
        found = f"{r.deletions_found:.1%}" if r.deletions[1] else "-"  # the clean variant has none
        print(f"| {r.system} | {r.talks} | {r.sentences} | {q.strict_precision:.3f} | {q.strict_recall:.3f} | "
              f"{q.strict_f1:.3f} | {q.lax_f1:.3f} | {found} | {r.seconds:.2f} | {r.pairs_per_second:.0f} | {peak} |")


def long_document(talks: list[Talk], share: float) -> Talk:
    """The first `share` of the talks as one long document pair (gold beads renumbered)."""
    chosen = talks[:max(1, round(len(talks) * share))]
    vi: list[str] = []
    en: list[str] = []
    gold: list[Bead] = []
    for talk in chosen:
        gold.extend(Bead(tuple(i + len(vi) for i in b.src), tuple(j + len(en) for j in b.trg)) for b in talk.gold)
        vi.extend(talk.vi)
        en.extend(talk.en)
    return Talk(f"long-{share:g}", tuple(vi), tuple(en), tuple(gold))


def run_long(args, systems) -> None:
    """Every talk of the sets as one document pair: time and memory should grow about linearly."""
    talks = [perturb(docid, vi, en, args.seed, test_set, False)
             for test_set in args.sets for docid, vi, en in read_talks(args.data, test_set)]
    name, extra = systems[-1]
    rows = []
    for share in (0.25, 0.5, 1.0):
        document = long_document(talks, share)
        with tempfile.TemporaryDirectory() as tmp:
            results, seconds, peak = run_align([document], Path(tmp), extra)
        rows.append(measure(f"{name}, {share:.0%} of the talks", [document], results, seconds, peak))
    print_table(f"one long document pair: {'+'.join(args.sets)}, perturbed, seed {args.seed}", rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", nargs="+", default=["tst2010", "tst2011", "tst2012"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--variants", nargs="+", default=["perturbed", "clean"], choices=["perturbed", "clean"])
    parser.add_argument("--dictionary", type=Path, help="also run align with this --dictionary")
    parser.add_argument("--no-baseline", action="store_true", help="skip Gale-Church")
    parser.add_argument("--align-args", default="", help="extra options for align run (quoted)")
    parser.add_argument("--embeddings", action="store_true",
                        help="also run align --embeddings (and with the dictionary, if given); the vectors "
                             "are cached under $ALIGN_CACHE: point it at an empty folder to time a cold run")
    parser.add_argument("--floor", type=float, help="exit 1 if align's pooled perturbed strict F1 is lower")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--long", action="store_true",
                        help="instead: all talks of the sets concatenated into one document pair (1/4, 1/2, all)")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data}: IWSLT15 data not found")

    systems = [("align", args.align_args.split())]
    if args.dictionary:
        systems.append((f"align + {args.dictionary.stem}", args.align_args.split() + ["--dictionary", str(args.dictionary)]))
    if args.embeddings:
        systems += [(f"{name} + embeddings", extra + ["--embeddings"]) for name, extra in list(systems)]
    if args.long:
        run_long(args, systems)
        return 0
    figures, pooled_f1 = [], None
    for variant in args.variants:
        by_system: dict[str, list[Row]] = {}
        for test_set in args.sets:
            talks = [perturb(docid, vi, en, args.seed, test_set, variant == "clean")
                     for docid, vi, en in read_talks(args.data, test_set)]
            rows = []
            if not args.no_baseline:
                results, seconds = run_baseline(talks)
                rows.append(measure("Gale-Church", talks, results, seconds, None))
            for name, extra in systems:
                with tempfile.TemporaryDirectory() as tmp:
                    results, seconds, peak = run_align(talks, Path(tmp), extra)
                rows.append(measure(name, talks, results, seconds, peak))
            print_table(f"{test_set}, {variant}, seed {args.seed}", rows)
            for row in rows:
                by_system.setdefault(row.system, []).append(row)
                figures.append({"set": test_set, "variant": variant, "seed": args.seed, "system": row.system,
                                "strict_f1": row.quality.strict_f1, "lax_f1": row.quality.lax_f1,
                                "deletions_found": row.deletions_found, "seconds": row.seconds})
        if len(args.sets) > 1:
            print_table(f"pooled {'+'.join(args.sets)}, {variant}, seed {args.seed}",
                        [pooled(system, parts) for system, parts in by_system.items()])
        if variant == "perturbed":
            pooled_f1 = pooled("align", by_system["align"]).quality.strict_f1
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    if args.floor is not None and pooled_f1 is not None:
        verdict = "ok" if pooled_f1 >= args.floor else "BELOW FLOOR"
        print(f"\nalign strict F1 (perturbed, pooled) {pooled_f1:.3f}, floor {args.floor:.3f}: {verdict}")
        return 0 if pooled_f1 >= args.floor else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
