"""The one module that wires the stages: pair the files, read, split, align, score, write."""

from __future__ import annotations

import hashlib
import pickle
import sys
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Callable, Iterator, Protocol, Sequence

from align import aligner, quality, scoring
from align.beads import format_beads, parse_beads
from align.config import Settings
from align.extract import decode, extract
from align.files import atomic_output, display_name, read_input, write_atomically
from align.glossary import read_glossary
from align.dictcache import load_dictionary
from align.lexicon import Lexicon, Units, train_translations, translation_units
from align.manifest import Manifest, entry_bytes, pair_key, run_key
from align.model import (CAPTION, HEADING, ITEM, PARAGRAPH, TITLE, AlignError, Bead, ConfigError, DocumentPair,
                         Evidence, FormatError, InputError, Pair, PairResult, Sentence)
from align.normalize import clean_text
from align.parallel import Executor, SerialExecutor
from align.progress import Progress
from align.segment import segment
from align.terms import Unit as TermUnit
from align.tmx import TmxHeader, creation_date, write_tmx

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".txt")


# --- pairing ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pairing:
    """Document pairs found in two inputs, and the files that found no counterpart."""

    pairs: tuple[DocumentPair, ...]
    unpaired: tuple[str, ...]
    from_folders: bool


def _pages_by_stem(folder: Path) -> dict[str, Path]:
    pages: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file() or path.suffix.lower() not in PAGE_SUFFIXES:
            continue
        if path.stem in pages:
            raise InputError(f"two pages share the stem {path.stem!r} ({pages[path.stem].name}, {path.name}); "
                             "pairing by stem needs one", str(folder))
        pages[path.stem] = path
    return pages


def _two_files_or_two_folders(first: str | Path, second: str | Path) -> tuple[Path, Path, bool]:
    """The two paths, and whether they are files (else folders); anything else raises."""
    first, second = Path(first), Path(second)
    for path in (first, second):
        if not path.exists():
            raise InputError("no such file or folder", str(path))
    if first.is_file() and second.is_file():
        return first, second, True
    if not (first.is_dir() and second.is_dir()):
        raise ConfigError(f"{first} and {second}: give two files or two folders, not one of each")
    return first, second, False


def pair_inputs(src: str | Path, trg: str | Path) -> Pairing:
    """Pair two files, or the pages of two folders by file stem (x.html with x.txt)."""
    src, trg, files = _two_files_or_two_folders(src, trg)
    if files:
        return Pairing((DocumentPair(src.stem, str(src), str(trg)),), (), False)
    src_pages, trg_pages = _pages_by_stem(src), _pages_by_stem(trg)
    pairs = tuple(DocumentPair(stem, str(src_pages[stem]), str(trg_pages[stem]))
                  for stem in sorted(src_pages.keys() & trg_pages.keys()))
    unpaired = tuple(str(pages[stem]) for pages, other in ((src_pages, trg_pages), (trg_pages, src_pages))
                     for stem in sorted(pages.keys() - other.keys()))
    if not pairs:
        raise InputError(f"no page has a counterpart in {trg} (pages are paired by file stem)", str(src))
    return Pairing(pairs, unpaired, True)


# --- word lists ---------------------------------------------------------------------------

def load_lexicon(settings: Settings, glossary: str | None = None,
                 dictionary: str | None = None) -> tuple[Lexicon, Settings]:
    """The lexicon for a run, and the settings updated to name the word lists it uses."""
    glossary_list = read_glossary(glossary) if glossary else None
    table, resource = load_dictionary(dictionary, settings.tone_style) if dictionary else ({}, None)
    lexicon = Lexicon.build(glossary_list.terms if glossary_list else (), tone_style=settings.tone_style)
    settings = replace(settings, glossary=glossary_list.resource if glossary_list else None, dictionary=resource,
                       rare_word_weights=settings.rare_word_weights if settings.rare_word_weights is not None
                       else resource is not None)
    return lexicon.with_translations(table), settings


# --- one document pair --------------------------------------------------------------------

def _presegmented(data: bytes, path: str, lang: str, settings: Settings) -> tuple[Sentence, ...]:
    text = decode(data, path, settings.encoding, lang).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    sentences = []
    for number, line in enumerate(lines, start=1):
        cleaned = clean_text(line)
        if not cleaned:
            raise InputError(f"line {number} is empty; --presegmented expects one sentence per line", path)
        sentences.append(Sentence(cleaned, number - 1))
    return tuple(sentences)


