"""ExampleBuilder and make_dataset: images over MAX_GT_INSTANCES are recorded (and warned about once), and
an image with 600 instances goes through whole."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from maskkit.data.dropped import DroppedInstances
from maskkit.data.ground_truth import load_image_gt
from maskkit.data.example_arrays import KEYS
from maskkit.data.input import ExampleBuilder, make_dataset
from tests.helpers import shapes_dataset
from tests.helpers_crowded import crowded_class_ids, crowded_config, crowded_dataset


def test_more_instances_than_max_gt_instances_warns_once():
    from maskkit.presets import shapes_config

    dataset = shapes_dataset(count=6)
    counts = [dataset.load_mask(i)[1].size for i in dataset.image_ids]
    busy = int(np.argmax(counts))
    assert counts[busy] >= 2
    builder = ExampleBuilder(dataset, shapes_config(MAX_GT_INSTANCES=1))
    with pytest.warns(RuntimeWarning, match="MAX_GT_INSTANCES=1") as caught:
        builder(0, busy)
        builder(1, busy)
    assert len([w for w in caught if "MAX_GT_INSTANCES" in str(w.message)]) == 1
    assert f"left out {counts[busy] - 1} ground-truth instance" in str(caught[0].message)


def test_a_given_record_collects_the_dropped_instances_without_warning():
    dropped = DroppedInstances(100)
    builder = ExampleBuilder(crowded_dataset(), crowded_config(MAX_GT_INSTANCES=100), dropped=dropped)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        example, keep = builder.unpadded(0, 0)
    assert keep and example["gt_class_ids"].shape == (100,) and example["gt_masks"].shape[-1] == 100
    assert dropped.message().startswith("Training examples left out 500 ground-truth instances of 1 image")


KEY_INDEX = {key: k for k, key in enumerate(KEYS)}


def test_an_image_with_600_instances_makes_a_batch_with_all_of_them():
    dataset, config = crowded_dataset(), crowded_config()
    batch = {key: value.numpy() for key, value in next(iter(make_dataset(dataset, config, shuffle=False))).items()}
    _, _, class_ids, boxes, masks = load_image_gt(dataset, config, 0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(batch["gt_class_ids"][0], crowded_class_ids())
    np.testing.assert_array_equal(batch["gt_boxes"][0], boxes.astype(np.float32))
    np.testing.assert_array_equal(batch["gt_masks"][0], masks)
    assert masks.shape == (*config.MINI_MASK_SHAPE, 600) and masks.any(axis=(0, 1)).all()
    assert (batch["rpn_match"][0] == 1).sum() > 0
