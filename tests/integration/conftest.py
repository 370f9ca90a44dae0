"""Shared tiny configs and ONE trained model for the integration tests that need a model that has learnt.

Training is the slow part of these tests, so the model is trained once per session: 64x64 shapes,
the ``tiny`` backbone (``tests.helpers.tiny_config``), three epochs of 20 steps with validation. Tests
must not change what the fixture returns; a test that trains further copies the run folder first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

from tests.helpers import tiny_config

@attrs.frozen
class TrainedTiny:
    """The session's trained model, the folder holding its run, and the datasets it saw."""

    model: Any
    model_dir: Path
    train: Any
    val: Any
    epochs: int


@pytest.fixture(scope="session")
def trained_tiny(tmp_path_factory: pytest.TempPathFactory) -> TrainedTiny:
    """A tiny Mask R-CNN trained for three epochs on four 64x64 shapes images (validated on two)."""
    keras = pytest.importorskip("keras")
    import maskkit
    from maskkit.model.maskrcnn import MaskRCNN

    keras.utils.set_random_seed(0)
    config = tiny_config()
    train = maskkit.datasets.create("shapes", count=4, height=64, width=64, seed=0, subset="train")
    val = maskkit.datasets.create("shapes", count=2, height=64, width=64, seed=0, subset="val")
    model_dir = tmp_path_factory.mktemp("trained_tiny")
    model = MaskRCNN("training", config, model_dir)
    model.train(train, val, config.LEARNING_RATE, epochs=3, layers="all", verbose=0)
    return TrainedTiny(model, model_dir, train, val, epochs=3)
