"""ValidationMonitor: evaluates every K epochs, keeps the best checkpoint, stops after patience, resumes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from maskkit.errors import ConfigError
from maskkit.checkpoints import best_checkpoint_path
from maskkit.model.validation_metrics import BEST_RECORD, ValidationMonitor


def fake_evaluations(values: list[float]):
    """An evaluate() returning the next map50 of ``values`` each call, with fixed COCO numbers."""
    remaining = iter(values)
    return lambda: {"map50": next(remaining), "segm": {"stats": {"AP": 0.5}}, "bbox": {"stats": {"AP": 0.6}}}


def drive(monitor: ValidationMonitor, tmp_path: Path, epochs: range,
          history: dict[str, list[float]]) -> int | None:
    """Run the monitor as run_epochs does; return the epoch it stopped after (None if it did not)."""
    for epoch in epochs:
        for name, value in monitor.measure(epoch).items():
            history.setdefault(name, []).append(value)
        checkpoint = tmp_path / f"mask_rcnn_demo_{epoch:04d}.weights.h5"
        checkpoint.write_text(f"weights of epoch {epoch}")
        if monitor.checkpointed(epoch, checkpoint, history):
            return epoch
    return None


def test_evaluates_every_k_epochs_and_logs_nan_between(tmp_path: Path) -> None:
    monitor = ValidationMonitor(fake_evaluations([0.3, 0.6]), "demo", every=2)
    history: dict[str, list[float]] = {}
    drive(monitor, tmp_path, range(1, 5), history)
    assert [v if math.isfinite(v) else None for v in history["val_map50"]] == [None, 0.3, None, 0.6]
    assert history["val_segm_ap"][1] == 0.5 and history["val_bbox_ap"][3] == 0.6


def test_best_checkpoint_is_the_epoch_with_the_best_logged_metric(tmp_path: Path) -> None:
    monitor = ValidationMonitor(fake_evaluations([0.2, 0.7, 0.5, 0.6]), "demo", keep_best="map50")
    history: dict[str, list[float]] = {}
    assert drive(monitor, tmp_path, range(1, 5), history) is None
    best_epoch = history["val_map50"].index(max(history["val_map50"])) + 1
    assert best_checkpoint_path(tmp_path, "demo").read_text() == f"weights of epoch {best_epoch}"
    assert json.loads((tmp_path / BEST_RECORD).read_text())["epoch"] == best_epoch == 2


def test_lower_is_better_for_val_loss(tmp_path: Path) -> None:
    monitor = ValidationMonitor(fake_evaluations([]), "demo", every=0, keep_best="val_loss")
    history = {"val_loss": []}
    for epoch, loss in enumerate([1.0, 0.5, 0.8], start=1):
        history["val_loss"].append(loss)
        checkpoint = tmp_path / f"c{epoch}"
        checkpoint.write_text(str(epoch))
        monitor.checkpointed(epoch, checkpoint, history)
    assert best_checkpoint_path(tmp_path, "demo").read_text() == "2"


def test_patience_stops_after_evaluations_without_gain(tmp_path: Path) -> None:
    monitor = ValidationMonitor(fake_evaluations([0.5, 0.4, 0.5, 0.45, 0.9]), "demo",
                                keep_best="map50", patience=3)
    assert drive(monitor, tmp_path, range(1, 6), {}) == 4
    assert "did not improve on 0.5000 (epoch 1) for 3 evaluations" in monitor.stop_reason


def test_a_resumed_run_keeps_the_earlier_best(tmp_path: Path) -> None:
    first = ValidationMonitor(fake_evaluations([0.8]), "demo", keep_best="map50")
    drive(first, tmp_path, range(1, 2), {})
    resumed = ValidationMonitor(fake_evaluations([0.6, 0.9]), "demo", keep_best="map50")
    history: dict[str, list[float]] = {}
    drive(resumed, tmp_path, range(2, 3), history)
    assert best_checkpoint_path(tmp_path, "demo").read_text() == "weights of epoch 1"
    drive(resumed, tmp_path, range(3, 4), history)
    assert best_checkpoint_path(tmp_path, "demo").read_text() == "weights of epoch 3"


@pytest.mark.parametrize("kwargs, field", [
    ({"keep_best": "accuracy"}, "keep_best"), ({"every": 0, "keep_best": "map50"}, "eval_every"),
    ({"patience": 2}, "patience"), ({"every": -1}, "eval_every")])
def test_impossible_options_name_the_option(tmp_path: Path, kwargs: dict, field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        ValidationMonitor(fake_evaluations([]), "demo", **kwargs)
