"""Shared tiny configs and ONE trained model for the integration tests that need a model that has learnt.

Training is the slow part of these tests, so the model is trained once per session, through
Pipeline as a user would: 64x64 shapes, ``trained_tiny_config`` (the ``tiny`` backbone of
``tests.helpers.tiny_config``), three epochs of 20 steps with validation. Its run folder holds
checkpoints that carry the config, the class names and the dataset's arguments, so the CLI's
evaluate, detect and export commands work from it alone. Tests must not change what the fixture
returns; a test that trains further copies the run folder first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

from maskkit.config import Config
from tests.helpers import tiny_config

#: The shapes datasets the session's model trains and validates on (registry arguments).
TRAINED_TRAIN_ARGS = {"count": 4, "height": 64, "width": 64, "seed": 0}
TRAINED_VAL_ARGS = {"count": 2, "height": 64, "width": 64, "seed": 0}
TRAINED_EPOCHS = 3


def trained_tiny_config() -> Config:
    """tiny_config with a low detection threshold: a briefly trained model's scores stay low, and the
    tests that detect with the checkpoint's own config (CLI detect, export) need detections."""
    return tiny_config(DETECTION_MIN_CONFIDENCE=0.05, DETECTION_MAX_INSTANCES=10)


@attrs.frozen
class TrainedTiny:
    """The session's trained model, the log folder holding its run, and the datasets it saw."""

    model: Any
    model_dir: Path
    train: Any
    val: Any
    epochs: int


@pytest.fixture(scope="session")
def trained_tiny(tmp_path_factory: pytest.TempPathFactory) -> TrainedTiny:
    """A tiny Mask R-CNN trained by Pipeline for three epochs on four 64x64 shapes images (validated on two)."""
    keras = pytest.importorskip("keras")
    from maskkit.pipeline import Pipeline

    keras.utils.set_random_seed(0)
    model_dir = tmp_path_factory.mktemp("trained_tiny")
    pipe = Pipeline("shapes", dataset_args=TRAINED_TRAIN_ARGS, val_args=TRAINED_VAL_ARGS,
                    config=trained_tiny_config(), log_dir=model_dir)
    pipe.train(TRAINED_EPOCHS, layers="all", verbose=0)
    return TrainedTiny(pipe.model, model_dir, pipe.dataset, pipe.val_dataset, epochs=TRAINED_EPOCHS)
