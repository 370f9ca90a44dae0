"""A dataset's annotations as flat arrays: every box with its class and image, every image's size.

Read through ``Dataset.annotation_boxes``, so no image is decoded: sizes come from
``image_info[i]["height"]/["width"]``, else from the shape of ``load_mask``'s masks (and, for an
image with neither a recorded size nor instances, from the image itself).
"""

from __future__ import annotations

from typing import Sequence

import attrs
import numpy as np

from maskkit.dataset import Dataset
from maskkit.errors import DatasetError


@attrs.frozen
class Annotations:
    """Boxes float32 [N, (y1, x1, y2, x2)] in original pixels, class ids int32 [N] (crowds negative),
    the image index int64 [N] of each box, image sizes int64 [I, (height, width)] and class names (BG first)."""

    boxes: np.ndarray
    class_ids: np.ndarray
    image_index: np.ndarray
    image_hw: np.ndarray
    class_names: tuple[str, ...]

    @property
    def objects(self) -> np.ndarray:
        """bool [N]: the boxes that are objects, not crowd regions."""
        return self.class_ids > 0

    @property
    def instances_per_image(self) -> np.ndarray:
        """int64 [I]: how many instances (crowd regions included) each image holds."""
        return np.bincount(self.image_index, minlength=len(self.image_hw))

    @property
    def objects_per_image(self) -> np.ndarray:
        """int64 [I]: how many objects (crowd regions left out) each image holds."""
        return np.bincount(self.image_index[self.objects], minlength=len(self.image_hw))


def annotations_from_arrays(image_hw: Sequence[Sequence[int]], boxes: Sequence[np.ndarray],
                            class_ids: Sequence[np.ndarray], class_names: Sequence[str]) -> Annotations:
    """Annotations from per-image box and class id arrays.

    Args:
        image_hw: (height, width) of each image.
        boxes: per image, [n, 4] boxes (y1, x1, y2, x2) in its pixels.
        class_ids: per image, int [n] class ids (negative for crowds).
        class_names: the class names, BG first.
    """
    per_image = [np.asarray(b, dtype=np.float32).reshape(-1, 4) for b in boxes]
    counts = [len(b) for b in per_image]
    return Annotations(
        boxes=np.concatenate(per_image) if per_image else np.zeros((0, 4), np.float32),
        class_ids=np.concatenate([np.asarray(c, dtype=np.int32).reshape(-1) for c in class_ids]
                                 or [np.zeros(0, np.int32)]),
        image_index=np.repeat(np.arange(len(counts), dtype=np.int64), counts),
        image_hw=np.asarray(image_hw, dtype=np.int64).reshape(-1, 2),
        class_names=tuple(class_names))


def read_annotations(dataset: Dataset) -> Annotations:
    """Every image's size and instance boxes, read without decoding images.

    Args:
        dataset: a prepared dataset.

    Raises:
        DatasetError: the dataset has no images, or an image's boxes or size are malformed (naming it).
    """
    if not len(dataset.image_info):
        raise DatasetError(f"{dataset.name}: the dataset has no images")
    sizes, boxes, class_ids = [], [], []
    for image_id in range(len(dataset.image_info)):
        image_boxes, ids = dataset.annotation_boxes(image_id)
        image_boxes, ids = np.asarray(image_boxes), np.asarray(ids)
        if image_boxes.ndim != 2 or image_boxes.shape[1] != 4 or ids.shape != (len(image_boxes),):
            raise DatasetError(f"{dataset.describe_image(image_id)}: annotation_boxes must return boxes [N, 4] "
                               f"and class ids [N], got shapes {image_boxes.shape} and {ids.shape}")
        sizes.append(_image_size(dataset, image_id))
        boxes.append(image_boxes)
        class_ids.append(ids)
    return annotations_from_arrays(sizes, boxes, class_ids, dataset.class_names)


def _image_size(dataset: Dataset, image_id: int) -> tuple[int, int]:
    """(height, width) from the image's info, else from its masks' shape."""
    info = dataset.image_info[image_id]
    if info.get("height") is not None and info.get("width") is not None:
        try:
            height, width = int(info["height"]), int(info["width"])
        except (TypeError, ValueError):
            raise DatasetError(f"{dataset.describe_image(image_id)}: height and width must be integers, got {info['height']!r} "
                               f"and {info['width']!r}") from None
    else:
        mask = dataset.load_mask(image_id)[0]
        height, width = (mask.shape[:2] if isinstance(mask, np.ndarray) and mask.ndim == 3 else (0, 0))
        if height <= 0 or width <= 0:
            height, width = np.shape(dataset.load_image(image_id))[:2]
    if height <= 0 or width <= 0:
        raise DatasetError(f"{dataset.describe_image(image_id)}: image size {height}x{width} is empty")
    return int(height), int(width)
