"""How good a bead looks: its cost for the aligner and its 0..1 score for the user.

Measure first, decide after: `score_bead` only measures; `accept` applies a threshold, so a
threshold can change without scoring again.

The cost of a bead is a sum of negative log-odds (lower is better): a Gale-Church length
term, a prior for its shape, evidence counted word by word (each word whose translation is,
or is not, on the other side is a log-likelihood ratio; shared numbers, names and glossary
terms), page structure, and for lines that may hold several sentences whether both sides
hold as many. Counts are taken once per sentence pair inside the search band,
and once against each merged pair of sentences, so that every bead shape is priced exactly
and a whole band at a time.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from align.model import Bead, Evidence, ScoreParts

NAME_WEIGHT = 0.5  # a shared name counts half a number: names are noisier (capitalised common words)
MAX_NAME_MATCHES = 4
MIN_PROBABILITY = 1e-12
SQRT2 = math.sqrt(2.0)


@dataclass(frozen=True)
class CostModel:
    """The knobs of a bead's cost for one document pair."""

    length_ratio: float  # expected target characters per source character
    length_variance: float
    skip_cost: float
    merge_cost: float
    merge22_cost: float
    anchor_match_bonus: float
    anchor_miss_cost: float
    lexical: "LexicalRates | None" = None  # with a lexicon: how often words find their translation
    lexical_weight: float = 1.0
    block_merge_cost: float = 0.0
    block_match_bonus: float = 0.0
    block_mismatch_cost: float = 0.0
    role_mismatch_cost: float = 0.0
    semantic: "SemanticModel | None" = None  # with sentence vectors (--embeddings)
    semantic_weight: float = 1.0
    sentence_counts: "SentenceCounts | None" = None  # lines that may hold several sentences (--presegmented)


@dataclass(frozen=True)
class LexicalRates:
    """Share of a side's known words whose translation is found on the other side (0..1): in
    true translation pairs (`*_true`) and in unrelated pairs (`*_random`)."""

    src_true: float
    src_random: float
    trg_true: float
    trg_random: float

    def word_costs(self, side: str, other_words, mean_other_words: float):
        """Cost of a hit and of a miss for one word of `side` ('src' or 'trg'): negative
        log-likelihood ratios, true bead against unrelated pair. `other_words` (a number or a
        numpy array) is how many known words the other side of the bead has.

        The rates were measured against sentences of `mean_other_words` known words. A chance
        hit is likelier against more words: with a per-word chance p, unrelated sides of w words
        hit at 1 - (1 - p)^w, and a true bead adds the same chance to the real translation; so
        a merge does not win by offering more words to hit, and a short sentence glued on
        costs a word's hit little. A miss costs the same whatever the size."""
        true, random = (self.src_true, self.src_random) if side == "src" else (self.trg_true, self.trg_random)
        mean_other_words = max(mean_other_words, 1.0)
        per_word = 1 - (1 - random) ** (1 / mean_other_words)
        other_words = np.maximum(other_words, 1)
        random_hit = np.minimum(1 - (1 - per_word) ** other_words, 0.9)
        true_hit = 1 - (1 - true) * (1 - per_word) ** (other_words - mean_other_words)
        true_hit = np.minimum(np.maximum(true_hit, random_hit * 1.5), 0.99)
        return -np.log(true_hit / random_hit), -math.log((1 - true) / (1 - random))


@dataclass(frozen=True)
class SentenceCounts:
    """How often the two sides of a bead hold as many sentences each (0..1): in true translation
    pairs and in unrelated pairs. A translation keeps its sentences more often than chance, so a
    bead whose counts differ (a line of two sentences against one of them) is less likely."""

    true_agree: float
    random_agree: float

    def costs(self, agree):
        """Negative log-likelihood ratio, true bead against unrelated pair, for a boolean array."""
        return np.where(agree, -math.log(self.true_agree / self.random_agree),
                        -math.log((1 - self.true_agree) / (1 - self.random_agree)))


MAX_SEMANTIC_EVIDENCE = 12.0  # nats either way: the normal fits' tails are not to be trusted further
MIN_SEMANTIC_SD = 0.005


