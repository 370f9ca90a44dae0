"""Finding checkpoints on disk: epoch from the name, newest run then highest epoch, clear errors."""

from __future__ import annotations

import pytest

from maskkit.checkpoints import best_checkpoint_path, checkpoint_epoch, newest_checkpoint, resolve_weights
from maskkit.errors import WeightsError


def touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def test_checkpoint_epoch_reads_only_checkpoint_names():
    assert checkpoint_epoch("runs/shapes20250101T1200/mask_rcnn_shapes_0007.weights.h5") == 7
    assert checkpoint_epoch("mask_rcnn_coco.h5") is None
    assert checkpoint_epoch("mask_rcnn_shapes_7.weights.h5") is None


def test_newest_checkpoint_prefers_the_latest_run_then_the_highest_epoch(tmp_path):
    touch(tmp_path / "shapes20250101T1200" / "mask_rcnn_shapes_0009.weights.h5")
    newest = touch(tmp_path / "shapes20250102T0800" / "mask_rcnn_shapes_0002.weights.h5")
    touch(tmp_path / "shapes20250102T0800" / "mask_rcnn_shapes_0001.weights.h5")
    touch(tmp_path / "shapes20250102T0800" / "notes.weights.h5")
    assert newest_checkpoint(tmp_path) == newest
    assert resolve_weights(tmp_path) == newest
    assert resolve_weights(newest.parent) == newest


def test_a_folder_stands_for_the_newest_runs_best_checkpoint_when_it_kept_one(tmp_path):
    old_best = touch(best_checkpoint_path(tmp_path / "nano20250101T1200", "nano"))
    touch(tmp_path / "nano20250101T1200" / "mask_rcnn_nano_0003.weights.h5")
    newest = touch(tmp_path / "nano20250102T0800" / "mask_rcnn_nano_0002.weights.h5")
    assert resolve_weights(tmp_path) == newest  # the newest run kept no best: its newest checkpoint
    best = touch(best_checkpoint_path(newest.parent, "nano"))
    assert best.name == "mask_rcnn_nano_best.weights.h5" and best != old_best
    assert resolve_weights(tmp_path) == best and resolve_weights(newest.parent) == best
    assert resolve_weights(newest) == newest


def test_resolve_weights_passes_files_and_names_what_is_missing(tmp_path):
    other = touch(tmp_path / "mask_rcnn_coco.h5")
    assert resolve_weights(other) == other
    with pytest.raises(WeightsError, match="weights file not found: .*gone.h5"):
        resolve_weights(tmp_path / "gone.h5")
    (tmp_path / "empty").mkdir()
    with pytest.raises(WeightsError, match="no checkpoint .* found under .*empty"):
        resolve_weights(tmp_path / "empty")
