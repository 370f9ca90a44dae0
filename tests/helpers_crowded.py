"""One crowded image for the many-instances tests: 600 little squares on 256x256, more than pycocotools
counts in one call (255) and more than COCO's 100 detections per image and class."""

from __future__ import annotations

from typing import Any

import numpy as np

from maskkit import Config
from tests.helpers import ArrayDataset, tiny_config

COUNT = 600
SIZE = 256
CELL = 10  # each square sits in its own 10x10 cell: 25 cells a row, 24 rows
SIDE = 6
CLASS_NAMES = ("a", "b", "c", "d", "e")  # 120 squares of each class, in turn


def crowded_masks(count: int = COUNT) -> np.ndarray:
    """bool [SIZE, SIZE, count]: square k fills the middle of cell k (row-major)."""
    per_row = SIZE // CELL
    masks = np.zeros((SIZE, SIZE, count), dtype=bool)
    rows, cols = np.divmod(np.arange(count), per_row)
    for k, (row, col) in enumerate(zip(rows.tolist(), cols.tolist())):
        y, x = row * CELL + 2, col * CELL + 2
        masks[y:y + SIDE, x:x + SIDE, k] = True
    return masks


def crowded_class_ids(count: int = COUNT) -> np.ndarray:
    """int32 [count]: classes 1..5 in turn."""
    return (np.arange(count) % len(CLASS_NAMES) + 1).astype(np.int32)


def crowded_image() -> np.ndarray:
    """uint8 [SIZE, SIZE, 3]: all COUNT squares grey on black."""
    image = np.zeros((SIZE, SIZE, 3), dtype=np.uint8)
    image[crowded_masks().any(axis=2)] = 200
    return image


def crowded_dataset(count: int = COUNT, images: int = 1) -> ArrayDataset:
    """``images`` copies of the crowded image with its first ``count`` squares as instances."""
    return ArrayDataset([crowded_image()] * images, [crowded_masks(count)] * images,
                        [crowded_class_ids(count)] * images, class_names=CLASS_NAMES)


def crowded_config(**overrides: Any) -> Config:
    """The tiny config at the crowded image's size (no resizing), keeping every instance."""
    values = dict(NUM_CLASSES=len(CLASS_NAMES) + 1, IMAGE_MIN_DIM=SIZE, IMAGE_MAX_DIM=SIZE,
                  MAX_GT_INSTANCES=COUNT, IMAGES_PER_GPU=1)
    return tiny_config(**{**values, **overrides})
