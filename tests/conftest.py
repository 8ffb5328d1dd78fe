import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from align.cli import main
from align.legacy import CP1258, encode_legacy

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO / "corpora"
SHARED_DATA = REPO.parent / "shared" / "data"
TMX_DTD = SHARED_DATA / "tmx" / "tmx14.dtd"


class Terminal(io.StringIO):
    """A stream that says it is a terminal, so progress lines are drawn on it."""

    def isatty(self):
        return True


def needs_shared(path: Path):
    """Skip a test when the reference data beside the repository is absent (it is there in CI)."""
    return pytest.mark.skipif(not path.exists(), reason=f"{path} not present")


def to_cp1258(text: str) -> bytes:
    """Text as Windows-1258 stores Vietnamese: letters with breve, circumflex or horn precomposed,
    tone marks as separate combining bytes after them."""
    return encode_legacy(text, CP1258)


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Each test keeps what align caches (compiled dictionaries, vectors) in a folder of its own,
    never in the user's ~/.cache."""
    monkeypatch.setenv("ALIGN_CACHE", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def cli():
    """Run `align ...` in-process; returns the click Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke
