"""The export's in-graph arithmetic against the numpy/OpenCV path it mirrors, and its metadata."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit import MaskkitError  # noqa: E402
from maskkit.data import mold_image  # noqa: E402
from maskkit.export import (METADATA_FILE, format_signature, mold_in_graph, paste_masks,  # noqa: E402
                            read_export_metadata, resize_like_opencv)
from maskkit.utils.resize import resize_image, unmold_mask  # noqa: E402
from tests.helpers import tiny_config  # noqa: E402


def test_in_graph_resize_is_bit_exact_with_opencv() -> None:
    rng = np.random.default_rng(0)
    for index in range(24):
        height, width = (int(v) for v in rng.integers(3, 90, 2))
        new_h, new_w = (2 * height, 2 * width) if index % 4 == 0 else (int(v) for v in rng.integers(3, 140, 2))
        image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        expected = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
        got = resize_like_opencv(image[None], new_h, new_w).numpy()[0]
        np.testing.assert_array_equal(got, expected, err_msg=f"{(height, width)} -> {(new_h, new_w)}")


def test_in_graph_mask_paste_matches_unmold_mask() -> None:
    rng = np.random.default_rng(1)
    masks = rng.random((1, 3, 14, 14)).astype(np.float32)
    boxes = np.array([[[5, 7, 40, 30], [-4, 50, 20, 70], [30, 2, 31, 3]]], dtype=np.float32)  # one leaves the image
    pasted = paste_masks(masks, boxes, 48, 64).numpy()[0]
    for mask, box, got in zip(masks[0], boxes[0], pasted):
        np.testing.assert_array_equal(got, unmold_mask(mask, box.astype(np.int32), (48, 64)))


def test_molding_in_the_graph_equals_resize_image_and_mold_image():
    config = tiny_config()
    image = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    molded, meta, window = mold_in_graph(tf.constant(image[None]), config)
    resized, expected_window, _, _, _ = resize_image(image, min_dim=config.IMAGE_MIN_DIM, max_dim=config.IMAGE_MAX_DIM,
                                                     min_scale=config.IMAGE_MIN_SCALE, mode="square")
    np.testing.assert_array_equal(window.numpy(), expected_window)
    np.testing.assert_allclose(molded.numpy()[0], mold_image(resized, config), atol=1e-4)
    assert meta.shape == (1, config.IMAGE_META_SIZE)


def test_metadata_is_read_back_and_summarised(tmp_path):
    with pytest.raises(MaskkitError, match="is not a SavedModel exported by maskkit"):
        read_export_metadata(tmp_path)
    metadata = {"class_names": ["BG", "a"], "signature": {
        "inputs": {"images": {"dtype": "uint8", "shape": [None, None, None, 3]}},
        "outputs": {"boxes": {"dtype": "float32", "shape": [None, 100, 4]}}}}
    (tmp_path / METADATA_FILE).parent.mkdir(exist_ok=True)
    (tmp_path / METADATA_FILE).write_text(json.dumps(metadata))
    assert read_export_metadata(tmp_path) == metadata
    assert format_signature(metadata).splitlines() == [
        "signature serving_default:", "  input  images          uint8    [?, ?, ?, 3]",
        "  output boxes           float32  [?, 100, 4]", "class names (2): BG, a"]
