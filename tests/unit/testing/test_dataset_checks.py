"""check_dataset: the built-in datasets pass, each broken dataset fails naming its problem."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from maskkit.testing import check_dataset
from tests import broken_plugins
from tests.helpers import ArrayDataset, conformance_failure


def test_shapes_dataset_conforms():
    dataset = check_dataset("shapes", count=6, height=64, width=64)
    assert len(dataset.image_info) == 6


def test_coco_dataset_conforms(tmp_path):
    from tests.helpers_coco import build_coco

    files = build_coco(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_dataset("coco", annotations=str(files.annotations), images=str(files.images))


def test_baseline_of_the_broken_plugin_conforms():
    check_dataset(broken_plugins.SquaresDataset, count=3)


def test_sample_none_checks_every_image():
    images = [np.zeros((16, 16, 3), np.uint8)] * 20
    masks = [np.ones((16, 16, 1), bool)] * 20
    masks[5] = np.ones((16, 16, 1), np.uint8)
    dataset = ArrayDataset(images, masks, [np.array([1], np.int32)] * 20)
    check_dataset(dataset, sample=3)
    assert "image 5 " in conformance_failure(check_dataset, dataset, sample=None)


@pytest.mark.parametrize("name, expected", [
    ("broken_float_masks", "load_mask returned masks of dtype float32; they must be bool [4 of 4 sampled images]"),
    ("broken_mask_count", "load_mask returned 1 masks but 2 class ids (N must match)"),
    ("broken_random", "load_image returned different data for the same image id on a second call"),
])
def test_broken_dataset_fails_naming_the_problem(broken, name, expected):
    message = conformance_failure(check_dataset, name)
    assert message.startswith(f"dataset {name!r} (plugin 'broken') fails 1 conformance check:")
    assert expected in message
    assert "image 0 (source id 0, square 0)" in message


def test_dataset_with_unknown_class_ids_and_wrong_mask_size_fails():
    image = np.zeros((16, 16, 3), dtype=np.uint8)
    dataset = ArrayDataset([image, image], [np.ones((16, 16, 1), bool), np.ones((8, 16, 1), bool)],
                           [np.array([5], np.int32), np.array([1], np.int32)])
    message = conformance_failure(check_dataset, dataset)
    assert "image 0" in message and "class ids [5] are not classes of the dataset (1..2" in message
    assert "image 1" in message and "mask size (8, 16) differs from image size (16, 16)" in message


def test_dataset_must_return_uint8_rgb_images():
    dataset = ArrayDataset([np.zeros((16, 16), np.uint8)], [np.ones((16, 16, 1), bool)], [np.array([1], np.int32)])
    assert "load_image returned shape (16, 16) dtype uint8; it must be uint8 HxWx3" in conformance_failure(check_dataset, dataset)


def test_unknown_dataset_name_is_a_conformance_error():
    assert "cannot be looked up: unknown dataset 'no_such_dataset'" in conformance_failure(check_dataset, "no_such_dataset")
