"""Molding subtracts the mean pixel and unmolding restores the image."""

from __future__ import annotations

import numpy as np

from maskkit.data import mold_image, unmold_image
from tests.helpers import matterport_shapes_config


def test_mold_subtracts_mean_pixel_and_unmold_restores():
    config = matterport_shapes_config()
    image = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    molded = mold_image(image, config)
    assert molded.dtype == np.float32
    np.testing.assert_allclose(molded[0, 0], image[0, 0] - np.array(config.MEAN_PIXEL), rtol=1e-6)
    np.testing.assert_array_equal(unmold_image(molded, config), image)
