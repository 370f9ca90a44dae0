"""maskkit.model.molding: the steps mold uint8 batches exactly as mold_image, and leave float ones alone."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.config import Config
from maskkit.data.mean_pixel import mold_image

tf = pytest.importorskip("tensorflow")

from maskkit.model.molding import mold_batch, molded_inputs  # noqa: E402


def test_mold_batch_equals_mold_image_bit_for_bit():
    config = Config(MEAN_PIXEL=(123.7, 116.8, 103.9))
    images = np.random.default_rng(0).integers(0, 256, size=(2, 5, 7, 3), dtype=np.uint8)
    got = mold_batch(tf.constant(images), tf.constant(config.MEAN_PIXEL, dtype=tf.float32)).numpy()
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, mold_image(images, config))


def test_molded_inputs_molds_uint8_images_and_passes_everything_else_through():
    images = np.full((1, 2, 2, 3), 200, dtype=np.uint8)
    batch = {"images": tf.constant(images), "image_meta": tf.zeros((1, 16))}
    out = molded_inputs(batch, (100.0, 50.0, 0.0))
    np.testing.assert_array_equal(out["images"].numpy()[0, 0, 0], [100.0, 150.0, 200.0])
    assert out["image_meta"] is batch["image_meta"]
    already = {"images": tf.constant(images.astype(np.float32) - 1.0)}
    assert molded_inputs(already, (100.0, 50.0, 0.0)) is already
