"""What a run trains and validates on, in a few lines: images and instances per split and per class,
with warnings for a validation split too small or missing classes to say much."""

from __future__ import annotations

from typing import Any

import numpy as np

#: A validation split with fewer images gives metrics that swing from one evaluation to the next.
FEW_VALIDATION_IMAGES = 10


def class_counts(dataset: Any) -> tuple[int, np.ndarray]:
    """(instances, per-class instance counts [num_classes]) from the dataset's annotation boxes;
    crowd regions (negative ids) are not counted."""
    counts = np.zeros(dataset.num_classes, dtype=np.int64)
    for image_id in dataset.image_ids:
        _, class_ids = dataset.annotation_boxes(int(image_id))
        class_ids = np.asarray(class_ids, dtype=np.int64)
        counts += np.bincount(class_ids[class_ids > 0], minlength=dataset.num_classes)[: dataset.num_classes]
    return int(counts.sum()), counts


def describe_split(name: str, dataset: Any) -> tuple[str, np.ndarray]:
    """``train: 84 images, 8,712 instances (Cube 2,101, Sphere 6,611)`` and the per-class counts.

    Args:
        name: the split's label at the start of the line, e.g. ``"train"``.
        dataset: the prepared dataset of the split.
    """
    total, counts = class_counts(dataset)
    per_class = ", ".join(f"{dataset.class_names[c]} {counts[c]:,}" for c in range(1, dataset.num_classes))
    return f"{name}: {dataset.num_images:,} images, {total:,} instances ({per_class})", counts


def describe_data(train: Any, val: Any | None) -> str:
    """The split sizes of a run and warnings about its validation split (too few images, classes
    it never shows, or none at all).

    Args:
        train: the prepared training dataset.
        val: the prepared validation dataset, or None.
    """
    line, _ = describe_split("train", train)
    lines = [line]
    if val is None:
        lines.append("val: none (no validation losses or metrics)")
        return "\n".join(lines)
    line, counts = describe_split("val", val)
    lines.append(line)
    if val.num_images < FEW_VALIDATION_IMAGES:
        lines.append(f"Warning: only {val.num_images} validation image(s): metrics will be noisy; "
                     f"use at least {FEW_VALIDATION_IMAGES} (e.g. a larger val_fraction)")
    missing = [val.class_names[c] for c in range(1, val.num_classes) if counts[c] == 0]
    if missing:
        lines.append(f"Warning: the validation split has no instance of {', '.join(missing)}: "
                     f"its AP is not measured")
    return "\n".join(lines)
