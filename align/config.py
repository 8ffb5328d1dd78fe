"""Every default of a run in one place, and the signature that names the ones changing results."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from align import __version__
from align.model import ConfigError

if TYPE_CHECKING:
    from align.srx import SrxRules

TONE_STYLES = ("classic", "modern")  # classic: hòa, thủy, khỏe; modern: hoà, thuỷ, khoẻ


@dataclass(frozen=True)
class Resource:
    """A word list a run used (glossary, dictionary): its file name, entry count and content hash."""

    name: str
    entries: int
    sha256: str

    def __str__(self) -> str:
        return f"{self.name}@{self.sha256[:12]}({self.entries})"


@dataclass(frozen=True)
class Settings:
    """All knobs of one run; build with `Settings()` and `with_()`."""

    src_lang: str = "vi"
    trg_lang: str = "en"
    # Input
    encoding: str | None = None  # None: BOM, meta charset, else UTF-8
    presegmented: bool = False  # one sentence per line, no extraction or splitting
    max_sentence_chars: int = 5000  # longer "sentences" are rejected as not being prose
    srx: "SrxRules | None" = None  # sentence splitting rules from an SRX file (None: align's own)
    # Matching
    tone_style: str = "classic"
    # Alignment: the dynamic programme (costs are negative log-probabilities)
    band: int = 20  # half-width of the search band around the diagonal, in sentences
    # Half-width of the second pass's band around the first pass's path: calibration moves a
    # bead or two, not the whole path (a path that reaches the edge re-centres the band anyway)
    guided_band: int = 5
    skip_cost: float = 5.0  # cost of leaving one sentence unaligned (1-0 / 0-1)
    merge_cost: float = 4.5  # extra cost of a 2-1 / 1-2 bead over a 1-1
    merge22_cost: float = 8.0  # extra cost of a 2-2 bead: rare; cheaper, they swallowed two good 1-1 beads
    length_variance: float = 6.8  # Gale-Church s^2, per character
    # English characters per Vietnamese character: estimated from each document pair, pulled
    # towards a prior (0.97 on the IWSLT15 talks) as if `prior_chars` more characters agreed with it
    length_ratio_prior: float = 1.0
    length_ratio_prior_chars: int = 1000
    # --presegmented lines may hold several sentences: how often a bead's two sides hold as many
    # each, in true pairs and in unrelated ones (IWSLT15 dev2010 gold: 96.6% and 81.9%), before a
    # first pass re-estimates them per document. Compared only where some line holds several.
    # IWSLT15 dev2010, seeds 3-22: FVDP 0.988 -> 0.994 strict F1, deletions found 83.9% -> 89.8%;
    # no dictionary 0.987 -> 0.992 (BENCHMARKS.md, seventh round)
    sentence_count_prior: tuple[float, float] = (0.97, 0.82)
    anchor_match_bonus: float = 1.5  # cost removed per anchor found on both sides
    anchor_miss_cost: float = 0.6  # cost added per anchor found on one side only
    # With a lexicon: shares of known words translated on the other side, in true and in
    # unrelated pairs (vi side, en side); a first pass re-estimates them for each document pair.
    lexical_rates: tuple[float, float, float, float] = (0.2, 0.04, 0.5, 0.1)
    # Words are not independent evidence (a phrase's words hit or miss together), so their
    # summed log-odds are scaled down. IWSLT15 dev2010, seeds 3-6, strict F1 at 1.0 -> 0.5:
    # 0.975 -> 0.983 self-trained, 0.980 -> 0.987 with FVDP; bundled gold 0.987 -> 1.000.
    lexical_weight: float = 0.5
    # A hit on a word whose translation few sentences of the other side hold counts more: weights
    # are -log of that share, with a mean of 1 (scoring._informativeness). None: only with a
    # --dictionary, whose rare entries are right; a self-trained table's rare entries are its
    # noisiest. IWSLT15 dev2010, seeds 3-22 (strict F1 / lax F1 / deletions found): FVDP 0.9935 /
    # 0.9964 / 89.8% -> 0.9942 / 0.9970 / 91.4%, FVDP --self-train 0.9944 / 0.9970 / 90.7% ->
    # 0.9945 / 0.9972 / 92.5%; self-trained alone it lost (0.9926 -> 0.9920 strict, BENCHMARKS.md).
    rare_word_weights: bool | None = None
    calibrate: bool = True  # align twice: the second time with rates estimated from the first
    # Learn word translations from a first alignment of the whole run, then align again with
    # them. Without a dictionary it is the only word evidence there is. On top of FVDP it gains a
    # little over per-document learning (IWSLT15 dev2010, seeds 3-22, strict F1 / lax F1 /
    # deletions found: 0.9942 / 0.9970 / 91.4% -> 0.9945 / 0.9972 / 92.5%; with --embeddings
    # 0.9953 / 0.9985 / 96.4% -> 0.9957 / 0.9986 / 96.6%) for a first pass over the run: 1.25-1.35
    # times the time of aligning without it, for the four IWSLT15 sets (BENCHMARKS.md, ninth round).
    # With the Wiktionary list it lost a little instead (0.9956 -> 0.9950 strict F1), within the
    # seeds' noise either way: on top of a dictionary it is close to a wash.
    self_train: bool = True
    # At most this many 1-1 pairs are learnt from: the parent's memory while it learns grows with
    # them (Model 1's peak: 348 MiB for 10,000 IWSLT15 pairs, scripts/bench_model1.py). The IWSLT15
    # runs measured learn from 700 to 4,400; whether a bigger run's table would gain from more is
    # not measured.
    self_train_pairs: int = 10000
    # ... and at most this many word pair occurrences (a 1-1 pair's Vietnamese keys times its
    # English words: some 425 in an IWSLT15 segment pair, 630 in a news sentence pair, but tens
    # of thousands in a --presegmented paragraph), so that the peak stays near 500 MiB.
    self_train_occurrences: int = 6_000_000
    self_train_min_count: int = 2
    self_train_min_probability: float = 0.1  # IBM Model 1, both directions
    # Without a run-wide table (--no-self-train with a --dictionary), each document pair learns one
    # of its own from its first alignment (same Model 1, same thresholds) and adds it to the
    # dictionary for the second: a talk's own names and topic words. IWSLT15 dev2010, seeds
    # 3-22, FVDP: 0.986 -> 0.988 strict F1, deletions found 80.3% -> 83.9%, for about a third
    # more work in each document; on top of a run-wide table it lost a little (lax F1 0.9962
    # -> 0.9958, strict 0.9902 -> 0.9896), so it is left out there.
    learn_per_document: bool = True
    # Sentence embeddings (--embeddings, optional extra): margin distributions in true and
    # unrelated pairs before a first pass re-estimates them per document (IWSLT15 dev2010)
    embeddings: bool = False
    semantic_prior: tuple[float, float, float, float] = (1.047, 0.019, 0.943, 0.029)
    semantic_weight: float = 1.0
    # Page structure (not used with --presegmented): translators keep paragraphs and captions
    block_merge_cost: float = 4.0  # per paragraph boundary inside a 2-1 / 1-2 / 2-2 bead
    block_match_bonus: float = 1.0  # both sides open a paragraph
    block_mismatch_cost: float = 1.0  # only one side opens a paragraph
    role_mismatch_cost: float = 3.0  # a caption, heading or title paired with something else
    # Verdict
    min_score: float = 0.25  # pairs scoring below are rejected (0..1)
    # Word lists used (filled in by the pipeline once loaded)
    glossary: Resource | None = None
    dictionary: Resource | None = None

    def with_(self, **changes) -> "Settings":
        """A copy with some fields changed, checked."""
        return replace(self, **changes).checked()

    def checked(self) -> "Settings":
        """Raise ConfigError when a value cannot work."""
        if self.tone_style not in TONE_STYLES:
            raise ConfigError(f"unknown tone style {self.tone_style!r}; use one of {', '.join(TONE_STYLES)}")
        if not 0.0 <= self.min_score <= 1.0:
            raise ConfigError(f"--min-score must be between 0 and 1, not {self.min_score}")
        if self.band < 1 or self.guided_band < 1:
            raise ConfigError(f"band and guided_band must be at least 1, not {self.band} and {self.guided_band}")
        if self.max_sentence_chars < 1:
            raise ConfigError("max_sentence_chars must be positive")
        if self.self_train_pairs < 1 or self.self_train_occurrences < 1:
            raise ConfigError("self_train_pairs and self_train_occurrences must be positive")
        return self

    @property
    def learns_per_document(self) -> bool:
        return self.learn_per_document and self.calibrate and not self.self_train

    def _lexical_signature(self) -> str:
        text = f"{self.lexical_weight:g}x" + "/".join(f"{rate:g}" for rate in self.lexical_rates)
        if self.rare_word_weights:
            text += "+rare-words"
        if self.calibrate:
            text += "+calibrated"
        if self.self_train:
            text += (f"+self-trained:model1:{self.self_train_min_count}/{self.self_train_min_probability:g}"
                     f"/{self.self_train_pairs}/{self.self_train_occurrences}")
        elif self.learns_per_document:
            text += f"+document-trained:model1:{self.self_train_min_count}/{self.self_train_min_probability:g}"
        return text

    def _semantic_signature(self) -> str:
        if not self.embeddings:
            return "none"
        from align.semantic import model_version
        prior = "/".join(f"{value:g}" for value in self.semantic_prior)
        return f"{model_version()}:{self.semantic_weight:g}x{prior}"

    def signature(self) -> str:
        """Every setting that changes the output, as one stable string (sacrebleu-style)."""
        parts = [
            f"align:{__version__}",
            f"langs:{self.src_lang}-{self.trg_lang}",
            f"input:{'presegmented' if self.presegmented else 'pages'}",
            f"encoding:{self.encoding or 'auto'}",
            f"segmentation:{self.srx or 'builtin'}",
            f"tones:{self.tone_style}",
            f"band:{self.band}/{self.guided_band}",
            f"skip:{self.skip_cost:g}",
            f"merge:{self.merge_cost:g}/{self.merge22_cost:g}",
            f"lenvar:{self.length_variance:g}",
            f"ratio:{self.length_ratio_prior:g}~{self.length_ratio_prior_chars}",
            f"anchors:+{self.anchor_match_bonus:g}/-{self.anchor_miss_cost:g}",
            f"sentences:{'/'.join(f'{rate:g}' for rate in self.sentence_count_prior) if self.presegmented else 'none'}",
            f"lexical:{self._lexical_signature()}",
            f"blocks:{self.block_merge_cost:g}/+{self.block_match_bonus:g}/-{self.block_mismatch_cost:g}"
            f"/{self.role_mismatch_cost:g}",
            f"min-score:{self.min_score:g}",
            f"glossary:{self.glossary or 'none'}",
            f"dictionary:{self.dictionary or 'none'}",
            f"embeddings:{self._semantic_signature()}",
        ]
        return "|".join(parts)
