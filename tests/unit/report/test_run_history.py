"""The report reads a run's history back from the TensorBoard scalars training writes, across resumes."""

from __future__ import annotations

import os
import time

from maskkit.report.run_history import read_history


def write_epochs(folder, values: dict[int, float]) -> None:
    import tensorflow as tf

    from maskkit.model.training import write_scalar

    writer = tf.summary.create_file_writer(str(folder))
    with writer.as_default():
        for epoch, value in values.items():
            write_scalar("loss", value, epoch)
            write_scalar("val_loss", value + 1, epoch)
    writer.close()


def test_resumed_run_reads_as_one_history_with_absolute_epochs(tmp_path):
    write_epochs(tmp_path, {1: 3.0, 2: 2.5})
    first = next(tmp_path.glob("events.out.tfevents.*"))
    os.utime(first, (time.time() - 60, time.time() - 60))
    write_epochs(tmp_path, {2: 2.0, 3: 1.5})  # resumed after an interrupted epoch 2
    history = read_history(tmp_path)
    assert history["loss"] == {1: 3.0, 2: 2.0, 3: 1.5}
    assert history["val_loss"] == {1: 4.0, 2: 3.0, 3: 2.5}


def test_folder_without_event_files_has_an_empty_history(tmp_path):
    assert read_history(tmp_path) == {}
