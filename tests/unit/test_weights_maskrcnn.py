"""save_weights / load_weights accept an object holding its Keras model as ``keras_model`` (a MaskRCNN)."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.errors import WeightsError
from maskkit.weights import load_weights, save_weights
from tests.helpers_weights import tiny_model, values


class Holder:
    """Stands in for MaskRCNN, whose Keras model is ``self.keras_model``."""

    def __init__(self, seed: int) -> None:
        self.keras_model = tiny_model(seed=seed)


def test_a_model_holder_saves_and_loads_like_its_keras_model(tmp_path):
    source, target = Holder(seed=0), Holder(seed=1)
    save_weights(source, tmp_path / "w.weights.h5")
    before = values(target.keras_model)
    report = load_weights(target, tmp_path / "w.weights.h5")
    after = values(target.keras_model)
    assert report.loaded and any(not np.array_equal(before[k], after[k]) for k in before)
    expected = values(source.keras_model)
    assert all(np.array_equal(expected[k], after[k]) for k in expected)


def test_other_objects_are_still_refused(tmp_path):
    with pytest.raises(WeightsError, match="expected a Keras model, got object"):
        save_weights(object(), tmp_path / "w.weights.h5")
