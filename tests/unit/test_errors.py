"""Error messages name their culprit: a config field, an argument, or nothing when the message does."""

from __future__ import annotations

import pytest

from maskkit.errors import ConfigError, MaskkitError, TrainingDivergedError, UnknownNameError


def test_config_errors_name_a_field_an_argument_or_nothing():
    assert str(ConfigError("IMAGE_MAX_DIM", "must be a multiple of 64")) == (
        "config field IMAGE_MAX_DIM: must be a multiple of 64")
    assert str(ConfigError("epochs", "must be positive", kind="argument")) == "argument epochs: must be positive"
    unreadable = ConfigError(None, "cannot read run.yaml")
    assert str(unreadable) == "cannot read run.yaml" and unreadable.field is None
    assert isinstance(unreadable, ValueError) and isinstance(unreadable, MaskkitError)


def test_an_unknown_name_prints_its_message_not_a_quoted_key():
    error = UnknownNameError("unknown dataset 'x'; known datasets: shapes")
    assert str(error) == "unknown dataset 'x'; known datasets: shapes"
    with pytest.raises(KeyError):
        raise error


def test_a_diverged_run_says_which_checkpoint_is_left():
    first = TrainingDivergedError(1, 3, {"loss": float("nan")})
    assert "epoch 1, training step 3: loss=nan" in str(first) and "no checkpoint was written" in str(first)
    later = TrainingDivergedError(4, 7, {"rpn_class_loss": float("inf")}, phase="validation")
    assert "validation step 7" in str(later) and "the last good checkpoint is epoch 3's" in str(later)
    assert (later.epoch, later.step, later.phase) == (4, 7, "validation")
