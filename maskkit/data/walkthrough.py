"""``maskkit inspect``'s walk along the data path: dataset and anchor statistics, RPN and ROI target
counts for sampled images, and a PNG of every step from masks to anchors (drawn by maskkit.visualize).

It lives beside the data path it runs, so maskkit.visualize only draws and imports nothing of data/.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from maskkit.augment.from_spec import build_augmenters
from maskkit.config import Config
from maskkit.data.anchor_grid import anchor_counts, anchor_grid, anchors_for
from maskkit.data.ground_truth import check_class_count, load_image_gt
from maskkit.data.roi_targets import build_detection_targets, generate_random_rois
from maskkit.data.rpn_targets import build_rpn_targets
from maskkit.dataset import Dataset
from maskkit.errors import DatasetError
from maskkit.utils.anchor_geometry import compute_backbone_shapes
from maskkit.utils.box_math import apply_box_deltas, extract_bboxes
from maskkit.utils.resize import minimize_mask
from maskkit.visualize.instances import display_images, display_instances, display_top_masks, draw_boxes

RANDOM_ROIS = 2000


def run_inspection(dataset: Dataset, config: Config, out_dir: str | os.PathLike, *, seed: int = 0,
                   count: int = 4, augmenters: Any = None) -> dict[str, Any]:
    """Inspect ``count`` images sampled with ``seed`` and write PNGs into ``out_dir``.

    Returns the statistics (image/class counts and names, anchors per level, per sampled image
    its positive/negative/neutral anchors and ROI classes) and ``files``, the PNGs written.
    ``augmenters`` (a spec or Augmenter) is shown in the mini-mask picture; default: fliplr.

    Args:
        dataset: the prepared Dataset; its class count must match config.NUM_CLASSES.
        config: the Config whose resizing, anchors and targets are shown.
        out_dir: directory for the PNGs; created if missing.
        seed: seeds the sample of images and their augmentation.
        count: how many images to sample (at most the dataset's size).
        augmenters: an Augmenter or spec; None means ``fliplr@1.0``.
    """
    check_class_count(dataset, config)
    if len(dataset) == 0:
        raise DatasetError(f"{dataset.name}: the dataset has no images to inspect")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    augment = build_augmenters(augmenters if augmenters is not None else "fliplr@1.0")
    anchors = anchors_for(config, config.IMAGE_SHAPE)
    stats: dict[str, Any] = {
        "images": len(dataset), "classes": dataset.num_classes, "class_names": list(dataset.class_names),
        "anchors": int(anchors.shape[0]), "anchors_per_level": anchor_counts(config, config.IMAGE_SHAPE),
        "samples": [], "files": [],
    }
    chosen = rng.choice(np.asarray(dataset.image_ids), size=min(count, len(dataset)), replace=False)
    for image_id in (int(i) for i in chosen):
        sample, files = _inspect_image(dataset, config, image_id, augment, np.random.default_rng([seed, image_id]),
                                       out)
        stats["samples"].append(sample)
        stats["files"].extend(files)
    if len(chosen):
        stats["files"].append(_draw_center_anchors(dataset, config, int(chosen[0]), out))
    return stats


def _inspect_image(dataset: Dataset, config: Config, image_id: int, augment: Any, rng: np.random.Generator,
                   out: Path) -> tuple[dict[str, Any], list[str]]:
    names = dataset.class_names
    files = []
    original, mask, class_ids = dataset.load_checked(image_id)
    path = out / f"top_masks_{image_id}.png"
    display_top_masks(original, mask, class_ids, names, path=path)
    files.append(str(path))
    path = out / f"boxes_from_masks_{image_id}.png"
    display_instances(original, extract_bboxes(mask), mask, class_ids, names,
                      title=f"image {image_id}: boxes from masks", path=path)
    files.append(str(path))

    image, _, gt_class_ids, gt_boxes, full_masks = load_image_gt(dataset, config, image_id, use_mini_mask=False,
                                                                 rng=rng)
    path = out / f"resized_{image_id}.png"
    display_instances(image, gt_boxes, full_masks, gt_class_ids, names,
                      title=f"resized {original.shape[0]}x{original.shape[1]} -> "
                            f"{image.shape[0]}x{image.shape[1]}", path=path)
    files.append(str(path))
    files.append(_draw_mini_masks(dataset, config, image_id, augment, rng, out))

    anchors = anchors_for(config, image.shape)
    rpn_match, rpn_bbox = build_rpn_targets(anchor_grid(config, image.shape), gt_class_ids, gt_boxes, config, rng=rng)
    positive = np.flatnonzero(rpn_match == 1)
    negative = np.flatnonzero(rpn_match == -1)
    refined = apply_box_deltas(anchors[positive], rpn_bbox[:positive.size] * np.asarray(config.RPN_BBOX_STD_DEV))
    path = out / f"positive_anchors_{image_id}.png"
    if positive.size:
        draw_boxes(image, boxes=anchors[positive], refined_boxes=refined,
                   title=f"{positive.size} positive anchors, refined", path=path)
    else:
        display_images([image], [f"no positive anchors in image {image_id}"], cols=1, path=path)
    files.append(str(path))
    path = out / f"negative_anchors_{image_id}.png"
    draw_boxes(image, boxes=anchors[negative], visibilities=[1] * negative.size,
               title=f"{negative.size} negative anchors", path=path)
    files.append(str(path))

    gt_masks = minimize_mask(gt_boxes, full_masks, config.MINI_MASK_SHAPE) if config.USE_MINI_MASK else full_masks
    rois = generate_random_rois(image.shape, RANDOM_ROIS, gt_boxes, rng=rng)
    _, roi_class_ids, _, _ = build_detection_targets(rois, gt_class_ids, gt_boxes, gt_masks, config, rng=rng)
    counts = np.bincount(roi_class_ids, minlength=dataset.num_classes)
    sample = {"image_id": image_id, "reference": dataset.image_reference(image_id),
              "instances": int(gt_class_ids.shape[0]), "positive": int(positive.size),
              "negative": int(negative.size), "neutral": int(np.sum(rpn_match == 0)),
              "roi_classes": {names[c]: int(n) for c, n in enumerate(counts) if n}}
    return sample, files


def _draw_mini_masks(dataset: Dataset, config: Config, image_id: int, augment: Any, rng: np.random.Generator,
                     out: Path) -> str:
    """Row 1: resized image and its mini masks; row 2: the same after augmentation (masks white on grey)."""
    shown = 6
    rows = []
    for label, aug in (("before", None), ("augmented", augment)):
        image, _, class_ids, _, mini = load_image_gt(dataset, config, image_id, augmenters=aug,
                                                     use_mini_mask=True, rng=rng)
        panels = [image] + [np.where(mini[:, :, i], 255, 48).astype(np.uint8) for i in range(min(mini.shape[2], shown))]
        panels += [np.full(config.MINI_MASK_SHAPE, 48, dtype=np.uint8)] * (shown + 1 - len(panels))
        titles = [label] + [dataset.class_names[c] for c in class_ids[:shown]]
        rows.append((panels, titles + ["-"] * (shown + 1 - len(titles))))
    path = out / f"mini_masks_{image_id}.png"
    display_images(rows[0][0] + rows[1][0], rows[0][1] + rows[1][1], cols=shown + 1, path=path)
    return str(path)


def _draw_center_anchors(dataset: Dataset, config: Config, image_id: int, out: Path) -> str:
    """The anchors of the centre cell of every pyramid level, captioned P2..P6."""
    image, *_ = load_image_gt(dataset, config, image_id, rng=np.random.default_rng(0))
    anchors = anchors_for(config, image.shape)
    shapes = compute_backbone_shapes(image.shape, config.BACKBONE_STRIDES)
    per_cell = len(config.RPN_ANCHOR_RATIOS)
    stride = config.RPN_ANCHOR_STRIDE
    starts = np.cumsum([0] + anchor_counts(config, image.shape))
    boxes, captions = [], []
    for level, (rows, cols) in enumerate(shapes):
        cells_per_row = -(-int(cols) // stride)
        cell = (int(rows) // 2 // stride) * cells_per_row + int(cols) // 2 // stride
        first = int(starts[level]) + cell * per_cell
        boxes.append(anchors[first:first + per_cell])
        captions += [f"P{level + 2}"] + [None] * (per_cell - 1)
    path = out / "anchors_center_cells.png"
    draw_boxes(image, boxes=np.concatenate(boxes), captions=captions,
               title="anchors of the centre cell per level", path=path)
    return str(path)


def format_inspection(stats: dict[str, Any]) -> str:
    """The statistics of run_inspection as the text ``maskkit inspect`` prints.

    Args:
        stats: the dict run_inspection returns.
    """
    lines = [f"Images: {stats['images']}", f"Classes: {stats['classes']}"]
    lines += [f"  {i:3d}. {name}" for i, name in enumerate(stats["class_names"])]
    lines.append(f"Anchors: {stats['anchors']}")
    lines += [f"  level {i} (P{i + 2}): {n}" for i, n in enumerate(stats["anchors_per_level"])]
    for sample in stats["samples"]:
        lines.append(f"Image {sample['image_id']} ({sample['reference']}): {sample['instances']} instances")
        lines.append(f"  anchors: {sample['positive']} positive, {sample['negative']} negative, "
                     f"{sample['neutral']} neutral")
        lines.append("  ROIs by class: " + ", ".join(f"{k}: {v}" for k, v in sample["roi_classes"].items()))
    lines.append(f"Pictures ({len(stats['files'])}):")
    lines += [f"  {f}" for f in stats["files"]]
    return "\n".join(lines)