def load_sentences(path: str, lang: str, settings: Settings, data: bytes | None = None) -> tuple[Sentence, ...]:
    """The sentences of one page, as `run` and `split` see them (`data`: the page's bytes when the
    caller has them, e.g. shipped to a cluster worker; else read from `path`). Raises InputError."""
    if data is None:
        data = read_input(path)
    if settings.presegmented:
        sentences = _presegmented(data, path, lang, settings)
    else:
        rules = settings.srx.rules_for(lang) if settings.srx else None
        sentences = segment(extract(data, path, lang, settings.encoding), rules)
    if not sentences:
        raise InputError("no sentences found", path)
    for number, sentence in enumerate(sentences, start=1):
        if len(sentence.text) > settings.max_sentence_chars:
            raise InputError(f"sentence {number} is {len(sentence.text):,} characters long (limit "
                             f"{settings.max_sentence_chars:,}); this does not look like prose", path)
    return sentences


def cost_model(src_lengths: list[int], trg_lengths: list[int], settings: Settings,
               lexicon: Lexicon, several_sentences: bool = False) -> scoring.CostModel:
    """The cost model for one document pair: the length ratio is estimated from the pair itself,
    steadied by a prior so that a short page with a deletion does not skew it. Sentence counts
    are compared for --presegmented lines when some line holds `several_sentences`: where every
    line holds one, a count only tells merges apart, which the merge cost prices already."""
    prior_chars = settings.length_ratio_prior_chars
    ratio = (sum(trg_lengths) + settings.length_ratio_prior * prior_chars) / (sum(src_lengths) + prior_chars)
    structured = not settings.presegmented
    return scoring.CostModel(
        length_ratio=ratio, length_variance=settings.length_variance, skip_cost=settings.skip_cost,
        merge_cost=settings.merge_cost, merge22_cost=settings.merge22_cost,
        anchor_match_bonus=settings.anchor_match_bonus, anchor_miss_cost=settings.anchor_miss_cost,
        lexical=scoring.LexicalRates(*settings.lexical_rates) if lexicon.translations else None,
        lexical_weight=settings.lexical_weight,
        block_merge_cost=settings.block_merge_cost if structured else 0.0,
        block_match_bonus=settings.block_match_bonus if structured else 0.0,
        block_mismatch_cost=settings.block_mismatch_cost if structured else 0.0,
        role_mismatch_cost=settings.role_mismatch_cost if structured else 0.0,
        semantic=scoring.SemanticModel(*settings.semantic_prior) if settings.embeddings else None,
        semantic_weight=settings.semantic_weight,
        sentence_counts=scoring.SentenceCounts(*settings.sentence_count_prior)
        if settings.presegmented and several_sentences else None)


ROLES = {TITLE: "title", HEADING: "heading", CAPTION: "caption", PARAGRAPH: "body", ITEM: "body"}


def _evidence(sentences: tuple[Sentence, ...], lang: str, lexicon: Lexicon) -> list[Evidence]:
    """Each sentence's evidence, with its place in the page's structure."""
    evidence = []
    for k, sentence in enumerate(sentences):
        opens = k == 0 or sentence.block != sentences[k - 1].block
        evidence.append(lexicon.evidence(sentence.text, lang, opens, ROLES.get(sentence.kind, "")))
    return evidence


# What a sentence's evidence holds besides the words a lexicon's translations give (`Lexicon.known_words`)
_BARE_FIELDS = tuple(f.name for f in fields(Evidence) if f.name not in ("words", "reach"))


def _hand_on(src: tuple[Sentence, ...], trg: tuple[Sentence, ...], src_evidence: list[Evidence],
             trg_evidence: list[Evidence]) -> bytes:
    """Both sides' sentences, and their evidence without the words a lexicon translates, pickled:
    what self-training's second pass takes over from its first, which had fewer translations,
    instead of reading, splitting and keying the pages again. Pickled as plain values in
    columns, not as objects (3 times as fast), and kept as bytes, so that the run's process hands
    them from one pass's worker to the other's without unpickling and pickling them again."""
    return pickle.dumps([([(s.text, s.block, s.kind) for s in sentences],
                          [[getattr(e, name) for e in evidence] for name in _BARE_FIELDS])
                         for sentences, evidence in ((src, src_evidence), (trg, trg_evidence))],
                        protocol=pickle.HIGHEST_PROTOCOL)


