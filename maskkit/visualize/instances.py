"""Instance pictures: detections or ground truth as boxes, translucent masks and captions, image grids,
anchor and proposal boxes. Every function returns an RGB uint8 image and, given ``path=``, writes a PNG.
"""

from __future__ import annotations

import math
import os
from typing import Any, Mapping, Optional, Sequence

import cv2
import numpy as np

from maskkit.utils.box_math import extract_bboxes
from maskkit.visualize.draw import (
    GRAY,
    TITLE_H,
    WHITE,
    Color,
    add_title,
    apply_mask,
    as_rgb,
    draw_contours,
    put_text,
    random_colors,
    rect,
    save,
    text_size,
    to_255,
)


def display_instances(
    image: np.ndarray,
    boxes: np.ndarray,
    masks: np.ndarray,
    class_ids: np.ndarray,
    class_names: Sequence[str],
    scores: Optional[np.ndarray] = None,
    title: Optional[str] = None,
    show_mask: bool = True,
    show_bbox: bool = True,
    colors: Optional[Sequence[Color]] = None,
    path: Optional[str | os.PathLike] = None,
) -> np.ndarray:
    """Draw instance boxes, translucent masks, mask outlines and "name score" captions.

    Args:
        image: the picture (any array ``as_rgb`` takes).
        boxes: [N, (y1, x1, y2, x2)] in pixels; an all-zero box gets neither box nor caption.
        masks: [H, W, N] instance masks, or None.
        class_ids: [N] class ids.
        class_names: names by class id (an id without one shows as its number).
        scores: [N] scores for the captions; None for names only.
        title: text above the picture (without instances default "No instances to display").
        show_mask: draw the translucent masks and their outlines.
        show_bbox: draw the (dashed) boxes.
        colors: a colour per instance (RGB, 0-255 or [0, 1]); default ``random_colors``.
        path: where to write the PNG (None: only return it).

    Returns:
        The RGB picture.
    """
    out = as_rgb(image).copy()
    boxes = np.asarray(boxes).reshape(-1, 4)
    n = boxes.shape[0]
    masks = None if masks is None else np.asarray(masks)
    class_ids = np.asarray(class_ids).reshape(-1)
    _check_instances(n, masks=masks, class_ids=class_ids,
                     scores=None if scores is None else np.asarray(scores).reshape(-1))
    if colors is not None and len(colors) < n:
        raise ValueError(f"got {len(colors)} colours for {n} instances")
    colors = list(colors) if colors is not None else random_colors(n)
    if masks is not None and masks.shape[:2] != out.shape[:2]:
        raise ValueError(f"masks {masks.shape} must be [H, W, N] with H x W = {out.shape[:2]}, the image's size")
    extents = _mask_extents(masks) if show_mask and masks is not None else None
    for i in range(n):
        color = to_255(colors[i])
        if extents is not None and extents[i, 2] > extents[i, 0]:
            y1, x1, y2, x2 = extents[i]
            m = masks[y1:y2, x1:x2, i].astype(bool)
            out[y1:y2, x1:x2] = apply_mask(out[y1:y2, x1:x2], m, colors[i])
            draw_contours(out, m, color, offset=(x1, y1))
        if not np.any(boxes[i]):
            continue  # zero box: instance was probably lost to cropping
        if show_bbox:
            rect(out, boxes[i], color, dashed=True)
        cid = int(class_ids[i])
        label = class_names[cid] if 0 <= cid < len(class_names) else str(cid)
        caption = f"{label} {float(scores[i]):.3f}" if scores is not None else label
        y1, x1 = int(boxes[i][0]), int(boxes[i][1])
        put_text(out, caption, (max(x1, 0), max(y1 - text_size(caption)[1] - 2, 0)),
                  color=WHITE, bg=color)
    if n == 0 and title is None:
        title = "No instances to display"
    return save(add_title(out, title), path)


def display_images(
    images: Sequence[np.ndarray],
    titles: Optional[Sequence[Optional[str]]] = None,
    cols: int = 4,
    path: Optional[str | os.PathLike] = None,
) -> np.ndarray:
    """Tile images in a grid with a caption above each; non-uint8 images are normalised.

    Args:
        images: the pictures (any arrays ``as_rgb`` takes), at least one.
        titles: a caption per image (None or None entries: none).
        cols: images per row.
        path: where to write the PNG (None: only return it).

    Returns:
        The RGB picture.
    """
    if len(images) == 0:
        raise ValueError("display_images needs at least one image")
    if cols < 1:
        raise ValueError(f"cols must be >= 1, got {cols}")
    titles = list(titles) if titles is not None else [None] * len(images)
    if len(titles) != len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images")
    tiles = [as_rgb(im) for im in images]
    cell_h = max(t.shape[0] for t in tiles)
    cell_w = max(max(t.shape[1] for t in tiles), 32)
    cols = min(cols, len(tiles))
    rows = math.ceil(len(tiles) / cols)
    gap = 4
    block_h = cell_h + TITLE_H
    canvas = np.full((rows * (block_h + gap) + gap, cols * (cell_w + gap) + gap, 3), 255, np.uint8)
    for k, (tile, title) in enumerate(zip(tiles, titles)):
        r, c = divmod(k, cols)
        y0 = gap + r * (block_h + gap)
        x0 = gap + c * (cell_w + gap)
        block = add_title(np.full((cell_h, cell_w, 3), 255, np.uint8), title or " ")
        block[TITLE_H:TITLE_H + tile.shape[0], :tile.shape[1]] = tile
        canvas[y0:y0 + block_h, x0:x0 + cell_w] = block
    return save(canvas, path)


