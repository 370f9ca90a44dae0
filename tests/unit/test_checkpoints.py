"""Finding checkpoints on disk: epoch from the name, newest run then highest epoch, clear errors."""

from __future__ import annotations

import pytest

from maskkit.checkpoints import (FAILED_MARK, best_checkpoint_path, checkpoint_epoch, clear_failed_mark,
                                 newest_checkpoint, resolve_weights, run_folder_line, settle_failed_run)
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


def test_a_new_run_that_failed_before_its_first_checkpoint_leaves_no_folder(tmp_path):
    run = tmp_path / "shapes20250101T120000"
    touch(run / "events.out.tfevents.1.host")
    touch(run / ".mask_rcnn_shapes_0001.weights.h5.k2j9x.tmp.h5")
    assert settle_failed_run(run, RuntimeError("boom"), created=True) == "removed"
    assert list(tmp_path.iterdir()) == []
    assert settle_failed_run(run, RuntimeError("boom"), created=True) == "absent"


def test_a_failed_run_with_checkpoints_is_marked_failed_with_its_error(tmp_path):
    run = tmp_path / "shapes20250101T120000"
    kept = touch(run / "mask_rcnn_shapes_0001.weights.h5")
    assert settle_failed_run(run, ValueError("image 3 is broken"), created=True) == "marked"
    assert kept.is_file()
    assert (run / FAILED_MARK).read_text().splitlines()[0] == \
        "training stopped with an error: ValueError: image 3 is broken"
    clear_failed_mark(run)
    assert not (run / FAILED_MARK).exists() and kept.is_file()


def test_a_resumed_runs_folder_is_marked_never_removed(tmp_path):
    run = tmp_path / "shapes20250101T120000"
    touch(run / "events.out.tfevents.1.host")
    assert settle_failed_run(run, KeyboardInterrupt(), created=False) == "marked"
    assert (run / FAILED_MARK).read_text().startswith("training interrupted (KeyboardInterrupt)\n")


def test_only_the_chief_names_a_run_folder_of_its_own():
    assert run_folder_line(0, "runs/mw20260301T091210", "runs", resumed=False) == "run folder: runs/mw20260301T091210"
    assert run_folder_line(1, "runs/mw20260301T091211", "runs", resumed=False) == (
        "run folder: none on worker 1, which writes nothing; the chief (worker 0) creates the run folder under runs")
    assert run_folder_line(2, "runs/mw20260301T091210", "runs", resumed=True) == (
        "run folder: runs/mw20260301T091210, written by the chief (worker 2 writes nothing)")