def _take_over(handed_on: bytes, lexicon: Lexicon) -> tuple[tuple[Sentence, ...], tuple[Sentence, ...],
                                                            tuple[list[Evidence], list[Evidence]]]:
    """The sentences and evidence `_hand_on` packed, with this lexicon's words in the evidence:
    what loading the same pages and `_evidence` with this lexicon would give."""
    (src_rows, src_columns), (trg_rows, trg_columns) = pickle.loads(handed_on)
    return (tuple(Sentence(*row) for row in src_rows), tuple(Sentence(*row) for row in trg_rows),
            (_with_known_words(src_columns, "vi", lexicon), _with_known_words(trg_columns, "en", lexicon)))


def _with_known_words(columns: list[list], lang: str, lexicon: Lexicon) -> list[Evidence]:
    evidence = []
    for values in zip(*columns):
        bare = dict(zip(_BARE_FIELDS, values))
        words, reach = lexicon.known_words(bare["keys"], lang)
        evidence.append(Evidence(**bare, words=words, reach=reach))
    return evidence


def _priced(src: tuple[Sentence, ...], trg: tuple[Sentence, ...], settings: Settings, lexicon: Lexicon,
            evidence: tuple[list[Evidence], list[Evidence]] | None = None):
    """What aligning a document pair starts from: each side's evidence (worked out here unless
    given), the cost model, the sentence vectors (with --embeddings, else None) and the table of
    counts the band is priced with."""
    src_evidence, trg_evidence = evidence or (_evidence(src, "vi", lexicon), _evidence(trg, "en", lexicon))
    model = cost_model([e.length for e in src_evidence], [e.length for e in trg_evidence], settings, lexicon,
                       several_sentences=any(e.sentences > 1 for e in src_evidence + trg_evidence))
    vectors = None
    if settings.embeddings:
        from align import semantic  # the optional model is loaded only when asked for
        vectors = (semantic.embed([s.text for s in src]), semantic.embed([t.text for t in trg]))
    return src_evidence, trg_evidence, model, vectors, _feature_table(src_evidence, trg_evidence, vectors, settings)


def _feature_table(src_evidence: list[Evidence], trg_evidence: list[Evidence], vectors,
                   settings: Settings) -> scoring.FeatureTable:
    return scoring.FeatureTable(src_evidence, trg_evidence, vectors, bool(settings.rare_word_weights))


def align_sentences(name: str, src: tuple[Sentence, ...], trg: tuple[Sentence, ...], settings: Settings,
                    lexicon: Lexicon, earlier: Sequence[Bead] | None = None,
                    evidence: tuple[list[Evidence], list[Evidence]] | None = None) -> PairResult:
    """Align two sentence lists and score every pair: a pure function of its inputs.

    Calibration aligns twice, the second time with rates measured on the first alignment and,
    when the run has no table of its own (`Settings.learns_per_document`), with the words the
    first alignment's 1-1 pairs teach added to the lexicon's; `earlier`, an alignment of the
    same sentences from self-training's first pass, stands in for the first of the two.
    `evidence`: both sides' evidence with this lexicon, when the caller has it already. With
    `settings.self_train`, the lexicon is expected to hold the run's learnt table (`run` learns
    it); no table is learnt here."""
    src_evidence, trg_evidence, model, vectors, table = _priced(src, trg, settings, lexicon, evidence)
    pricing = scoring.BandCost(table, model)
    calibrating = (model.lexical is not None or model.semantic is not None) and settings.calibrate
    if calibrating and earlier is not None and _covers(earlier, len(src), len(trg)):
        beads = tuple(earlier)
    else:
        beads = aligner.align(len(src), len(trg), pricing, settings.band)
    if calibrating and model.lexical is not None and settings.learns_per_document:
        # the document's own words, learnt from its first alignment, join the dictionary's
        learnt = Lexicon(tone_style=settings.tone_style).with_translations(train_translations(
            _one_to_one_units(beads, src_evidence, trg_evidence), settings.self_train_min_count, settings.self_train_min_probability))
        if learnt.translations:
            src_evidence = [_with_learnt(e, "vi", learnt) for e in src_evidence]
            trg_evidence = [_with_learnt(e, "en", learnt) for e in trg_evidence]
            table = _feature_table(src_evidence, trg_evidence, vectors, settings)
    if calibrating:
        if model.sentence_counts is not None:
            model = replace(model, sentence_counts=scoring.estimate_sentence_counts(
                src_evidence, trg_evidence, beads, model.sentence_counts))
        if model.lexical is not None:
            model = replace(model, lexical=scoring.estimate_rates(src_evidence, trg_evidence, beads, model.lexical))
        if model.semantic is not None:
            model = replace(model, semantic=scoring.estimate_semantic(*vectors, pricing.baselines, beads, model.semantic))
        beads = aligner.align(len(src), len(trg), scoring.BandCost(table, model), settings.guided_band, guide=beads)
    pairs = []
    for bead in beads:
        if not (bead.src and bead.trg):
            continue
        margin = scoring.bead_margin(vectors, pricing.baselines, bead) if model.semantic is not None else None
        score, parts = scoring.score_bead([src_evidence[i] for i in bead.src], [trg_evidence[j] for j in bead.trg],
                                          model, bool(lexicon.translations), margin)
        pairs.append(Pair(name, bead, " ".join(src[i].text for i in bead.src),
                          " ".join(trg[j].text for j in bead.trg), score, parts,
                          scoring.accept(score, settings.min_score)))
    return PairResult(name, src, trg, beads, tuple(pairs))


