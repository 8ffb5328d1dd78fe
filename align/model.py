"""The values passed between stages, and the errors every stage may raise."""

from __future__ import annotations

from dataclasses import dataclass, field


class AlignError(Exception):
    """Base of every error the library raises; `where` names the file (or input) at fault."""

    def __init__(self, problem: str, where: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}" if self.where else self.problem


class InputError(AlignError):
    """An input file is missing, empty, binary, wrongly encoded or holds no text."""


class FormatError(AlignError):
    """A file in a structured format (TMX, bead file, TSV) is malformed."""


class ConfigError(AlignError):
    """Settings or command-line options that cannot work together."""


# Block kinds, in the words of a news page.
TITLE = "title"
HEADING = "heading"
PARAGRAPH = "paragraph"
CAPTION = "caption"
ITEM = "item"
BLOCK_KINDS = (TITLE, HEADING, PARAGRAPH, CAPTION, ITEM)


@dataclass(frozen=True)
class Block:
    """A run of text that no sentence crosses: a title, heading, paragraph, caption or list item."""

    text: str
    kind: str = PARAGRAPH


@dataclass(frozen=True)
class Document:
    """One page: where it came from, its language and its main text as blocks in reading order."""

    source: str
    lang: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Sentence:
    """One sentence; `block` is the index of the block it came from, `kind` that block's kind."""

    text: str
    block: int = 0
    kind: str = ""


@dataclass(frozen=True)
class Bead:
    """A step of an alignment: source and target sentence indices (0-based, either may be empty)."""

    src: tuple[int, ...]
    trg: tuple[int, ...]

    @property
    def kind(self) -> str:
        """'1-1', '2-1', '1-0' ..."""
        return f"{len(self.src)}-{len(self.trg)}"

    @property
    def is_merge(self) -> bool:
        """More than one sentence on a side (2-1, 1-2, 2-2 ...)."""
        return len(self.src) > 1 or len(self.trg) > 1

    def __str__(self) -> str:
        """The vecalign bead notation, e.g. `[1, 2]:[3]`."""
        return f"[{', '.join(map(str, self.src))}]:[{', '.join(map(str, self.trg))}]"


@dataclass(frozen=True)
class ScoreParts:
    """The evidence behind a pair's score, each 0..1, higher is better; None when not measured."""

    length: float
    anchors: float
    lexical: float | None = None
    semantic: float | None = None  # with --embeddings: how likely the sentence vectors make a translation


@dataclass(frozen=True)
class Pair:
    """An aligned sentence pair with its score (0..1, higher is better) and the verdict on it."""

    document: str
    bead: Bead
    src_text: str
    trg_text: str
    score: float
    parts: ScoreParts
    accepted: bool = True


@dataclass(frozen=True)
class Term:
    """A glossary or dictionary entry: a Vietnamese term and its English rendering."""

    vi: str
    en: str
    comment: str = ""


@dataclass(frozen=True)
class Evidence:
    """What one sentence offers for matching: its length and its anchors (all hashable, comparable)."""

    length: int  # characters, spaces included
    numbers: tuple[str, ...] = ()  # normalised numbers, sorted: "12000", "3.5", month numbers
    names: frozenset[str] = frozenset()  # folded capitalised words and runs ("lam", "vietnam")
    terms: frozenset[int] = frozenset()  # ids of glossary terms found in the sentence
    words: frozenset[str] = frozenset()  # words the lexicon knows: vi keys, or en content words
    reach: frozenset[str] = frozenset()  # what those words translate to in the other language
    starts_block: bool = False  # first sentence of a paragraph, heading, caption ... (pages only)
    role: str = ""  # "title", "heading", "caption" or "body" (paragraphs, list items); "" when unknown
    keys: tuple[str, ...] = ()  # every word as the lexicon compares it (`lexicon.words_of`), in order
    sentences: int = 1  # sentences in the unit (a line of --presegmented input may hold several)


@dataclass(frozen=True)
class DocumentPair:
    """Two files that render the same page; `name` identifies the pair (the shared file stem)."""

    name: str
    src_path: str
    trg_path: str


@dataclass(frozen=True)
class PairResult:
    """Everything aligning one document pair produced."""

    name: str
    src_sentences: tuple[Sentence, ...]
    trg_sentences: tuple[Sentence, ...]
    beads: tuple[Bead, ...]
    pairs: tuple[Pair, ...] = field(default=())

    @property
    def accepted(self) -> tuple[Pair, ...]:
        return tuple(p for p in self.pairs if p.accepted)

    @property
    def rejected(self) -> tuple[Pair, ...]:
        return tuple(p for p in self.pairs if not p.accepted)

    @property
    def unaligned(self) -> int:
        """Sentences left in 1-0 / 0-1 beads."""
        return sum(len(b.src) + len(b.trg) for b in self.beads if not (b.src and b.trg))
