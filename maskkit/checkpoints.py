"""Checkpoint naming and discovery, in one place: run folders ``<name><YYYYmmddTHHMMSS>[_N]`` under a
log folder, each holding ``mask_rcnn_<name>_<epoch>.weights.h5`` files and, when a run kept one,
``mask_rcnn_<name>_best.weights.h5``.

A weights path may be a file, a run folder or a log folder of runs: a folder stands for its newest
run's best checkpoint when there is one, else for its newest checkpoint. New run folders are created
exclusively, so two runs started in the same second never share one.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
from pathlib import Path
from typing import Iterator

from maskkit.errors import WeightsError

CHECKPOINT_NAME = re.compile(r"^mask_rcnn_.*_(?P<epoch>\d{4})\.weights\.h5$")
# Minute stamps (older runs) and second stamps, with a _N suffix when a second was already taken.
RUN_DIR = re.compile(r"^(?P<name>.*?)(?P<stamp>\d{8}T\d{4}(?:\d{2})?)(?:_(?P<serial>\d+))?$")
# Temp files atomic_path leaves when a process is killed mid-write: ".<name>.<random>.tmp.h5".
TEMP_CHECKPOINT = re.compile(r"^\.mask_rcnn_.*\.weights\.h5\..*\.tmp\.h5$")
# Written into a run folder whose training stopped with an error; holds the error.
FAILED_MARK = "FAILED"


def checkpoint_epoch(path: str | os.PathLike) -> int | None:
    """The epoch number in a checkpoint file name, or None for other files.

    Args:
        path: a file path; only its name is read (``mask_rcnn_<name>_<epoch>.weights.h5``).
    """
    match = CHECKPOINT_NAME.match(Path(path).name)
    return int(match["epoch"]) if match else None


def run_order(folder_name: str) -> tuple[str, int] | None:
    """Sort key of a run folder's name (stamp padded to seconds, then serial); None if not a run folder.

    Args:
        folder_name: the folder's name (not its path), e.g. ``shapes20260301T091210_2``.

    Returns:
        ``(stamp, serial)``, the stamp as 15 characters ``YYYYmmddTHHMMSS``, serial 0 without a suffix.
    """
    match = RUN_DIR.match(folder_name)
    if not match:
        return None
    return match["stamp"].ljust(15, "0"), int(match["serial"] or 0)


def run_name(folder_name: str) -> str | None:
    """The config NAME part of a run folder's name, or None if it is not a run folder.

    Args:
        folder_name: the folder's name (not its path), e.g. ``shapes20260301T091210``.
    """
    match = RUN_DIR.match(folder_name)
    return match["name"] if match else None


def best_checkpoint_path(run: str | os.PathLike, name: str) -> Path:
    """``<run folder>/mask_rcnn_<name>_best.weights.h5`` (not numbered, so resuming never picks it)."""
    return Path(run) / f"mask_rcnn_{name.lower()}_best.weights.h5"


def create_run_folder(log_dir: str | os.PathLike, name: str, now: datetime.datetime | None = None) -> Path:
    """Create and return a new, empty run folder ``<log_dir>/<name><stamp>``; if another run already
    took that second, ``_2``, ``_3``, ... are appended (mkdir is exclusive, so concurrent runs never share).

    Args:
        log_dir: the log folder; created if missing.
        name: the config NAME; lower-cased in the folder name.
        now: the time to stamp, to the second; None for the current local time.

    Returns:
        The new run folder. WeightsError if no free ``_N`` suffix is found.
    """
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    base = f"{name.lower()}{(now or datetime.datetime.now()):%Y%m%dT%H%M%S}"
    for serial in range(1, 10_000):
        folder = log_dir / (base if serial == 1 else f"{base}_{serial}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise WeightsError(f"could not create a new run folder {base}_N under {log_dir}")


def run_folders(log_dir: str | os.PathLike, name: str) -> list[Path]:
    """The run folders of config NAME ``name`` directly under ``log_dir``, newest first."""
    log_dir, name = Path(log_dir), name.lower()
    if not log_dir.is_dir():
        return []
    runs = [p for p in log_dir.iterdir() if p.is_dir() and run_name(p.name) == name]
    return sorted(runs, key=lambda p: run_order(p.name), reverse=True)


def checkpoints_in(run: str | os.PathLike) -> list[Path]:
    """The checkpoint files of one run folder, newest (highest epoch) first."""
    found = [p for p in Path(run).iterdir() if p.is_file() and CHECKPOINT_NAME.match(p.name)]
    return sorted(found, key=lambda p: checkpoint_epoch(p), reverse=True)


def last_checkpoints(log_dir: str | os.PathLike, name: str) -> list[Path]:
    """The checkpoints of the newest run of ``name`` that has any, newest first; WeightsError if none.

    Args:
        log_dir: the log folder holding the run folders.
        name: the config NAME of the runs (case-insensitive).
    """
    for run in run_folders(log_dir, name):
        found = checkpoints_in(run)
        if found:
            return found
    name = name.lower()
    raise WeightsError(f"no checkpoint of run {name!r} found under {log_dir} "
                       f"(looked for {name}<YYYYmmddTHHMMSS>/mask_rcnn_{name}_<epoch>.weights.h5)")


def run_of_checkpoint(path: str | os.PathLike, name: str) -> tuple[Path, int] | None:
    """(run folder, epoch) when ``path`` is a checkpoint inside a run folder of ``name``; else None."""
    path = Path(path)
    epoch = checkpoint_epoch(path)
    if epoch is None or run_name(path.parent.name) != name.lower():
        return None
    return path.parent, epoch


def newest_checkpoint(folder: str | os.PathLike) -> Path:
    """The newest checkpoint below ``folder``: latest run folder first, then highest epoch."""
    folder = Path(folder)
    found = [p for p in folder.rglob("*.weights.h5") if CHECKPOINT_NAME.match(p.name)]
    if not found:
        raise WeightsError(f"no checkpoint (mask_rcnn_<name>_<epoch>.weights.h5) found under {folder}")
    return max(found, key=_age_key)


def _age_key(path: Path) -> tuple[tuple[str, int], int, float]:
    return (run_order(path.parent.name) or ("", 0), checkpoint_epoch(path) or 0, path.stat().st_mtime)


def remove_temp_files(run: str | os.PathLike) -> list[Path]:
    """Delete the temp files killed checkpoint writes left in a run folder; returns what was removed.

    Only the run that owns the folder calls this, so no live write is touched."""
    removed = []
    for path in _temp_files(Path(run)):
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _temp_files(run: Path) -> Iterator[Path]:
    if run.is_dir():
        yield from (p for p in run.iterdir() if TEMP_CHECKPOINT.match(p.name))


def resolve_weights(path: str | os.PathLike) -> Path:
    """A weights file as given; for a folder, the best checkpoint of the run holding the newest
    checkpoint below it, else that newest checkpoint; missing paths are errors.

    Args:
        path: a weights file, a run folder or a log folder of runs.
    """
    path = Path(path)
    if path.is_dir():
        newest = newest_checkpoint(path)
        best = best_checkpoint_path(newest.parent, run_name(newest.parent.name) or "")
        return best if best.is_file() else newest
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path} (pass a checkpoint file or a run/log folder)")
    return path


def settle_failed_run(run: str | os.PathLike, error: BaseException, created: bool) -> str:
    """Tidy a run folder after its training stopped with ``error``, so no empty run is left behind.

    Args:
        run: the run folder.
        error: what stopped the run; its type and message go into the FAILED file.
        created: whether the failed run created ``run`` (a resumed run's folder is never removed).

    Returns:
        ``"removed"`` when the run created the folder and it holds no checkpoint (only logs, nothing
        worth keeping), ``"marked"`` when FAILED was written beside its checkpoints, ``"absent"``
        when the folder was never created.
    """
    run = Path(run)
    if not run.is_dir():
        return "absent"
    if created and not any(p.name.endswith(".weights.h5") and not p.name.startswith(".") for p in run.iterdir()):
        shutil.rmtree(run)
        return "removed"
    reason = ("interrupted (KeyboardInterrupt)" if isinstance(error, KeyboardInterrupt)
              else f"stopped with an error: {type(error).__name__}: {error}")
    (run / FAILED_MARK).write_text(f"training {reason}\nthe checkpoints here are those of the epochs finished "
                                   f"before it; --resume continues from the newest\n", encoding="utf-8")
    return "marked"


def clear_failed_mark(run: str | os.PathLike) -> None:
    """Remove the FAILED file of a run folder once training there has finished (e.g. after --resume)."""
    (Path(run) / FAILED_MARK).unlink(missing_ok=True)


def run_folder_line(worker: int, run_folder: str | os.PathLike, log_dir: str | os.PathLike, resumed: bool) -> str:
    """What a training process says about where it writes, by its place in a multi-worker run.

    Only the chief creates and writes the run folder; another worker must not name a folder of its
    own that never appears.

    Args:
        worker: this process's worker index, 0 for the chief or a single machine
            (maskkit.model.distribute.worker_index).
        run_folder: the run folder this process trains in (on a worker other than the chief a name
            it never creates, unless ``resumed``).
        log_dir: the log folder under which the chief creates new run folders.
        resumed: whether the run continues an existing run folder (every worker then knows its name).

    Returns:
        One line, e.g. ``run folder: runs/shapes20260301T091210``.
    """
    if worker == 0:
        return f"run folder: {run_folder}"
    if resumed:
        return f"run folder: {run_folder}, written by the chief (worker {worker} writes nothing)"
    return (f"run folder: none on worker {worker}, which writes nothing; the chief (worker 0) creates the "
            f"run folder under {log_dir}")
