"""The review report of a run (`align run --report R.html`): one self-contained HTML page.

Per document, the Vietnamese and English sentences side by side as aligned, each pair's score
and its parts, rejected pairs, unaligned sentences (1-0 / 0-1) and merges marked, glossary terms
highlighted; a summary with the settings signature at the top and a filter by score.

The page is built with lxml's HTML builder and serialiser (text is always escaped) and carries
everything it needs: inline CSS and a little script, allowed by a Content-Security-Policy that
names their hashes, so nothing else runs and nothing is fetched even if text were not escaped.

Documents are written as their results come, row by row, to a spool file beside the report;
`finish` writes the head and the summary (known only at the end), copies the spool after it and
renames the page into place. Memory holds one document and a line of figures per document.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from lxml import etree
from lxml.html import builder as E

from align import __version__
from align.files import STDIN, atomic_output, output_folder
from align.lexicon import Lexicon, TermSpan
from align.model import AlignError, Bead, ConfigError, InputError, Pair, PairResult, Sentence
from align.tmx import creation_date

if TYPE_CHECKING:
    from align.pipeline import Summary

STYLE = """
:root { --line: #d0d4da; --muted: #5b6470; --rejected: #fde2e1; --unaligned: #e9ecf5;
        --merge: #1f5fbf; --term: #fff0a8; --matched: #cdeccf; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; margin: 0;
       color: #1c2127; background: #f6f7f9; }
header, main { padding: 0 1.5rem; }
h1 { font-size: 1.5rem; margin: 1rem 0 .5rem; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 .3rem; overflow-wrap: anywhere; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; vertical-align: top; text-align: left; }
th { background: #eceff3; font-weight: 600; }
.figures th { width: 11rem; }
.figures td, .documents td.n { font-variant-numeric: tabular-nums; }
.documents td.n { text-align: right; }
.signature code { display: block; font-size: 12px; overflow-wrap: anywhere; background: #fff;
                  border: 1px solid var(--line); padding: .4rem; }
#filter { position: sticky; top: 0; z-index: 1; background: #f6f7f9; padding: .5rem 0;
          border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: .4rem 1.2rem;
          align-items: center; }
#filter input[type=range] { width: 14rem; vertical-align: middle; }
#shown { color: var(--muted); }
.legend { color: var(--muted); font-size: 13px; }
.legend span { margin-right: 1rem; white-space: nowrap; }
.doc-figures { color: var(--muted); margin: 0 0 .4rem; }
details { margin: 0 0 .6rem; }
table.pairs { width: 100%; table-layout: fixed; }
table.pairs col.bead { width: 8.5rem; }
table.pairs col.score { width: 7.5rem; }
table.pairs col.parts { width: 9rem; }
tr.rejected { background: var(--rejected); }
tr.unaligned { background: var(--unaligned); }
tr.rejected td.text { color: #6b2320; }
td.bead { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
.badge { display: inline-block; font: 600 11px/1.6 system-ui, sans-serif; padding: 0 .4rem; margin-top: .2rem;
         border-radius: .6rem; border: 1px solid currentColor; }
.badge.rejected { color: #a4231c; }
.badge.unaligned { color: #3d4a7a; }
.badge.merge { color: var(--merge); }
td.text .s { display: block; }
td.text .s + .s { border-top: 2px dashed var(--merge); margin-top: .25rem; padding-top: .25rem; }
td.none { color: var(--muted); font-style: italic; }
td.score meter { width: 100%; }
td.score .value { font-variant-numeric: tabular-nums; font-weight: 600; }
td.parts { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
td.parts span { display: block; }
mark.term { background: var(--term); border-bottom: 2px dotted #8a6d00; padding: 0 1px; }
mark.term.matched { background: var(--matched); border-bottom: 2px solid #2d7a32; }
section.document { content-visibility: auto; contain-intrinsic-size: auto 3000px; }  /* long runs scroll smoothly */
footer { color: var(--muted); font-size: 12px; padding: 1rem 1.5rem 2rem; }
"""

# The filter: rows below the score (or of a hidden kind) are hidden; without script every row shows.
SCRIPT = """
(function () {
  var form = document.getElementById("filter");
  var rows = document.querySelectorAll("tr.bead");
  var shown = document.getElementById("shown");
  var asked = /[?&]min-score=([0-9.]+)/.exec(location.search);  // report.html?min-score=0.5 opens filtered
  if (asked) { form.elements["min-score"].value = asked[1]; }
  function apply() {
    var min = parseFloat(form.elements["min-score"].value);
    var show = { accepted: form.elements.accepted.checked, rejected: form.elements.rejected.checked,
                 unaligned: form.elements.unaligned.checked };
    var count = 0;
    form.elements["min-score-value"].value = min.toFixed(2);
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], verdict = row.getAttribute("data-verdict");
      var visible = show[verdict] && (verdict === "unaligned" || parseFloat(row.getAttribute("data-score")) >= min);
      row.hidden = !visible;
      if (visible) { count++; }
    }
    shown.textContent = count + " of " + rows.length + " rows shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  apply();
})();
"""


def _sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


# Only the page's own style and script may run; no request of any kind leaves the page.
CONTENT_SECURITY_POLICY = (f"default-src 'none'; style-src {_sha256_source(STYLE)}; "
                           f"script-src {_sha256_source(SCRIPT)}; base-uri 'none'; form-action 'none'")

UNALIGNED_LABELS = {"1-0": "vi only", "0-1": "en only"}


# --- one document: pure functions from a result to elements ------------------------------------

@dataclass(frozen=True)
class DocumentFigures:
    """One document's line in the summary table."""

    number: int
    name: str
    src_sentences: int
    trg_sentences: int
    accepted: int
    rejected: int
    unaligned: int
    merges: int
    beads: int  # rows of the document's table
    mean_score: float | None  # over the document's pairs; None when it has none
    term_hits: int  # glossary terms highlighted, both languages

    @property
    def anchor(self) -> str:
        return f"doc-{self.number}"


@dataclass(frozen=True)
class TermHit:
    """A highlighted glossary term: where it stands and whether the other side of its bead has it too."""

    span: TermSpan
    matched: bool


# Each sentence's term hits by sentence index: Vietnamese, English.
Hits = tuple[dict[int, list[TermHit]], dict[int, list[TermHit]]]


def _hits(spans: Sequence[TermSpan], other: Sequence[TermSpan]) -> list[TermHit]:
    other_terms = {term for span in other for term in span.terms}
    return [TermHit(span, not other_terms.isdisjoint(span.terms)) for span in spans]


def _term_title(lexicon: Lexicon, span: TermSpan) -> str:
    return "; ".join(f"{lexicon.glossary[i].vi} = {lexicon.glossary[i].en}" for i in span.terms)


def _highlighted(text: str, hits: Sequence[TermHit], lexicon: Lexicon) -> list:
    """The sentence as text pieces and <mark> elements, one per term hit."""
    pieces: list = []
    at = 0
    for hit in hits:
        pieces.append(text[at:hit.span.start])
        pieces.append(E.MARK({"class": "term matched" if hit.matched else "term",
                              "title": _term_title(lexicon, hit.span)}, text[hit.span.start:hit.span.end]))
        at = hit.span.end
    pieces.append(text[at:])
    return [piece for piece in pieces if not isinstance(piece, str) or piece]


def _side(lang: str, indices: tuple[int, ...], sentences: tuple[Sentence, ...],
          hits: dict[int, list[TermHit]], lexicon: Lexicon):
    if not indices:
        return E.TD({"class": "text none"}, "no counterpart")
    return E.TD({"class": "text", "lang": lang},
                *(E.SPAN({"class": "s"}, *_highlighted(sentences[i].text, hits[i], lexicon)) for i in indices))


def _score_cells(pair: Pair | None, min_score: float) -> list:
    if pair is None:
        return [E.TD({"class": "score"}), E.TD({"class": "parts"})]
    parts = [("length", pair.parts.length), ("anchors", pair.parts.anchors),
             ("lexical", pair.parts.lexical), ("semantic", pair.parts.semantic)]
    return [
        E.TD({"class": "score"}, E.SPAN({"class": "value"}, f"{pair.score:.3f}"),
             E.METER({"value": f"{pair.score:.4f}", "min": "0", "max": "1", "low": f"{min_score:g}",
                      "optimum": "1", "title": f"score {pair.score:.3f}, min score {min_score:g}"})),
        E.TD({"class": "parts"}, *(E.SPAN(f"{name} {value:.2f}") for name, value in parts if value is not None)),
    ]


def bead_row(bead: Bead, pair: Pair | None, result: PairResult, hits: Hits, lexicon: Lexicon, min_score: float):
    """One table row: the bead, both sides, the score and its parts, and badges for what is unusual."""
    if pair is None:
        verdict = "unaligned"
        badges = [E.SPAN({"class": "badge unaligned"}, UNALIGNED_LABELS.get(bead.kind, bead.kind))]
    else:
        verdict = "accepted" if pair.accepted else "rejected"
        badges = [] if pair.accepted else [E.SPAN({"class": "badge rejected"}, "rejected")]
    classes = ["bead", verdict]
    if bead.is_merge:
        classes.append("merge")
        badges.append(E.SPAN({"class": "badge merge"}, f"{bead.kind} merge"))
    attributes = {"class": " ".join(classes), "data-verdict": verdict, "data-bead": str(bead)}
    if pair is not None:
        attributes["data-score"] = f"{pair.score:.4f}"
    return E.TR(attributes,
                E.TD({"class": "bead"}, str(bead), *(item for badge in badges for item in (E.BR(), badge))),
                _side("vi", bead.src, result.src_sentences, hits[0], lexicon),
                _side("en", bead.trg, result.trg_sentences, hits[1], lexicon),
                *_score_cells(pair, min_score))


def term_hits(result: PairResult, lexicon: Lexicon) -> Hits:
    """Each sentence's glossary terms (vi, en), matched when the other side of its bead has the term."""
    src_spans = [lexicon.term_spans(s.text, "vi") for s in result.src_sentences]
    trg_spans = [lexicon.term_spans(s.text, "en") for s in result.trg_sentences]
    src_hits: dict[int, list[TermHit]] = {}
    trg_hits: dict[int, list[TermHit]] = {}
    for bead in result.beads:
        src_side = [span for i in bead.src for span in src_spans[i]]
        trg_side = [span for j in bead.trg for span in trg_spans[j]]
        for i in bead.src:
            src_hits[i] = _hits(src_spans[i], trg_side)
        for j in bead.trg:
            trg_hits[j] = _hits(trg_spans[j], src_side)
    return src_hits, trg_hits


def document_figures(number: int, result: PairResult, hits: Hits) -> DocumentFigures:
    scores = [p.score for p in result.pairs]
    return DocumentFigures(
        number, result.name, len(result.src_sentences), len(result.trg_sentences), len(result.accepted),
        len(result.rejected), result.unaligned, sum(b.is_merge for b in result.beads),
        len(result.beads), sum(scores) / len(scores) if scores else None, sum(len(h) for side in hits for h in side.values()))


def _glossary_list(hits: Hits, lexicon: Lexicon):
    """A folded list of the glossary entries met in the document, with how often and how often matched."""
    counts: dict[str, list[int]] = {}
    for side in hits:
        for sentence_hits in side.values():
            for hit in sentence_hits:
                count = counts.setdefault(_term_title(lexicon, hit.span), [0, 0])
                count[0] += 1
                count[1] += hit.matched
    if not counts:
        return None
    items = [E.LI(f"{title}: {seen} found, {matched} with the term on the other side")
             for title, (seen, matched) in sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))]
    return E.DETAILS(E.SUMMARY(f"Glossary: {len(counts)} entries met"), E.UL(*items))


def _document_heading(figures: DocumentFigures, hits: Hits, lexicon: Lexicon) -> list:
    mean = f"{figures.mean_score:.3f}" if figures.mean_score is not None else "-"
    line = (f"{figures.src_sentences} vi / {figures.trg_sentences} en sentences; {figures.accepted} accepted, "
            f"{figures.rejected} rejected, {figures.unaligned} unaligned sentences, {figures.merges} merges; "
            f"mean score {mean}; {figures.term_hits} glossary terms highlighted")
    heading = [E.H2(f"{figures.number}. {figures.name}"), E.P({"class": "doc-figures"}, line)]
    glossary = _glossary_list(hits, lexicon)
    return heading + ([glossary] if glossary is not None else [])


def _pairs_table_start():
    return E.COLGROUP(E.COL({"class": "bead"}), E.COL({"class": "vi"}), E.COL({"class": "en"}),
                      E.COL({"class": "score"}), E.COL({"class": "parts"})), \
        E.THEAD(E.TR(E.TH("bead"), E.TH("Vietnamese"), E.TH("English"), E.TH("score"), E.TH("parts")))


# --- the page ----------------------------------------------------------------------------------

def _summary_table(summary: "Summary", min_score: float):
    pairs = summary.accepted + summary.rejected
    rows = [
        ("Documents", f"{summary.documents:,}"),
        ("Sentences", f"{summary.src_sentences:,} Vietnamese, {summary.trg_sentences:,} English"),
        ("Pairs", f"{pairs:,}"),
        ("Accepted", f"{summary.accepted:,} (score at least {min_score:g}); {summary.units_written:,} units written"),
        ("Rejected", f"{summary.rejected:,}"),
        ("Unaligned sentences", f"{summary.unaligned:,} (1-0 / 0-1)"),
        ("Mean score", f"{summary.mean_score:.3f} over every pair, accepted or not"),
    ]
    return E.TABLE({"class": "figures", "id": "figures"},
                   *(E.TR({"data-figure": name.lower().replace(" ", "-")}, E.TH(name), E.TD(value))
                     for name, value in rows))


def _filter_form(rows: int, min_score: float):
    return E.FORM(
        {"id": "filter"},
        E.LABEL("Score at least ", E.INPUT({"type": "range", "name": "min-score", "min": "0", "max": "1",
                                            "step": "0.01", "value": "0"}),
                " ", E.OUTPUT({"name": "min-score-value"}, "0.00")),
        E.LABEL(E.INPUT({"type": "checkbox", "name": "accepted", "checked": "checked"}), " accepted"),
        E.LABEL(E.INPUT({"type": "checkbox", "name": "rejected", "checked": "checked"}),
                f" rejected (below {min_score:g})"),
        E.LABEL(E.INPUT({"type": "checkbox", "name": "unaligned", "checked": "checked"}), " unaligned"),
        E.SPAN({"id": "shown"}, f"{rows} rows"))


def _legend():
    return E.P({"class": "legend"},
               E.SPAN(E.SPAN({"class": "badge rejected"}, "rejected"), " scored below the min score, left out"),
               E.SPAN(E.SPAN({"class": "badge unaligned"}, "vi only"), " / ",
                      E.SPAN({"class": "badge unaligned"}, "en only"), " a sentence without counterpart"),
               E.SPAN(E.SPAN({"class": "badge merge"}, "2-1 merge"), " sentences joined (dashed line between)"),
               E.SPAN(E.MARK({"class": "term matched"}, "term"), " glossary term, also on the other side"),
               E.SPAN(E.MARK({"class": "term"}, "term"), " glossary term, not on the other side"))


def _documents_table(documents: Sequence[DocumentFigures]):
    head = E.TR(*(E.TH(name) for name in ("#", "document", "vi", "en", "accepted", "rejected", "unaligned",
                                          "merges", "mean score", "terms")))

    def row(d: DocumentFigures):
        numbers = (d.src_sentences, d.trg_sentences, d.accepted, d.rejected, d.unaligned, d.merges)
        mean = f"{d.mean_score:.3f}" if d.mean_score is not None else "-"
        return E.TR(E.TD({"class": "n"}, str(d.number)), E.TD(E.A({"href": f"#{d.anchor}"}, d.name)),
                    *(E.TD({"class": "n"}, f"{n:,}") for n in numbers), E.TD({"class": "n"}, mean),
                    E.TD({"class": "n"}, f"{d.term_hits:,}"))

    return E.TABLE({"class": "documents"}, E.THEAD(head), E.TBODY(*(row(d) for d in documents)))


def page_head(summary: "Summary"):
    return E.HEAD(E.META(charset="utf-8"),
                  E.META({"http-equiv": "Content-Security-Policy", "content": CONTENT_SECURITY_POLICY}),
                  E.META(name="viewport", content="width=device-width, initial-scale=1"),
                  E.META(name="generator", content=f"align {__version__}"),
                  E.TITLE(f"align report: {summary.documents:,} documents, {summary.accepted:,} pairs accepted"),
                  E.STYLE(STYLE))


def page_header(summary: "Summary", signature: str, min_score: float, documents: Sequence[DocumentFigures]):
    rows = sum(d.beads for d in documents)
    return E.HEADER(
        E.H1("Alignment report"),
        _summary_table(summary, min_score),
        E.DIV({"class": "signature"}, E.P("Settings signature (as in the memory's header):"), E.CODE(signature)),
        E.H2("Documents"), _documents_table(documents), _legend(), _filter_form(rows, min_score))


# --- writing as results come -----------------------------------------------------------------

class HtmlReport:
    """Receives each document's result as the run produces it (`add`), and writes the page when the
    run has succeeded (`finish`); until then nothing exists at `path`. Use it as a context manager
    so a failed run removes the spool."""

    def __init__(self, path: str | Path, lexicon: Lexicon, signature: str, min_score: float):
        if str(path) == STDIN:
            raise ConfigError("--report -: the report is a page to open in a browser, not a stream; give a file "
                              "name (-o - already sends the memory to standard output)")
        self.path = Path(path)
        folder = output_folder(self.path)
        if self.path.is_dir():
            raise InputError("is a folder, expected a file name for the report", str(self.path))
        self.lexicon, self.signature, self.min_score = lexicon, signature, min_score
        self.documents: list[DocumentFigures] = []
        # Unnamed where the system allows it, deleted on close: a killed run leaves nothing behind.
        with self._io_errors():
            self._spool = tempfile.TemporaryFile(dir=folder, prefix=f".{self.path.name}.", suffix=".spool")

    def add(self, result: PairResult) -> None:
        """Write one document's section to the spool, a row at a time."""
        hits = term_hits(result, self.lexicon)
        figures = document_figures(len(self.documents) + 1, result, hits)
        pairs = {pair.bead: pair for pair in result.pairs}
        with self._io_errors(), etree.htmlfile(self._spool, encoding="utf-8") as xf:
            with xf.element("section", {"class": "document", "id": figures.anchor}):
                for element in _document_heading(figures, hits, self.lexicon):
                    xf.write(element)
                with xf.element("table", {"class": "pairs"}):
                    for element in _pairs_table_start():
                        xf.write(element)
                    with xf.element("tbody"):
                        for bead in result.beads:
                            xf.write(bead_row(bead, pairs.get(bead), result, hits, self.lexicon, self.min_score))
        with self._io_errors():
            self._spool.write(b"\n")
        self.documents.append(figures)

    def finish(self, summary: "Summary") -> None:
        """Write the page (head, summary, the spooled documents, script) and rename it into place."""
        with self._io_errors():
            self._write_page(summary)
        self.close()

    def _write_page(self, summary: "Summary") -> None:
        self._spool.flush()
        self._spool.seek(0)
        with atomic_output(self.path) as stream:
            with etree.htmlfile(stream, encoding="utf-8") as xf:
                xf.write_doctype("<!DOCTYPE html>")
                with xf.element("html", lang="en"):
                    xf.write(page_head(summary))
                    with xf.element("body"):
                        xf.write(page_header(summary, self.signature, self.min_score, self.documents))
                        with xf.element("main"):
                            xf.flush()  # everything before the spool is on the stream, in order
                            shutil.copyfileobj(self._spool, stream)
                        xf.write(E.FOOTER(f"Written by align {__version__} on {creation_date('%Y-%m-%d %H:%M UTC')}."))
                        xf.write(E.SCRIPT(SCRIPT))

    @contextlib.contextmanager
    def _io_errors(self) -> Iterator[None]:
        """A full disk or a vanished folder becomes one clear error naming the report."""
        try:
            yield
        except OSError as err:
            raise AlignError(f"cannot write the report: {err.strerror or err}", str(self.path)) from None

    def close(self) -> None:
        self._spool.close()

    def __enter__(self) -> "HtmlReport":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
