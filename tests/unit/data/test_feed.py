"""The input side of training: batches carry the model's anchors (bit for bit the normalised
anchors_for), epoch e reads the stream seeded SEED + e, validation reads one unaugmented stream,
an error inside tf.data arrives as the maskkit error it carries, and instances left out over
MAX_GT_INSTANCES are reported once per run."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import maskkit
from maskkit.data.anchor_grid import anchors_for
from maskkit.data.feed import epoch_input, training_inputs
from maskkit.data.input import make_dataset
from maskkit.errors import DatasetError
from maskkit.utils.box_math import norm_boxes
from tests.helpers import ArrayDataset, shapes_dataset, tiny_config
from tests.helpers_crowded import (CLASS_NAMES, crowded_class_ids, crowded_config, crowded_dataset, crowded_image,
                                   crowded_masks)


def expected_anchors(config, height: int, width: int) -> np.ndarray:
    """What the training loop broadcast into every batch before the input side did (float32)."""
    return norm_boxes(anchors_for(config, (height, width)), (height, width))


def as_numpy(batch) -> dict[str, np.ndarray]:
    return {key: value.numpy() for key, value in batch.items()}


def first_batch(pipeline) -> dict[str, np.ndarray]:
    return as_numpy(next(iter(pipeline)))


def test_square_batches_carry_the_normalised_anchors_bit_for_bit():
    config = tiny_config()
    batch = as_numpy(next(epoch_input(shapes_dataset(count=4, size=64), config, 1)(1)))
    expected = expected_anchors(config, 64, 64)
    assert batch["anchors"].dtype == np.float32
    assert batch["anchors"].shape == (config.BATCH_SIZE, *expected.shape)
    for row in batch["anchors"]:
        assert np.array_equal(row, expected)


def test_batches_of_varying_image_size_carry_the_anchors_of_their_size():
    config = tiny_config(IMAGE_RESIZE_MODE="pad64", IMAGES_PER_GPU=1)
    wide = maskkit.datasets.create("shapes", count=2, height=64, width=96, seed=0, subset="train")
    batch = as_numpy(next(epoch_input(wide, config, 1)(1)))
    height, width = batch["images"].shape[1:3]
    assert (height, width) == (64, 128)
    assert batch["anchors"].dtype == np.float32
    assert np.array_equal(batch["anchors"][0], expected_anchors(config, height, width))


def test_epoch_e_reads_the_stream_seeded_seed_plus_e_and_validation_one_stream():
    config = tiny_config(AUGMENTERS=("fliplr",), SEED=7)
    train, val = training_inputs(shapes_dataset(count=6, size=64), shapes_dataset(count=4, size=64, subset="val"),
                                 config, 3)
    got = as_numpy(next(train(4)))
    reference = first_batch(make_dataset(shapes_dataset(count=6, size=64), config, augmenters="fliplr",
                                         seed=config.SEED + 4))
    for key, value in reference.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)
    assert not np.array_equal(got["images"], as_numpy(next(train(3)))["images"])
    first, later = as_numpy(next(val(3))), as_numpy(next(val(5)))
    unaugmented = first_batch(make_dataset(shapes_dataset(count=4, size=64, subset="val"), config,
                                           seed=config.SEED + 1))
    for key, value in unaugmented.items():
        np.testing.assert_array_equal(first[key], value, err_msg=key)
        np.testing.assert_array_equal(later[key], value, err_msg=key)


def test_worker_processes_from_the_config_give_the_batches_of_threads(monkeypatch):
    from maskkit.data import input as data_input

    pools = []

    def counted(builder, groups, processes):
        pools.append(processes)
        return original(builder, groups, processes)

    original = data_input.process_groups
    monkeypatch.setattr(data_input, "process_groups", counted)
    dataset = shapes_dataset(count=6, size=64)
    threads = as_numpy(next(epoch_input(dataset, tiny_config(AUGMENTERS=("fliplr",)), 2)(2)))
    assert pools == []
    processes = as_numpy(next(epoch_input(dataset, tiny_config(AUGMENTERS=("fliplr",), WORKER_PROCESSES=2), 2)(2)))
    assert pools == [2]
    for key, value in threads.items():
        np.testing.assert_array_equal(processes[key], value, err_msg=key)


def test_no_validation_input_without_validation_steps():
    config = tiny_config(VALIDATION_STEPS=0)
    _, val = training_inputs(shapes_dataset(count=4, size=64), shapes_dataset(count=2, size=64), config, 1)
    assert val is None


class FailingMasks(ArrayDataset):
    """Masks load for image 0 only; later images raise a plain KeyError, as a buggy plugin might."""

    def load_mask(self, image_id: int):
        if image_id > 0:
            raise KeyError("segmentation")
        return super().load_mask(image_id)


def test_an_error_inside_tf_data_arrives_as_the_maskkit_error():
    mask = np.zeros((32, 32, 1), bool)
    mask[4:12, 5:15] = True
    dataset = FailingMasks([np.full((32, 32, 3), 90, np.uint8)] * 3, [mask] * 3, [np.array([1], np.int32)] * 3)
    batches = epoch_input(dataset, tiny_config(NUM_CLASSES=3), 1)(1)
    with pytest.raises(DatasetError, match="FailingMasks image [12] .*loading failed: KeyError: 'segmentation'"):
        next(batches)


def test_dropped_instances_are_reported_once_per_run_with_their_counts():
    """Train images of 600, 150 and 50 instances and a validation image of 120 at MAX_GT_INSTANCES=100,
    read as the training loop reads them for two epochs on two threads: one warning, after the first
    epoch's training batches, naming the 550 instances of the 2 training images over the limit."""
    counts = (600, 150, 50)
    train = ArrayDataset([crowded_image()] * 3, [crowded_masks(n) for n in counts],
                         [crowded_class_ids(n) for n in counts], class_names=CLASS_NAMES)
    val = crowded_dataset(count=120)
    config = crowded_config(MAX_GT_INSTANCES=100, STEPS_PER_EPOCH=3, VALIDATION_STEPS=1, NUM_WORKERS=2)
    train_input, val_input = training_inputs(train, val, config, 1)
    seen = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for epoch in (1, 2):
            batches = train_input(epoch)
            for _ in range(config.STEPS_PER_EPOCH):
                next(batches)
            batches = val_input(epoch)
            seen.append(len(caught))
            next(batches)
        del batches
    messages = [str(w.message) for w in caught if "MAX_GT_INSTANCES" in str(w.message)]
    assert seen == [1, 1] and len(messages) == 1
    assert messages[0].startswith("Training examples left out 550 ground-truth instances of 2 images")
    assert f"the most: 600 in {train.describe_image(0)}" in messages[0]
