"""Synthetic annotations for the planning tests: square boxes of chosen sides at random places."""

from __future__ import annotations

import numpy as np

from maskkit.planning import Annotations, annotations_from_arrays


def square_boxes(rng: np.random.Generator, count: int, sides: tuple[float, float],
                 image_hw: tuple[int, int]) -> np.ndarray:
    """``count`` float32 square boxes with sides drawn from ``sides`` (low, high), inside the image."""
    side = rng.uniform(*sides, size=count)
    y = rng.uniform(0, image_hw[0] - side)
    x = rng.uniform(0, image_hw[1] - side)
    return np.stack([y, x, y + side, x + side], axis=1).astype(np.float32)


def synthetic_annotations(images: int = 8, per_image: int | list[int] = 3, sides: tuple[float, float] = (20, 40),
                          image_hw: tuple[int, int] = (256, 256), seed: int = 0) -> Annotations:
    """``images`` images of ``image_hw`` with ``per_image`` objects each (class 1, or 2 for odd boxes)."""
    rng = np.random.default_rng(seed)
    counts = per_image if isinstance(per_image, list) else [per_image] * images
    boxes = [square_boxes(rng, n, sides, image_hw) for n in counts]
    ids = [np.arange(n, dtype=np.int32) % 2 + 1 for n in counts]
    return annotations_from_arrays([image_hw] * len(counts), boxes, ids, ("BG", "a", "b"))
