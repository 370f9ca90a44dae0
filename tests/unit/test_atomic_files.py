"""Atomic writes: the file appears whole or not at all, and no temporary file is left behind."""

from __future__ import annotations

import os

import pytest

from maskkit.atomic_files import atomic_path, atomic_write_bytes, atomic_write_text


def test_writes_create_parents_and_replace_whole_files(tmp_path):
    path = tmp_path / "a" / "b" / "out.txt"
    atomic_write_text(path, "first")
    atomic_write_bytes(path, b"second")
    assert path.read_bytes() == b"second"
    assert os.listdir(path.parent) == ["out.txt"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    path = tmp_path / "keep.json"
    atomic_write_text(path, "old")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed mid-write")
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["keep.json"]


def test_new_files_get_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "p.txt", "x")
    finally:
        os.umask(mask)
    assert (tmp_path / "p.txt").stat().st_mode & 0o777 == 0o644
