"""The training history of a run folder, read back from the TensorBoard scalars training writes.

Training appends one scalar per loss and epoch (absolute epoch numbers) to event files in the run
folder; a resumed run adds a new file, so later files win for an epoch written twice.
"""

from __future__ import annotations

import os
from pathlib import Path


def read_history(run_dir: str | os.PathLike) -> dict[str, dict[int, float]]:
    """Scalar tag -> {epoch: value} from every ``events.out.tfevents.*`` file in ``run_dir`` (empty if none)."""
    files = sorted(Path(run_dir).glob("events.out.tfevents.*"), key=lambda p: (p.stat().st_mtime, p.name))
    if not files:
        return {}
    import tensorflow as tf
    from tensorflow.core.util import event_pb2

    history: dict[str, dict[int, float]] = {}
    for path in files:
        try:
            events = [event_pb2.Event.FromString(raw.numpy()) for raw in tf.data.TFRecordDataset(str(path))]
        except tf.errors.OpError:
            continue  # a file cut short by an interrupted run
        for event in events:
            for value in event.summary.value:
                number = (float(tf.make_ndarray(value.tensor)) if value.HasField("tensor")
                          else float(value.simple_value))
                history.setdefault(value.tag, {})[int(event.step)] = number
    return history


def loss_series(history: dict[str, dict[int, float]]) -> list[tuple[str, dict[int, float], dict[int, float]]]:
    """(name, train {epoch: value}, val {epoch: value}) per scalar, pairing ``x`` with ``val_x``: the
    total loss first, then the other losses, then other metrics (e.g. a validation-only mAP); timings left out.

    Args:
        history: scalar tag -> {epoch: value}, as ``read_history`` returns it.
    """
    names = {tag.removeprefix("val_") for tag in history if tag != "epoch_seconds"}
    order = sorted(names, key=lambda name: (name != "loss", not name.endswith("loss"), name))
    return [(name, history.get(name, {}), history.get(f"val_{name}", {})) for name in order]
