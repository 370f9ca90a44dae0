"""Read back the per-epoch scalars a run folder's TensorBoard event files hold, across resumes.

Training writes every epoch's losses as scalars at step = absolute epoch number; a resumed run
appends a new event file to the same folder, so together the files are the run's whole history.
Only TensorFlow is needed (not the tensorboard package).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow.core.util import event_pb2


def read_epoch_scalars(log_dir: str | os.PathLike) -> dict[str, dict[int, float]]:
    """``{tag: {epoch: value}}`` from every ``events.out.tfevents.*`` file in ``log_dir`` (later
    files win when an epoch was trained twice, e.g. after an interrupted run)."""
    scalars: dict[str, dict[int, float]] = {}
    for path in sorted(Path(log_dir).glob("events.out.tfevents.*"), key=lambda p: p.stat().st_mtime):
        try:
            records = [event_pb2.Event.FromString(raw.numpy()) for raw in tf.data.TFRecordDataset(str(path))]
        except tf.errors.OpError:
            continue  # a file cut short by a crash: what it lost is not worth failing the run for
        for event in records:
            for value in event.summary.value:
                number = (float(tf.make_ndarray(value.tensor)) if value.HasField("tensor")
                          else float(value.simple_value))
                scalars.setdefault(value.tag, {})[int(event.step)] = number
    return scalars


def loss_table(scalars: dict[str, dict[int, float]]) -> tuple[list[int], dict[str, np.ndarray]]:
    """The epochs that have any loss, and each ``*loss`` series over them (NaN where missing)."""
    losses = {tag: values for tag, values in scalars.items() if tag.endswith("loss")}
    epochs = sorted({epoch for values in losses.values() for epoch in values})
    table = {tag: np.array([values.get(epoch, np.nan) for epoch in epochs], dtype=float)
             for tag, values in sorted(losses.items(), key=lambda item: (item[0].startswith("val_"), item[0]))}
    return epochs, table


def wants_log_scale(table: dict[str, np.ndarray], ratio: float = 10.0) -> bool:
    """A log axis helps when all losses are positive and span at least ``ratio`` (one decade)."""
    values = np.concatenate([v[np.isfinite(v)] for v in table.values()] or [np.zeros(0)])
    return bool(values.size) and bool(np.all(values > 0)) and float(values.max() / values.min()) >= ratio
