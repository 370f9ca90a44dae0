"""Validation mAP during training: logged every K epochs, the best checkpoint is the epoch with the best
logged metric, through the Pipeline API and `maskkit train --eval-every --keep-best`, across --resume."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from maskkit.cli.main import cli
from maskkit.model.validation_metrics import BEST_RECORD
from maskkit.pipeline import Pipeline

pytestmark = pytest.mark.slow

SIZE = {"height": 64, "width": 64}
TINY = {"BACKBONE": "tiny", "IMAGE_MIN_DIM": 64, "IMAGE_MAX_DIM": 64, "IMAGES_PER_GPU": 2,
        "TOP_DOWN_PYRAMID_SIZE": 32, "FPN_CLASSIF_FC_LAYERS_SIZE": 64, "STEPS_PER_EPOCH": 6,
        "VALIDATION_STEPS": 1, "POST_NMS_ROIS_INFERENCE": 100, "DETECTION_MIN_CONFIDENCE": 0.0,
        "DETECTION_MAX_INSTANCES": 10, "LR_SCHEDULE": "cosine", "LR_WARMUP_STEPS": 8}


def best_epoch_file(run: Path) -> tuple[int, Path]:
    """The epoch best.json names and the best checkpoint file of run folder ``run``."""
    record = json.loads((run / BEST_RECORD).read_text())
    return record["epoch"], run / "mask_rcnn_shapes_best.weights.h5"


def test_pipeline_logs_metrics_and_keeps_the_best_checkpoint(tmp_path: Path) -> None:
    pipe = Pipeline("shapes", dataset_args={"count": 6, **SIZE}, val_args={"count": 3, **SIZE},
                    preset="shapes", overrides=TINY, log_dir=tmp_path)
    history = pipe.train(4, eval_every=2, keep_best="map50", verbose=0)
    logged = history["val_map50"]
    assert math.isnan(logged[0]) and math.isnan(logged[2])
    assert all(0.0 <= history[name][i] <= 1.0 for name in ("val_map50", "val_segm_ap") for i in (1, 3))
    assert history["learning_rate"][0] < history["learning_rate"][1] > history["learning_rate"][3]
    run = Path(pipe.model.log_dir)
    epoch, best = best_epoch_file(run)
    assert epoch == 2 * (1 + max((1, 3), key=lambda i: (logged[i], -i)) // 2)
    assert best.read_bytes() == (run / f"mask_rcnn_shapes_{epoch:04d}.weights.h5").read_bytes()
    assert (run / "loss_curves.png").is_file()


def test_cli_keep_best_survives_resume(tmp_path: Path) -> None:
    from click.testing import CliRunner

    args = ["train", "--preset", "shapes", "--data", "count=6", "--data", "height=64", "--data", "width=64",
            "--val-data", "count=3", "--val-data", "height=64", "--val-data", "width=64",
            *[item for key, value in TINY.items() for item in ("--set", f"{key}={value}")],
            "--eval-every", "1", "--keep-best", "map50", "--log-dir", str(tmp_path)]
    first = CliRunner().invoke(cli, [*args, "--epochs", "2"])
    assert first.exit_code == 0, first.output
    assert "best checkpoint (map50)" in first.output
    run = next(p for p in tmp_path.iterdir() if p.is_dir())
    before = json.loads((run / BEST_RECORD).read_text())
    second = CliRunner().invoke(cli, [*args, "--epochs", "3", "--resume"])
    assert second.exit_code == 0, second.output
    assert "\nepoch 3:" in second.output and "\nepoch 1:" not in second.output
    after = json.loads((run / BEST_RECORD).read_text())
    assert after["value"] >= before["value"] and (after["epoch"] == 3) == (after["value"] > before["value"])
    epoch, best = best_epoch_file(run)
    assert best.read_bytes() == (run / f"mask_rcnn_shapes_{epoch:04d}.weights.h5").read_bytes()


def test_cli_minutes_budget_stops_on_time_and_keeps_the_best(tmp_path: Path) -> None:
    """`--minutes`: the run plans its epochs from the measured ones, stops near the budget well
    before the cap, evaluates its last epoch and keeps the best checkpoint (segm_ap by default)."""
    import time

    from click.testing import CliRunner

    args = ["train", "--preset", "shapes", "--data", "count=6", "--data", "height=64", "--data", "width=64",
            "--val-data", "count=3", "--val-data", "height=64", "--val-data", "width=64",
            *[item for key, value in TINY.items() for item in ("--set", f"{key}={value}")],
            "--minutes", "0.75", "--epochs", "400", "--log-dir", str(tmp_path)]
    started = time.monotonic()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 0.75 * 60 + 90  # the budget, model building and final summary
    assert "train: 6 images" in result.output and "val: 3 images" in result.output
    assert "budget: 0.75 min of training" in result.output
    assert "budget is used" in result.output and "final validation" in result.output
    run = next(p for p in tmp_path.iterdir() if p.is_dir())
    epochs = sorted(run.glob("mask_rcnn_shapes_0*.weights.h5"))
    assert 2 <= len(epochs) < 400
    record = json.loads((run / BEST_RECORD).read_text())
    assert record["metric"] == "segm_ap" and (run / "mask_rcnn_shapes_best.weights.h5").is_file()
    assert "Warning: only 3 validation image(s)" in result.output