def display_top_masks(image: np.ndarray, mask: np.ndarray, class_ids: np.ndarray, class_names: Sequence[str],
                      limit: int = 4, path: Optional[str | os.PathLike] = None) -> np.ndarray:
    """Show the image next to the union masks of its ``limit`` largest classes (by pixel area).

    Args:
        image: [H, W, 3] image.
        mask, class_ids: [H, W, N] instance masks and their [N] class ids.
        class_names: names by class id.
        limit: how many classes to show.
        path: where to write the PNG (None: only return it).

    Returns:
        The RGB picture.
    """
    img = as_rgb(image)
    mask = np.asarray(mask).astype(bool)
    class_ids = np.asarray(class_ids).reshape(-1)
    if mask.ndim != 3 or mask.shape[-1] != class_ids.shape[0]:
        raise ValueError(f"mask {mask.shape} must be [H, W, N] with N = {class_ids.shape[0]} class ids")
    uniq = np.unique(class_ids)
    areas = np.array([mask[:, :, class_ids == c].sum() for c in uniq])
    top = uniq[np.argsort(-areas, kind="stable")][:limit]
    panels = [img]
    titles = [f"H x W={img.shape[0]}x{img.shape[1]}"]
    for k in range(limit):
        if k < len(top):
            c = int(top[k])
            union = mask[:, :, class_ids == c].any(axis=-1)
            name = class_names[c] if 0 <= c < len(class_names) else str(c)
        else:
            union = np.zeros(img.shape[:2], bool)
            name = "-"
        panels.append(union)
        titles.append(name)
    return display_images(panels, titles, cols=limit + 1, path=path)


def draw_boxes(
    image: np.ndarray,
    boxes: Optional[np.ndarray] = None,
    refined_boxes: Optional[np.ndarray] = None,
    masks: Optional[np.ndarray] = None,
    captions: Optional[Sequence[Optional[str]]] = None,
    visibilities: Optional[Sequence[int]] = None,
    title: Optional[str] = None,
    path: Optional[str | os.PathLike] = None,
) -> np.ndarray:
    """Draw anchors/proposals: original boxes thin (dashed when refined boxes are given), refined
    boxes solid with a line from each original to its refinement.

    Args:
        image: the picture (any array ``as_rgb`` takes).
        boxes: [N, (y1, x1, y2, x2)] original boxes in pixels.
        refined_boxes: [N, (y1, x1, y2, x2)] refined boxes; at least one of the two is needed.
        masks: [H, W, N] masks to overlay, or None.
        captions: a caption per box (None or "" for none).
        visibilities: per box: 0 skip, 1 faint, 2 prominent (matterport semantics); default all 1.
        title: text above the picture.
        path: where to write the PNG (None: only return it).

    Returns:
        The RGB picture.
    """
    if boxes is None and refined_boxes is None:
        raise ValueError("draw_boxes needs boxes or refined_boxes")
    out = as_rgb(image).copy()
    b = None if boxes is None else np.asarray(boxes, float).reshape(-1, 4)
    rb = None if refined_boxes is None else np.asarray(refined_boxes, float).reshape(-1, 4)
    n = b.shape[0] if b is not None else rb.shape[0]
    _check_instances(n, refined_boxes=rb, masks=None if masks is None else np.asarray(masks),
                     captions=captions, visibilities=visibilities)
    colors = random_colors(n)
    for i in range(n):
        vis = int(visibilities[i]) if visibilities is not None else 1
        if vis == 0:
            continue
        color = to_255(colors[i])
        if vis == 1:
            color = tuple(int(0.5 * v + 0.5 * g) for v, g in zip(color, GRAY))
        thickness = 2 if vis == 2 else 1
        if b is not None:
            rect(out, b[i], color, dashed=rb is not None, thickness=1)
        if rb is not None:
            rect(out, rb[i], color, thickness=thickness)
            if b is not None:
                p1 = (int(round(b[i, 1])), int(round(b[i, 0])))
                p2 = (int(round(rb[i, 1])), int(round(rb[i, 0])))
                cv2.line(out, p1, p2, color, 1, cv2.LINE_AA)
        if captions is not None and captions[i]:
            ref = rb[i] if rb is not None else b[i]
            put_text(out, str(captions[i]), (max(int(ref[1]), 0), max(int(ref[0]), 0)),
                      color=WHITE, bg=color)
        if masks is not None:
            m = np.asarray(masks)[:, :, i].astype(bool)
            out = apply_mask(out, m, colors[i])
            draw_contours(out, m, color)
    return save(add_title(out, title), path)


