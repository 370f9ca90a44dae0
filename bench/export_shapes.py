"""Write the built-in shapes data as a labelled folder in a user's layout, to try bench/train_real.py
(or any command) on a data set that arrives as files rather than from a plugin.

    python bench/export_shapes.py /tmp/shapes_coco                 # COCO, Roboflow's layout
    python bench/export_shapes.py /tmp/shapes_via --format via     # VIA polygons, matterport's balloon layout

COCO: ``train/``, ``valid/``, ``test/`` each with ``_annotations.coco.json`` (polygons) beside JPEG
images. VIA: ``train/``, ``val/``, ``test/`` each with ``via_region_data.json`` (polygons labelled
in ``region_attributes.name``). Polygons are the masks' outer contours, so they describe the shapes
as a labelling tool would, and the images are JPEG, as photographs arrive.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np

SPLITS = {"coco": ("train", "valid", "test"), "via": ("train", "val", "test")}
SUBSET_OF = {"train": "train", "valid": "val", "val": "val", "test": "test"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to create (must not exist)")
    parser.add_argument("--format", choices=sorted(SPLITS), default="coco", help="annotation layout")
    parser.add_argument("--counts", type=int, nargs=3, default=(300, 30, 50), metavar=("TRAIN", "VAL", "TEST"),
                        help="images per split")
    parser.add_argument("--height", type=int, default=160, help="image height in pixels")
    parser.add_argument("--width", type=int, default=224, help="image width in pixels")
    return parser.parse_args()


def polygon(mask: np.ndarray) -> list[tuple[int, int]]:
    """The (x, y) corners of the largest outer contour of a boolean mask."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    largest = max(contours, key=cv2.contourArea)
    return [(int(x), int(y)) for x, y in largest.reshape(-1, 2)]


def instances(dataset: Any, image_id: int) -> list[tuple[str, list[tuple[int, int]]]]:
    """(class name, polygon) of each instance of one image; instances too small for a polygon are left out."""
    masks, class_ids = dataset.load_mask(image_id)
    shapes = []
    for k, class_id in enumerate(class_ids):
        corners = polygon(masks[..., k]) if masks[..., k].any() else []
        if len(corners) >= 3:
            shapes.append((dataset.class_names[int(class_id)], corners))
    return shapes


def write_images(folder: Path, dataset: Any) -> list[tuple[int, str, tuple[int, int]]]:
    """Each image of ``dataset`` as ``folder/<id>.jpg``: (image id, file name, (height, width)) in order."""
    from maskkit.imageio import write_image_rgb

    written = []
    for image_id in dataset.image_ids:
        filename = f"{image_id:05d}.jpg"
        image = dataset.load_image(image_id)
        write_image_rgb(folder / filename, image)
        written.append((int(image_id), filename, image.shape[:2]))
    return written


def write_coco(folder: Path, dataset: Any, names: list[str]) -> None:
    """The images and ``_annotations.coco.json`` with one polygon per instance."""
    categories = [{"id": i, "name": name, "supercategory": "shapes"} for i, name in enumerate(names, start=1)]
    images, annotations = [], []
    for image_id, filename, (height, width) in write_images(folder, dataset):
        images.append({"id": image_id, "file_name": filename, "height": height, "width": width})
        for name, corners in instances(dataset, image_id):
            xs, ys = [x for x, _ in corners], [y for _, y in corners]
            area = float(cv2.contourArea(np.array(corners, np.int32)))
            annotations.append({"id": len(annotations) + 1, "image_id": image_id,
                                "category_id": names.index(name) + 1, "iscrowd": 0, "area": area,
                                "bbox": [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)],
                                "segmentation": [[float(v) for xy in corners for v in xy]]})
    document = {"images": images, "annotations": annotations, "categories": categories}
    (folder / "_annotations.coco.json").write_text(json.dumps(document))


def write_via(folder: Path, dataset: Any) -> None:
    """The images and ``via_region_data.json`` (VIA 2 export) with one labelled polygon region per instance."""
    entries = {}
    for image_id, filename, _ in write_images(folder, dataset):
        regions = [{"shape_attributes": {"name": "polygon", "all_points_x": [x for x, _ in corners],
                                         "all_points_y": [y for _, y in corners]},
                    "region_attributes": {"name": name}} for name, corners in instances(dataset, image_id)]
        size = (folder / filename).stat().st_size
        entries[f"{filename}{size}"] = {"filename": filename, "size": size, "regions": regions,
                                        "file_attributes": {}}
    (folder / "via_region_data.json").write_text(json.dumps(entries))


def main() -> None:
    args = parse_args()
    import maskkit

    args.out.mkdir(parents=True)
    for split, count in zip(SPLITS[args.format], args.counts):
        dataset = maskkit.datasets.create("shapes", count=count, height=args.height, width=args.width,
                                          subset=SUBSET_OF[split])
        folder = args.out / split
        folder.mkdir()
        if args.format == "coco":
            write_coco(folder, dataset, list(dataset.class_names[1:]))
        else:
            write_via(folder, dataset)
        print(f"{folder}: {count} images")


if __name__ == "__main__":
    main()
