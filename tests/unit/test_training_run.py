"""The steps around a Pipeline's training call: learning-rate check, starting weights, monitors from
train()'s options, and tidying the run folder of a failed run (no model is built here)."""

from __future__ import annotations

import math
import types

import pytest

from maskkit.checkpoints import FAILED_MARK
from maskkit.errors import ConfigError, MaskkitError, WeightsError
from maskkit.training_run import (budget_monitor, checked_learning_rate, load_start_weights, resume_newest,
                                  settle_failed_training, validation_monitor)


def touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize("rate", [0.0, -0.1, math.nan, math.inf])
def test_a_learning_rate_must_be_finite_and_positive(rate):
    with pytest.raises(ConfigError, match="learning_rate"):
        checked_learning_rate(rate)
    assert checked_learning_rate(1) == 1.0 and isinstance(checked_learning_rate(1), float)


def test_resume_loads_the_newest_intact_checkpoint_and_none_without_a_run(tmp_path):
    assert resume_newest(tmp_path, "shapes", lambda path: pytest.fail("nothing to load")) is None
    run = tmp_path / "shapes20250102T0800"
    older = touch(run / "mask_rcnn_shapes_0001.weights.h5")
    newest = touch(run / "mask_rcnn_shapes_0002.weights.h5")
    loaded = []

    def load(path):
        if path == newest:
            raise WeightsError("damaged")
        loaded.append(path)

    assert resume_newest(tmp_path, "shapes", load) == older and loaded == [older]
    with pytest.raises(WeightsError, match="every checkpoint"):
        resume_newest(tmp_path, "shapes", lambda path: (_ for _ in ()).throw(WeightsError("damaged")))


def test_start_weights_come_from_the_resumed_run_else_the_given_checkpoint(tmp_path, capsys):
    calls = []
    pipe = types.SimpleNamespace(log_dir=tmp_path, config=types.SimpleNamespace(NAME="shapes"),
                                 model=types.SimpleNamespace(epoch=2),
                                 load_weights=lambda path, exclude=(): calls.append((path, tuple(exclude))) or "report")
    touch(tmp_path / "shapes20250102T0800" / "mask_rcnn_shapes_0002.weights.h5")
    load_start_weights(pipe, True, "other.h5", (), None, verbose=1)
    assert [path.name for path, _ in calls] == ["mask_rcnn_shapes_0002.weights.h5"]
    assert "Resuming from" in capsys.readouterr().out
    load_start_weights(pipe, False, "other.h5", ["mrcnn_class_logits"], None, verbose=0)
    assert calls[-1] == ("other.h5", ("mrcnn_class_logits",))
    load_start_weights(pipe, False, None, (), None, verbose=1)
    assert len(calls) == 2 and capsys.readouterr().out == ""


def test_a_validation_monitor_only_when_asked_and_only_with_validation_data():
    evaluated = []
    evaluate = lambda limit=None: evaluated.append(limit) or {}  # noqa: E731
    assert validation_monitor(evaluate, "shapes", True, 0, None, None, None) is None
    monitor = validation_monitor(evaluate, "shapes", True, 0, "map50", 2, 5)
    assert (monitor.every, monitor.keep_best, monitor.patience, monitor.name) == (1, "map50", 2, "shapes")
    monitor.evaluate()
    assert evaluated == [5]
    assert validation_monitor(evaluate, "shapes", False, 0, "val_loss", None, None).every == 0
    with pytest.raises(MaskkitError, match="eval_every needs a validation dataset"):
        validation_monitor(evaluate, "shapes", False, 2, None, None, None)


def test_a_budget_evaluates_by_segm_ap_with_validation_data_and_refuses_metrics_without(capsys):
    evaluate = lambda limit=None: {}  # noqa: E731
    budget, monitor = budget_monitor(5, 10, evaluate, "shapes", True, None, None, None, None, verbose=1)
    assert budget.max_epochs == 10 and monitor.budget is budget and monitor.every is None
    assert monitor.validation.keep_best == "segm_ap" and monitor.validation.every == 1
    assert "budget: 5 min of training" in capsys.readouterr().out
    _, monitor = budget_monitor(5, None, evaluate, "shapes", False, None, "val_loss", None, None, verbose=0)
    assert monitor.validation is None
    with pytest.raises(MaskkitError, match="needs a validation dataset"):
        budget_monitor(5, None, evaluate, "shapes", False, None, "map50", None, None, verbose=0)


def test_a_failed_run_without_checkpoints_is_removed_and_one_with_checkpoints_marked(tmp_path, capsys):
    run = tmp_path / "shapes20250102T0800"
    touch(run / "events.log")
    model = types.SimpleNamespace(strategy=types.SimpleNamespace(cluster_resolver=None), log_dir=run)
    settle_failed_training(model, RuntimeError("boom"), created=True)
    assert not run.exists() and "removed run folder" in capsys.readouterr().err
    touch(run / "mask_rcnn_shapes_0001.weights.h5")
    settle_failed_training(model, KeyboardInterrupt(), created=True)
    assert (run / FAILED_MARK).is_file() and f"marked {FAILED_MARK}" in capsys.readouterr().err


def test_resuming_a_run_that_named_no_config_carries_on_with_the_config_it_stored(tmp_path):
    from maskkit.config import Config
    from maskkit.config_assembly import ConfigRequest
    from maskkit.training_run import stored_run_request
    from maskkit.weights.native import write_native

    asked = ConfigRequest(overrides=[("--set", {"LEARNING_RATE": 0.01})])
    assert stored_run_request(asked, tmp_path, "nano") is asked, "no run yet: plan as usual"
    stored = Config(NAME="shapes", IMAGE_MIN_DIM=192, IMAGE_MAX_DIM=192, IMAGES_PER_GPU=3)
    checkpoint = tmp_path / "shapes20260101T000000" / "mask_rcnn_shapes_0002.weights.h5"
    checkpoint.parent.mkdir()
    write_native(checkpoint, [], {"config": stored.to_dict()}, {})
    resumed = stored_run_request(asked, tmp_path, "shapes")
    assert resumed.config == stored and resumed.config_source == "run shapes20260101T000000"
    assert resumed.overrides == asked.overrides, "--set still applies on top"
    named = ConfigRequest(preset="cpu")
    assert stored_run_request(named, tmp_path, "shapes") is named, "a named preset is the user's choice"
