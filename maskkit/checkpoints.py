"""Finding checkpoints on disk: a weights path may be a file, a run folder or a log folder of runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

from maskkit.errors import WeightsError

CHECKPOINT_NAME = re.compile(r"^mask_rcnn_.*_(?P<epoch>\d{4})\.weights\.h5$")
RUN_STAMP = re.compile(r"\d{8}T\d{4}$")


def checkpoint_epoch(path: str | os.PathLike) -> int | None:
    """The epoch number in a checkpoint file name, or None for other files."""
    match = CHECKPOINT_NAME.match(Path(path).name)
    return int(match["epoch"]) if match else None


def newest_checkpoint(folder: str | os.PathLike) -> Path:
    """The newest checkpoint below ``folder``: latest run folder first, then highest epoch."""
    folder = Path(folder)
    found = [p for p in folder.rglob("*.weights.h5") if CHECKPOINT_NAME.match(p.name)]
    if not found:
        raise WeightsError(f"no checkpoint (mask_rcnn_<name>_<epoch>.weights.h5) found under {folder}")
    return max(found, key=_age_key)


def _age_key(path: Path) -> tuple[str, int, float]:
    stamp = RUN_STAMP.search(path.parent.name)
    return (stamp.group(0) if stamp else "", checkpoint_epoch(path) or 0, path.stat().st_mtime)


def resolve_weights(path: str | os.PathLike) -> Path:
    """A weights file as given, or the newest checkpoint below a folder; missing paths are errors."""
    path = Path(path)
    if path.is_dir():
        return newest_checkpoint(path)
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path} (pass a checkpoint file or a run/log folder)")
    return path