@dataclass(frozen=True)
class SemanticModel:
    """How the margin of a bead's sentence vectors (see `margin_baselines`) is spread in true
    beads and in unrelated pairs: two normal fits."""

    true_mean: float
    true_sd: float
    random_mean: float
    random_sd: float

    def costs(self, margin):
        """Negative log-likelihood ratio of true bead against unrelated pair, for a number or array.

        Margins beyond either mean say no more than the mean itself: two normal fits with
        different spreads would otherwise call a very good match unlikely."""
        return -self._log_ratio(margin, self.true_mean)

    def member_costs(self, margin):
        """What a merged sentence pays when it does not look like a part of the other side.

        The summed vector of a merge looks as good as its best member, so a deleted sentence
        glued to a good pair would go unnoticed: each member of a merged side is compared with
        the other side on its own. Holding half of what the other side says, it is expected
        half-way between a translation and an unrelated sentence; only a shortfall is charged."""
        return np.maximum(-self._log_ratio(margin, (self.true_mean + self.random_mean) / 2), 0.0)

    def _log_ratio(self, margin, true_mean: float):
        low, high = sorted((self.random_mean, true_mean))
        margin = np.clip(margin, low, high)

        def log_density(mean: float, sd: float):
            return -0.5 * ((margin - mean) / sd) ** 2 - math.log(sd)
        llr = log_density(true_mean, self.true_sd) - log_density(self.random_mean, self.random_sd)
        return np.clip(llr, -MAX_SEMANTIC_EVIDENCE, MAX_SEMANTIC_EVIDENCE)


