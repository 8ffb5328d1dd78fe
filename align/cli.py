"""The `align` command: each subcommand parses options, calls the pipeline and prints."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import os
import sys
from pathlib import Path

import click

from align import __version__
from align.config import Settings
from align.files import read_input, write_atomically
from align.model import AlignError, ConfigError, InputError, Term
from align.normalize import clean_text
from align.progress import Progress


def _lazy(name: str):
    """Module `name`, executed on first use: start-up stays short (`align --help`, or `align eval`
    on text files, never loads numpy or lxml, which aligning needs)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


pipeline = _lazy("align.pipeline")
terms = _lazy("align.terms")
glossary_io = _lazy("align.glossary")

LANGUAGE_CHOICE = click.Choice(["vi", "en"])


def _fail(message: str) -> None:
    click.echo(f"align: error: {message}", err=True)
    sys.exit(1)


class AlignGroup(click.Group):
    """Turns the library's AlignError into one line on stderr and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AlignError as err:
            _fail(str(err))
        except KeyboardInterrupt:
            click.echo("align: interrupted; no output was written", err=True)
            sys.exit(130)


@click.group(cls=AlignGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="align")
def main():
    """Align Vietnamese pages with their English renderings into TMX translation memories."""


@main.command()
@click.argument("vi", type=click.Path(), required=False)
@click.argument("en", type=click.Path(), required=False)
@click.option("-o", "--output", required=True, metavar="MEMORY.tmx",
              help="The TMX 1.4b memory to write ('-' for standard output).")
@click.option("--min-score", type=float, default=Settings.min_score, show_default=True,
              help="Pairs scoring below this (0..1) are left out of the memory and counted as rejected.")
@click.option("--glossary", type=click.Path(),
              help="Glossary (TSV vi<TAB>en[<TAB>comment], or TBX) whose terms are used as anchors "
                   "[default: the seed glossary shipped with align].")
@click.option("--no-glossary", is_flag=True, help="Use no glossary at all, not even the seed glossary.")
@click.option("--dictionary", type=click.Path(),
              help="vi<TAB>en word list used as lexical evidence (also en<TAB>vi or FVDP's vi<TAB>pos<TAB>gloss); "
                   "compiled on first use and cached in ~/.cache/align (or $ALIGN_CACHE).")
@click.option("--self-train/--no-self-train", default=True, show_default=True,
              help="Learn word translations from a first alignment of the run's own pages, then align again "
                   "with them. --no-self-train: with a --dictionary, each document learns its own words instead "
                   "(slightly worse pairs, about 0.8 times the time); without one, only lengths and anchors "
                   "are compared (about half the time).")
@click.option("--embeddings", is_flag=True,
              help="Also compare sentence embeddings (a small multilingual model, optional extra "
                   "'align-vi-en[embed]'): better pairs and deletions, about 50 sentences a second "
                   "to encode, cached for the next run.")
@click.option("--presegmented", is_flag=True,
              help="Inputs are plain text, one sentence per line: no extraction, no splitting.")
@click.option("--beads", type=click.Path(), metavar="PATH",
              help="Also write the alignment as vecalign beads: a file for two files, a folder for two folders.")
@click.option("--encoding", help="Encoding of the inputs: any Python codec, or vni, tcvn3, viqr, cp1258 "
              "(default: BOM, HTML meta charset, else UTF-8; Vietnamese pages that are not are detected).")
@click.option("--srx", "srx_path", type=click.Path(), metavar="RULES.srx",
              help="Split pages with the SRX 2.0 rules of a CAT tool instead of align's own.")
@click.option("--report", "report_path", type=click.Path(), metavar="REPORT.html",
              help="Also write a review page: both sides of every bead, scores, rejected and unaligned "
                   "sentences, merges, glossary terms, a filter by score (one self-contained HTML file).")
@click.option("--skip-unpaired", is_flag=True,
              help="Align the pairs found even when some pages have no counterpart (they are listed).")
@click.option("--pairs", "pair_list", type=click.Path(), metavar="PAIRS.tsv",
              help="Align the pairs listed here (vi_path<TAB>en_path[<TAB>document id] a line) instead of VI and EN.")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Align document pairs in N worker processes [default: all cores, from 8 pairs on]; "
                   "the memory is the same for any N.")
@click.option("--resume", is_flag=True,
              help="Skip the pairs an interrupted run of the same command finished (kept beside the output).")
@click.option("--keep-going", is_flag=True,
              help="Report a pair that cannot be aligned and align the others (exit status 2 if any failed).")
@click.option("--scheduler", envvar="ALIGN_SCHEDULER", metavar="tcp://HOST:8786",
              help="Send the pairs to this Dask cluster (optional extra 'align-vi-en[dask]'; "
                   "env ALIGN_SCHEDULER).")
@click.option("--ship-text", is_flag=True,
              help="With --scheduler: send the pages' text to the workers instead of their paths.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def run(vi, en, output, min_score, glossary, no_glossary, dictionary, self_train, embeddings, presegmented, beads,
        encoding, srx_path, report_path, skip_unpaired, pair_list, jobs, resume, keep_going, scheduler, ship_text, quiet):
    """Align VI with EN (two files, or two folders paired by file stem) into a TMX memory.

    \b
    Examples:
      align run corpora/vi corpora/en -o memory.tmx
      align run corpora/vi corpora/en -o memory.tmx --report report.html
      align run --pairs crawl.tsv -o crawl.tmx --keep-going --resume
      align run --pairs crawl.tsv -o crawl.tmx --scheduler tcp://10.0.0.5:8786
    """
    if "-" in (vi, en):  # a pipe has no file stem to name the pair, and run reads its inputs twice
        raise ConfigError("VI and EN are files or folders ('-' is not read: run reads each input twice and names "
                          "the pair after its files); save standard input to a file first. -o - does work")
    if srx_path and presegmented:
        raise ConfigError("--srx splits pages; --presegmented input is already split, so leave out one of them")
    from align.srx import read_srx
    settings = Settings(min_score=min_score, presegmented=presegmented, encoding=encoding, embeddings=embeddings,
                        self_train=self_train, srx=read_srx(srx_path) if srx_path else None).checked()
    if embeddings:
        from align.semantic import check_available
        check_available()
    if glossary and no_glossary:
        raise ConfigError("--glossary and --no-glossary cannot be used together")
    if not glossary and not no_glossary:
        glossary = str(glossary_io.seed_glossary_path())
    from align import parallel
    # worker processes' server starts while the word lists load (a folder's entries guess its pairs)
    parallel.warm_up(sys.maxsize if pair_list else _entries(vi), jobs, scheduler)
    lexicon, settings = pipeline.load_lexicon(settings, glossary, dictionary)
    if glossary and not quiet:
        _loaded(glossary)  # a second, cheap read: only to report its duplicates and conflicts
    pairing = _run_pairing(vi, en, pair_list, check_files=not scheduler or ship_text)
    if pairing.unpaired and not skip_unpaired:
        more = f" (and {len(pairing.unpaired) - 1} more)" if len(pairing.unpaired) > 1 else ""
        raise InputError(f"no counterpart in the other folder{more}; rename it, or pass --skip-unpaired "
                         "to align the others", pairing.unpaired[0])
    for path in pairing.unpaired:
        click.echo(f"align: warning: {path}: no counterpart in the other folder; not aligned", err=True)
    with Progress(len(pairing.pairs), quiet=quiet or len(pairing.pairs) < 2) as progress, \
            _html_report(report_path, output, lexicon, settings) as report, \
            _run_executor(len(pairing.pairs), jobs, scheduler, ship_text) as executor:
        def report_failure(failure):
            progress.close()  # the warning gets a line of its own; the status line is redrawn below it
            click.echo(f"align: error: {failure.describe()}; skipped", err=True)
        summary = pipeline.run_to_files(pairing, settings, lexicon, output, beads, progress, executor,
                                        report_failure if keep_going else None, resume, report)
    if not quiet:
        click.echo(
            f"{summary.documents} documents, {summary.src_sentences} vi / {summary.trg_sentences} en sentences; "
            f"{summary.accepted} pairs accepted, {summary.rejected} rejected (min score {settings.min_score:g}), "
            f"{summary.unaligned} sentences unaligned; mean score {summary.mean_score:.3f}; "
            f"{summary.seconds:.2f} s -> {output}", err=True)
        if pairing.unpaired:
            click.echo(f"{len(pairing.unpaired)} files had no counterpart (listed above)", err=True)
        if report_path:
            click.echo(f"report -> {report_path}", err=True)
        _run_scale_summary(summary)
    if summary.failed:
        sys.exit(2)


# --- run: big archives (pair lists, worker processes, Dask, resume) ------------------------

def _entries(folder) -> int:
    """How many entries a folder holds (0 for a file, a path that is not there, or None)."""
    if not folder:
        return 0
    try:
        with os.scandir(folder) as entries:
            return sum(1 for _ in entries)
    except OSError:
        return 0


def _run_pairing(vi, en, pair_list, check_files):
    if pair_list:
        if vi or en:
            raise ConfigError("give VI and EN, or --pairs, not both")
        from align.pairlist import read_pair_list
        return read_pair_list(pair_list, check_files)
    if not (vi and en):
        raise ConfigError("give VI and EN (two files or two folders), or --pairs PAIRS.tsv")
    return pipeline.pair_inputs(vi, en)


def _run_executor(pair_count, jobs, scheduler, ship_text):
    from align import parallel
    return parallel.executor_for(pair_count, jobs, scheduler, ship_text)


def _run_scale_summary(summary):
    if summary.resumed:
        click.echo(f"{summary.resumed} documents taken from the interrupted run (--resume)", err=True)
    if summary.failed:
        click.echo(f"{summary.failed} of {summary.documents} documents failed and were skipped (listed above)",
                   err=True)


@main.command()
@click.argument("page", type=click.Path(), required=False)
@click.option("--lang", type=LANGUAGE_CHOICE, help="Language of the page (required with PAGE).")
@click.option("--encoding", help="Encoding of the page: any Python codec, or vni, tcvn3, viqr, cp1258 "
              "(default: BOM, HTML meta charset, else UTF-8; Vietnamese pages that are not are detected).")
@click.option("--srx", "srx_path", type=click.Path(), metavar="RULES.srx",
              help="Split with the SRX 2.0 rules of a CAT tool instead of align's own.")
@click.option("--export-srx", type=click.Path(), metavar="RULES.srx",
              help="Write align's own rules as an SRX 2.0 file ('-' for standard output) and exit.")
def split(page, lang, encoding, srx_path, export_srx):
    """Print PAGE's sentences one per line, a blank line between blocks, as `run` sees them.

    PAGE '-' is read from standard input.

    \b
    Examples:
      align split corpora/vi/vietnam-uk-comprehensive-strategic-partnership.html --lang vi
      curl -s https://example.org/page.html | align split - --lang en
      align split page.html --lang en --srx omegat-rules.srx
      align split --export-srx align.srx     # give a CAT tool align's rules
    """
    from align.srx import read_srx, write_srx

    if export_srx:
        if page:
            raise ConfigError("--export-srx writes the rules and splits nothing; leave out PAGE")
        data = write_srx()
        if export_srx == "-":
            click.echo(data.decode("utf-8"), nl=False)
        else:
            write_atomically(export_srx, data)
        return
    if not page or not lang:
        raise ConfigError("give a PAGE and its --lang (or --export-srx to write the rules)")
    settings = Settings(encoding=encoding, srx=read_srx(srx_path) if srx_path else None).checked()
    previous_block = None
    for sentence in pipeline.load_sentences(page, lang, settings):
        if previous_block is not None and sentence.block != previous_block:
            click.echo("")
        click.echo(sentence.text)
        previous_block = sentence.block


def _quality_row(name: str, quality) -> dict:
    return {"document": name,
            "strict": {"precision": quality.strict_precision, "recall": quality.strict_recall,
                       "f1": quality.strict_f1},
            "lax": {"precision": quality.lax_precision, "recall": quality.lax_recall, "f1": quality.lax_f1}}


@main.command()
@click.argument("gold", type=click.Path())
@click.argument("test", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def score(gold, test, as_json):
    """Score TEST beads against GOLD beads: strict and lax precision, recall, F1.

    GOLD and TEST are two bead files, or two folders of <stem>.beads files
    (pooled over documents, and per document).

    \b
    Example:
      align run corpora/vi corpora/en -o memory.tmx --beads beads/
      align score corpora/gold beads/
    """
    report = pipeline.score_alignments(gold, test)
    rows = [_quality_row(name, quality) for name, quality in report.documents]
    overall = _quality_row("all", report.overall)
    if as_json:
        click.echo(json.dumps({"overall": overall, "documents": rows}, indent=2))
        return
    width = max(len(r["document"]) for r in rows + [overall])
    click.echo(f"{'document':<{width}}  strict P  strict R  strict F1  lax P   lax R   lax F1")
    for row in rows + ([overall] if len(rows) > 1 else []):
        s, lax = row["strict"], row["lax"]
        click.echo(f"{row['document']:<{width}}  {s['precision']:8.3f}  {s['recall']:8.3f}  {s['f1']:9.3f}  "
                   f"{lax['precision']:.3f}  {lax['recall']:.3f}  {lax['f1']:.3f}")


@main.command("encoding")
@click.argument("pages", nargs=-1, required=True, type=click.Path())
def encoding_(pages):
    """Say which encoding each Vietnamese PAGE is in, with a confidence (0..1), as `run` detects it.

    Legacy encodings (Windows-1258, VNI-Windows, TCVN3, VIQR) are recognised by the share of
    words that decode to well-formed Vietnamese syllables.

    \b
    Example:
      align encoding archive/*.txt
    """
    from align.extract import encoding_candidates

    for page in pages:
        candidates = encoding_candidates(read_input(page))
        summary = ", ".join(f"{name} {confidence:.2f}" for name, confidence in candidates) or "no Vietnamese reading"
        click.echo(f"{page}: {summary}")


# --- glossary -------------------------------------------------------------------------------

def _loaded(path: str, quiet: bool = False) -> glossary_io.Glossary:
    loaded = glossary_io.read_glossary(path)
    for problem in () if quiet else glossary_io.problems(loaded.entries):
        click.echo(f"align: warning: {path}: {problem.describe()}", err=True)
    return loaded


QUIET = click.option("-q", "--quiet", is_flag=True, help="Print nothing on stderr but errors.")


@main.group()
def glossary():
    """Grow and check a Vietnamese-English glossary (OmegaT TSV or TBX) with aligned memories.

    \b
    Example:
      align run corpora/vi corpora/en -o memory.tmx --no-glossary
      align glossary extract memory.tmx -o candidates.tsv --glossary corpora/glossary.vi-en.tsv
      align glossary check memory.tmx --glossary corpora/glossary.vi-en.tsv
    """


@glossary.command("extract")
@click.argument("memory", type=click.Path())
@click.option("-o", "--output", metavar="CANDIDATES.tsv",
              help="Write the candidates as a TSV glossary (vi, en, comment with the figures) instead of a table.")
@click.option("--glossary", "glossary_path", type=click.Path(), metavar="G.tsv",
              help="Mark candidates the glossary already has ('=' same pair, '~' same Vietnamese term).")
@click.option("--min-count", type=click.IntRange(min=1), default=2, show_default=True,
              help="Units a pair must share to be a candidate.")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Keep only the N strongest candidates.")
@QUIET
def glossary_extract(memory, output, glossary_path, min_count, top, quiet):
    """Candidate term pairs from the aligned units of MEMORY, strongest first.

    Vietnamese candidates are runs of 2-6 syllables, English ones runs of 1-5 words, neither
    starting nor ending with a function word; pairs are ranked by log-likelihood (G2) over units,
    each n-gram linked to one partner at most. MEMORY '-' is read from standard input.

    \b
    Example:
      align glossary extract memory.tmx --glossary corpora/glossary.vi-en.tsv --top 20
      align run vi/ en/ -o - -q | align glossary extract - --top 20
    """
    known = _loaded(glossary_path, quiet).terms if glossary_path else ()
    candidates = terms.extract(pipeline.memory_units(memory), known, min_count, top)
    if output:
        entries = [glossary_io.Entry(Term(c.vi, c.en, c.note())) for c in candidates]
        heading = (f"term candidates from {memory} by align (G2 over units, strongest first); "
                   "delete the wrong lines, then: align glossary merge G.tsv THIS -o G.tsv")
        write_atomically(output, glossary_io.tsv_bytes(entries, heading))
        if not quiet:
            click.echo(f"{len(candidates)} candidates -> {output}", err=True)
        return
    click.echo(f"{'G2':>7}  {'n':>3}  gl  vietnamese = english  [example]")
    for c in candidates:
        click.echo(f"{c.score:7.2f}  {c.together:3d}  {c.in_glossary or '.':2}  {c.vi} = {c.en}  [{c.example.label}]")


def _check_exit_2(function):
    """`glossary check` is a linter: 1 means findings, so its errors exit with 2."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except AlignError as err:
            click.echo(f"align: error: {err}", err=True)
            sys.exit(2)
    return wrapper


@glossary.command("check")
@click.argument("memory", type=click.Path())
@click.option("--glossary", "glossary_path", type=click.Path(), required=True, metavar="G.tsv",
              help="The glossary (TSV or TBX) whose translations the memory should use.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (findings and a summary per term).")
@QUIET
@_check_exit_2
def glossary_check(memory, glossary_path, as_json, quiet):
    """Units of MEMORY whose Vietnamese side has a glossary term but whose English side lacks
    its translation, with the rendering used instead; then a summary per term.

    Exit status: 0 when every term is translated as the glossary says, 1 when some are not,
    2 on errors. MEMORY '-' is read from standard input.

    \b
    Example:
      align glossary check memory.tmx --glossary corpora/glossary.vi-en.tsv
    """
    report = terms.check(pipeline.memory_units(memory), _loaded(glossary_path, quiet).terms)
    if as_json:
        click.echo(json.dumps({
            "findings": [{"unit": f.unit.label, "vi_term": f.term.vi, "expected": list(f.expected),
                          "used": f.used, "vi": f.unit.vi, "en": f.unit.en} for f in report.findings],
            "terms": [{"vi_term": t.vi, "expected": list(t.expected), "units": t.units, "consistent": t.consistent,
                       "variants": [{"used": used, "units": n} for used, n in t.variants]} for t in report.terms],
        }, ensure_ascii=False, indent=2))
    else:
        for f in report.findings:
            used = f'"{f.used}"' if f.used else terms.NOT_FOUND
            click.echo(f"{f.unit.label}: '{f.term.vi}' should be \"{' / '.join(f.expected)}\"; used {used}")
        if report.findings:
            click.echo("")
        click.echo("term\tunits\tconsistent\tused instead")
        for t in report.terms:
            instead = ", ".join(f"{used} ({n})" for used, n in t.variants) or "-"
            click.echo(f"{t.vi} = {' / '.join(t.expected)}\t{t.units}\t{t.consistent}\t{instead}")
    sys.exit(1 if report.findings else 0)


@glossary.command("add")
@click.argument("glossary_path", metavar="G.tsv", type=click.Path())
@click.argument("vi")
@click.argument("en")
@click.option("--comment", default="", help="A note kept with the entry (third TSV column, TBX <note>).")
@QUIET
def glossary_add(glossary_path, vi, en, comment, quiet):
    """Add the term VI = EN to a glossary, keeping its format (TSV, or TBX for .tbx) and
    everything else in it; a duplicate is not added, a conflict is added and reported.

    \b
    Example:
      align glossary add my-terms.tsv "Đối tác Chiến lược" "Strategic Partnership" --comment "since 2010"
    """
    term = Term(clean_text(vi), clean_text(en), clean_text(comment))
    if not term.vi or not term.en:
        raise ConfigError("the Vietnamese and the English term must not be empty")
    existing = glossary_io.read_glossary(glossary_path, allow_empty=True).entries if Path(glossary_path).exists() else ()
    new = glossary_io.Entry(term)
    clash = [p for p in glossary_io.problems(list(existing) + [new]) if p.second is new]
    if clash and clash[0].kind == "duplicate":
        if not quiet:
            click.echo(f"align: {glossary_path}: already there: {clash[0].describe()}; nothing written", err=True)
        return
    write_atomically(glossary_path, glossary_io.appended(glossary_path, term))
    if quiet:
        return
    for problem in clash:
        click.echo(f"align: warning: {glossary_path}: {problem.describe()}", err=True)
    click.echo(f"added '{term.vi}' = '{term.en}' to {glossary_path}", err=True)


@glossary.command("merge")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(), metavar="GLOSSARY...")
@click.option("-o", "--output", required=True, metavar="OUT.tsv",
              help="The merged glossary: TBX for a .tbx name, else TSV.")
@QUIET
def glossary_merge(inputs, output, quiet):
    """Merge glossaries (TSV and TBX, in any mix) into one, duplicates dropped after
    normalisation (NFC, tone marks, case, plural); conflicting translations are kept and reported.

    \b
    Example:
      align glossary merge corpora/glossary.vi-en.tsv team.tbx -o all.tsv
    """
    entries, source = [], {}
    for path in inputs:
        for entry in glossary_io.read_glossary(path).entries:
            entries.append(entry)
            source[id(entry)] = path
    for problem in () if quiet else glossary_io.problems(entries):
        first = f"{source[id(problem.first)]}, line {problem.first.line}"
        click.echo(f"align: warning: {source[id(problem.second)]}: line {problem.second.line}: {problem.kind} of "
                   f"'{problem.first.term.vi}' = '{problem.first.term.en}' ({first})"
                   + (f": '{problem.second.term.en}' kept as well" if problem.kind == "conflict" else ": dropped"),
                   err=True)
    merged = glossary_io.deduplicated(entries)
    kind = glossary_io.write_glossary(output, merged, heading=f"merged by align from {', '.join(inputs)}")
    if not quiet:
        click.echo(f"{len(merged)} entries from {len(entries)} ({len(entries) - len(merged)} duplicates dropped) "
                   f"-> {output} ({kind.upper()})", err=True)


# --- tmx ------------------------------------------------------------------------------------

TMX_OUTPUT = "The TMX to write ('-' for standard output)."


def _step(command: str, options: str, inputs) -> str:
    """What a tmx command did, for the x-align-step prop of its output: file names, not paths."""
    names = " ".join(Path(p).name if p != "-" else "-" for p in inputs)
    return " ".join(part for part in (f"tmx {command}", options, names) if part)


def _tell_outcome(summary: str, notes, output: str, quiet: bool) -> None:
    if quiet:
        return
    for note in notes:
        click.echo(f"align: {note}", err=True)
    click.echo(f"{summary} -> {'standard output' if output == '-' else output}", err=True)


@main.group()
def tmx():
    """Inspect, merge, filter and convert translation memories: align's, or any TMX 1.4 a CAT tool
    writes (UTF-8 or UTF-16, inline markup kept), and TSV or Moses-style plain text.

    Every command reads '-' as standard input; merge, filter and convert write '-o -' to
    standard output.

    \b
    Example:
      align tmx stats memory.tmx
      align tmx filter memory.tmx -o good.tmx --min-score 0.5
    """


def _stats_text(name: str, st) -> list[str]:
    header = dict(st.header)
    lines = [f"file         {name}",
             f"units        {st.units:,}",
             f"pair         {st.pair}",
             "languages    " + (", ".join(f"{lang} {n:,}" for lang, n in st.languages) or "-"),
             f"header       {header.get('creationtool', '?')} {header.get('creationtoolversion', '')}, "
             f"created {header.get('creationdate', '?')}, srclang {header.get('srclang', '?')}, "
             f"segtype {header.get('segtype', '?')}, datatype {header.get('datatype', '?')}",
             f"signature    {st.signature or '-'}"]
    lines += [f"step         {step}" for step in st.steps]
    if st.scores:
        s = st.scores
        lines.append(f"scores       {s.count:,} scored: min {s.minimum:.3f}  q1 {s.q1:.3f}  median {s.median:.3f}  "
                     f"q3 {s.q3:.3f}  max {s.maximum:.3f}  (mean {s.mean:.3f})"
                     + (f"; {st.unscored:,} without a score" if st.unscored else ""))
    else:
        lines.append("scores       none stored (no x-score props)")
    lines += [f"duplicates   {st.duplicates:,} units repeat an earlier one; {st.retranslated:,} source segments "
              "have more than one translation",
              f"empty        {st.empty_segments:,} empty segments; {st.incomplete:,} units with fewer than two languages",
              f"markup       {st.with_markup:,} units with inline codes",
              f"documents    {len(st.documents):,}" + ("" if st.documents else " (no x-document props)")]
    width = max((len(d) for d, _ in st.documents), default=0)
    lines += [f"  {document:<{width}}  {count:>7,}" for document, count in st.documents]
    return lines


@tmx.command("stats")
@click.argument("memory", type=click.Path(), metavar="MEMORY.tmx")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@QUIET
def tmx_stats(memory, as_json, quiet):
    """What MEMORY holds: units, languages, units per document, the score distribution
    (min, quartiles, max), duplicates, empty segments and the header's signature.

    Duplicates are units whose segments are the same after NFC and white-space clean-up;
    memory use grows by 16 bytes per distinct unit and 8 per score.

    \b
    Example:
      align tmx stats memory.tmx
      align run corpora/vi corpora/en -o - -q | align tmx stats - --json
    """
    from align import tmxtools
    with Progress(None, unit="units", quiet=quiet) as progress:
        st = tmxtools.memory_stats(memory, progress)
    name = tmxtools.display_name(memory)
    if not as_json:
        click.echo("\n".join(_stats_text(name, st)))
        return
    scores = st.scores
    click.echo(json.dumps({
        "file": name, "units": st.units, "pair": {"source": st.pair.source, "targets": list(st.pair.targets)},
        "languages": dict(st.languages), "header": dict(st.header), "signature": st.signature, "steps": list(st.steps),
        "scores": None if scores is None else {
            "count": scores.count, **{name: round(value, 4) for name, value in (
                ("min", scores.minimum), ("q1", scores.q1), ("median", scores.median), ("q3", scores.q3),
                ("max", scores.maximum), ("mean", scores.mean))}},
        "unscored": st.unscored, "duplicates": st.duplicates, "retranslated_sources": st.retranslated,
        "empty_segments": st.empty_segments, "incomplete_units": st.incomplete, "units_with_markup": st.with_markup,
        "documents": dict(st.documents)}, ensure_ascii=False, indent=2))


@tmx.command("merge")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(), metavar="MEMORY.tmx...")
@click.option("-o", "--output", required=True, metavar="OUT.tmx", help=TMX_OUTPUT)
@click.option("--dedupe", is_flag=True,
              help="Keep one unit of each set of units that are the same: the best-scored (the first of equals).")
@click.option("--dedupe-key", type=click.Choice(["text", "loose"]),
              help="With --dedupe, when units are the same: 'text' (the default), same after NFC and white-space "
                   "clean-up; 'loose', also one tone-mark convention (hòa = hoà), ASCII quotes, case ignored.")
@QUIET
def tmx_merge(inputs, output, dedupe, dedupe_key, quiet):
    """Merge memories of one language pair into one, units in input order, each unit as it was
    (props, notes, inline markup). A memory in another language pair is an error.

    The header is the first memory's, with align as the tool, every input's x-align-signature
    and an x-align-step prop saying what was merged.

    \b
    Example:
      align tmx merge news.tmx talks.tmx -o all.tmx --dedupe
    """
    from align import tmxtools
    if dedupe_key and not dedupe:
        raise ConfigError("--dedupe-key goes with --dedupe")
    dedupe_key = dedupe_key or "text"
    step = _step("merge", f"--dedupe --dedupe-key {dedupe_key}" if dedupe else "", inputs)
    with Progress(None, unit="units", quiet=quiet) as progress:
        outcome = tmxtools.merge_memories(inputs, output, dedupe_key if dedupe else None, step, progress)
    _tell_outcome(f"{outcome.written:,} units from {outcome.read:,} in {len(inputs)} memories", outcome.notes,
                  output, quiet)


@tmx.command("filter")
@click.argument("memory", type=click.Path(), metavar="MEMORY.tmx")
@click.option("-o", "--output", required=True, metavar="OUT.tmx", help=TMX_OUTPUT)
@click.option("--min-score", type=click.FloatRange(0, 1), help="Keep units whose stored x-score is at least this (0..1).")
@click.option("-d", "--document", "documents", multiple=True, metavar="NAME",
              help="Keep units of this document (x-document prop); repeat for several.")
@click.option("--drop-unscored", is_flag=True,
              help="With --min-score, also leave out units that have no stored score (kept by default).")
@QUIET
def tmx_filter(memory, output, min_score, documents, drop_unscored, quiet):
    """Keep the units of MEMORY that pass: a stored score of at least --min-score, and/or from
    the given documents. Nothing is rescored; units are written as they were.

    \b
    Example:
      align tmx filter memory.tmx -o good.tmx --min-score 0.5
      align tmx filter memory.tmx -o - --document to-lam-uk-visit-interview | align tmx stats -
    """
    from align import tmxtools
    if drop_unscored and min_score is None:
        raise ConfigError("--drop-unscored goes with --min-score")
    rule = tmxtools.FilterRule(min_score, frozenset(documents), not drop_unscored)
    options = " ".join([f"--min-score {min_score:g}" if min_score is not None else ""]
                       + [f"--document {d}" for d in documents] + (["--drop-unscored"] if drop_unscored else []))
    with Progress(None, unit="units", quiet=quiet) as progress:
        outcome = tmxtools.filter_memory(memory, output, rule, _step("filter", options.strip(), [memory]), progress)
    _tell_outcome(f"{outcome.written:,} of {outcome.read:,} units kept", outcome.notes, output, quiet)


@tmx.command("convert")
@click.argument("source", type=click.Path(), metavar="INPUT")
@click.option("-o", "--output", required=True, metavar="OUTPUT",
              help="What to write: OUT.tmx, OUT.tsv, or BASE (or BASE.vi) for a Moses-style pair BASE.vi + "
                   "BASE.en; '-' for standard output (TMX or TSV, with --to).")
@click.option("--from", "source_format", type=click.Choice(["tmx", "tsv", "moses"]),
              help="Format of INPUT [default: from its name; for '-', TMX if it starts like XML, else TSV].")
@click.option("--to", "output_format", type=click.Choice(["tmx", "tsv", "moses"]),
              help="Format to write [default: from the name of OUTPUT].")
@click.option("--src-lang", help="Source language: the first TSV column and the BASE.xx file [default: the "
              "TMX header's srclang; vi for TSV and Moses input].")
@click.option("--trg-lang", help="Target language [default: the other language of the TMX's units; en for TSV "
              "and Moses input].")
@QUIET
def tmx_convert(source, output, source_format, output_format, src_lang, trg_lang, quiet):
    """Convert INPUT between TMX, TSV (source<TAB>target<TAB>score<TAB>document, one unit a line,
    no header) and Moses-style plain text (BASE.vi and BASE.en, line n translating line n).

    TMX to TMX keeps each unit whole; TSV and Moses keep the two segments as plain text (tabs
    and line breaks inside a segment become spaces, inline codes are left out: both reported);
    TSV also keeps the score and document.

    \b
    Examples:
      align tmx convert memory.tmx -o memory.tsv
      align tmx convert memory.tmx -o corpus --to moses      # corpus.vi + corpus.en
      align tmx convert corpus.vi -o memory.tmx               # reads corpus.vi + corpus.en
      cut -f1,2 pairs.tsv | align tmx convert - --from tsv -o - --to tmx
    """
    from align import tmxtools
    out_format = tmxtools.output_format(output, output_format, src_lang or "vi", trg_lang or "en")
    conversion = tmxtools.Conversion(source, output, source_format, out_format, src_lang, trg_lang)
    options = " ".join(f"--{name} {value}" for name, value in (("to", out_format), ("src-lang", src_lang),
                                                               ("trg-lang", trg_lang)) if value)
    with Progress(None, unit="units", quiet=quiet) as progress:
        outcome = tmxtools.convert(conversion, _step("convert", options, [source]), progress)
    kind = dict(tmx="TMX", tsv="TSV", moses="Moses")[out_format]
    _tell_outcome(f"{outcome.written:,} units written ({kind})", outcome.notes, outcome.written_to or output, quiet)


# --- eval -----------------------------------------------------------------------------------

@main.command("eval")
@click.option("--hyp", "hypotheses", multiple=True, required=True, metavar="H.txt",
              help="Hypothesis (system output), one segment per line; '-' for standard input. Repeat to "
                   "compare systems: each is tested against the first (paired bootstrap resampling).")
@click.option("--ref", "references", multiple=True, required=True, metavar="R.txt|MEMORY.tmx",
              help="Reference, one segment per line (repeat for several references), or one TMX memory "
                   "whose --trg-lang side is the reference.")
@click.option("--src", "source", metavar="S.txt",
              help="Source segments, one per line: with a TMX, match lines to units by source text "
                   "instead of by order; needed for --glossary with text references.")
@click.option("--src-lang", default="vi", show_default=True, help="Source language of a TMX reference.")
@click.option("--trg-lang", default="en", show_default=True, help="Target (reference) language of a TMX.")
@click.option("--metric", "metrics", default="bleu,chrf,ter", show_default=True,
              help="Comma-separated metrics: bleu, chrf, ter.")
@click.option("--per-segment", is_flag=True, help="Also give each segment's sentence-level scores.")
@click.option("--glossary", "glossary_path", type=click.Path(), metavar="G.tsv",
              help="Glossary (TSV vi<TAB>en[<TAB>comment], or TBX): report how often the hypothesis "
                   "translates a source term as it says, and each miss.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (unrounded scores) instead of a table.")
@click.option("-w", "--width", type=click.IntRange(0, 10), default=1, show_default=True,
              help="Decimals shown in the table.")
@click.option("--paired-bs-n", "resamples", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Bootstrap resamples for the significance test of several systems.")
@click.option("--seed", type=click.IntRange(min=1), default=12345, show_default=True,
              help="Seed of the bootstrap resampling (sacrebleu's SACREBLEU_SEED).")
@click.option("-tok", "--tokenize", metavar="NAME",
              help="BLEU tokenizer: 13a (default), intl, zh, char, none, ja-mecab, ko-mecab "
                   "(spm and flores, which download a model, are refused).")
@click.option("-lc", "--lowercase", is_flag=True, help="Case-insensitive BLEU (as sacrebleu's --lowercase).")
@click.option("--smooth-method", type=click.Choice(["exp", "floor", "add-k", "none"]), default="exp",
              show_default=True, help="BLEU smoothing.")
@click.option("--smooth-value", type=float, help="BLEU smoothing value for floor and add-k.")
@click.option("--force", is_flag=True, help="BLEU: insist that tokenized-looking input is detokenized.")
@click.option("--chrf-char-order", type=click.IntRange(min=1), default=6, show_default=True,
              help="chrF character n-gram order.")
@click.option("--chrf-word-order", type=click.IntRange(min=0), default=0, show_default=True,
              help="chrF word n-gram order (2 is chrF++).")
@click.option("--chrf-beta", type=click.IntRange(min=0), default=2, show_default=True,
              help="chrF: weight of recall against precision.")
@click.option("--chrf-whitespace", is_flag=True, help="chrF: keep spaces in character n-grams.")
@click.option("--chrf-lowercase", is_flag=True, help="Case-insensitive chrF.")
@click.option("--chrf-eps-smoothing", is_flag=True, help="chrF: epsilon smoothing (chrF++.py, NLTK, Moses).")
@click.option("--ter-case-sensitive", is_flag=True, help="Case-sensitive TER.")
@click.option("--ter-asian-support", is_flag=True, help="TER: special treatment of Asian characters.")
@click.option("--ter-no-punct", is_flag=True, help="TER: remove punctuation.")
@click.option("--ter-normalized", is_flag=True, help="TER: basic normalisation and tokenisation.")
def eval_(hypotheses, references, source, src_lang, trg_lang, metrics, per_segment, glossary_path, as_json,
          width, resamples, seed, **metric_options):
    """Score translations with sacrebleu's BLEU, chrF and TER (same scores and signatures as
    the sacrebleu command line), against text references or a TMX memory; with several
    --hyp, paired bootstrap significance against the first; with --glossary, term accuracy.

    \b
    Examples:
      align eval --hyp mt.txt --ref human.txt
      align eval --hyp mt.txt --ref memory.tmx --src-lang vi --trg-lang en --glossary G.tsv
      align eval --hyp mt.txt --ref memory.tmx --src source.vi.txt      # match by source text
      align eval --hyp old.txt --hyp new.txt --ref human.txt --metric bleu,chrf --json
      translate < source.vi.txt | align eval --hyp - --ref human.txt --tokenize intl
    """
    from align import eval_report, evaluate, testset

    metric_names = evaluate.parse_metrics(metrics)
    if testset.STDIN in references or source == testset.STDIN:
        raise ConfigError("only --hyp reads standard input ('-'); give --ref and --src as files")
    tmx = [path for path in references if testset.is_tmx(path)]
    if tmx and len(references) > 1:
        raise ConfigError("a TMX reference is the only reference: give one --ref MEMORY.tmx, or text files")
    if tmx:
        test_set = testset.from_tmx(list(hypotheses), tmx[0], src_lang, trg_lang, source)
    else:
        test_set = testset.from_text(list(hypotheses), list(references), source)
    glossary = name = None
    if glossary_path:
        if (src_lang, trg_lang) != ("vi", "en"):
            raise ConfigError("--glossary checks Vietnamese terms in English translations: "
                              "it needs --src-lang vi --trg-lang en")
        loaded = _loaded(glossary_path)
        glossary, name = loaded.terms, str(loaded.resource)
    result = evaluate.evaluate(test_set, metric_names, evaluate.MetricOptions(**metric_options), per_segment,
                               glossary, name or "", resamples, seed)
    if as_json:
        click.echo(json.dumps(eval_report.to_json(result), ensure_ascii=False, indent=2))
        return
    if per_segment:
        click.echo("\n".join(eval_report.segment_table(result, width)) + "\n")
    click.echo(eval_report.to_table(result, width))


# --- run --report ---------------------------------------------------------------------------

def _html_report(report_path: str | None, output: str, lexicon, settings: Settings):
    """The HTML report following the run, or a stand-in doing nothing when none is asked for."""
    if not report_path:
        return contextlib.nullcontext()
    if output != "-" and Path(report_path).resolve() == Path(output).resolve():
        raise ConfigError(f"--report {report_path}: the same file as the memory (-o); give another name")
    from align.report import HtmlReport
    return HtmlReport(report_path, lexicon, settings.signature(), settings.min_score)


if __name__ == "__main__":
    main()
