"""Scan one image of a dataset: can it be read, and are its masks and class ids sound?"""

from __future__ import annotations

import numbers
import os
from typing import Any

import attrs
import numpy as np

from maskkit.data_check.findings import Finding, finding
from maskkit.data_check.imagefile import decode_file, file_orientation, header_channels
from maskkit.dataset import Dataset
from maskkit.imageio import UnreadableImage

SHOWN = 5
#: EXIF orientation -> how it turns the stored picture (applied on load).
TURNS = {2: "mirrored left-right", 3: "turned 180 degrees", 4: "mirrored top-bottom", 5: "transposed",
         6: "turned 90 degrees clockwise", 7: "transposed across the other diagonal",
         8: "turned 90 degrees anticlockwise"}
LARGE_IMAGE_PIXELS = 4096 * 4096
TINY_MASK_PIXELS = 16
DUPLICATE_IOU = 0.5


@attrs.frozen
class Limits:
    """Thresholds of the warnings: images above ``large_image_pixels``, masks below ``tiny_mask_pixels``,
    instance pairs above ``duplicate_iou`` mask IoU, images with more than ``max_instances`` (None: no limit)."""

    large_image_pixels: int = LARGE_IMAGE_PIXELS
    tiny_mask_pixels: int = TINY_MASK_PIXELS
    duplicate_iou: float = DUPLICATE_IOU
    max_instances: int | None = None


@attrs.define
class ImageScan:
    """What one image contributed: its findings, stored channels, upright size, class ids and mask areas."""

    image_id: int
    file: str | None
    findings: list[Finding] = attrs.field(factory=list)
    channels: int | None = None
    height: int | None = None
    width: int | None = None
    class_ids: np.ndarray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))
    areas: np.ndarray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))


def image_file(dataset: Dataset, image_id: int) -> str | None:
    """The file an image comes from, if it has one.

    Args:
        dataset: the prepared Dataset.
        image_id: the image's internal id; its info's ``path`` names the file.
    """
    path = dataset.image_info[image_id].get("path")
    return str(path) if isinstance(path, (str, os.PathLike)) else None


def scan_image(dataset: Dataset, image_id: int, limits: Limits) -> ImageScan:
    """Read image ``image_id`` and its masks once and record everything wrong with them.

    Args:
        dataset: the prepared Dataset.
        image_id: the image's internal id.
        limits: the warnings' thresholds.
    """
    scan = ImageScan(image_id, image_file(dataset, image_id))
    if not read_pixels(dataset, scan):
        return scan
    check_annotated_size(dataset, scan)
    try:
        result = dataset.load_mask(image_id)
    except Exception as exc:
        add(scan, "unreadable-mask", f"load_mask raised {type(exc).__name__}: {exc}")
        return scan
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], np.ndarray)
            and isinstance(result[1], np.ndarray)):
        add(scan, "unreadable-mask", f"load_mask must return (masks, class_ids) numpy arrays, got "
                                     f"{type(result).__name__}")
        return scan
    check_masks(dataset, scan, result[0], result[1], limits)
    if scan.height is not None and scan.height * scan.width > limits.large_image_pixels:
        add(scan, "large-image", f"image is {scan.height}x{scan.width} = {scan.height * scan.width} pixels "
                                 f"(limit {limits.large_image_pixels}); consider downscaling the files")
    return scan


def read_pixels(dataset: Dataset, scan: ImageScan) -> bool:
    """Fill size and stored channels; False (after an error finding) when the image cannot be read.

    Datasets that keep Dataset.load_image are read straight from the file, once and unconverted.

    Args:
        dataset: the prepared Dataset.
        scan: the image's ImageScan; its height, width and channels are set and findings added.
    """
    try:
        if type(dataset).load_image is Dataset.load_image and scan.file is not None:
            scan.height, scan.width, scan.channels, orientation = decode_file(scan.file)
            if orientation != 1:
                add(scan, "exif-orientation", f"the file's EXIF orientation {orientation} says it is "
                                              f"{TURNS[orientation]}; it is applied on load, as photo viewers do")
        else:
            image = dataset.load_image(scan.image_id)
            if not (isinstance(image, np.ndarray) and image.ndim == 3 and image.shape[2] == 3
                    and image.dtype == np.uint8 and image.shape[0] and image.shape[1]):
                add(scan, "bad-image", f"load_image returned {type(image).__name__} of shape "
                                       f"{getattr(image, 'shape', None)} dtype {getattr(image, 'dtype', None)}; "
                                       f"expected uint8 HxWx3")
                return False
            scan.height, scan.width = int(image.shape[0]), int(image.shape[1])
            scan.channels = header_channels(scan.file) if scan.file is not None else None
    except UnreadableImage as exc:
        add(scan, "unreadable-image", str(exc))
        return False
    except Exception as exc:
        where = f" ({scan.file})" if scan.file else ""
        add(scan, "unreadable-image", f"load_image{where} raised {type(exc).__name__}: {exc}")
        return False
    if scan.channels in (1, 2):
        add(scan, "grayscale-image", f"stored with {scan.channels} channel(s); converted to RGB on load")
    if scan.channels in (2, 4):
        add(scan, "alpha-image", f"stored with an alpha channel ({scan.channels} channels); alpha is dropped")
    return True