def _with_learnt(evidence: Evidence, lang: str, learnt: Lexicon) -> Evidence:
    """A sentence's evidence with the words a learnt table translates added: as the lexicon with
    the table added would give it, without keying the sentence against the whole dictionary again."""
    words, reach = learnt.known_words(evidence.keys, lang)
    if not words:
        return evidence
    return replace(evidence, words=evidence.words | words, reach=evidence.reach | reach)


def _covers(beads: Sequence[Bead], n_src: int, n_trg: int) -> bool:
    return sum(len(b.src) for b in beads) == n_src and sum(len(b.trg) for b in beads) == n_trg


def _pair_texts(pair: DocumentPair, texts: tuple[bytes, bytes] | None) -> tuple[bytes, bytes]:
    """The two pages' bytes: `texts` if given, else read from the pair's paths."""
    return texts or (read_input(pair.src_path), read_input(pair.trg_path))


def _load_pair(pair: DocumentPair, settings: Settings,
               texts: tuple[bytes, bytes] | None) -> tuple[tuple[Sentence, ...], tuple[Sentence, ...]]:
    return (load_sentences(pair.src_path, settings.src_lang, settings, texts[0] if texts else None),
            load_sentences(pair.trg_path, settings.trg_lang, settings, texts[1] if texts else None))


def align_pair(pair: DocumentPair, settings: Settings, lexicon: Lexicon,
               texts: tuple[bytes, bytes] | None = None, earlier: Earlier | None = None) -> PairResult:
    """Read (unless the two pages' bytes are given), split and align one document pair; with
    what self-training's first pass found in the same two pages (`earlier`, ignored if the pages
    have changed since), without splitting and keying them again."""
    if earlier is not None:
        texts = _pair_texts(pair, texts)
        if earlier.pages == _pages_digest(texts):
            src, trg, evidence = _take_over(earlier.found, lexicon)
            return align_sentences(pair.name, src, trg, settings, lexicon, earlier.beads, evidence)
    return align_sentences(pair.name, *_load_pair(pair, settings, texts), settings, lexicon)


def first_pass(pair: DocumentPair, settings: Settings, lexicon: Lexicon,
               texts: tuple[bytes, bytes] | None = None) -> "FirstPass":
    """Self-training's first pass over one document pair: the alignment `align_pair` would give
    without calibration, the translation units of its 1-1 sentence pairs, from the word keys
    the sentences' evidence already holds (worked out where the pair is aligned, so a pool's
    workers share the work), and what the second pass takes over: the beads only when they had
    word evidence (see `self_trained`); no pair is scored, since none is written."""
    texts = _pair_texts(pair, texts)
    src, trg = _load_pair(pair, settings, texts)
    src_evidence, trg_evidence, model, _, table = _priced(src, trg, settings, lexicon)
    beads = aligner.align(len(src), len(trg), scoring.BandCost(table, model), settings.band)
    return FirstPass(_one_to_one_units(beads, src_evidence, trg_evidence),
                     Earlier(_pages_digest(texts), _hand_on(src, trg, src_evidence, trg_evidence),
                             beads if lexicon.translations else None))


def _pages_digest(texts: tuple[bytes, bytes]) -> bytes:
    """A digest of a pair's two pages, to tell whether they changed between the two passes."""
    digest = hashlib.blake2b(digest_size=16)
    for text in texts:
        digest.update(len(text).to_bytes(8, "big"))
        digest.update(text)
    return digest.digest()


