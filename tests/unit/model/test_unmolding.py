"""maskkit.model.unmolding: detections in the molded image come back in the original image's pixels,
padding rows and zero-area boxes are dropped, and masks are pasted full size as matterport's [H, W, N]."""

from __future__ import annotations

import numpy as np

from maskkit.model.unmolding import unmold_detections
from maskkit.utils.box_math import norm_boxes

ORIGINAL = (32, 64, 3)  # resized x2 to 64 x 128, padded to a 128 square
MOLDED = (128, 128, 3)
WINDOW = (32, 0, 96, 128)


def to_molded(pixel_boxes: np.ndarray) -> np.ndarray:
    """Original pixel boxes -> boxes normalised to the molded image, as the inference graph returns them."""
    wy1, wx1, wy2, wx2 = norm_boxes(np.asarray(WINDOW, dtype=np.float32), MOLDED[:2])
    shift = np.array([wy1, wx1, wy1, wx1], dtype=np.float32)
    scale = np.array([wy2 - wy1, wx2 - wx1, wy2 - wy1, wx2 - wx1], dtype=np.float32)
    return norm_boxes(pixel_boxes, ORIGINAL[:2]) * scale + shift


def test_boxes_return_to_original_pixels_and_padding_rows_are_dropped():
    boxes = np.array([[4, 8, 20, 40], [0, 0, 32, 64]], dtype=np.float32)
    detections = np.zeros((4, 6), dtype=np.float32)
    detections[:2, :4] = to_molded(boxes)
    detections[:2, 4] = [3, 1]
    detections[:2, 5] = [0.9, 0.6]
    masks = np.ones((4, 7, 7), dtype=np.float32)

    result = unmold_detections(detections, masks, ORIGINAL, MOLDED, WINDOW)

    np.testing.assert_array_equal(result["rois"], boxes.astype(np.int32))
    assert result["rois"].dtype == np.int32
    np.testing.assert_array_equal(result["class_ids"], [3, 1])
    assert result["class_ids"].dtype == np.int32
    np.testing.assert_allclose(result["scores"], [0.9, 0.6])
    assert result["scores"].dtype == np.float32
    assert result["masks"].shape == (32, 64, 2) and result["masks"].dtype == bool
    expected = np.zeros((32, 64), dtype=bool)
    expected[4:20, 8:40] = True
    np.testing.assert_array_equal(result["masks"][..., 0], expected)
    assert result["masks"][..., 1].all()


def test_zero_area_boxes_are_dropped_with_their_class_score_and_mask():
    boxes = np.array([[4, 8, 4, 40], [2, 2, 10, 10]], dtype=np.float32)
    detections = np.zeros((2, 6), dtype=np.float32)
    detections[:, :4] = to_molded(boxes)
    detections[:, 4] = [2, 5]
    detections[:, 5] = [0.8, 0.7]
    masks = np.stack([np.ones((7, 7)), np.zeros((7, 7))]).astype(np.float32)

    result = unmold_detections(detections, masks, ORIGINAL, MOLDED, WINDOW)

    np.testing.assert_array_equal(result["rois"], [[2, 2, 10, 10]])
    np.testing.assert_array_equal(result["class_ids"], [5])
    np.testing.assert_allclose(result["scores"], [0.7])
    assert result["masks"].shape == (32, 64, 1) and not result["masks"].any()


def test_no_detections_give_empty_arrays_of_the_right_shapes():
    result = unmold_detections(np.zeros((3, 6), np.float32), np.zeros((3, 7, 7), np.float32),
                               ORIGINAL, MOLDED, WINDOW)
    assert result["rois"].shape == (0, 4)
    assert result["class_ids"].shape == (0,) and result["scores"].shape == (0,)
    assert result["masks"].shape == (32, 64, 0)