def check_annotated_size(dataset: Dataset, scan: ImageScan) -> None:
    """Warn when the image's ``height``/``width`` in its info (from the annotation file) differ from the
    decoded, upright image; the typical cause is an EXIF-rotated photo labelled as stored.

    Args:
        dataset: the prepared Dataset holding the image's info.
        scan: the image's ImageScan, its decoded size already read (read_pixels).
    """
    info = dataset.image_info[scan.image_id]
    height, width = info.get("height"), info.get("width")
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in (height, width)):
        return
    if (int(height), int(width)) == (scan.height, scan.width):
        return
    orientation = file_orientation(scan.file) if scan.file is not None else 1
    swapped = (int(height), int(width)) == (scan.width, scan.height)
    if swapped and orientation in (5, 6, 7, 8):
        why = (f"; the file's EXIF orientation {orientation} ({TURNS[orientation]}) swaps them and maskkit "
               f"applies it, as photo viewers and most labelling tools do, so these annotations were made on "
               f"the stored pixels: export them again from the upright picture, or save the file without "
               f"the orientation tag")
    elif swapped:
        why = "; width and height look swapped"
    else:
        why = "; was the file resized after labelling?"
    add(scan, "annotated-size-mismatch", f"the annotations give width x height {int(width)}x{int(height)} but the "
                                         f"image decodes to {scan.width}x{scan.height}{why}")


def check_masks(dataset: Dataset, scan: ImageScan, mask: np.ndarray, class_ids: np.ndarray, limits: Limits) -> None:
    """Findings about the masks and class ids of one image; fills class ids and areas when sound.

    Args:
        dataset: the prepared Dataset, for its class count.
        scan: the image's ImageScan, its size already read; findings, class_ids and areas are set.
        mask: the masks load_mask returned, expected [H, W, N] bool (or 0/1 integers).
        class_ids: the class ids load_mask returned, expected int [N] (negative for crowds).
        limits: the warnings' thresholds.
    """
    if class_ids.ndim != 1 or not np.issubdtype(class_ids.dtype, np.integer):
        add(scan, "unreadable-mask", f"class ids must be a 1-D integer array, got shape {class_ids.shape} "
                                     f"dtype {class_ids.dtype}")
        return
    if class_ids.size == 0 and mask.size == 0:
        add(scan, "no-instances", "image has no instances")
        return
    if mask.ndim != 3:
        add(scan, "unreadable-mask", f"masks must be HxWxN, got shape {mask.shape}")
        return
    zero_one = np.issubdtype(mask.dtype, np.integer) and (mask.size == 0 or (mask.min() >= 0 and mask.max() <= 1))
    if mask.dtype != bool and not zero_one:
        add(scan, "bad-mask-dtype", f"masks have dtype {mask.dtype}; expected bool (or 0/1 integers)")
    if mask.shape[2] != class_ids.size:
        add(scan, "mask-count-mismatch", f"{mask.shape[2]} masks but {class_ids.size} class ids")
    if (mask.shape[0], mask.shape[1]) != (scan.height, scan.width):
        add(scan, "mask-size-mismatch", f"mask size {mask.shape[0]}x{mask.shape[1]} differs from image size "
                                        f"{scan.height}x{scan.width}")
    bad = (class_ids == 0) | (np.abs(class_ids) >= dataset.num_classes)
    if bad.any():
        add(scan, "class-id-out-of-range", f"class ids {shown(class_ids[bad])} are outside "
                                           f"1..{dataset.num_classes - 1} (negative ids mark crowds)")
    scan.class_ids = class_ids[~bad].astype(np.int64)
    if mask.shape[2] != class_ids.size:
        return
    order = "F" if mask.flags.f_contiguous else "C"  # pycocotools decodes Fortran-ordered: reshape, no copy
    areas = np.count_nonzero(mask.reshape(-1, mask.shape[2], order=order), axis=0)
    scan.areas = areas[~bad].astype(np.int64)
    empty = np.flatnonzero(areas == 0)
    if empty.size:
        add(scan, "empty-mask", f"instance(s) {shown(empty)} have empty masks")
    tiny = np.flatnonzero((areas > 0) & (areas < limits.tiny_mask_pixels))
    if tiny.size:
        add(scan, "tiny-mask", f"instance(s) {shown(tiny)} have only {shown(areas[tiny])} pixels "
                               f"(limit {limits.tiny_mask_pixels})")
    if limits.max_instances is not None and class_ids.size > limits.max_instances:
        add(scan, "too-many-instances", f"image has {class_ids.size} instances, more than MAX_GT_INSTANCES="
                                        f"{limits.max_instances}; training keeps a random {limits.max_instances} "
                                        f"of them (raise MAX_GT_INSTANCES to keep all)")
    pairs, ious = duplicate_pairs(mask, areas, limits.duplicate_iou)
    if len(pairs):
        listed = ", ".join(f"{i}&{j} (IoU {iou:.2f})" for (i, j), iou in zip(pairs[:SHOWN].tolist(), ious[:SHOWN]))
        add(scan, "duplicate-instances", f"{len(pairs)} pair(s) of instances overlap with mask IoU > "
                                         f"{limits.duplicate_iou:g} (likely duplicates): {listed}"
                                         f"{', ...' if len(pairs) > SHOWN else ''}")