def margin_baselines(src_vectors: np.ndarray, trg_vectors: np.ndarray, width: int,
                     neighbours: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """For every sentence, the mean cosine of its `neighbours` nearest sentences on the other
    side, looked for within `width` sentences of its diagonal position. A bead's margin is its
    cosine over the mean of its sides' baselines: raw cosines of a small model are squeezed
    together (true about 0.88, unrelated about 0.79), margins are not."""
    def baselines(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        n, m = len(rows), len(columns)
        out = np.ones(n, dtype=np.float32)
        for i in range(n):
            centre = round(i * m / n) if n else 0
            window = columns[max(0, centre - width):min(m, centre + width + 1)]
            if len(window):
                cosines = window @ rows[i]
                k = min(neighbours, len(cosines))
                out[i] = max(float(np.partition(cosines, -k)[-k:].mean()), 1e-3)
        return out
    return baselines(src_vectors, trg_vectors), baselines(trg_vectors, src_vectors)


def bead_margin(vectors: tuple[np.ndarray, np.ndarray], baselines: tuple[np.ndarray, np.ndarray],
                bead: Bead) -> float:
    """The margin of one bead with sentences on both sides: as `BandCost` prices it."""
    src = vectors[0][list(bead.src)].sum(axis=0)
    trg = vectors[1][list(bead.trg)].sum(axis=0)
    cosine = float(src @ trg) / max(float(np.linalg.norm(src) * np.linalg.norm(trg)), 1e-9)
    return cosine / ((baselines[0][list(bead.src)].mean() + baselines[1][list(bead.trg)].mean()) / 2)


def estimate_semantic(src_vectors: np.ndarray, trg_vectors: np.ndarray, baselines: tuple[np.ndarray, np.ndarray],
                      beads: Sequence[Bead], prior: SemanticModel, prior_pairs: float = 20.0) -> SemanticModel:
    """The margin distributions of this document pair, from the 1-1 beads of a first alignment
    (true) and their sources against the neighbouring targets (unrelated), each pulled towards
    the prior by `prior_pairs` pseudo-observations."""
    true_pairs, random_pairs = calibration_pairs(beads, len(trg_vectors))

    def fit(pairs: list[tuple[int, int]], mean: float, sd: float) -> tuple[float, float]:
        if not pairs:
            return mean, sd
        i, j = np.array(pairs).T
        margins = np.einsum("ij,ij->i", src_vectors[i], trg_vectors[j]) / ((baselines[0][i] + baselines[1][j]) / 2)
        count = len(margins) + prior_pairs
        fitted_mean = (margins.sum() + prior_pairs * mean) / count
        spread = (((margins - fitted_mean) ** 2).sum() + prior_pairs * (sd ** 2 + (mean - fitted_mean) ** 2)) / count
        return float(fitted_mean), max(float(math.sqrt(spread)), MIN_SEMANTIC_SD)

    true_mean, true_sd = fit(true_pairs, prior.true_mean, prior.true_sd)
    random_mean, random_sd = fit(random_pairs, prior.random_mean, prior.random_sd)
    return SemanticModel(true_mean, true_sd, random_mean, random_sd)


# --- one pair of sentences -------------------------------------------------------------------

def number_matches(src: Evidence, trg: Evidence) -> int:
    if not src.numbers or not trg.numbers:
        return 0
    return sum((Counter(src.numbers) & Counter(trg.numbers)).values())


@dataclass(frozen=True)
class PairFeatures:
    """Counts shared by a source and a target sentence (or merged sentences)."""

    src_hits: int  # source words with a translation in the target
    trg_hits: int  # target words with a translation in the source
    numbers: int
    names: int
    terms: int


def pair_features(src: Evidence, trg: Evidence) -> PairFeatures:
    return PairFeatures(len(src.words & trg.reach), len(trg.words & src.reach), number_matches(src, trg),
                        len(src.names & trg.names), len(src.terms & trg.terms))


def merge(evidences: Sequence[Evidence]) -> Evidence:
    """The evidence of several consecutive sentences read as one."""
    if len(evidences) == 1:
        return evidences[0]
    return Evidence(
        length=sum(e.length for e in evidences) + len(evidences) - 1,
        numbers=tuple(sorted(n for e in evidences for n in e.numbers)),
        names=frozenset().union(*(e.names for e in evidences)),
        terms=frozenset().union(*(e.terms for e in evidences)),
        words=frozenset().union(*(e.words for e in evidences)),
        reach=frozenset().union(*(e.reach for e in evidences)),
        starts_block=evidences[0].starts_block,
        role=evidences[0].role,
    )


def length_probability(src_length, trg_length, model: CostModel):
    """Two-sided tail probability of a length difference at least this large (0..1, higher is
    better), Gale-Church's model in characters; for numbers or numpy arrays of lengths."""
    delta = np.abs(trg_length - src_length * model.length_ratio) / np.sqrt(
        model.length_variance * np.maximum(src_length, 1))
    return _erfc(delta / SQRT2)


def score_bead(src: Sequence[Evidence], trg: Sequence[Evidence], model: CostModel,
               lexical: bool, margin: float | None = None) -> tuple[float, ScoreParts]:
    """A pair's score (0..1, higher is better) and its parts; the score is the mean of the parts measured.

    length: tail probability of the length difference; anchors: shared numbers, names and terms
    against those found on one side only; lexical (with a lexicon): share of words translated;
    semantic (with sentence vectors, given their `margin`): the odds of a translation against
    an unrelated pair, as a probability.
    """
    s, t = merge(src), merge(trg)
    f = pair_features(s, t)
    matched = f.numbers + f.terms + NAME_WEIGHT * min(f.names, MAX_NAME_MATCHES)
    missed = len(s.numbers) + len(t.numbers) - 2 * f.numbers + len(s.terms) + len(t.terms) - 2 * f.terms
    words = len(s.words) + len(t.words)
    parts = ScoreParts(
        length=float(length_probability(s.length, t.length, model)),
        anchors=(matched + 0.5) / (matched + missed + 1),
        lexical=(f.src_hits + f.trg_hits) / words if lexical and words else None,
        semantic=float(1 / (1 + np.exp(model.semantic.costs(margin))))
        if model.semantic is not None and margin is not None else None,
    )
    measured = [p for p in (parts.length, parts.anchors, parts.lexical, parts.semantic) if p is not None]
    return sum(measured) / len(measured), parts


def accept(score: float, min_score: float) -> bool:
    """The verdict on a scored pair."""
    return score >= min_score


# --- every bead in the band, as arrays -------------------------------------------------------

def _erfc(x: np.ndarray) -> np.ndarray:
    """erfc for x >= 0, to 1.2e-7 (Numerical Recipes' Chebyshev fit): numpy has none of its own."""
    t = 1.0 / (1.0 + 0.5 * x)
    poly = -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    return t * np.exp(poly)


Limits = Sequence[tuple[int, int]]  # for each source position 0..n, the target positions searched


class _WordMatrices:
    """Which known words each target sentence holds and which it reaches, as boolean matrices over
    the words the source side can ask about, so that the hits of a block of source sentences
    against a stretch of targets are one matrix product, not a set intersection per pair."""

    def __init__(self, src: Sequence[Evidence], trg: Sequence[Evidence], rare_word_weights: bool = False):
        src_words = sorted(set().union(*(e.words for e in src)))  # what targets' reach may hit
        reached = sorted(set().union(*(e.reach for e in src)) & set().union(*(e.words for e in trg)))
        src_word = {w: k for k, w in enumerate(src_words)}
        reached_word = {w: k for k, w in enumerate(reached)}
        self.trg_reach = np.zeros((len(trg) + 1, len(src_words)), dtype=bool)  # a last row of none
        self.trg_words = np.zeros((len(trg), len(reached)), dtype=bool)
        for c, t in enumerate(trg):
            self.trg_reach[c, [src_word[w] for w in t.reach if w in src_word]] = True
            self.trg_words[c, [reached_word[w] for w in t.words if w in reached_word]] = True
        # each source sentence's words (columns of trg_reach) and reach (columns of trg_words), and
        # a last sentence of none
        self.src_words = [np.array([src_word[w] for w in e.words], dtype=np.int64) for e in src] + [_NONE]
        self.src_reach = [np.array([reached_word[w] for w in e.reach if w in reached_word], dtype=np.int64)
                          for e in src] + [_NONE]
        # how much a hit on each word says (see _informativeness)
        self.src_weight = np.ones(len(src_words), dtype=np.float32)
        self.trg_weight = np.ones(len(reached), dtype=np.float32)
        if rare_word_weights:
            self.src_weight = _informativeness(
                self.trg_reach[:len(trg)].sum(axis=0),
                np.bincount(np.concatenate(self.src_words), minlength=len(src_words)), len(trg))
            self.trg_weight = _informativeness(np.bincount(np.concatenate(self.src_reach), minlength=len(reached)),
                                               self.trg_words.sum(axis=0), len(src))

    def hits(self, first: int, last: int, lo: int, hi: int) -> np.ndarray:
        """For source sentences first..last-1 against targets lo..hi-1, four tables (4, sources,
        targets): the source sentence's words found in each target's reach; in the reach of each
        target with the next one (0 for the last target, which has no next); each target's words
        in the source sentence's reach; and in the reach of the source sentence with the next one
        (0 for the last source sentence)."""
        n, m = len(self.src_words) - 1, len(self.trg_words)
        out = np.zeros((4, last - first, hi - lo), dtype=np.float32)
        has, columns = _incidence(self.src_words[first:last])
        if columns.size:
            reach = self.trg_reach[lo:hi + 1][:, columns]
            has = has * self.src_weight[columns]
            out[0] = has @ reach[:-1].T.astype(np.float32)
            out[1] = has @ (reach[:-1] | reach[1:]).T.astype(np.float32)
            if hi == m:  # the last target has no next one to pair with
                out[1, :, -1] = 0
        has, columns = _incidence(self.src_reach[first:last + 1])  # with the sentence after the block
        if columns.size:
            words = self.trg_words[lo:hi][:, columns].astype(np.float32) * self.trg_weight[columns]
            out[2] = has[:-1] @ words.T
            out[3] = np.maximum(has[:-1], has[1:]) @ words.T
            if last == n:  # the last source sentence has no next one to pair with
                out[3, -1] = 0
        return out


_NONE = np.zeros(0, dtype=np.int64)
MAX_WORD_WEIGHT = 3.0  # a hit counts at most as three hits of the document's typical word


def _informativeness(reached_by: np.ndarray, occurrences: np.ndarray, sentences: int) -> np.ndarray:
    """A weight for each word's hits: -log of the share of the other side's `sentences` that hold
    its translation (`reached_by` of them; at least one), scaled to a mean of 1 over this side's
    words that the other side can hit, each counted once per sentence holding it (`occurrences`),
    and capped at MAX_WORD_WEIGHT. A translation found in every sentence of the other
    side tells none of them apart; one found in a single sentence points at it. All 1 when no
    word tells sentences apart (a side of one sentence)."""
    weight = -np.log(np.maximum(reached_by, 1) / max(sentences, 1))
    hittable = occurrences * (reached_by > 0)
    mean = float((weight * hittable).sum()) / max(float(hittable.sum()), 1.0)
    if mean <= 1e-9:
        return np.ones(len(weight), dtype=np.float32)
    # where almost every hittable word is everywhere the mean is tiny: one rare word must not then
    # outweigh the length and the anchors (dev2010: the same figures with the cap at 3 or 4)
    return np.minimum(weight / mean, MAX_WORD_WEIGHT).astype(np.float32)


def _incidence(column_lists: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """A 0/1 matrix with a row per list over the columns that any list holds, and those columns."""
    columns = np.unique(np.concatenate(column_lists))
    has = np.zeros((len(column_lists), len(columns)), dtype=np.float32)
    if columns.size:
        rows = np.repeat(np.arange(len(column_lists)), [len(c) for c in column_lists])
        has[rows, np.searchsorted(columns, np.concatenate(column_lists))] = 1
    return has, columns


class FeatureTable:
    """Counts shared by source and target sentences inside the search band, computed once per
    band and kept, so a second pass with other weights reuses them.

    Hits are counted word by word: a source word is hit when its translation is among the
    words of the target side (with `rare_word_weights`, a hit counts its word's weight, see
    `_informativeness`, instead of 1). So that a bead merging two sentences counts each word once,
    hits are also counted against the merged pair of sentences on the other side; with them,
    every bead shape's hits add up exactly from three tables.
    """

    FEATURES = 6  # src hits, trg hits, numbers, names, terms, cosine of the sentence vectors
    COSINE = 5
    BLOCK = 32  # source sentences whose word hits are counted together, as one matrix product

    def __init__(self, src: Sequence[Evidence], trg: Sequence[Evidence],
                 vectors: "tuple[np.ndarray, np.ndarray] | None" = None, rare_word_weights: bool = False):
        self.src, self.trg = src, trg
        self.vectors = vectors  # unit sentence embeddings (--embeddings), one row per sentence
        self.rare_word_weights = rare_word_weights  # hits weighted by _informativeness, else each counts 1
        self._limits: tuple[tuple[int, int], ...] | None = None
        self._counted: dict[int, tuple[int, np.ndarray]] = {}  # source sentence -> (first target, counts)
        self._words: _WordMatrices | None = None

    def prepare(self, limits: Limits) -> None:
        """Lay out the counts of every sentence pair the band `limits` can use; sentence pairs
        counted for an earlier band are not counted again."""
        limits = tuple(limits)
        if limits == self._limits:
            return
        n, m = len(self.src), len(self.trg)
        # Source sentence r is used by the beads ending on rows r+1 and r+2, whose targets start at
        # (lowest target of the row) - 2 at the earliest.
        first = [max(0, limits[r + 1][0] - 2) for r in range(n)]
        last = [min(m - 1, max(limits[r + 1][1], limits[min(r + 2, n)][1]) - 1) for r in range(n)]
        width = max([l - f + 1 for f, l in zip(first, last)] + [1])
        self._count([(r, first[r], last[r] + 1) for r in range(n)])
        laid_out = np.zeros((n, self.FEATURES + 2, width), dtype=np.float32)
        for r in range(n):
            start, counts = self._counted[r]
            laid_out[r, :, :last[r] + 1 - first[r]] = counts[:, first[r] - start:last[r] + 1 - start]
        self.first = np.array(first, dtype=np.int64)
        self.single = laid_out[:, :self.FEATURES]
        self.src_vs_pair = laid_out[:, self.FEATURES]
        self.pair_vs_trg = laid_out[:, self.FEATURES + 1]
        self._limits = limits

    def _count(self, wanted: Sequence[tuple[int, int, int]]) -> None:
        """Count source sentences r against targets lo..hi-1, for each (r, lo, hi) wanted, unless
        counted before; a sentence counted over a narrower span is counted again over the stretch
        that covers both spans. Each sentence is wanted once."""
        spans = []
        for r, lo, hi in wanted:
            cached = self._counted.get(r)
            if cached is not None and cached[0] <= lo and cached[0] + cached[1].shape[1] >= hi:
                continue
            if cached is not None:
                lo, hi = min(lo, cached[0]), max(hi, cached[0] + cached[1].shape[1])
            spans.append((r, lo, hi))
        if spans and self._words is None:
            self._words = _WordMatrices(self.src, self.trg, self.rare_word_weights)
        block: list[tuple[int, int, int]] = []
        for span in spans:
            if block and (span[0] != block[-1][0] + 1 or len(block) == self.BLOCK):
                self._count_block(block)
                block = []
            block.append(span)
        if block:
            self._count_block(block)

    def _count_block(self, spans: Sequence[tuple[int, int, int]]) -> None:
        """Counts of consecutive source sentences, each (r, lo, hi) against targets lo..hi-1: the
        FEATURES, then hits against target pairs, then hits of the source pair r, r+1."""
        first, last = spans[0][0], spans[-1][0] + 1
        block_lo, block_hi = min(lo for _, lo, _ in spans), max(hi for _, _, hi in spans)
        src_hits, src_vs_pair, trg_hits, pair_vs_trg = self._words.hits(first, last, block_lo, block_hi)
        for k, (r, lo, hi) in enumerate(spans):
            s = self.src[r]
            inside = slice(lo - block_lo, hi - block_lo)
            counts = np.zeros((self.FEATURES + 2, hi - lo), dtype=np.float32)
            counts[0], counts[1] = src_hits[k, inside], trg_hits[k, inside]
            counts[self.FEATURES], counts[self.FEATURES + 1] = src_vs_pair[k, inside], pair_vs_trg[k, inside]
            if self.vectors is not None:
                counts[self.COSINE] = self.vectors[1][lo:hi] @ self.vectors[0][r]
            if s.numbers or s.names or s.terms:
                for c, t in enumerate(self.trg[lo:hi]):
                    if s.numbers and t.numbers:
                        counts[2, c] = number_matches(s, t)
                    if s.names and t.names:
                        counts[3, c] = len(s.names & t.names)
                    if s.terms and t.terms:
                        counts[4, c] = len(s.terms & t.terms)
            self._counted[r] = (lo, counts)

    def _take(self, table: np.ndarray, rows: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """table[row, ..., target - first[row]] for arrays of rows and targets; 0 outside the band."""
        rows = np.clip(rows, 0, len(self.first) - 1)
        columns = targets - self.first[rows]
        inside = (columns >= 0) & (columns < table.shape[-1])
        columns = np.clip(columns, 0, table.shape[-1] - 1)
        if table.ndim == 3:
            return np.where(inside[..., None], table[rows, :, columns], 0.0)  # (..., FEATURES)
        return np.where(inside, table[rows, columns], 0.0)

    def bead_counts(self, a: int, b: int, ends_src: np.ndarray, ends_trg: np.ndarray) -> np.ndarray:
        """Counts for beads of source i-a..i-1 and target j-b..j-1, for arrays of (i, j): (..., FEATURES)."""
        total = sum(self._take(self.single, ends_src - a + k, ends_trg - b + l) for k in range(a) for l in range(b))
        if b == 2:  # each source word against both target sentences at once
            total[..., 0] = sum(self._take(self.src_vs_pair, ends_src - a + k, ends_trg - 2) for k in range(a))
        if a == 2:  # each target word against both source sentences at once
            total[..., 1] = sum(self._take(self.pair_vs_trg, ends_src - 2, ends_trg - b + l) for l in range(b))
        return total


SEMANTIC_WINDOW = 20  # sentences either side of the diagonal searched for a sentence's margin baseline
ROLE_CODES = {"": 0, "title": 1, "heading": 2, "caption": 3, "body": 4}


class BandCost:
    """Costs of every bead in the search band, shape by shape: the aligner's view of a CostModel."""

    def __init__(self, table: FeatureTable, model: CostModel):
        self.table, self.model = table, model
        self.skip = model.skip_cost
        def prefix(values) -> np.ndarray:
            return np.concatenate(([0.0], np.cumsum(np.asarray(values, dtype=float))))
        src, trg = table.src, table.trg
        self.src_sum = {name: prefix([f(e) for e in src]) for name, f in SIDE_TOTALS.items()}
        self.trg_sum = {name: prefix([f(e) for e in trg]) for name, f in SIDE_TOTALS.items()}
        self.mean_words = (self.src_sum["words"][-1] / max(len(src), 1), self.trg_sum["words"][-1] / max(len(trg), 1))
        if model.semantic is not None and table.vectors is not None:
            src_vectors, trg_vectors = table.vectors
            self.baselines = margin_baselines(src_vectors, trg_vectors, SEMANTIC_WINDOW)
            self.baseline_sum = (prefix(self.baselines[0]), prefix(self.baselines[1]))
            # Consecutive sentences' cosines give the length of a merged side's summed vectors.
            self.next_cosine = (np.einsum("ij,ij->i", src_vectors[:-1], src_vectors[1:]),
                                np.einsum("ij,ij->i", trg_vectors[:-1], trg_vectors[1:]))
        self.src_role = np.array([ROLE_CODES.get(e.role, 0) for e in src])
        self.trg_role = np.array([ROLE_CODES.get(e.role, 0) for e in trg])

    def band_costs(self, a: int, b: int, limits: Limits) -> np.ndarray:
        """Costs of beads taking source i-a..i-1 and target j-b..j-1, as an array over the band:
        entry [i, k] is the bead ending at (i, limits[i][0] + k); infinite where there is none."""
        m, n_trg = self.model, len(self.table.trg)
        self.table.prepare(limits)
        lows = np.array([lo for lo, _ in limits])
        highs = np.array([hi for _, hi in limits])
        width = int((highs - lows).max()) + 1
        if a > len(self.table.src) or b > n_trg:
            return np.full((len(limits), width), np.inf)  # a document too short for this shape
        i = np.arange(len(limits))[:, None]
        j = lows[:, None] + np.arange(width)[None, :]
        valid = (i >= a) & (j >= b) & (j <= highs[:, None]) & (j <= n_trg)
        i, j = np.broadcast_to(np.where(i >= a, i, a), j.shape), np.where(valid, j, b)

        def src_total(name: str) -> np.ndarray:
            return self.src_sum[name][i] - self.src_sum[name][i - a]

        def trg_total(name: str) -> np.ndarray:
            return self.trg_sum[name][j] - self.trg_sum[name][j - b]

        probability = length_probability(src_total("length") - 1, trg_total("length") - 1, m)
        cost = -np.log(np.maximum(probability, MIN_PROBABILITY))
        cost += {3: m.merge_cost, 4: m.merge22_cost}.get(a + b, 0.0)
        counts = self.table.bead_counts(a, b, i, j)
        shared = counts[..., 2] + counts[..., 4]
        missed = np.maximum(src_total("anchors") + trg_total("anchors") - 2 * shared, 0)
        cost += m.anchor_miss_cost * missed - m.anchor_match_bonus * (
            shared + NAME_WEIGHT * np.minimum(counts[..., 3], MAX_NAME_MATCHES))
        if m.lexical is not None:
            src_words, trg_words = src_total("words"), trg_total("words")
            src_hit, src_miss = m.lexical.word_costs("src", trg_words, self.mean_words[1])
            trg_hit, trg_miss = m.lexical.word_costs("trg", src_words, self.mean_words[0])
            src_hits, trg_hits = counts[..., 0], counts[..., 1]
            # weighted hits may outnumber a side's words: the misses then are none, not fewer than none
            src_misses, trg_misses = np.maximum(src_words - src_hits, 0), np.maximum(trg_words - trg_hits, 0)
            cost += m.lexical_weight * (src_hit * src_hits + src_miss * src_misses
                                        + trg_hit * trg_hits + trg_miss * trg_misses)
        if m.sentence_counts is not None:
            cost += m.sentence_counts.costs(src_total("sentences") == trg_total("sentences"))
        if m.block_merge_cost or m.block_match_bonus or m.block_mismatch_cost or m.role_mismatch_cost:
            cost += self._structure(a, b, i, j)
        if m.semantic is not None and self.table.vectors is not None:
            cost += m.semantic_weight * self._semantic(a, b, i, j, counts[..., FeatureTable.COSINE])
        return np.where(valid, cost, np.inf)

    def _semantic(self, a: int, b: int, i: np.ndarray, j: np.ndarray, cosine_sums: np.ndarray) -> np.ndarray:
        """Cost of the beads' sentence vectors: the margin of the two sides' summed unit vectors
        (their cosine is the sum of the sentence pairs' cosines over the two sums' lengths, over
        the sentences' mean baseline) and, in a merge, each merged sentence's own margin."""
        semantic = self.model.semantic

        def length_of_sum(size: int, next_cosine: np.ndarray, ends: np.ndarray):
            if size == 1:
                return 1.0
            return np.sqrt(np.maximum(2 + 2 * next_cosine[np.maximum(ends - 2, 0)], 1e-6))
        src_length = length_of_sum(a, self.next_cosine[0], i)
        trg_length = length_of_sum(b, self.next_cosine[1], j)
        src_baseline = (self.baseline_sum[0][i] - self.baseline_sum[0][i - a]) / a
        trg_baseline = (self.baseline_sum[1][j] - self.baseline_sum[1][j - b]) / b
        cost = semantic.costs(cosine_sums / (src_length * trg_length) / ((src_baseline + trg_baseline) / 2))
        if a > 1 or b > 1:
            cosines = self.table.single[:, FeatureTable.COSINE]
            pair = {(k, l): self.table._take(cosines, i - a + k, j - b + l) for k in range(a) for l in range(b)}
            if a > 1:
                for k in range(a):
                    member = sum(pair[(k, l)] for l in range(b)) / trg_length
                    cost = cost + semantic.member_costs(member / ((self.baselines[0][i - a + k] + trg_baseline) / 2))
            if b > 1:
                for l in range(b):
                    member = sum(pair[(k, l)] for k in range(a)) / src_length
                    cost = cost + semantic.member_costs(member / ((src_baseline + self.baselines[1][j - b + l]) / 2))
        return cost

    def _structure(self, a: int, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Paragraph starts inside merged sides, paragraph starts that (do not) meet, roles that differ."""
        m = self.model
        starts = self.src_sum["starts"], self.trg_sum["starts"]
        src_opens = (starts[0][i - a + 1] - starts[0][i - a]) > 0
        trg_opens = (starts[1][j - b + 1] - starts[1][j - b]) > 0
        inner = (starts[0][i] - starts[0][i - a + 1]) + (starts[1][j] - starts[1][j - b + 1])
        cost = m.block_merge_cost * inner
        cost = cost + np.where(src_opens & trg_opens, -m.block_match_bonus,
                               np.where(src_opens != trg_opens, m.block_mismatch_cost, 0.0))
        src_role, trg_role = self.src_role[i - a], self.trg_role[j - b]
        return cost + np.where((src_role > 0) & (trg_role > 0) & (src_role != trg_role), m.role_mismatch_cost, 0.0)


SIDE_TOTALS = {
    "length": lambda e: e.length + 1,  # +1: the space that joins merged sentences; taken off again
    "words": lambda e: len(e.words),
    "anchors": lambda e: len(e.numbers) + len(e.terms),
    "sentences": lambda e: e.sentences,
    "starts": lambda e: int(e.starts_block),
}


# --- calibration from a first alignment ------------------------------------------------------

RATE_FLOOR = 0.005
NEIGHBOUR_OFFSETS = (-1, 1)  # unrelated pairs: a 1-1 bead's source against its neighbours' targets


def calibration_pairs(beads: Sequence[Bead], n_trg: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """What calibration measures on a first alignment: its 1-1 beads as (source, target) pairs
    (true), and each of their sources against the neighbouring targets (unrelated)."""
    true_pairs = [(b.src[0], b.trg[0]) for b in beads if len(b.src) == 1 and len(b.trg) == 1]
    random_pairs = [(i, j + offset) for i, j in true_pairs for offset in NEIGHBOUR_OFFSETS if 0 <= j + offset < n_trg]
    return true_pairs, random_pairs


def estimate_sentence_counts(src: Sequence[Evidence], trg: Sequence[Evidence], beads: Sequence[Bead],
                             prior: SentenceCounts, prior_pairs: float = 50.0) -> SentenceCounts:
    """How often sentence counts agree in this document pair: in the 1-1 beads of a first
    alignment (true) and between their sources and the neighbouring targets (unrelated), each
    pulled towards the prior by `prior_pairs` pseudo-pairs and kept inside 0.01..0.99; true
    pairs agree at least as often as unrelated ones (else the counts say nothing)."""
    true_pairs, random_pairs = calibration_pairs(beads, len(trg))

    def agree(pairs: list[tuple[int, int]], prior_rate: float) -> float:
        agreeing = sum(src[i].sentences == trg[j].sentences for i, j in pairs)
        return min(max((agreeing + prior_pairs * prior_rate) / (len(pairs) + prior_pairs), 0.01), 0.99)

    random_agree = agree(random_pairs, prior.random_agree)
    return SentenceCounts(max(agree(true_pairs, prior.true_agree), random_agree), random_agree)


def estimate_rates(src: Sequence[Evidence], trg: Sequence[Evidence], beads: Sequence[Bead], prior: LexicalRates,
                   prior_words: float = 50.0) -> LexicalRates:
    """Lexical rates of this document pair, from the 1-1 beads of a first alignment (true pairs)
    and their sources set against nearby targets (unrelated pairs); `prior_words` of pseudo-counts
    at the prior rates keep a short document's estimates steady."""
    counts = {"src_true": [0, 0], "src_random": [0, 0], "trg_true": [0, 0], "trg_random": [0, 0]}

    def add(i: int, j: int, kind: str) -> None:
        f = pair_features(src[i], trg[j])
        counts[f"src_{kind}"][0] += f.src_hits
        counts[f"src_{kind}"][1] += len(src[i].words)
        counts[f"trg_{kind}"][0] += f.trg_hits
        counts[f"trg_{kind}"][1] += len(trg[j].words)

    true_pairs, random_pairs = calibration_pairs(beads, len(trg))
    for kind, pairs in (("true", true_pairs), ("random", random_pairs)):
        for i, j in pairs:
            add(i, j, kind)

    def rate(name: str) -> float:
        hits, words = counts[name]
        return (hits + prior_words * getattr(prior, name)) / (words + prior_words)

    src_random = min(max(rate("src_random"), RATE_FLOOR), 0.5)
    trg_random = min(max(rate("trg_random"), RATE_FLOOR), 0.5)
    return LexicalRates(min(max(rate("src_true"), src_random * 1.5), 0.95), src_random,
                        min(max(rate("trg_true"), trg_random * 1.5), 0.95), trg_random)
