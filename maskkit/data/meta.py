"""Molding of images around MEAN_PIXEL, as the model expects them (image_meta lives in maskkit.image_meta)."""

from __future__ import annotations

import numpy as np

from maskkit.config import Config

def mold_image(images: np.ndarray, config: Config) -> np.ndarray:
    """RGB uint8 image(s) -> float32 with MEAN_PIXEL subtracted, as the model expects."""
    return np.asarray(images, dtype=np.float32) - np.asarray(config.MEAN_PIXEL, dtype=np.float32)


def unmold_image(normalized_images: np.ndarray, config: Config) -> np.ndarray:
    """Inverse of mold_image: add MEAN_PIXEL back and return uint8 (rounded, clipped)."""
    restored = np.asarray(normalized_images, dtype=np.float32) + np.asarray(config.MEAN_PIXEL, dtype=np.float32)
    return np.clip(np.rint(restored), 0, 255).astype(np.uint8)
