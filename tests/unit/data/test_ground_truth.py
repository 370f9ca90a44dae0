"""load_image_gt: resizing, vanished instances dropped, boxes follow masks, mini masks, meta."""

from __future__ import annotations

import numpy as np
import pytest

import maskkit
from maskkit.augment import build_augmenters
from maskkit.data import load_image_gt, parse_image_meta
from maskkit.errors import ConfigError
from maskkit.utils.box_math import extract_bboxes
from tests.helpers import ArrayDataset, matterport_shapes_config, shapes_dataset
from tests.helpers_crowded import crowded_class_ids, crowded_config, crowded_dataset, crowded_masks


def two_block_dataset() -> ArrayDataset:
    """One 64x96 image with two rectangles of classes 1 and 2 (class names a, b, c)."""
    image = np.zeros((64, 96, 3), dtype=np.uint8)
    masks = np.zeros((64, 96, 2), dtype=bool)
    masks[4:20, 8:40, 0] = True
    masks[30:60, 50:90, 1] = True
    image[masks[:, :, 0]] = 200
    image[masks[:, :, 1]] = 100
    return ArrayDataset([image], [masks], [np.array([1, 2], dtype=np.int32)], class_names=("a", "b", "c"))


def test_square_mode_resizes_and_boxes_come_from_masks():
    config = matterport_shapes_config()
    image, meta, class_ids, boxes, masks = load_image_gt(two_block_dataset(), config, 0, use_mini_mask=False)
    assert image.shape == (128, 128, 3) and masks.shape == (128, 128, 2)
    np.testing.assert_array_equal(class_ids, [1, 2])
    np.testing.assert_array_equal(boxes, extract_bboxes(masks))
    parsed = parse_image_meta(meta)
    assert parsed["original_image_shape"] == (64, 96, 3)
    assert parsed["window"] == (21, 0, 106, 128)
    assert parsed["scale"] == pytest.approx(128 / 96)
    np.testing.assert_array_equal(parsed["active_class_ids"], [1, 1, 1, 1])
    y1, x1, y2, x2 = boxes[0]
    assert image[(y1 + y2) // 2, (x1 + x2) // 2, 0] == 200


@pytest.mark.parametrize("spec", ["fliplr", "flipud", "rot90", "scale_crop", "rotate", "fliplr,rot90,rotate"])
def test_boxes_follow_masks_after_augmentation(spec):
    config = matterport_shapes_config()
    augment = build_augmenters(spec)
    for seed in range(4):
        image, _, class_ids, boxes, masks = load_image_gt(two_block_dataset(), config, 0, augmenters=augment,
                                                          use_mini_mask=False, rng=np.random.default_rng(seed))
        np.testing.assert_array_equal(boxes, extract_bboxes(masks))
        for i, cid in enumerate(class_ids):
            inside = image[masks[:, :, i], 0].astype(int)
            assert np.median(inside) == (200 if cid == 1 else 100)


def test_instances_that_vanish_are_dropped():
    class Erase(maskkit.Augmenter):
        """Clears the first instance mask (a stand-in for a crop that cuts an object away)."""

        targets = "both"

        def __call__(self, image, masks, rng):
            masks = masks.copy()
            masks[:, :, 0] = False
            return image, masks

    _, _, class_ids, boxes, masks = load_image_gt(two_block_dataset(), matterport_shapes_config(), 0,
                                                  augmenters=Erase())
    np.testing.assert_array_equal(class_ids, [2])
    assert boxes.shape == (1, 4) and masks.shape == (56, 56, 1)


def test_mini_masks_are_bbox_crops_of_the_full_masks():
    config = matterport_shapes_config()
    dataset = shapes_dataset(count=3)
    _, _, _, boxes, full = load_image_gt(dataset, config, 1, use_mini_mask=False, rng=np.random.default_rng(0))
    _, _, _, mini_boxes, mini = load_image_gt(dataset, config, 1, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(boxes, mini_boxes)
    assert mini.shape == (56, 56, full.shape[2]) and mini.dtype == bool
    for i, (y1, x1, y2, x2) in enumerate(boxes):
        assert full[y1:y2, x1:x2, i].mean() == pytest.approx(mini[:, :, i].mean(), abs=0.08)


def test_class_count_mismatch_names_the_field():
    with pytest.raises(ConfigError, match="NUM_CLASSES"):
        load_image_gt(two_block_dataset(), matterport_shapes_config(NUM_CLASSES=3), 0)


def test_600_instances_keep_their_classes_boxes_and_masks_through_resizing():
    """At twice the size every square is twice as large (nearest neighbour, through OpenCV's 128-channel
    chunks) and each mini mask is its whole box."""
    dataset, config = crowded_dataset(), crowded_config(IMAGE_MIN_DIM=512, IMAGE_MAX_DIM=512)
    _, _, class_ids, boxes, full = load_image_gt(dataset, config, 0, use_mini_mask=False)
    np.testing.assert_array_equal(class_ids, crowded_class_ids())
    np.testing.assert_array_equal(full, crowded_masks().repeat(2, axis=0).repeat(2, axis=1))
    np.testing.assert_array_equal(boxes, 2 * extract_bboxes(crowded_masks()))
    _, _, _, mini_boxes, mini = load_image_gt(dataset, config, 0)
    np.testing.assert_array_equal(mini_boxes, boxes)
    assert mini.shape == (*config.MINI_MASK_SHAPE, 600) and mini.all()
