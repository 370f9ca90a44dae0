"""image_meta vectors (matterport layout) and molding of images around MEAN_PIXEL.

Layout: [image_id, original_image_shape(3), image_shape(3), window(y1, x1, y2, x2)(4), scale(1),
active_class_ids(NUM_CLASSES)] -- 12 + NUM_CLASSES float32 values.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from maskkit.config import Config

FIELDS = (("image_id", 0, 1), ("original_image_shape", 1, 4), ("image_shape", 4, 7),
          ("window", 7, 11), ("scale", 11, 12))
ACTIVE_CLASS_IDS_START = 12


def compose_image_meta(image_id: int, original_image_shape: Sequence[int], image_shape: Sequence[int],
                       window: Sequence[float], scale: float, active_class_ids: Sequence[int]) -> np.ndarray:
    """Pack the attributes of one image into its float32 image_meta vector."""
    return np.array([image_id, *original_image_shape, *image_shape, *window, scale, *active_class_ids],
                    dtype=np.float32)


def parse_image_meta(meta: np.ndarray) -> dict[str, Any]:
    """Unpack one image_meta vector [N] into ints, tuples, the scale and active class ids."""
    meta = np.asarray(meta)
    if meta.ndim != 1 or meta.shape[0] < ACTIVE_CLASS_IDS_START + 1:
        raise ValueError(f"image_meta must be a vector of at least {ACTIVE_CLASS_IDS_START + 1} values, "
                         f"got shape {meta.shape}")
    return {
        "image_id": int(meta[0]),
        "original_image_shape": tuple(int(v) for v in meta[1:4]),
        "image_shape": tuple(int(v) for v in meta[4:7]),
        "window": tuple(int(v) for v in meta[7:11]),
        "scale": float(meta[11]),
        "active_class_ids": meta[ACTIVE_CLASS_IDS_START:].astype(np.int32),
    }


def parse_image_meta_batch(meta: Any) -> dict[str, Any]:
    """Slice a batch of image_meta [B, N] into its fields; plain slicing, so numpy arrays and
    TensorFlow tensors both work without this module importing TensorFlow."""
    out = {name: meta[:, start:stop] for name, start, stop in FIELDS}
    out["image_id"] = meta[:, 0]
    out["scale"] = meta[:, 11]
    out["active_class_ids"] = meta[:, ACTIVE_CLASS_IDS_START:]
    return out


def mold_image(images: np.ndarray, config: Config) -> np.ndarray:
    """RGB uint8 image(s) -> float32 with MEAN_PIXEL subtracted, as the model expects."""
    images = np.asarray(images)
    mean = np.asarray(config.MEAN_PIXEL, dtype=np.float32)
    if images.ndim < 2 or images.shape[-1] != mean.size:
        return images.astype(np.float32) - mean
    # Rows of W*C values minus the mean tiled W times: same float32 values, but numpy's inner loop runs
    # over whole rows instead of the 3 channels (~20x faster at 1024x1024).
    rows = images.reshape(*images.shape[:-2], images.shape[-2] * images.shape[-1])
    return np.subtract(rows, np.tile(mean, images.shape[-2]), dtype=np.float32).reshape(images.shape)


def unmold_image(normalized_images: np.ndarray, config: Config) -> np.ndarray:
    """Inverse of mold_image: add MEAN_PIXEL back and return uint8 (rounded, clipped)."""
    restored = np.asarray(normalized_images, dtype=np.float32) + np.asarray(config.MEAN_PIXEL, dtype=np.float32)
    return np.clip(np.rint(restored), 0, 255).astype(np.uint8)
