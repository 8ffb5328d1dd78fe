"""Translation quality of test sets: sacrebleu's BLEU, chrF and TER with their signatures,
per-segment and per-document scores, paired bootstrap significance, and term accuracy.

Every score comes from sacrebleu's own metric classes, built with the arguments its command
line passes them, so scores and signatures are the ones `sacrebleu REF -i HYP` prints. Each
system's segment statistics are extracted once (as sacrebleu's `corpus_score` and its
significance tests do) and summed per corpus and per document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from align.model import ConfigError, Term
from align.testset import TestSet

METRICS = ("bleu", "chrf", "ter")
DEFAULT_SEED = 12345  # sacrebleu's own default (SACREBLEU_SEED)
DEFAULT_RESAMPLES = 1000  # sacrebleu's --paired-bs-n default
# BLEU tokenizers that fetch a SentencePiece model from the network on first use: refused,
# because align never downloads at run time.
DOWNLOADING_TOKENIZERS = ("spm", "flores101", "flores200", "spBLEU-1K")
OFFLINE_TOKENIZERS = ("13a", "intl", "zh", "char", "none", "ja-mecab", "ko-mecab")


@dataclass(frozen=True)
class MetricOptions:
    """sacrebleu's metric arguments, named as its command line names them (defaults are its own)."""

    tokenize: str | None = None  # BLEU; None: 13a
    lowercase: bool = False  # BLEU only, as sacrebleu's --lowercase
    smooth_method: str = "exp"
    smooth_value: float | None = None
    force: bool = False
    chrf_char_order: int = 6
    chrf_word_order: int = 0  # 2 is chrF++
    chrf_beta: int = 2
    chrf_whitespace: bool = False
    chrf_lowercase: bool = False
    chrf_eps_smoothing: bool = False
    ter_case_sensitive: bool = False
    ter_asian_support: bool = False
    ter_no_punct: bool = False
    ter_normalized: bool = False

    def arguments(self, metric: str, sentence_level: bool = False) -> dict:
        """The keyword arguments sacrebleu's command line gives the metric class."""
        if metric == "bleu":
            arguments = {"tokenize": self.tokenize, "lowercase": self.lowercase, "force": self.force,
                         "smooth_method": self.smooth_method, "smooth_value": self.smooth_value}
            if sentence_level:
                arguments["effective_order"] = True  # what `sacrebleu --sentence-level` uses
            return arguments
        prefix = f"{metric}_"
        return {name[len(prefix):]: value for name, value in self.__dict__.items() if name.startswith(prefix)}


def parse_metrics(text: str) -> tuple[str, ...]:
    """'bleu,chrf' -> ('bleu', 'chrf'), in the given order, each once."""
    names = []
    for name in (part.strip().lower() for part in text.split(",")):
        if name not in METRICS:
            raise ConfigError(f"unknown metric '{name}'; choose from {', '.join(METRICS)} (comma-separated)")
        if name not in names:
            names.append(name)
    if not names:
        raise ConfigError("no metric given")
    return tuple(names)


