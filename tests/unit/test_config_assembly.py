"""A config adopts its dataset's class count, unless NUM_CLASSES was set explicitly and disagrees."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit import Config, ConfigError
from maskkit.pipeline_config import fit_config_to_dataset
from tests.helpers import ArrayDataset


def three_classes() -> ArrayDataset:
    image, mask = np.zeros((8, 8, 3), np.uint8), np.ones((8, 8, 1), bool)
    return ArrayDataset([image], [mask], [np.array([1])], class_names=("a", "b", "c"))


def test_the_class_count_follows_the_dataset_unless_set_explicitly():
    dataset = three_classes()
    config = Config(NUM_CLASSES=2)
    assert fit_config_to_dataset(config, dataset).NUM_CLASSES == 4
    agreeing = Config(NUM_CLASSES=4)
    assert fit_config_to_dataset(agreeing, dataset, explicit=True) is agreeing
    with pytest.raises(ConfigError, match="NUM_CLASSES: is 2 but dataset .* has 4 classes including BG: BG, a, b, c"):
        fit_config_to_dataset(config, dataset, explicit=True)
