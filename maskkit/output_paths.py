"""Checking where a command will write before it does any work.

Evaluating or exporting a model takes a minute; a read-only or occupied output folder should be
refused at once, naming the path, not with a bare OSError after the work. The checks create and
remove one probe file at most: the output folder itself is not created here.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from maskkit.errors import MaskkitError


def check_writable_dir(path: str | os.PathLike, what: str) -> Path:
    """Make sure a folder can be written to (or created): MaskkitError naming ``path`` if not.

    Args:
        path: the output folder; it may not exist yet.
        what: what goes there, for the message (e.g. ``"--report folder"``).

    Returns:
        ``path`` as a Path.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise MaskkitError(f"{what} {path} is a file, not a folder; choose another path")
    _probe(_nearest_existing(path), path, what)
    return path


def check_writable_file(path: str | os.PathLike, what: str) -> Path:
    """Make sure a file can be written at ``path`` (its folder may not exist yet): MaskkitError if not.

    Args:
        path: the file to be written; an existing file there is replaced.
        what: what the file is, for the message (e.g. ``"config file"``).

    Returns:
        ``path`` as a Path.
    """
    path = Path(path)
    if path.is_dir():
        raise MaskkitError(f"{what} {path} is a folder; give a file name")
    _probe(_nearest_existing(path.parent), path, what)
    return path


def check_empty_or_absent(path: str | os.PathLike, what: str, replaceable: str | None = None) -> Path:
    """Make sure a folder is writable and holds nothing a command would overwrite: MaskkitError if not.

    Args:
        path: the output folder; absent or empty passes.
        what: what goes there, for the message (e.g. ``"export folder"``).
        replaceable: a file name marking an earlier output of the same kind, which the command
            replaces as a whole (``saved_model.pb`` for an export); a folder holding it passes.

    Returns:
        ``path`` as a Path.
    """
    path = check_writable_dir(path, what)
    if path.is_dir() and any(path.iterdir()) and not (replaceable and (path / replaceable).is_file()):
        kind = f" and is not an earlier output (no {replaceable})" if replaceable else ""
        raise MaskkitError(f"{what} {path} is not empty{kind}; choose another folder or empty it")
    return path


def _nearest_existing(path: Path) -> Path:
    """``path`` or its closest existing ancestor: the folder a write there would start from."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _probe(folder: Path, target: Path, what: str) -> None:
    """Create and remove a temporary file in ``folder``; MaskkitError naming ``target`` if that fails."""
    if not folder.is_dir():
        raise MaskkitError(f"cannot write {what} {target}: {folder} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".maskkit-write-check.", dir=folder)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise MaskkitError(f"cannot write {what} {target}: {folder} is not writable ({reason})") from exc
    os.close(fd)
    os.unlink(probe)
