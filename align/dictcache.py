"""Compiled dictionaries kept between runs, so a run does not key a large word list again.

Reading the 37,000 translations of FVDP and keying both sides took about a second, a third of
aligning the four IWSLT15 sets. The table it gives depends only on the file's bytes, the tone
style and the code that keys words, so it is kept in the cache folder under a name made of
those three and read back in a tenth of the time. A cache that cannot be read or written is
done without; a damaged entry is compiled again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from align.config import Resource
from align.files import cache_folder, write_atomically
from align.lexicon import dictionary_translations, read_dictionary

FORMAT = 1
KEPT_OTHER_VERSIONS = 2  # entries of one file and tone style that other versions of align compiled
# The code whose change can change a compiled table: a new version of either file is a new key.
KEYING_CODE = ("lexicon.py", "normalize.py")


def _code_fingerprint() -> str | None:
    """A hash of the keying code's source; None where it cannot be read (the package installed
    without its .py files), and then nothing is cached."""
    digest = hashlib.sha256()
    try:
        for name in KEYING_CODE:
            digest.update((Path(__file__).parent / name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def _entry_path(content: str, tone_style: str) -> Path | None:
    """Where the table compiled from a file whose bytes hash to `content` is kept: named after
    the file and tone style, then the code, so that entries left by older code can be found."""
    code = _code_fingerprint()
    if code is None:
        return None
    code_key = hashlib.sha256(f"{FORMAT}|{code}".encode()).hexdigest()
    return cache_folder() / f"{_entry_prefix(content, tone_style)}{code_key[:16]}.json"


def _entry_prefix(content: str, tone_style: str) -> str:
    return f"dictionary-{content[:24]}-{tone_style}-"


def _remove_older_entries(entry: Path, content: str, tone_style: str) -> None:
    """Of the entries of the same file and tone style compiled by other code (each version of
    align leaves one, about 0.8 MB for FVDP), all but the most recently used: two versions in
    use side by side (a second checkout, CI) keep theirs instead of compiling again in turn."""
    def last_used(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0
    others = sorted((other for other in entry.parent.glob(f"{_entry_prefix(content, tone_style)}*.json")
                     if other != entry), key=last_used, reverse=True)
    for stale in others[KEPT_OTHER_VERSIONS:]:
        try:
            stale.unlink()
        except OSError:
            pass  # another user's, or already gone


def _read_entry(path: Path) -> tuple[dict[str, frozenset[str]], int] | None:
    try:
        entry = json.loads(path.read_bytes())
        return {key: frozenset(words) for key, words in entry["translations"].items()}, int(entry["entries"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def load_dictionary(path: str | Path, tone_style: str = "classic") -> tuple[dict[str, frozenset[str]], Resource]:
    """A dictionary file's translation table (as `dictionary_translations` makes it) and the
    resource naming it: from the cache when this file was compiled before, else read, compiled
    and kept. Errors in the file raise as `read_dictionary` raises them."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError:
        data = None  # read_dictionary reports it
    content = hashlib.sha256(data).hexdigest() if data is not None else None
    entry = _entry_path(content, tone_style) if content is not None else None
    if entry is not None:
        cached = _read_entry(entry)
        if cached is not None:
            try:
                os.utime(entry)  # used now: the entries pruned first are those not used for longest
            except OSError:
                pass
            table, entries = cached
            return table, Resource(path.name, entries, content)
    words = read_dictionary(path, data)
    table = dictionary_translations(words.terms, tone_style)
    if entry is not None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(entry, json.dumps({"entries": words.resource.entries, "translations": {
                key: sorted(english) for key, english in sorted(table.items())}}, ensure_ascii=False).encode(),
                durable=False)
            _remove_older_entries(entry, content, tone_style)
        except OSError:
            pass  # a read-only or full cache folder: the next run compiles it again
    return table, words.resource
