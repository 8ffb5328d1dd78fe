import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from align.cli import main

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO / "corpora"
SHARED_DATA = REPO.parent / "shared" / "data"
TMX_DTD = SHARED_DATA / "tmx" / "tmx14.dtd"


def needs_shared(path: Path):
    """Skip a test when the reference data beside the repository is absent (it is there in CI)."""
    return pytest.mark.skipif(not path.exists(), reason=f"{path} not present")


TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Text as Windows-1258 stores Vietnamese: letters with breve, circumflex or horn precomposed,
    tone marks as separate combining bytes after them."""
    groups: list[list[str]] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and groups:
            groups[-1].append(ch)
        else:
            groups.append([ch])
    out = []
    for base, *marks in groups:
        shape = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in TONES))
        out.append(shape + "".join(m for m in marks if m in TONES))
    return "".join(out).encode("cp1258")


@pytest.fixture
def cli():
    """Run `align ...` in-process; returns the click Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke
