"""image_meta has one home: numpy and TensorFlow composition agree, and parsing inverts composition."""

from __future__ import annotations

import numpy as np

from maskkit import Config
from maskkit.image_meta import (compose_image_meta, compose_image_meta_tf, meta_size, parse_image_meta,
                                parse_image_meta_batch)


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
