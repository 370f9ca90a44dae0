"""image_meta round-trips through compose/parse; molding is undone by unmolding; anchor counts."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.data import (anchor_counts, anchors_for, compose_image_meta, mold_image, parse_image_meta,
                          parse_image_meta_batch, unmold_image)
from tests.helpers import matterport_shapes_config


def test_image_meta_round_trips():
    config = matterport_shapes_config()
    active = np.array([1, 1, 0, 1], dtype=np.int32)
    meta = compose_image_meta(7, (480, 640, 3), (128, 128, 3), (16, 0, 112, 128), 0.2, active)
    assert meta.dtype == np.float32 and meta.shape == (config.IMAGE_META_SIZE,)
    parsed = parse_image_meta(meta)
    assert parsed["image_id"] == 7
    assert parsed["original_image_shape"] == (480, 640, 3)
    assert parsed["image_shape"] == (128, 128, 3)
    assert parsed["window"] == (16, 0, 112, 128)
    assert parsed["scale"] == pytest.approx(0.2)
    np.testing.assert_array_equal(parsed["active_class_ids"], active)


def test_batch_parsing_slices_every_field():
    metas = np.stack([compose_image_meta(i, (60, 80, 3), (128, 128, 3), (24, 0, 104, 128), 1.6, [1, 1, 1, 0])
                      for i in range(3)])
    parsed = parse_image_meta_batch(metas)
    np.testing.assert_array_equal(parsed["image_id"], [0, 1, 2])
    assert parsed["window"].shape == (3, 4) and parsed["original_image_shape"].shape == (3, 3)
    np.testing.assert_allclose(parsed["scale"], 1.6)
    np.testing.assert_array_equal(parsed["active_class_ids"][0], [1, 1, 1, 0])


def test_parse_rejects_a_batch_or_short_vector():
    with pytest.raises(ValueError, match="image_meta"):
        parse_image_meta(np.zeros((2, 16)))


def test_mold_subtracts_mean_pixel_and_unmold_restores():
    config = matterport_shapes_config()
    image = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    molded = mold_image(image, config)
    assert molded.dtype == np.float32
    np.testing.assert_allclose(molded[0, 0], image[0, 0] - np.array(config.MEAN_PIXEL), rtol=1e-6)
    np.testing.assert_array_equal(unmold_image(molded, config), image)


def test_shapes_config_gives_4092_anchors_split_by_level():
    config = matterport_shapes_config()
    anchors = anchors_for(config, config.IMAGE_SHAPE)
    assert anchors.shape == (4092, 4) and anchors.dtype == np.float32
    assert anchor_counts(config, config.IMAGE_SHAPE) == [3072, 768, 192, 48, 12]
    assert anchors_for(config, config.IMAGE_SHAPE) is anchors
    assert not anchors.flags.writeable
