"""Safe output: every file is written to a temporary file beside it and renamed into place."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from align.model import InputError

STDIN = "-"  # as an input path: standard input; as an output path: standard output
STDIN_NAME = "<stdin>"


def display_name(path: str | Path) -> str:
    """How messages name an input: its path, or <stdin> for '-'."""
    return STDIN_NAME if str(path) == STDIN else str(path)


def cache_folder() -> Path:
    """Where align keeps what it can work out again (sentence vectors, compiled dictionaries):
    $ALIGN_CACHE, else $XDG_CACHE_HOME/align, else ~/.cache/align."""
    return Path(os.environ.get("ALIGN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "align"))


def _new_file_mode() -> int:
    """The mode `open()` would give a new file under this process's umask (mkstemp gives 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def output_folder(path: str | Path) -> Path:
    """The folder an output file goes to; an InputError when it does not exist."""
    folder = Path(path).parent
    if not folder.is_dir():
        raise InputError("output folder does not exist", str(folder))
    return folder


@contextlib.contextmanager
def atomic_output(path: str | Path, durable: bool = True) -> Iterator[BinaryIO]:
    """A binary stream whose content replaces `path` only if the block completes without error;
    `durable`: on disk (fsync) before it replaces the old file, not only whole."""
    path = Path(path)
    folder = output_folder(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        # a memory or report is shared like any other file; an existing one keeps its mode
        os.fchmod(handle, path.stat().st_mode & 0o7777 if path.is_file() else _new_file_mode())
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_atomically(path: str | Path, data: bytes, durable: bool = True) -> None:
    """Replace `path` with `data` in one step."""
    with atomic_output(path, durable) as stream:
        stream.write(data)


def check_input(path: str | Path) -> None:
    """Raise the InputError of an input that is a folder or does not exist ('-' is standard input)."""
    if str(path) == STDIN:
        return
    if Path(path).is_dir():
        raise InputError("is a folder, expected a file", str(path))
    if not Path(path).exists():
        raise InputError("no such file", str(path))


def read_input(path: str | Path) -> bytes:
    """A file's bytes ('-': all of standard input); a missing or unreadable path becomes an InputError naming it."""
    if str(path) == STDIN:
        return sys.stdin.buffer.read()
    check_input(path)
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}", str(path)) from None