def duplicate_pairs(masks: np.ndarray, areas: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Instance pairs (i < j) of bool masks [H, W, N] whose mask IoU exceeds ``threshold``, and their IoUs.

    A pair's IoU is at most its boxes' overlap over the larger mask area; this bound, computed for all
    pairs at once, leaves only near-duplicates, whose intersections are then counted inside the
    overlap of their boxes.

    Args:
        masks: [H, W, N] masks of one image.
        areas: int [N] pixel count of each mask; empty masks are never paired.
        threshold: the mask IoU a pair must exceed.

    Returns:
        (int [P, 2] pairs (i, j), float64 [P] their IoUs).
    """
    if masks.shape[2] < 2:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    rows, cols = masks.any(axis=1), masks.any(axis=0)  # [H, N], [W, N]
    y1, x1 = rows.argmax(axis=0), cols.argmax(axis=0)
    y2, x2 = rows.shape[0] - rows[::-1].argmax(axis=0), cols.shape[0] - cols[::-1].argmax(axis=0)
    top, bottom = np.maximum(y1[:, None], y1), np.minimum(y2[:, None], y2)
    left, right = np.maximum(x1[:, None], x1), np.minimum(x2[:, None], x2)
    overlap = np.clip(bottom - top, 0, None) * np.clip(right - left, 0, None)
    present = areas > 0
    bound_passes = overlap > threshold * np.maximum(areas[:, None], areas[None, :])
    i, j = np.nonzero(np.triu(bound_passes & present[:, None] & present[None, :], k=1))
    inter = np.array([np.count_nonzero(masks[top[a, b]:bottom[a, b], left[a, b]:right[a, b], a]
                                       & masks[top[a, b]:bottom[a, b], left[a, b]:right[a, b], b])
                      for a, b in zip(i.tolist(), j.tolist())], dtype=np.float64)
    iou = inter / np.maximum(areas[i] + areas[j] - inter, 1) if len(i) else np.zeros(0)
    keep = iou > threshold
    return np.stack([i[keep], j[keep]], axis=1), iou[keep]


def shown(values: Any) -> str:
    """The first few values of an array, comma-separated, with '...' when there are more."""
    values = [int(v) for v in np.asarray(values).reshape(-1)]
    return ", ".join(map(str, values[:SHOWN])) + (", ..." if len(values) > SHOWN else "")


def add(scan: ImageScan, code: str, message: str) -> None:
    """Record a finding about the scanned image.

    Args:
        scan: the image's ImageScan, which gets the finding.
        code: a key of findings.CODES.
        message: the readable description.
    """
    scan.findings.append(finding(code, message, scan.image_id, scan.file))
