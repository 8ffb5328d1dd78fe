"""Safe output: all or nothing, and files as readable as any other the user makes."""

import os
import stat

import pytest

from align.files import atomic_output, write_atomically
from align.model import InputError


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_follows_the_umask_not_mkstemps_0600(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomically(tmp_path / "memory.tmx", b"<tmx/>")
    finally:
        os.umask(old)
    assert mode(tmp_path / "memory.tmx") == 0o644


def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "memory.tmx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new" and mode(target) == 0o640


def test_a_failed_block_keeps_the_old_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "memory.tmx"
    target.write_bytes(b"good")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as stream:
            stream.write(b"half")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["memory.tmx"]


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(InputError, match="output folder does not exist"):
        write_atomically(tmp_path / "nowhere" / "memory.tmx", b"x")
