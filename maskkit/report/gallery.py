"""Gallery records: a thumbnail file per image plus its ground truth and detections as SVG outlines.

Outlines are in original image pixels (the page's SVG viewBox), so the browser can draw and
re-filter them over any thumbnail size; they are simplified to about one thumbnail pixel.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import cv2
import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from maskkit.dataset import Dataset
from maskkit.imageio import to_rgb_uint8

#: Longer side of a gallery picture: big enough that a crowded image's instances stay apart on the
#: card and in the lightbox, never enlarged beyond the original.
THUMB_SIDE = 640


def thumbnail(image: np.ndarray, side: int = THUMB_SIDE) -> np.ndarray:
    """RGB uint8 image shrunk so its longer side is at most ``side`` (never enlarged)."""
    image = to_rgb_uint8(image)
    scale = side / max(image.shape[:2])
    if scale >= 1:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def outline(rle: dict[str, Any], box: Sequence[float], tolerance: float) -> str:
    """SVG path data of a mask's outer contours (an RLE), cropped to ``box`` to stay cheap.

    Args:
        rle: the mask as a pycocotools RLE.
        box: its xywh box in pixels.
        tolerance: how far in pixels the simplified outline may stray from the contour (approxPolyDP).
    """
    mask = mask_utils.decode(rle)
    x, y, w, h = (int(v) for v in box)
    x0, y0 = max(x - 1, 0), max(y - 1, 0)
    crop = np.ascontiguousarray(mask[y0:y + h + 2, x0:x + w + 2])
    contours, _ = cv2.findContours(crop, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    paths = []
    for contour in contours:
        points = cv2.approxPolyDP(contour, tolerance, True).reshape(-1, 2) + (x0, y0)
        if len(points) >= 2:
            paths.append("M" + " ".join(f"{px} {py}" for px, py in points) + "Z")
    return "".join(paths)


def image_record(coco_gt: COCO, coco_dt: COCO, coco_image_id: int, category_index: dict[int, int],
                 thumb: str, tolerance: float, matched: set[int]) -> dict[str, Any]:
    """One image's entry: name, size, thumbnail path, ground truth [class, box, path, crowd] and
    detections [class, score, box, path, matched], best score first (``matched``: detection ids that
    hit a ground-truth instance of their class).

    Args:
        coco_gt, coco_dt: ground truth and detections (loaded against ``coco_gt``).
        coco_image_id: the image's COCO id.
        category_index: COCO category id -> index into the page's class list.
        thumb: the thumbnail's path relative to the report folder.
        tolerance: outline simplification in original pixels (``outline``).
        matched: as above.
    """
    info = coco_gt.imgs[coco_image_id]
    gts = coco_gt.loadAnns(coco_gt.getAnnIds(imgIds=[coco_image_id]))
    dts = sorted(coco_dt.loadAnns(coco_dt.getAnnIds(imgIds=[coco_image_id])), key=lambda d: -d["score"])
    return {
        "id": coco_image_id, "name": str(info["file_name"]), "w": info["width"], "h": info["height"],
        "thumb": thumb,
        "gt": [[category_index[g["category_id"]], [round(v, 1) for v in g["bbox"]],
                outline(coco_gt.annToRLE(g), g["bbox"], tolerance), int(g.get("iscrowd", 0))] for g in gts],
        "dt": [[category_index[d["category_id"]], round(float(d["score"]), 4), [round(v, 1) for v in d["bbox"]],
                outline(coco_dt.annToRLE(d), d["bbox"], tolerance), int(d["id"] in matched)] for d in dts],
    }


def write_gallery(out_dir: Path, dataset: Dataset, image_ids: Sequence[int], coco_image_ids: Sequence[int],
                  coco_gt: COCO, coco_dt: COCO, matched: set[int]) -> list[dict[str, Any]]:
    """Write ``out_dir/thumbs/NNNNN.jpg`` for each image and return the gallery records in input order.

    Args:
        out_dir: the report folder.
        dataset: the dataset the images are read from.
        image_ids: internal image ids.
        coco_image_ids: their COCO ids, aligned with ``image_ids``.
        coco_gt, coco_dt: ground truth and detections (loaded against ``coco_gt``).
        matched: ids of the detections that hit a ground-truth instance of their class.
    """
    thumbs = out_dir / "thumbs"
    thumbs.mkdir(parents=True, exist_ok=True)
    category_index = {cat_id: k for k, cat_id in enumerate(sorted(coco_gt.getCatIds()))}
    records = []
    for position, (image_id, coco_id) in enumerate(zip(image_ids, coco_image_ids)):
        small = thumbnail(dataset.load_image(int(image_id)))
        name = f"thumbs/{position:05d}.jpg"
        encoded = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])[1]
        (out_dir / name).write_bytes(encoded.tobytes())
        info = coco_gt.imgs[coco_id]
        tolerance = max(info["width"], info["height"]) / max(small.shape[:2])
        records.append(image_record(coco_gt, coco_dt, coco_id, category_index, name, tolerance, matched))
    return records


def relative_names(names: Sequence[str]) -> tuple[str, list[str]]:
    """(root, names relative to it) when every name is an absolute path, the root being the folder
    they share; ("", names) otherwise (references that are not paths stay as they are).

    Args:
        names: image references, e.g. the paths a dataset reads its images from.

    Returns:
        The shared folder (or "") and one caption per name.
    """
    if not names or not all(os.path.isabs(name) for name in names):
        return "", list(names)
    root = os.path.commonpath([os.path.dirname(name) for name in names])
    return root, [os.path.relpath(name, root) for name in names]
