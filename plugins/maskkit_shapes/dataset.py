"""The synthetic shapes dataset: specs are drawn at construction, pixels on demand with OpenCV."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from maskkit.dataset import Dataset
from maskkit.utils.box_math import non_max_suppression

SHAPES = ("square", "circle", "triangle")
SUBSET_SEED_OFFSET = {"train": 0, "val": 1_000_003, "test": 2_000_003}


class ShapesDataset(Dataset):
    """1-4 random shapes on a random background; the same seed gives the same images."""

    def load_shapes(self, count: int, height: int, width: int, seed: int = 0) -> None:
        """Add ``count`` image specs of ``height`` x ``width`` drawn from ``seed``."""
        for class_id, name in enumerate(SHAPES, start=1):
            self.add_class("shapes", class_id, name)
        rng = np.random.default_rng(seed)
        for i in range(count):
            bg_color, shapes = random_image(rng, height, width)
            self.add_image("shapes", image_id=i, path=None, width=width, height=height,
                           bg_color=bg_color, shapes=shapes)

    def load_image(self, image_id: int) -> np.ndarray:
        """Draw the image from its spec."""
        info = self.image_info[image_id]
        height, width = info["height"], info["width"]
        image = np.empty((height, width, 3), dtype=np.uint8)
        image.reshape(height, width * 3)[:] = np.tile(np.asarray(info["bg_color"], dtype=np.uint8), width)
        for shape, color, dims in info["shapes"]:
            draw_shape(image, shape, dims, color)
        return image

    def load_mask(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        """One mask per shape, later shapes occluding earlier ones (as drawn)."""
        info = self.image_info[image_id]
        shapes = info["shapes"]
        # Drawn as contiguous [N, H, W] 0/1 planes (fast per-shape work), returned as a [H, W, N] bool view
        # of them (no transposing copy; extract_bboxes wants the planes anyway).
        planes = np.zeros((len(shapes), info["height"], info["width"]), dtype=np.uint8)
        for i, (shape, _, dims) in enumerate(shapes):
            draw_shape(planes[i], shape, dims, 1)
        occlusion = planes[-1] == 0
        for i in range(len(shapes) - 2, -1, -1):
            planes[i] *= occlusion
            occlusion &= planes[i] == 0
        class_ids = np.array([self.class_names.index(s[0]) for s in shapes], dtype=np.int32)
        return planes.view(bool).transpose(1, 2, 0), class_ids

    def image_reference(self, image_id: int) -> str:
        """The shapes in the image, by name."""
        return "shapes: " + ", ".join(s[0] for s in self.image_info[image_id]["shapes"])


def draw_shape(image: np.ndarray, shape: str, dims: tuple[int, int, int], color: Any) -> np.ndarray:
    """Draw one filled shape centred at (x, y) with size s, in place."""
    import cv2

    x, y, s = dims
    color = tuple(int(c) for c in color) if isinstance(color, (tuple, list)) else int(color)
    if shape == "square":
        cv2.rectangle(image, (x - s, y - s), (x + s, y + s), color, -1)
    elif shape == "circle":
        cv2.circle(image, (x, y), s, color, -1)
    elif shape == "triangle":
        half = s / math.sin(math.radians(60))
        points = np.array([[(x, y - s), (x - half, y + s), (x + half, y + s)]], dtype=np.int32)
        cv2.fillPoly(image, points, color)
    else:
        raise ValueError(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")
    return image


def random_shape(rng: np.random.Generator, height: int, width: int) -> tuple[str, tuple, tuple]:
    """A random shape name, colour and (x, y, size) that fits the image."""
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    color = tuple(int(c) for c in rng.integers(0, 256, size=3))
    buffer = 20
    y = int(rng.integers(buffer, height - buffer))
    x = int(rng.integers(buffer, width - buffer))
    s = int(rng.integers(buffer, max(buffer, height // 4) + 1))
    return shape, color, (x, y, s)


def random_image(rng: np.random.Generator, height: int, width: int) -> tuple[list[int], list]:
    """A background colour and 1-4 shapes, heavy overlaps removed by NMS at 0.3."""
    if height < 48 or width < 48:
        raise ValueError(f"shapes images must be at least 48x48, got {height}x{width}")
    bg_color = [int(c) for c in rng.integers(0, 256, size=3)]
    count = int(rng.integers(1, 5))
    shapes = [random_shape(rng, height, width) for _ in range(count)]
    boxes = np.array([[y - s, x - s, y + s, x + s] for _, _, (x, y, s) in shapes], dtype=np.float32)
    keep = set(non_max_suppression(boxes, np.arange(count, dtype=np.float32), 0.3).tolist())
    return bg_color, [s for i, s in enumerate(shapes) if i in keep]


def make_shapes(count: int = 500, height: int = 128, width: int = 128, seed: int = 0,
                subset: str = "train") -> ShapesDataset:
    """Factory registered as ``shapes``: a prepared dataset; ``subset`` shifts the seed."""
    if subset not in SUBSET_SEED_OFFSET:
        raise ValueError(f"unknown subset {subset!r}; known: {', '.join(SUBSET_SEED_OFFSET)}")
    dataset = ShapesDataset()
    dataset.load_shapes(int(count), int(height), int(width), seed=int(seed) + SUBSET_SEED_OFFSET[subset])
    dataset.prepare()
    return dataset