def _one_to_one_units(beads: Sequence[Bead], src_evidence: Sequence[Evidence],
                      trg_evidence: Sequence[Evidence]) -> tuple[Units, ...]:
    """The translation units of an alignment's 1-1 sentence pairs, from the word keys their evidence holds."""
    return tuple(translation_units(src_evidence[b.src[0]].keys, trg_evidence[b.trg[0]].keys)
                 for b in beads if b.kind == "1-1")



# --- one pair as a task for an executor (in this process, a worker process or a Dask worker) --

@dataclass(frozen=True)
class Earlier:
    """What self-training's first pass hands the second about one document pair: a digest of
    the two pages it read (the second pass takes nothing over if they have changed since), their
    sentences and evidence without its words (`_hand_on`), and the beads when the second pass
    may calibrate on them (None: it aligns afresh)."""

    pages: bytes  # `_pages_digest` of the pages' bytes
    found: bytes
    beads: tuple[Bead, ...] | None = None


@dataclass(frozen=True)
class Stage:
    """What the jobs of one pass over the pairs add to the run's Context. Sent with each job, not
    in the Context, so that the workers started for self-training's first pass, which hold the
    run's lexicon, go on to the second (a new pool's start cost 0.12-0.3 s on two cores)."""

    first_pass: bool = False  # only what self-training needs: the 1-1 sentence pairs learnt from, and an Earlier
    learnt: bytes = b""  # the table self-training learnt, pickled: added to the context's lexicon
    run_key: str = ""  # manifest.run_key of the settings and the lexicon the pass aligns with


@dataclass(frozen=True)
class Job:
    """One document pair to align; `texts` are its pages' bytes when shipped to a worker that
    cannot read the paths, `stored_key` the key of the result a resumed run already holds,
    `earlier` what self-training's first pass found in it."""

    pair: DocumentPair
    texts: tuple[bytes, bytes] | None = None
    stored_key: str | None = None
    earlier: Earlier | None = None
    stage: Stage = Stage()


@dataclass(frozen=True)
class Context:
    """What every job of a run shares, sent to each worker once."""

    settings: Settings
    lexicon: Lexicon
    keep_going: bool = False


@dataclass(frozen=True)
class Aligned:
    """A pair's result and its key; result None when it equals the stored one (same key).
    `entry`: the result encoded for the manifest, when the run keeps one."""

    result: PairResult | None
    key: str
    entry: bytes | None = None


@dataclass(frozen=True)
class FirstPass:
    """What self-training's first pass keeps of a pair: the translation units of the 1-1
    sentence pairs it learns from, and what it hands the second pass."""

    learnt: tuple[Units, ...]
    earlier: Earlier