def build_metric(name: str, options: MetricOptions, references, sentence_level: bool = False):
    """A sacrebleu metric object, references cached when given. Raises ConfigError for a
    tokenizer that would download a model or needs a missing package."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    if name == "bleu" and options.tokenize is not None:
        if options.tokenize in DOWNLOADING_TOKENIZERS:
            raise ConfigError(f"--tokenize {options.tokenize} downloads a SentencePiece model at run time, which "
                              f"align never does; use one of {', '.join(OFFLINE_TOKENIZERS)}")
        if options.tokenize not in BLEU.TOKENIZERS:
            raise ConfigError(f"unknown BLEU tokenizer '{options.tokenize}'; "
                              f"choose from {', '.join(OFFLINE_TOKENIZERS)}")
    kind = {"bleu": BLEU, "chrf": CHRF, "ter": TER}[name]
    try:
        return kind(references=references, **options.arguments(name, sentence_level))
    except (ImportError, RuntimeError) as err:  # ja-mecab / ko-mecab without their packages
        raise ConfigError(f"--tokenize {options.tokenize}: {str(err).strip().splitlines()[0]}") from None
    except AssertionError:  # sacrebleu checks its smoothing method with assert
        raise ConfigError(f"unknown smoothing method '{options.smooth_method}'") from None


@dataclass(frozen=True)
class Score:
    """One metric's score (0..100; higher is better, except TER) with sacrebleu's name and signature."""

    name: str  # "BLEU", "chrF2", "chrF2++", "TER"
    score: float
    signature: str
    verbose: str = ""  # BLEU: n-gram precisions, brevity penalty, lengths


@dataclass(frozen=True)
class DocumentScores:
    document: str
    segments: int
    scores: tuple[Score, ...]


@dataclass(frozen=True)
class Significance:
    """Paired bootstrap result of one metric: the bootstrap mean and 95% confidence half-width,
    and the p-value of the difference to the baseline (None for the baseline itself)."""

    mean: float
    ci: float
    p_value: float | None


@dataclass(frozen=True)
class TermMiss:
    """A segment whose source has a glossary term and whose hypothesis has none of its translations."""

    segment: int  # line number in the hypothesis file
    term: str
    expected: tuple[str, ...]
    used: str | None  # the English most likely used instead, when something looks like it


@dataclass(frozen=True)
class TermAccuracy:
    """Glossary terms in the sources and how many the hypothesis translates as the glossary says."""

    glossary: str  # name@sha256(entries), as the memory header names a glossary
    occurrences: int  # (segment, term) pairs whose source has the term
    correct: int
    misses: tuple[TermMiss, ...]

    @property
    def rate(self) -> float | None:
        """0..1, higher is better; None when no source has a term."""
        return self.correct / self.occurrences if self.occurrences else None


@dataclass(frozen=True)
class SystemResult:
    name: str
    scores: tuple[Score, ...]
    documents: tuple[DocumentScores, ...] = ()
    segments: tuple[tuple[float, ...], ...] = ()  # per segment, one score per metric
    significance: tuple[Significance, ...] = ()  # per metric, with more than one system
    terms: TermAccuracy | None = None


@dataclass(frozen=True)
class Bootstrap:
    """How significance was tested: sacrebleu's paired bootstrap resampling against `baseline`."""

    resamples: int
    seed: int
    baseline: str


@dataclass(frozen=True)
class Evaluation:
    test_set: TestSet
    systems: tuple[SystemResult, ...]
    segment_signatures: tuple[tuple[str, str], ...] = ()  # (name, signature) of each per-segment score
    bootstrap: Bootstrap | None = None  # with several systems


def _statistics(metric, hypotheses: Sequence[str]) -> list:
    # The same two calls sacrebleu's corpus_score makes; kept apart so that documents and
    # the corpus are summed from one extraction.
    return metric._extract_corpus_statistics(hypotheses, None)


def _score(metric, statistics: list, bootstrap: Bootstrap | None = None) -> Score:
    result = metric._aggregate_and_compute(statistics)
    signature = metric.get_signature()
    if bootstrap is not None:  # as sacrebleu's paired test signs its scores
        signature.update("seed", str(bootstrap.seed))
        signature.update("bs", bootstrap.resamples)
    return Score(result.name, result.score, signature.format(), getattr(result, "_verbose", ""))


def _by_document(documents: Sequence[str]) -> dict[str, list[int]]:
    """Segment indices of each document, documents in order of first appearance."""
    groups: dict[str, list[int]] = {}
    for index, document in enumerate(documents):
        groups.setdefault(document, []).append(index)
    return groups


def term_accuracy(sources: Sequence[str], hypotheses: Sequence[str], lines: Sequence[int],
                  glossary: Iterable[Term], glossary_name: str) -> TermAccuracy:
    """For every segment whose source has a glossary term, whether the hypothesis has one of
    its translations; terms matched as `align glossary check` matches them (tone marks, case,
    English plural and possessive folded; the longest term at a place wins)."""
    from align import terms

    units = [terms.Unit(src, hyp, str(line)) for src, hyp, line in zip(sources, hypotheses, lines)]
    report = terms.check(units, list(glossary))
    misses = tuple(TermMiss(int(f.unit.label), f.term.vi, f.expected, f.used) for f in report.findings)
    occurrences = sum(t.units for t in report.terms)
    return TermAccuracy(glossary_name, occurrences, occurrences - len(misses), misses)