def enlarge(image: np.ndarray, boxes: np.ndarray, masks: np.ndarray,
            min_side: int = 512) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale a small image (and its boxes and masks) up by a whole factor so captions stay legible.

    Args:
        image: the picture.
        boxes: [N, 4] boxes in pixels.
        masks: [H, W, N] masks.
        min_side: the longer side is scaled to at least this many pixels.

    Returns:
        (image as RGB, boxes, masks) scaled, or all three unchanged when the longer side already reaches
        ``min_side``.
    """
    factor = max(1, -(-min_side // max(image.shape[:2])))
    if factor == 1:
        return image, boxes, masks
    big = cv2.resize(as_rgb(image), None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)
    big_masks = np.repeat(np.repeat(np.asarray(masks), factor, axis=0), factor, axis=1)
    return big, np.asarray(boxes) * factor, big_masks


def display_detections(
    image: np.ndarray,
    result: Mapping[str, Any],
    class_names: Sequence[str],
    gt: Optional[Mapping[str, Any] | tuple[np.ndarray, np.ndarray]] = None,
    title: Optional[str] = None,
    min_side: int = 512,
    path: Optional[str | os.PathLike] = None,
) -> np.ndarray:
    """One picture of a detection ``result`` (``rois``, ``masks``, ``class_ids``, ``scores`` as
    ``MaskRCNN.detect`` returns), with the ground truth beside it when ``gt`` is given.

    Args:
        image: the picture the detections belong to.
        result: the detect result (``scores`` optional).
        class_names: names by class id.
        gt: ``(masks, class_ids)`` as ``Dataset.load_mask`` returns (boxes follow from the masks) or a
            mapping with ``masks``, ``class_ids`` and optionally ``boxes``; None for detections only.
        title: text above the picture.
        min_side: images smaller than this are enlarged by a whole factor so captions stay legible.
        path: where to write the PNG (None: only return it).

    Returns:
        The RGB picture.
    """
    panels = [_panel(image, result["rois"], result["masks"], result["class_ids"], class_names,
                     result.get("scores"), f"detections ({len(result['class_ids'])})", min_side)]
    if gt is not None:
        masks, class_ids = (gt["masks"], gt["class_ids"]) if isinstance(gt, Mapping) else gt
        masks = np.asarray(masks, bool)
        boxes = gt["boxes"] if isinstance(gt, Mapping) and "boxes" in gt else extract_bboxes(masks)
        panels.append(_panel(image, boxes, masks, class_ids, class_names, None,
                             f"ground truth ({len(class_ids)})", min_side))
    height = max(p.shape[0] for p in panels)
    gap = np.full((height, 8, 3), 255, np.uint8)
    padded = [np.pad(p, ((0, height - p.shape[0]), (0, 0), (0, 0)), constant_values=255) for p in panels]
    row = np.concatenate([padded[0]] + [part for p in padded[1:] for part in (gap, p)], axis=1)
    return save(add_title(row, title), path)


def _panel(image: np.ndarray, boxes: Any, masks: Any, class_ids: Any, class_names: Sequence[str],
           scores: Any, title: str, min_side: int) -> np.ndarray:
    image, boxes, masks = enlarge(image, np.asarray(boxes), np.asarray(masks), min_side)
    return display_instances(image, boxes, masks, class_ids, class_names, scores, title=title)


def _mask_extents(masks: np.ndarray) -> np.ndarray:
    """Each mask's box [N, (y1, x1, y2, x2)] grown by one pixel (within the image), all zero for an
    empty mask: drawing an instance inside it touches and outlines the same pixels as on the whole
    image, at the cost of the box instead of the image."""
    extents = extract_bboxes(masks)
    present = extents[:, 2] > extents[:, 0]
    grown = np.clip(extents + np.array([-1, -1, 1, 1]), 0, [masks.shape[0], masks.shape[1]] * 2)
    return np.where(present[:, None], grown, 0)


def _check_instances(n: int, **arrays: Optional[np.ndarray]) -> None:
    for name, arr in arrays.items():
        if arr is None:
            continue
        count = arr.shape[-1] if name == "masks" else len(arr)
        if count != n:
            raise ValueError(f"{name} has {count} instances but boxes has {n}")
