"""Checks of a COCO annotation file that pycocotools skips: repeated ids, undeclared categories,
annotations of unlisted images, negative areas and boxes, and compressed RLEs whose runs do not
cover the image.

pycocotools indexes images and annotations in dicts, so a repeated id silently keeps the last
entry (another image's masks get attached), and an annotation whose image_id names no image is
never looked at; a truncated compressed RLE decodes into a mask whose tail is uninitialised
memory. Repeated ids and bad RLEs are errors; undeclared categories, unlisted images and negative
geometry are recorded and reported (``maskkit data check`` lists them).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from maskkit.errors import DatasetError

SHOWN = 5


def check_unique_ids(data: dict[str, Any], path: Path) -> None:
    """DatasetError naming the repeated ids when two images or two annotations share an id."""
    for key, kind in (("images", "image"), ("annotations", "annotation")):
        counts = Counter(entry.get("id") for entry in data[key] if isinstance(entry, dict))
        repeated = [entry_id for entry_id, count in counts.items() if count > 1]
        if repeated:
            details = ", ".join(f"{entry_id!r} ({counts[entry_id]} times)" for entry_id in repeated[:SHOWN])
            raise DatasetError(f"coco: {path}: {kind} ids must be unique, but {len(repeated)} repeat: {details}"
                               f"{', ...' if len(repeated) > SHOWN else ''} (pycocotools would keep only the "
                               f"last of each and attach the wrong masks)")


def unknown_category_annotations(data: dict[str, Any]) -> list[Any]:
    """Ids of annotations whose category_id is not among the file's categories."""
    declared = {cat.get("id") for cat in data["categories"]}
    return [ann.get("id") for ann in data["annotations"] if ann.get("category_id") not in declared]


def unknown_image_annotations(data: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(annotation id, image id) of annotations whose image_id is not among the file's images."""
    listed = {img.get("id") for img in data["images"] if isinstance(img, dict)}
    return [(ann.get("id"), ann.get("image_id")) for ann in data["annotations"]
            if isinstance(ann, dict) and ann.get("image_id") not in listed]


def bad_geometry_annotations(data: dict[str, Any]) -> list[tuple[Any, str]]:
    """(annotation id, problem) for a negative ``area`` or a bbox with negative width or height."""
    found = []
    for ann in data["annotations"]:
        area, bbox = ann.get("area"), ann.get("bbox")
        if isinstance(area, (int, float)) and area < 0:
            found.append((ann.get("id"), f"negative area {area}"))
        if isinstance(bbox, (list, tuple)) and len(bbox) == 4 and all(isinstance(v, (int, float)) for v in bbox):
            if bbox[2] < 0 or bbox[3] < 0:
                found.append((ann.get("id"), f"bbox {list(bbox)} has a negative width or height"))
    return found


def rle_run_lengths(counts: str | bytes) -> np.ndarray | None:
    """The run lengths a compressed RLE string encodes (pycocotools' rleFrString, vectorised);
    None if the string ends in the middle of a number (truncated)."""
    codes = np.frombuffer(counts.encode("ascii") if isinstance(counts, str) else counts, dtype=np.uint8)
    if codes.size == 0:
        return np.zeros(0, dtype=np.int64)
    digits = codes.astype(np.int64) - 48
    last = (digits & 0x20) == 0
    if not last[-1]:
        return None
    ends = np.flatnonzero(last)
    starts = np.concatenate([[0], ends[:-1] + 1])
    group = np.repeat(np.arange(ends.size), ends - starts + 1)
    place = np.arange(codes.size) - starts[group]
    values = np.add.reduceat((digits & 0x1F) << (5 * place), starts)
    negative = (digits[ends] & 0x10) != 0
    values = values - np.where(negative, np.left_shift(1, 5 * (ends - starts + 1)), 0)
    # From the fourth run on, each run is stored as the difference to the run two before it.
    runs = values.copy()
    for start in (3, 4):
        index = np.arange(start, runs.size, 2)
        if index.size:
            runs[index] = np.cumsum(values[index]) + values[start - 2]
    return runs


def check_compressed_rle(counts: str | bytes, height: int, width: int, where: str) -> None:
    """DatasetError naming the annotation (``where``) when the runs are truncated, negative, or do not
    sum to height x width."""
    runs = rle_run_lengths(counts)
    if runs is None:
        raise DatasetError(f"{where}: compressed RLE is truncated (its counts end in the middle of a run length)")
    if np.any(runs < 0):
        raise DatasetError(f"{where}: compressed RLE has a negative run length (corrupt counts)")
    total = int(runs.sum())
    if total != height * width:
        raise DatasetError(f"{where}: compressed RLE runs sum to {total} pixels, the image has "
                           f"{height}x{width} = {height * width} (truncated or corrupt counts)")