def paired_bootstrap(metrics: dict, statistics: list[dict[str, list]], resamples: int,
                     seed: int) -> list[list[Significance]]:
    """sacrebleu's paired bootstrap resampling (its `--paired-bs`, Koehn 2004) of every system
    against the first, from each system's segment statistics (`statistics[system][metric]`):
    for each system one Significance per metric, in `metrics` order.

    The steps are sacrebleu's own, so the numbers are the ones its command line prints with
    SACREBLEU_SEED=seed: one draw of `resamples` x segments indices from numpy's generator
    (the same draw for every system), float32 statistics summed per resample, the mean and
    the 95% interval of the resampled scores (`sacrebleu.significance.estimate_ci`), and
    p = (resamples whose centred |difference| exceeds the actual one + 1) / (resamples + 1).
    Working from statistics already extracted spares sacrebleu's second pass over every system.
    """
    import numpy as np
    from sacrebleu.significance import estimate_ci

    segments = len(next(iter(statistics[0].values())))
    draws = np.random.default_rng(seed).choice(segments, size=(resamples, segments), replace=True)
    results: list[list[Significance]] = [[] for _ in statistics]
    for name, metric in metrics.items():
        resampled, actual = [], []
        for system in statistics:
            stats = np.array(system[name], dtype="float32")
            resampled.append(np.array([metric._compute_score_from_stats(stats[draw].sum(0)).score for draw in draws]))
            actual.append(metric._aggregate_and_compute(system[name]).score)
        for number, scores in enumerate(resampled):
            mean, ci = estimate_ci(scores)
            p_value = None
            if number:
                differences = np.abs(scores - resampled[0])
                centred = differences - differences.mean()
                p_value = (int(np.sum(centred > abs(actual[0] - actual[number]))) + 1) / (resamples + 1)
            results[number].append(Significance(float(mean), float(ci), p_value))
    return results


def _system_result(system, statistics: dict[str, list], test_set: TestSet, metrics: dict, sentence_metrics: dict,
                   bootstrap: Bootstrap | None, significance: list[Significance], glossary,
                   glossary_name: str) -> SystemResult:
    """One system's corpus, document and segment scores and its term accuracy."""
    groups = _by_document(test_set.documents) if test_set.documents else {}
    scores, documents = [], {document: [] for document in groups}
    for name, metric in metrics.items():
        scores.append(_score(metric, statistics[name], bootstrap))
        for document, indices in groups.items():
            documents[document].append(_score(metric, [statistics[name][i] for i in indices]))
    # each segment's score from the statistics the corpus score was made of: extracting them again
    # (sentence_score) would read every reference once more and, for TER, redo the edit distances
    segments = tuple(zip(*([metric._compute_score_from_stats(stats).score for stats in statistics[name]]
                           for name, metric in sentence_metrics.items()))) if sentence_metrics else ()
    accuracy = None
    if glossary is not None:
        accuracy = term_accuracy(test_set.sources, system.lines, test_set.lines, glossary, glossary_name)
    return SystemResult(system.name, tuple(scores),
                        tuple(DocumentScores(d, len(groups[d]), tuple(s)) for d, s in documents.items()),
                        segments, tuple(significance), accuracy)


def evaluate(test_set: TestSet, metric_names: Sequence[str] = METRICS, options: MetricOptions = MetricOptions(),
             per_segment: bool = False, glossary: Sequence[Term] | None = None, glossary_name: str = "",
             resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> Evaluation:
    """Score every system of `test_set`: corpus scores, per document when documents are known,
    per segment on request, term accuracy with a glossary (needs sources), and with several
    systems paired bootstrap significance against the first."""
    if glossary is not None and test_set.sources is None:
        raise ConfigError("term accuracy needs the source segments: give --src S.txt, or a TMX reference")
    references = [list(stream) for stream in test_set.references]
    metrics = {name: build_metric(name, options, references) for name in metric_names}
    sentence_metrics = {name: build_metric(name, options, references, sentence_level=True) if name == "bleu"
                        else metric for name, metric in metrics.items()} if per_segment else {}
    statistics = [{name: _statistics(metric, system.lines) for name, metric in metrics.items()}
                  for system in test_set.systems]
    bootstrap = None
    significances: list[list[Significance]] = [[] for _ in test_set.systems]
    if len(test_set.systems) > 1:
        bootstrap = Bootstrap(resamples, seed, test_set.systems[0].name)
        significances = paired_bootstrap(metrics, statistics, resamples, seed)
    results = tuple(_system_result(*parts, test_set, metrics, sentence_metrics, bootstrap, significance,
                                   glossary, glossary_name)
                    for *parts, significance in zip(test_set.systems, statistics, significances))
    segment_signatures = tuple((score.name, metric.get_signature().format())
                               for score, metric in zip(results[0].scores, sentence_metrics.values()))
    return Evaluation(test_set, results, segment_signatures, bootstrap)
