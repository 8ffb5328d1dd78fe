"""Pair lists: `vi_path<TAB>en_path[<TAB>document id]`, one document pair a line, for crawls
whose Vietnamese and English files are not named alike."""

from __future__ import annotations

from pathlib import Path

from align.files import read_input
from align.model import DocumentPair, FormatError, InputError
from align.pipeline import Pairing


def read_pair_list(path: str | Path, check_files: bool = True) -> Pairing:
    """The document pairs of a pair list, in its order. Relative paths are read from the list's
    folder; the document id defaults to the Vietnamese file's stem. Blank lines and lines
    starting with '#' are skipped. A missing file (unless `check_files` is off, for workers
    that see paths this machine does not), a malformed line or a repeated id raises, naming the line."""
    path = Path(path)
    data = read_input(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"pair list is not UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})",
                         str(path)) from None
    base = path.parent
    pairs: list[DocumentPair] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) not in (2, 3) or not all(c.strip() for c in columns):
            raise FormatError(f"line {number}: expected vi_path<TAB>en_path[<TAB>document id], "
                              f"found {len(columns)} column(s)", str(path))
        src, trg = (base / column.strip() for column in columns[:2])
        name = columns[2].strip() if len(columns) == 3 else src.stem
        if check_files:
            for side in (src, trg):
                if not side.is_file():
                    raise InputError(f"line {number}: no such file: {side}", str(path))
        if name in seen:
            raise FormatError(f"line {number}: document id {name!r} is already used on line {seen[name]} "
                              "(give each pair its own id in a third column)", str(path))
        seen[name] = number
        pairs.append(DocumentPair(name, str(src), str(trg)))
    if not pairs:
        raise InputError("pair list has no pairs", str(path))
    return Pairing(tuple(pairs), (), True)
