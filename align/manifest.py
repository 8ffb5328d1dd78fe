"""What a run has finished, kept beside its output so that `run --resume` skips it.

The manifest is a folder next to the memory (`.memory.tmx.align-resume/`). Each finished document
pair has one entry, found by the pair's identity (document id and paths) and holding the key
of what produced it and the pair's whole result. The key is a hash of the two pages' bytes, the
document id, the settings signature and the lexicon actually used (the learnt translation table
included), so an entry is reused only when aligning again would give the same result: a page
edited between runs, or different settings, simply means that pair is aligned again.

Entries are written to a temporary file and renamed, so a run killed at any moment leaves whole
entries or none; an entry that cannot be read is treated as missing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from align.files import write_atomically
from align.lexicon import Lexicon
from align.model import Bead, DocumentPair, Pair, PairResult, ScoreParts, Sentence

FORMAT = "align-resume-1"


def folder_for(output: str | Path) -> Path:
    """The manifest folder of an output file: hidden, beside it."""
    output = Path(output)
    return output.with_name(f".{output.name}.align-resume")


def run_key(signature: str, lexicon: Lexicon) -> str:
    """A hash of everything besides the pages that a pair's result depends on."""
    digest = hashlib.sha256(f"{FORMAT}\n{signature}\n".encode("utf-8"))
    for term in lexicon.glossary:
        digest.update(f"g\t{term.vi}\t{term.en}\n".encode("utf-8"))
    for key in sorted(lexicon.translations):
        digest.update(f"t\t{key}\t{chr(9).join(sorted(lexicon.translations[key]))}\n".encode("utf-8"))
    return digest.hexdigest()


def pair_key(run: str, name: str, src: bytes, trg: bytes) -> str:
    """The key of one pair's result: its pages' bytes, its document id and the run key."""
    parts = (run, name, hashlib.sha256(src).hexdigest(), hashlib.sha256(trg).hexdigest())
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


# --- a pair's result as JSON --------------------------------------------------------------

def _bead(data: list) -> Bead:
    return Bead(tuple(data[0]), tuple(data[1]))


def result_to_json(result: PairResult) -> dict:
    return {
        "name": result.name,
        "src": [[s.text, s.block, s.kind] for s in result.src_sentences],
        "trg": [[s.text, s.block, s.kind] for s in result.trg_sentences],
        "beads": [[list(b.src), list(b.trg)] for b in result.beads],
        "pairs": [[p.document, [list(p.bead.src), list(p.bead.trg)], p.src_text, p.trg_text, p.score,
                   [p.parts.length, p.parts.anchors, p.parts.lexical, p.parts.semantic], p.accepted]
                  for p in result.pairs],
    }


def result_from_json(data: dict) -> PairResult:
    return PairResult(
        data["name"],
        tuple(Sentence(*s) for s in data["src"]),
        tuple(Sentence(*s) for s in data["trg"]),
        tuple(_bead(b) for b in data["beads"]),
        tuple(Pair(document, _bead(bead), src, trg, score, ScoreParts(*parts), accepted)
              for document, bead, src, trg, score, parts, accepted in data["pairs"]))


def entry_bytes(key: str, result: PairResult) -> bytes:
    """A manifest entry: the key on the first line, the result as JSON after it. Workers encode
    it, so that the parent, which every result goes through, only writes it."""
    body = json.dumps(result_to_json(result), ensure_ascii=False, separators=(",", ":"))
    return f"{key}\n".encode("ascii") + body.encode("utf-8")


# --- the folder ---------------------------------------------------------------------------

class Manifest:
    """Finished pairs of a run writing `output`; `resume=False` starts from an empty manifest."""

    def __init__(self, output: str | Path, resume: bool):
        self.folder = folder_for(output)
        if not resume and self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(exist_ok=True)
        self.holds_entries = resume  # a new manifest has none to look up
        self.reused = 0
        self._shards: set[str] = set()  # subfolders known to exist: one mkdir each, not one per entry

    def _entry(self, pair: DocumentPair) -> Path:
        identity = hashlib.sha256("\0".join((pair.name, pair.src_path, pair.trg_path)).encode("utf-8")).hexdigest()
        return self.folder / identity[:2] / f"{identity}.json"

    def stored_key(self, pair: DocumentPair) -> str | None:
        """The key of the result kept for this pair, if any."""
        if not self.holds_entries:
            return None
        try:
            with open(self._entry(pair), "rb") as stream:
                return stream.readline().decode("ascii").strip() or None
        except (OSError, UnicodeDecodeError):
            return None

    def load(self, pair: DocumentPair, key: str) -> PairResult | None:
        """The result kept for this pair under `key`; None when it is missing, stale or damaged."""
        try:
            stored, body = self._entry(pair).read_bytes().split(b"\n", 1)
            if stored.decode("ascii") != key:
                return None
            result = result_from_json(json.loads(body))
        except (OSError, ValueError, TypeError, KeyError, IndexError):
            return None
        self.reused += 1
        return result

    def save(self, pair: DocumentPair, entry: bytes) -> None:
        """Keep a finished pair's entry (`entry_bytes`): written whole, then renamed into place.
        Not synced to disk: the output is, and a lost entry only means aligning that pair again."""
        path = self._entry(pair)
        if path.parent.name not in self._shards:
            path.parent.mkdir(exist_ok=True)
            self._shards.add(path.parent.name)
        write_atomically(path, entry, durable=False)

    def remove(self) -> None:
        """Forget the run: its output is complete."""
        shutil.rmtree(self.folder, ignore_errors=True)
