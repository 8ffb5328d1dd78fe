"""The `align` command: each subcommand parses options, calls the pipeline and prints."""

from __future__ import annotations

import json
import sys

import click

from align import __version__, pipeline
from align.config import Settings
from align.extract import encoding_candidates
from align.files import read_input, write_atomically
from align.model import AlignError, ConfigError, InputError
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
@click.argument("vi", type=click.Path())
@click.argument("en", type=click.Path())
@click.option("-o", "--output", required=True, metavar="MEMORY.tmx",
              help="The TMX 1.4b memory to write ('-' for standard output).")
@click.option("--min-score", type=float, default=Settings.min_score, show_default=True,
              help="Pairs scoring below this (0..1) are left out of the memory and counted as rejected.")
@click.option("--glossary", type=click.Path(), help="vi<TAB>en term list used as anchors.")
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
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def run(vi, en, output, min_score, glossary, dictionary, embeddings, presegmented, beads, encoding, srx_path,
        skip_unpaired, quiet):
    """Align VI with EN (two files, or two folders paired by file stem) into a TMX memory.

    \b
    Example:
      align run corpora/vi corpora/en -o memory.tmx
    """
    if srx_path and presegmented:
        raise ConfigError("--srx splits pages; --presegmented input is already split, so leave out one of them")
    settings = Settings(min_score=min_score, presegmented=presegmented, encoding=encoding, embeddings=embeddings,
                        srx=read_srx(srx_path) if srx_path else None).checked()
    if embeddings:
        from align.semantic import check_available
        check_available()
    lexicon, settings = pipeline.load_lexicon(settings, glossary, dictionary)
    pairing = pipeline.pair_inputs(vi, en)
    if pairing.unpaired and not skip_unpaired:
        more = f" (and {len(pairing.unpaired) - 1} more)" if len(pairing.unpaired) > 1 else ""
        raise InputError(f"no counterpart in the other folder{more}; rename it, or pass --skip-unpaired "
                         "to align the others", pairing.unpaired[0])
    for path in pairing.unpaired:
        click.echo(f"align: warning: {path}: no counterpart in the other folder; not aligned", err=True)
    show_progress = not quiet and sys.stderr.isatty() and len(pairing.pairs) > 1

    def progress(done: int, total: int) -> None:
        click.echo(f"\raligned {done}/{total} documents", err=True, nl=done == total)

    summary = pipeline.run_to_files(pairing, settings, lexicon, output, beads,
                                    progress if show_progress else None)
    if not quiet:
        click.echo(
            f"{summary.documents} documents, {summary.src_sentences} vi / {summary.trg_sentences} en sentences; "
            f"{summary.accepted} pairs accepted, {summary.rejected} rejected (min score {settings.min_score:g}), "
            f"{summary.unaligned} sentences unaligned; mean score {summary.mean_score:.3f}; "
            f"{summary.seconds:.2f} s -> {output}", err=True)
        if pairing.unpaired:
            click.echo(f"{len(pairing.unpaired)} files had no counterpart (listed above)", err=True)


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


if __name__ == "__main__":
    main()
