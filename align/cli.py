"""The `align` command: each subcommand parses options, calls the pipeline and prints."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from align import __version__, pipeline, terms
from align import glossary as glossary_io
from align.config import Settings
from align.extract import encoding_candidates
from align.files import read_input, write_atomically
from align.model import AlignError, ConfigError, InputError, Term
from align.normalize import clean_text
from align.progress import Progress
from align.srx import read_srx, write_srx

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
@click.option("--dictionary", type=click.Path(), help="vi<TAB>en word list used as lexical evidence.")
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
def run(vi, en, output, min_score, glossary, no_glossary, dictionary, embeddings, presegmented, beads, encoding,
        srx_path, skip_unpaired, pair_list, jobs, resume, keep_going, scheduler, ship_text, quiet):
    """Align VI with EN (two files, or two folders paired by file stem) into a TMX memory.

    \b
    Examples:
      align run corpora/vi corpora/en -o memory.tmx
      align run --pairs crawl.tsv -o crawl.tmx --keep-going --resume
      align run --pairs crawl.tsv -o crawl.tmx --scheduler tcp://10.0.0.5:8786
    """
    if srx_path and presegmented:
        raise ConfigError("--srx splits pages; --presegmented input is already split, so leave out one of them")
    settings = Settings(min_score=min_score, presegmented=presegmented, encoding=encoding, embeddings=embeddings,
                        srx=read_srx(srx_path) if srx_path else None).checked()
    if embeddings:
        from align.semantic import check_available
        check_available()
    if glossary and no_glossary:
        raise ConfigError("--glossary and --no-glossary cannot be used together")
    if not glossary and not no_glossary:
        glossary = str(glossary_io.seed_glossary_path())
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
            _run_executor(len(pairing.pairs), jobs, scheduler, ship_text) as executor:
        def report_failure(failure):
            progress.close()  # the warning gets a line of its own; the status line is redrawn below it
            click.echo(f"align: error: {failure.describe()}; skipped", err=True)
        summary = pipeline.run_to_files(pairing, settings, lexicon, output, beads, progress, executor,
                                        report_failure if keep_going else None, resume)
    if not quiet:
        click.echo(
            f"{summary.documents} documents, {summary.src_sentences} vi / {summary.trg_sentences} en sentences; "
            f"{summary.accepted} pairs accepted, {summary.rejected} rejected (min score {settings.min_score:g}), "
            f"{summary.unaligned} sentences unaligned; mean score {summary.mean_score:.3f}; "
            f"{summary.seconds:.2f} s -> {output}", err=True)
        if pairing.unpaired:
            click.echo(f"{len(pairing.unpaired)} files had no counterpart (listed above)", err=True)
        _run_scale_summary(summary)
    if summary.failed:
        sys.exit(2)


# --- run: big archives (pair lists, worker processes, Dask, resume) ------------------------

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

    \b
    Examples:
      align split corpora/vi/vietnam-uk-comprehensive-strategic-partnership.html --lang vi
      align split page.html --lang en --srx omegat-rules.srx
      align split --export-srx align.srx     # give a CAT tool align's rules
    """
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
    for page in pages:
        candidates = encoding_candidates(read_input(page))
        summary = ", ".join(f"{name} {confidence:.2f}" for name, confidence in candidates) or "no Vietnamese reading"
        click.echo(f"{page}: {summary}")


# --- glossary -------------------------------------------------------------------------------

def _loaded(path: str) -> glossary_io.Glossary:
    loaded = glossary_io.read_glossary(path)
    for problem in glossary_io.problems(loaded.entries):
        click.echo(f"align: warning: {path}: {problem.describe()}", err=True)
    return loaded


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
def glossary_extract(memory, output, glossary_path, min_count, top):
    """Candidate term pairs from the aligned units of MEMORY, strongest first.

    Vietnamese candidates are runs of 2-6 syllables, English ones runs of 1-5 words, neither
    starting nor ending with a function word; pairs are ranked by log-likelihood (G2) over units,
    each n-gram linked to one partner at most.

    \b
    Example:
      align glossary extract memory.tmx --glossary corpora/glossary.vi-en.tsv --top 20
    """
    known = _loaded(glossary_path).terms if glossary_path else ()
    candidates = terms.extract(pipeline.memory_units(memory), known, min_count, top)
    if output:
        entries = [glossary_io.Entry(Term(c.vi, c.en, c.note())) for c in candidates]
        heading = (f"term candidates from {memory} by align (G2 over units, strongest first); "
                   "delete the wrong lines, then: align glossary merge G.tsv THIS -o G.tsv")
        write_atomically(output, glossary_io.tsv_bytes(entries, heading))
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
@_check_exit_2
def glossary_check(memory, glossary_path, as_json):
    """Units of MEMORY whose Vietnamese side has a glossary term but whose English side lacks
    its translation, with the rendering used instead; then a summary per term.

    Exit status: 0 when every term is translated as the glossary says, 1 when some are not,
    2 on errors.

    \b
    Example:
      align glossary check memory.tmx --glossary corpora/glossary.vi-en.tsv
    """
    report = terms.check(pipeline.memory_units(memory), _loaded(glossary_path).terms)
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
def glossary_add(glossary_path, vi, en, comment):
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
        click.echo(f"align: {glossary_path}: already there: {clash[0].describe()}; nothing written", err=True)
        return
    write_atomically(glossary_path, glossary_io.appended(glossary_path, term))
    for problem in clash:
        click.echo(f"align: warning: {glossary_path}: {problem.describe()}", err=True)
    click.echo(f"added '{term.vi}' = '{term.en}' to {glossary_path}", err=True)


@glossary.command("merge")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(), metavar="GLOSSARY...")
@click.option("-o", "--output", required=True, metavar="OUT.tsv",
              help="The merged glossary: TBX for a .tbx name, else TSV.")
def glossary_merge(inputs, output):
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
    for problem in glossary_io.problems(entries):
        first = f"{source[id(problem.first)]}, line {problem.first.line}"
        click.echo(f"align: warning: {source[id(problem.second)]}: line {problem.second.line}: {problem.kind} of "
                   f"'{problem.first.term.vi}' = '{problem.first.term.en}' ({first})"
                   + (f": '{problem.second.term.en}' kept as well" if problem.kind == "conflict" else ": dropped"),
                   err=True)
    merged = glossary_io.deduplicated(entries)
    kind = glossary_io.write_glossary(output, merged, heading=f"merged by align from {', '.join(inputs)}")
    click.echo(f"{len(merged)} entries from {len(entries)} ({len(entries) - len(merged)} duplicates dropped) "
               f"-> {output} ({kind.upper()})", err=True)


if __name__ == "__main__":
    main()