@dataclass(frozen=True)
class PairFailure:
    """A document pair that could not be aligned, and why."""

    pair: DocumentPair
    error: str  # the exception's class name
    problem: str
    where: str | None = None

    @classmethod
    def of(cls, pair: DocumentPair, err: Exception) -> "PairFailure":
        if isinstance(err, AlignError):
            return cls(pair, type(err).__name__, err.problem, err.where)
        return cls(pair, type(err).__name__, f"{type(err).__name__}: {err}")

    def exception(self) -> AlignError:
        """The error to raise when failures stop the run."""
        kind = {"InputError": InputError, "FormatError": FormatError, "ConfigError": ConfigError}.get(
            self.error, AlignError)
        return kind(self.problem, self.where)

    def describe(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"document {self.pair.name} ({self.pair.src_path}, {self.pair.trg_path}): {where}{self.problem}"


def attempt(job: Job, context: Context) -> Aligned | PairFailure | FirstPass:
    """Align one pair: its result (or, on a first pass, what self-training takes from it); an
    error with its input becomes a PairFailure (any error, with keep_going), so a worker never dies of it."""
    pair, stage = job.pair, job.stage
    try:
        texts = _pair_texts(pair, job.texts)
        lexicon = _with_learnt_table(context.lexicon, stage.learnt)
        if stage.first_pass:
            return first_pass(pair, context.settings, lexicon, texts)
        key = pair_key(stage.run_key, pair.name, *texts) if stage.run_key else ""  # "": no manifest
        if job.stored_key is not None and key == job.stored_key:
            return Aligned(None, key)
        result = align_pair(pair, context.settings, lexicon, texts, job.earlier)
        return Aligned(result, key, entry_bytes(key, result) if stage.run_key else None)
    except AlignError as err:
        return PairFailure.of(pair, err)
    except Exception as err:  # a bug or a pathological page: only the pair is lost, with --keep-going
        if not context.keep_going:
            raise
        return PairFailure.of(pair, err)


_last_learnt: tuple[Lexicon, bytes, Lexicon] | None = None  # the context's lexicon, a table, the two together


def _with_learnt_table(lexicon: Lexicon, learnt: bytes) -> Lexicon:
    """The lexicon plus a pickled learnt table (`Stage.learnt`), worked out once in each process
    for the jobs of a pass, which all carry the same table."""
    global _last_learnt
    if not learnt:
        return lexicon
    if _last_learnt is None or _last_learnt[0] is not lexicon or _last_learnt[1] != learnt:
        _last_learnt = (lexicon, learnt, lexicon.with_translations(pickle.loads(learnt)))
    return _last_learnt[2]


def _jobs(pairs: Sequence[DocumentPair], executor: Executor, stage: Stage, manifest: Manifest | None = None,
          earlier: Sequence[Earlier | None] = ()) -> Iterator[Job]:
    for number, pair in enumerate(pairs):
        texts = None
        if executor.ships_text:
            try:
                texts = _pair_texts(pair, None)
            except InputError:
                pass  # the worker tries the paths, and reports the pair as failed if it cannot read them
        yield Job(pair, texts, manifest.stored_key(pair) if manifest else None,
                  earlier[number] if number < len(earlier) else None, stage)


def self_trained(pairs: Sequence[DocumentPair], settings: Settings, lexicon: Lexicon, executor: Executor | None = None,
                 keep_going: bool = False,
                 progress: Progress | None = None) -> "SelfTrained":
    """Word translations learnt from a first alignment of the pairs of the run, in input order
    until `self_train_pairs` sentence pairs are found or the next would take the word pair
    occurrences past `self_train_occurrences` (pairs that fail are skipped with keep_going), so
    the table is the same however the work is spread; the lexicon with them; and what the first
    pass hands the second, one entry per pair it reached (None for a pair that failed).

    The first alignment is not calibrated. When it had word evidence (a --dictionary), the
    second pass calibrates on it instead of aligning twice, so self-training costs one alignment
    more, not two; without, it is too rough for that (length and anchors only), and only its
    sentences and evidence are handed on. `progress` counts the first pass's pairs as a phase
    of its own, with no total (it stops once it has enough), and is restarted for the run's
    documents once the first pass ends. The executor's workers are given `Context(settings,
    lexicon, keep_going)`, the context `run` gives the second pass, so a pool may go on to it."""
    executor = executor or SerialExecutor()
    earlier: list[Earlier | None] = []

    def learn_from() -> Iterator[Units]:
        """The units learnt from, as the first pass finds them: Model 1 lays out each pair's words
        while the workers align the next pairs, not all of them after the last."""
        if progress:
            progress.restart(None, "self-training, first pass")
        learnt = occurrences = 0  # Model 1's memory grows with the occurrences, not with the pairs
        outcomes = executor.map(attempt, _jobs(pairs, executor, Stage(first_pass=True)),
                                Context(settings, lexicon, keep_going))
        try:
            for outcome in outcomes:
                if progress:
                    progress.advance(pairs=0 if isinstance(outcome, PairFailure) else len(outcome.learnt))
                if isinstance(outcome, PairFailure):
                    if not keep_going:
                        raise outcome.exception()
                    earlier.append(None)
                    continue
                full = False
                for units in outcome.learnt:
                    size = len(units[0]) * len(units[1])
                    full = learnt == settings.self_train_pairs or occurrences + size > settings.self_train_occurrences
                    if full:
                        break
                    yield units
                    learnt, occurrences = learnt + 1, occurrences + size
                earlier.append(outcome.earlier)
                if full or learnt >= settings.self_train_pairs:
                    break
        finally:
            outcomes.close()  # stops the workers still busy on pairs that are not needed
        if progress:
            progress.restart(len(pairs))

    table = train_translations(learn_from(), settings.self_train_min_count, settings.self_train_min_probability)
    return SelfTrained(table, lexicon.with_translations(table), tuple(earlier))


@dataclass(frozen=True)
class SelfTrained:
    """What self-training's first pass leaves the second: the table it learnt, the lexicon with
    the table added, and what it found in each pair it reached (None for a pair that failed)."""

    table: dict[str, frozenset[str]]
    lexicon: Lexicon
    earlier: tuple[Earlier | None, ...]


def run(pairs: Sequence[DocumentPair], settings: Settings, lexicon: Lexicon, executor: Executor | None = None,
        failed: Callable[[PairFailure], None] | None = None, manifest: Manifest | None = None,
        progress: Progress | None = None) -> Iterator[PairResult]:
    """Each pair's result, in input order; with self-training, after a first pass over them.

    `executor` spreads the pairs (default: this process); with `failed`, a pair that cannot be
    aligned is passed to it and skipped, else its error stops the run. With a `manifest`, results
    are kept as they come, and results it already holds for unchanged pairs are reused. With
    self-training, `progress` shows the first pass (the caller counts the results yielded)."""
    executor = executor or SerialExecutor()
    keep_going = failed is not None
    context = Context(settings, lexicon, keep_going)  # the same for both passes: a pool's workers go on
    stage, earlier = Stage(), ()
    if settings.self_train:
        trained = self_trained(pairs, settings, lexicon, executor, keep_going, progress)
        lexicon, earlier = trained.lexicon, trained.earlier
        stage = Stage(learnt=pickle.dumps(trained.table, protocol=pickle.HIGHEST_PROTOCOL))
    if manifest:
        stage = replace(stage, run_key=run_key(settings.signature(), lexicon))
    outcomes = executor.map(attempt, _jobs(pairs, executor, stage, manifest, earlier), context)
    try:
        for number, (pair, outcome) in enumerate(zip(pairs, outcomes)):
            if isinstance(outcome, Aligned) and outcome.result is None:
                result = manifest.load(pair, outcome.key) if manifest else None
                if result is None:  # the entry went bad since its key was read: align here, as the job would have
                    outcome = attempt(Job(pair, earlier=earlier[number] if number < len(earlier) else None,
                                          stage=stage), context)
            if isinstance(outcome, PairFailure):
                if not keep_going:
                    raise outcome.exception()
                failed(outcome)
                continue
            if outcome.result is not None:
                result = outcome.result
                if manifest:
                    manifest.save(pair, outcome.entry or entry_bytes(outcome.key, result))
            yield result
    finally:
        outcomes.close()


# --- a whole run to files -----------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    documents: int
    src_sentences: int
    trg_sentences: int
    accepted: int
    rejected: int
    unaligned: int
    mean_score: float  # over every scored pair, accepted or not
    seconds: float
    units_written: int
    failed: int = 0  # document pairs skipped with keep-going
    resumed: int = 0  # document pairs whose result a previous, interrupted run had kept


class ResultSink(Protocol):
    """Something that follows a run (the HTML report): each pair's result in input order, then the summary."""

    def add(self, result: PairResult) -> None: ...

    def finish(self, summary: Summary) -> None: ...


def run_to_files(pairing: Pairing, settings: Settings, lexicon: Lexicon, output: str,
                 beads: str | None = None, progress: Progress | None = None, executor: Executor | None = None,
                 failed: Callable[[PairFailure], None] | None = None, resume: bool = False,
                 report: ResultSink | None = None) -> Summary:
    """Align every pair, stream accepted pairs to a TMX at `output` ('-' for stdout) and, if
    asked, bead files and a report; nothing is left behind at `output`, `beads` or the report
    unless the whole run succeeds.

    Finished pairs are kept in a manifest beside `output` until the run succeeds, so that a run
    interrupted and started again with `resume` skips them; `executor` and `failed`: see `run`."""
    started = time.perf_counter()
    totals = dict(src=0, trg=0, accepted=0, rejected=0, unaligned=0, score=0.0, pairs=0, failed=0)
    bead_texts: list[tuple[str, str]] = []
    if resume and output == "-":
        raise ConfigError("--resume keeps finished pairs beside the output file; it cannot with standard output")
    manifest: Manifest | None = None  # made once the output's folder is known to exist

    def skip(failure: PairFailure) -> None:
        totals["failed"] += 1
        if progress:
            progress.advance()
        if failed:
            failed(failure)

    def accepted_pairs() -> Iterator[Pair]:
        for result in run(pairing.pairs, settings, lexicon, executor, skip if failed else None, manifest, progress):
            totals["src"] += len(result.src_sentences)
            totals["trg"] += len(result.trg_sentences)
            totals["accepted"] += len(result.accepted)
            totals["rejected"] += len(result.rejected)
            totals["unaligned"] += result.unaligned
            totals["score"] += sum(p.score for p in result.pairs)
            totals["pairs"] += len(result.pairs)
            if beads:
                bead_texts.append((result.name, format_beads(result.beads)))
            if report is not None:
                report.add(result)
            if progress:
                progress.advance(pairs=len(result.accepted))
            yield from result.accepted

    header = TmxHeader(settings.src_lang, settings.trg_lang, settings.signature(), creation_date())
    if beads and pairing.from_folders and Path(beads).exists() and not Path(beads).is_dir():
        raise ConfigError(f"--beads {beads}: aligning folders writes one file per pair, so this must be a folder")

    def summary(written: int) -> Summary:
        return Summary(len(pairing.pairs), totals["src"], totals["trg"], totals["accepted"], totals["rejected"],
                       totals["unaligned"], totals["score"] / totals["pairs"] if totals["pairs"] else 0.0,
                       time.perf_counter() - started, written, totals["failed"], manifest.reused if manifest else 0)

    if output == "-":
        written = write_tmx(sys.stdout.buffer, accepted_pairs(), header)
        if beads:
            _write_beads(beads, bead_texts, pairing.from_folders)
        if report is not None:
            report.finish(summary(written))
    else:
        try:
            with atomic_output(output) as stream:
                manifest = Manifest(output, resume)
                written = write_tmx(stream, accepted_pairs(), header)
                if beads:  # before the TMX is renamed into place: a failure here leaves neither
                    _write_beads(beads, bead_texts, pairing.from_folders)
                if report is not None:  # inside too: a failing report leaves no memory either
                    report.finish(summary(written))
        except (InputError, FormatError, ConfigError):  # bad input stops the run cleanly; interrupted
            # runs (Ctrl-C, a kill, a worker lost) keep their finished pairs for --resume
            if manifest:
                manifest.remove()
            raise
        manifest.remove()
    return summary(written)


def _write_beads(target: str, bead_texts: list[tuple[str, str]], one_file_per_pair: bool) -> None:
    if not one_file_per_pair:
        if not bead_texts:  # the one pair failed (--keep-going): no alignment to write
            return
        write_atomically(target, bead_texts[0][1].encode("utf-8"))
        return
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in bead_texts:
        write_atomically(folder / f"{name}.beads", text.encode("utf-8"))


# --- scoring an alignment against gold ----------------------------------------------------

@dataclass(frozen=True)
class ScoreReport:
    """Quality of test beads against gold: pooled over documents (micro-average) and per document."""

    overall: quality.Quality
    documents: tuple[tuple[str, quality.Quality], ...]


def _read_beads(path: Path):
    data = read_input(path)
    try:
        return parse_beads(data.decode("utf-8"), str(path))
    except UnicodeDecodeError:
        raise InputError("bead file is not UTF-8 text", str(path)) from None


def score_alignments(gold: str | Path, test: str | Path) -> ScoreReport:
    """Compare two bead files, or two folders of <stem>.beads files paired by stem."""
    gold, test, files = _two_files_or_two_folders(gold, test)
    if files:
        result = quality.compare(_read_beads(gold), _read_beads(test))
        return ScoreReport(result, ((gold.stem, result),))
    stems = sorted(p.stem for p in gold.glob("*.beads"))
    if not stems:
        raise InputError("no .beads files in the gold folder", str(gold))
    documents = []
    for stem in stems:
        if not (test / f"{stem}.beads").is_file():
            raise InputError(f"no {stem}.beads to compare with the gold file", str(test))
        documents.append((stem, quality.compare(_read_beads(gold / f"{stem}.beads"),
                                                _read_beads(test / f"{stem}.beads"))))
    overall = documents[0][1]
    for _, result in documents[1:]:
        overall = overall + result
    return ScoreReport(overall, tuple(documents))


# --- units of a memory, for the glossary tools --------------------------------------------

def memory_units(path: str, src_lang: str = "vi", trg_lang: str = "en") -> list[TermUnit]:
    """The units of a TMX ('-': standard input) that have both languages, labelled by document and
    bead when `run` wrote them ('doc#[3]:[4]'), else by their number in the file ('unit 12')."""
    from align.tmxtools import open_memory  # the glossary tools' need: `run` and its workers never load it
    units = []
    _, items = open_memory(path, keep_xml=False)
    for number, item in enumerate(items, start=1):
        src, trg = item.text(src_lang), item.text(trg_lang)
        if src is None or trg is None:
            continue
        document, bead = item.prop("x-document"), item.prop("x-bead")
        label = f"{document}#{bead}" if document and bead else f"unit {number}"
        units.append(TermUnit(clean_text(src), clean_text(trg), label))
    if not units:
        raise InputError(f"no unit has both {src_lang} and {trg_lang} text", display_name(path))
    return units
