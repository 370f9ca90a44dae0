"""Build a small COCO-format annotation file and its PNG images on the fly for tests.

Covers polygons (one and two parts), an uncompressed RLE, a compressed RLE, a crowd region, an
annotation whose mask is empty, an image without annotations and non-contiguous category ids.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import attrs
import numpy as np
from pycocotools import mask as mask_utils

from maskkit.imageio import write_image_rgb

CAT, DOG = 3, 7
EMPTY_ANN = 103
CROWD_ANN = 202
UNCOMPRESSED_ANN = 201
COMPRESSED_ANN = 203


@attrs.define
class CocoFiles:
    """Where the files were written and the dict they were written from."""

    annotations: Path
    images: Path
    data: dict[str, Any]


def rect_mask(height: int, width: int, y1: int, x1: int, y2: int, x2: int) -> np.ndarray:
    """A uint8 mask with one filled rectangle (y2/x2 exclusive)."""
    mask = np.zeros((height, width), dtype=np.uint8)
    mask[y1:y2, x1:x2] = 1
    return mask


def runs_of(mask: np.ndarray) -> list[int]:
    """COCO uncompressed RLE counts of a mask: column-major run lengths, starting with background."""
    flat = np.asarray(mask, dtype=np.uint8).flatten(order="F")
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate([[0], change, [flat.size]])
    runs = np.diff(bounds).tolist()
    return runs if flat[0] == 0 else [0] + runs


def compressed_rle(mask: np.ndarray) -> dict[str, Any]:
    """A JSON-ready compressed RLE (counts as str) made by pycocotools."""
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(s) for s in rle["size"]], "counts": rle["counts"].decode("ascii")}


def square_polygons(count: int, columns: int, cell: int = 5, side: int = 3) -> list[list[float]]:
    """``count`` square polygons of ``side`` px on a grid of ``cell`` px cells, ``columns`` a row."""
    rows, cols = np.divmod(np.arange(count), columns)
    x1, y1 = (cols * cell + 1).astype(float), (rows * cell + 1).astype(float)
    x2, y2 = x1 + side, y1 + side
    return np.stack([x1, y1, x2, y1, x2, y2, x1, y2], axis=1).tolist()


def crowded_image(data: dict[str, Any], image_id: int, count: int, cat: int = CAT) -> None:
    """Add image ``image_id`` holding ``count`` small square instances (polygons, real bboxes) to ``data``."""
    columns = 30
    height, width = 5 * -(-count // columns), 5 * columns
    data["images"].append({"id": image_id, "file_name": f"crowded_{image_id}.png", "height": height, "width": width})
    for k, poly in enumerate(square_polygons(count, columns)):
        data["annotations"].append({"id": image_id * 10_000 + k, "image_id": image_id, "category_id": cat,
                                    "segmentation": [poly], "iscrowd": 0, "area": 9.0,
                                    "bbox": [poly[0], poly[1], 3.0, 3.0]})


def coco_dict() -> dict[str, Any]:
    """The annotation dict: 4 images, categories 3 (cat) and 7 (dog)."""
    images = [
        {"id": 10, "file_name": "a.png", "height": 48, "width": 64},
        {"id": 20, "file_name": "sub/b.png", "height": 60, "width": 80},
        {"id": 30, "file_name": "c.png", "height": 64, "width": 64},
        {"id": 40, "file_name": "d.png", "height": 32, "width": 32},
    ]

    def ann(ann_id: int, image_id: int, cat: int, segm: Any, crowd: int = 0) -> dict[str, Any]:
        return {"id": ann_id, "image_id": image_id, "category_id": cat, "segmentation": segm,
                "iscrowd": crowd, "area": 0.0, "bbox": [0.0, 0.0, 0.0, 0.0]}

    annotations = [
        ann(101, 10, CAT, [[5.0, 5.0, 30.0, 6.0, 18.5, 30.2]]),
        ann(102, 10, DOG, [[35, 10, 60, 10, 60, 40, 35, 40], [40.0, 2.0, 50.0, 2.0, 45.0, 8.0]]),
        ann(EMPTY_ANN, 10, CAT, [[20.0, 20.0, 20.0, 20.0, 20.0, 20.0]]),
        ann(UNCOMPRESSED_ANN, 20, CAT, {"size": [60, 80], "counts": runs_of(rect_mask(60, 80, 5, 5, 25, 30))}),
        ann(CROWD_ANN, 20, DOG, {"size": [60, 80], "counts": runs_of(rect_mask(60, 80, 30, 40, 58, 78))}, crowd=1),
        ann(COMPRESSED_ANN, 20, DOG, compressed_rle(rect_mask(60, 80, 8, 45, 28, 70))),
        ann(301, 30, DOG, [[10.0, 10.0, 50.0, 12.0, 52.0, 50.0, 8.0, 48.0]]),
        ann(302, 30, CAT, [[30.0, 30.0, 40.0, 30.0, 40.0, 40.0, 30.0, 40.0]]),
    ]
    categories = [{"id": CAT, "name": "cat", "supercategory": "animal"},
                  {"id": DOG, "name": "dog", "supercategory": "animal"}]
    return {"images": images, "annotations": annotations, "categories": categories}


def build_coco(root: Path, mutate: Callable[[dict[str, Any]], None] | None = None) -> CocoFiles:
    """Write ``root/instances.json`` and ``root/images/*.png``; ``mutate`` edits the dict first."""
    data = coco_dict()
    if mutate is not None:
        mutate(data)
    image_dir = root / "images"
    rng = np.random.default_rng(0)
    for img in data["images"]:
        pixels = rng.integers(0, 256, size=(img["height"], img["width"], 3), dtype=np.uint8)
        write_image_rgb(image_dir / img["file_name"], pixels)
    path = root / "instances.json"
    path.write_text(json.dumps(data))
    return CocoFiles(annotations=path, images=image_dir, data=copy.deepcopy(data))


def annotation(data: dict[str, Any], ann_id: int) -> dict[str, Any]:
    """The annotation with id ``ann_id`` in ``data`` (for mutating tests)."""
    return next(a for a in data["annotations"] if a["id"] == ann_id)


ROBOFLOW_FILE = "_annotations.coco.json"
ROBOFLOW_CATEGORIES = [{"id": 0, "name": "Octohedrons", "supercategory": "none"},
                       {"id": 1, "name": "Cube", "supercategory": "Octohedrons"},
                       {"id": 2, "name": "Octahedron", "supercategory": "Octohedrons"},
                       {"id": 3, "name": "Sphere", "supercategory": "Octohedrons"}]


def roboflow_split(folder: Path, n_images: int, cats: tuple[int, ...] = (1, 2, 3), size: int = 48,
                   seed: int = 0) -> dict[str, Any]:
    """Write one split folder as Roboflow exports it: JPEGs and ``_annotations.coco.json`` beside them.

    Categories are Roboflow's: id 0 is the unused workspace supercategory; each image holds one
    square polygon (with its real bbox) per category of ``cats``.
    """
    rng = np.random.default_rng(seed)
    images, annotations = [], []
    for img_id in range(n_images):
        name = f"img_{seed}_{img_id}_png.rf.{rng.integers(1 << 60):x}.jpg"
        write_image_rgb(folder / name, rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8))
        images.append({"id": img_id, "license": 1, "file_name": name, "height": size, "width": size})
        for cat in cats:
            x, y = (float(v) for v in rng.integers(0, size - 12, size=2))
            side = float(rng.integers(4, 12))
            annotations.append({"id": len(annotations), "image_id": img_id, "category_id": cat,
                                "bbox": [x, y, side, side], "area": side * side, "iscrowd": 0,
                                "segmentation": [[x, y, x + side, y, x + side, y + side, x, y + side]]})
    data = {"info": {"description": "Exported from roboflow.com"}, "licenses": [],
            "categories": copy.deepcopy(ROBOFLOW_CATEGORIES), "images": images, "annotations": annotations}
    (folder / ROBOFLOW_FILE).write_text(json.dumps(data))
    return data


def build_roboflow(root: Path, splits: dict[str, int] | None = None) -> Path:
    """A Roboflow COCO export under ``root``: split folder name -> image count (default train 10, test 3)."""
    for k, (name, n_images) in enumerate((splits or {"train": 10, "test": 3}).items()):
        roboflow_split(root / name, n_images, seed=k)
    return root
