"""Summary statistics of a dataset's annotations: counts, image sizes, object sizes, crowding."""

from __future__ import annotations

import attrs
import numpy as np

from maskkit.planning.annotations import Annotations

PERCENTILES = (5, 50, 95)
SHOWN_SIZES = 3


@attrs.frozen
class DataStats:
    """What planning reports about a dataset; object sizes in original pixels, crowds left out."""

    images: int
    objects: int
    crowds: int
    class_counts: tuple[tuple[str, int], ...]
    common_sizes: tuple[tuple[int, int, int], ...]
    distinct_sizes: int
    side_percentiles: dict[str, tuple[float, ...]]
    per_image: tuple[int, float, float, int]
    images_without_objects: int


def box_sides(boxes: np.ndarray) -> np.ndarray:
    """float64 [N]: each box's side, the square root of its area (a 10x40 box has side 20).

    Args:
        boxes: [N, 4] boxes (y1, x1, y2, x2); inverted extents count as 0.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.sqrt(np.clip(boxes[:, 2] - boxes[:, 0], 0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0, None))


def data_stats(annotations: Annotations) -> DataStats:
    """Counts per class, the most common image sizes, object side percentiles and objects per image.

    Args:
        annotations: the dataset's boxes and image sizes.

    Returns:
        DataStats; ``side_percentiles`` maps height, width and side (sqrt of area) to PERCENTILES.
    """
    objects = annotations.objects
    boxes = annotations.boxes[objects].astype(np.float64)
    ids = annotations.class_ids[objects]
    counts = np.bincount(ids, minlength=len(annotations.class_names))
    sizes, size_counts = np.unique(annotations.image_hw, axis=0, return_counts=True)
    order = np.argsort(-size_counts, kind="stable")[:SHOWN_SIZES]
    per_image = annotations.objects_per_image
    measures = {"height": boxes[:, 2] - boxes[:, 0], "width": boxes[:, 3] - boxes[:, 1], "side": box_sides(boxes)}
    return DataStats(
        images=len(annotations.image_hw),
        objects=int(objects.sum()),
        crowds=int((~objects).sum()),
        class_counts=tuple((name, int(n)) for name, n in zip(annotations.class_names[1:], counts[1:])),
        common_sizes=tuple((int(sizes[k, 0]), int(sizes[k, 1]), int(size_counts[k])) for k in order),
        distinct_sizes=len(sizes),
        side_percentiles={key: tuple(float(v) for v in np.percentile(values, PERCENTILES)) if values.size else ()
                          for key, values in measures.items()},
        per_image=(int(per_image.min()), float(np.median(per_image)), float(np.percentile(per_image, 90)),
                   int(per_image.max())),
        images_without_objects=int((per_image == 0).sum()))
