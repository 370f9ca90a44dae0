"""image_meta has one home: numpy and TensorFlow composition agree, and parsing inverts composition."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit import Config
from maskkit.image_meta import (compose_image_meta, compose_image_meta_tf, meta_size, parse_image_meta,
                                parse_image_meta_batch)
from tests.helpers import matterport_shapes_config


def test_tensorflow_and_numpy_compose_the_same_vector():
    tf = __import__("tensorflow")
    parts = (3, (480, 640, 3), (128, 128, 3), (16, 0, 112, 128), 0.2, (1, 1, 0, 1))
    numpy_meta = compose_image_meta(*parts)
    graph_meta = compose_image_meta_tf(3, tf.constant([480, 640, 3]), [128.0, 128.0, 3.0],
                                       tf.constant([16, 0, 112, 128]), tf.constant(0.2, tf.float64),
                                       tf.constant([1, 1, 0, 1]))
    np.testing.assert_array_equal(graph_meta.numpy(), numpy_meta)
    assert graph_meta.dtype == tf.float32


def test_parse_inverts_compose_and_sizes_agree_with_config():
    meta = compose_image_meta(5, (60, 80, 3), (128, 128, 3), (24, 0, 104, 128), 1.6, [1, 1, 1, 0])
    assert meta.shape == (meta_size(4),) == (Config(NUM_CLASSES=4).IMAGE_META_SIZE,)
    parsed = parse_image_meta(meta)
    assert parsed["window"] == (24, 0, 104, 128) and parsed["original_image_shape"] == (60, 80, 3)
    batch = parse_image_meta_batch(np.stack([meta, meta]))
    np.testing.assert_array_equal(batch["active_class_ids"][1], [1, 1, 1, 0])
    np.testing.assert_allclose(batch["scale"], [1.6, 1.6])


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
