"""loss_curves.png of a run folder: training and validation losses against absolute epoch numbers.

The numbers come from the run's TensorBoard scalars (maskkit.report.run_history), so a resumed
run's picture covers every epoch of the run, not only those of the last process. Training redraws
it after every epoch, so an interrupted run has one too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from maskkit.report.run_history import read_history


def loss_table(history: dict[str, dict[int, float]]) -> tuple[list[int], dict[str, np.ndarray]]:
    """The epochs that have any loss, and each ``*loss`` series over them (NaN where missing),
    training losses first; validation metrics logged during training (val_map50...) come along,
    timings and the learning rate do not.

    Args:
        history: scalar values by tag, then by epoch (maskkit.report.run_history.read_history).

    Returns:
        (sorted epochs, float series by tag aligned with them).
    """
    losses = {tag: values for tag, values in history.items() if tag.endswith("loss") or tag.startswith("val_")}
    epochs = sorted({epoch for values in losses.values() for epoch in values})
    table = {tag: np.array([values.get(epoch, np.nan) for epoch in epochs], dtype=float)
             for tag, values in sorted(losses.items(), key=lambda item: (item[0].startswith("val_"), item[0]))}
    return epochs, table


def wants_log_scale(table: dict[str, np.ndarray], ratio: float = 10.0) -> bool:
    """A log axis helps when all losses are positive and span at least ``ratio`` (one decade).

    Args:
        table: series by tag as :func:`loss_table` returns them; non-finite values are ignored.
        ratio: the smallest max/min ratio that asks for a log axis (default 10).
    """
    values = np.concatenate([v[np.isfinite(v)] for v in table.values()] or [np.zeros(0)])
    return bool(values.size) and bool(np.all(values > 0)) and float(values.max() / values.min()) >= ratio


def write_loss_curves(run_dir: str | os.PathLike) -> Path | None:
    """Draw ``<run_dir>/loss_curves.png`` from the run's scalars; None when there is nothing to draw."""
    from maskkit import visualize

    epochs, table = loss_table(read_history(run_dir))
    if not epochs:
        return None
    path = Path(run_dir) / "loss_curves.png"
    visualize.plot_loss_curves(table, path=path, epochs=epochs, log_scale=wants_log_scale(table))
    return path


def refresh_loss_curves(run_dir: str | os.PathLike) -> Path | None:
    """``write_loss_curves`` after an epoch: a picture that cannot be written is a warning on stderr,
    not the end of the training run.

    Args:
        run_dir: the run folder holding the TensorBoard scalars; the picture is written there.

    Returns:
        The picture's path, or None when there was nothing to draw or it could not be written.
    """
    try:
        return write_loss_curves(run_dir)
    except OSError as exc:
        print(f"\nWarning: {Path(run_dir) / 'loss_curves.png'} not updated: {exc}", file=sys.stderr, flush=True)
        return None
