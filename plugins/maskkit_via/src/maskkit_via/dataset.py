"""Datasets of hand-labelled images in the VIA (VGG Image Annotator) JSON format.

Layout: ``<root>/<subset>/via_region_data.json`` next to the images it lists. The JSON maps
``"<filename><size>"`` to ``{"filename", "regions", ...}``; ``regions`` is a list or a dict keyed
``"0", "1", ...`` (VIA wrote both). Each region has ``shape_attributes`` (polygon, rect, circle or
ellipse) and ``region_attributes`` holding the class name under ``label_key``. Annotations are
parsed and checked when the dataset is built; masks are rasterised with OpenCV on demand.
"""

from __future__ import annotations

import difflib
import json
import math
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from maskkit.dataset import Dataset
from maskkit.errors import DatasetError
from maskkit.split import check_split_args, select_subset

ANNOTATION_FILE = "via_region_data.json"
SOURCE = "via"

#: shape name -> the shape_attributes it needs (ellipse's "theta", in radians, is optional).
SHAPE_FIELDS = {
    "polygon": ("all_points_x", "all_points_y"),
    "rect": ("x", "y", "width", "height"),
    "circle": ("cx", "cy", "r"),
    "ellipse": ("cx", "cy", "rx", "ry"),
}


class ViaDataset(Dataset):
    """Images of one subset folder and their VIA regions, one instance mask per region."""

    def __init__(self, subset: str = "train") -> None:
        super().__init__()
        self.subset = subset

    @property
    def name(self) -> str:
        """How error messages name this dataset."""
        return f"via[{self.subset}]"

    def load_via(self, json_path: Path, class_names: list[str], label_key: str = "name",
                 default_class: str | None = None, split: tuple[str, float, int] | None = None) -> None:
        """Declare ``class_names`` and add the images of ``json_path``; unknown labels raise.

        Regions without a label get ``default_class`` (an error when it is None). ``split=(subset,
        val_fraction, split_seed)`` keeps only that part of a split by image filename.
        """
        class_ids = {name: i for i, name in enumerate(class_names, start=1)}
        for name, class_id in class_ids.items():
            self.add_class(SOURCE, class_id, name)
        folder = json_path.parent
        missing = []
        entries = [(image_filename(entry, key, json_path), entry) for key, entry in read_annotations(json_path).items()]
        if split is not None:
            keep = select_subset([filename for filename, _ in entries], *split)
            entries = [item for item, kept in zip(entries, keep) if kept]
        for filename, entry in entries:
            shapes, ids = [], []
            for region_key, region in regions_of(entry, filename, json_path):
                where = f"{json_path}: image {filename!r}, region {region_key}"
                label = region_label(region, label_key, where, default_class, len(class_ids))
                ids.append(class_id_of(label, class_ids, where))
                shapes.append(region_shape(region, where))
            path = folder / filename
            if not path.is_file():
                missing.append(filename)
            self.add_image(SOURCE, image_id=filename, path=str(path), shapes=shapes, class_ids=ids)
        if missing:
            listed = ", ".join(repr(m) for m in missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise DatasetError(f"{json_path}: {len(missing)} listed image file(s) not found in {folder}: {listed}")

    def load_image(self, image_id: int) -> np.ndarray:
        """Read the image file and remember its size for ``load_mask``."""
        image = super().load_image(image_id)
        self.image_info[image_id]["hw"] = image.shape[:2]
        return image

    def load_mask(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        """One bool mask per region, rasterised at the image's size, and the regions' class ids."""
        info = self.image_info[image_id]
        if "hw" not in info:
            self.load_image(image_id)
        height, width = info["hw"]
        mask = np.zeros((height, width, len(info["shapes"])), dtype=np.uint8)
        for i, shape in enumerate(info["shapes"]):
            layer = np.zeros((height, width), dtype=np.uint8)
            mask[:, :, i] = draw_shape(layer, shape)
        return mask.astype(bool), np.asarray(info["class_ids"], dtype=np.int32)

    def image_reference(self, image_id: int) -> str:
        """The image file's path."""
        return str(self.image_info[image_id]["path"])


def read_annotations(json_path: Path) -> dict[str, Any]:
    """The image entries of a VIA region file (or of a full VIA project's ``_via_img_metadata``)."""
    if not json_path.is_file():
        found = sorted(p.parent.name for p in json_path.parent.parent.glob(f"*/{ANNOTATION_FILE}"))
        raise DatasetError(f"VIA annotation file not found: {json_path} (subsets with a {ANNOTATION_FILE} "
                           f"under {json_path.parent.parent}: {', '.join(found) or 'none'})")
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{json_path}: not valid JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("_via_img_metadata"), dict):
        data = data["_via_img_metadata"]
    if not isinstance(data, dict):
        raise DatasetError(f"{json_path}: expected a JSON object keyed by filename+size, got {type(data).__name__}")
    return data


def image_filename(entry: Any, entry_key: str, json_path: Path) -> str:
    """The ``filename`` of one image entry."""
    filename = entry.get("filename") if isinstance(entry, dict) else None
    if not isinstance(filename, str) or not filename:
        raise DatasetError(f"{json_path}: entry {entry_key!r} has no 'filename'")
    return filename


def regions_of(entry: dict[str, Any], filename: str, json_path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, region) pairs of an image entry, whether ``regions`` is a list or a dict keyed "0", "1", ..."""
    regions = entry.get("regions") or []
    if isinstance(regions, list):
        items = [(str(i), region) for i, region in enumerate(regions)]
    elif isinstance(regions, dict):
        items = sorted(regions.items(), key=lambda kv: (not kv[0].isdigit(), int(kv[0]) if kv[0].isdigit() else 0))
    else:
        raise DatasetError(f"{json_path}: image {filename!r}: 'regions' must be a list or an object, "
                           f"got {type(regions).__name__}")
    for key, region in items:
        if not isinstance(region, dict):
            raise DatasetError(f"{json_path}: image {filename!r}, region {key}: expected an object, "
                               f"got {type(region).__name__}")
        yield key, region


def region_label(region: dict[str, Any], label_key: str, where: str, default_class: str | None = None,
                 num_classes: int = 0) -> str | None:
    """The class name of a region: a text/dropdown value, or the one ticked checkbox.

    An unlabelled region (no ``label_key`` attribute, or an empty one) gets ``default_class``; without
    one it is an error, except when ``num_classes`` is 0 (collecting labels), where it gives None.
    """
    attributes = region.get("region_attributes") or {}
    value = attributes.get(label_key) if isinstance(attributes, dict) else None
    if value is None or (isinstance(value, str) and not value.strip()):
        if default_class is not None or not num_classes:
            return default_class
        present = ", ".join(sorted(attributes)) if isinstance(attributes, dict) and attributes else "none"
        raise DatasetError(f"{where}: region has no class: region_attributes has no {label_key!r} "
                           f"(attributes present: {present}) and there are {num_classes} classes; pass "
                           f"default_class= for unlabelled regions, or label_key= to read another attribute")
    if isinstance(value, dict):
        ticked = [name for name, on in value.items() if on]
        if len(ticked) != 1:
            raise DatasetError(f"{where}: checkbox attribute {label_key!r} must have exactly one class ticked, "
                               f"got {ticked}")
        value = ticked[0]
    if not isinstance(value, str) or not value.strip():
        raise DatasetError(f"{where}: class name under {label_key!r} must be a non-empty string, got {value!r}")
    return value.strip()


def class_id_of(label: str, class_ids: dict[str, int], where: str) -> int:
    """The class id of ``label``; an unknown name is an error, never a silent relabel."""
    if label in class_ids:
        return class_ids[label]
    close = difflib.get_close_matches(label, list(class_ids), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise DatasetError(f"{where}: class {label!r} is not one of the known classes "
                       f"({', '.join(class_ids)}){hint}")


def region_shape(region: dict[str, Any], where: str) -> dict[str, Any]:
    """The region's shape_attributes, checked and with numbers as floats."""
    attributes = region.get("shape_attributes")
    if not isinstance(attributes, dict) or "name" not in attributes:
        raise DatasetError(f"{where}: missing shape_attributes with a 'name'")
    kind = attributes["name"]
    if kind not in SHAPE_FIELDS:
        raise DatasetError(f"{where}: shape {kind!r} cannot be turned into a mask; supported shapes: "
                           f"{', '.join(SHAPE_FIELDS)}")
    absent = [field for field in SHAPE_FIELDS[kind] if field not in attributes]
    if absent:
        raise DatasetError(f"{where}: {kind} lacks {', '.join(absent)}")
    try:
        if kind == "polygon":
            xs = np.asarray(attributes["all_points_x"], dtype=np.float64)
            ys = np.asarray(attributes["all_points_y"], dtype=np.float64)
            if xs.ndim != 1 or xs.shape != ys.shape or xs.size < 3:
                raise ValueError(f"needs equally many (>= 3) x and y points, got {xs.size} and {ys.size}")
            return {"name": kind, "points": np.stack([xs, ys], axis=1)}
        shape = {"name": kind, **{field: float(attributes[field]) for field in SHAPE_FIELDS[kind]}}
        if kind == "ellipse":
            shape["theta"] = float(attributes.get("theta", 0.0))
        return shape
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{where}: bad {kind} coordinates: {exc}") from exc


def draw_shape(layer: np.ndarray, shape: dict[str, Any]) -> np.ndarray:
    """Fill ``shape`` with 1 on a uint8 HxW ``layer``, in place, and return it."""
    import cv2

    kind = shape["name"]
    if kind == "polygon":
        cv2.fillPoly(layer, [np.rint(shape["points"]).astype(np.int32)], 1)
    elif kind == "rect":
        x0, y0 = round(shape["x"]), round(shape["y"])
        x1, y1 = round(shape["x"] + shape["width"]) - 1, round(shape["y"] + shape["height"]) - 1
        cv2.rectangle(layer, (x0, y0), (x1, y1), 1, thickness=-1)
    elif kind == "circle":
        cv2.circle(layer, (round(shape["cx"]), round(shape["cy"])), round(shape["r"]), 1, thickness=-1)
    else:
        cv2.ellipse(layer, (round(shape["cx"]), round(shape["cy"])), (round(shape["rx"]), round(shape["ry"])),
                    math.degrees(shape["theta"]), 0, 360, 1, thickness=-1)
    return layer


def parse_class_names(class_names: list[str] | tuple[str, ...] | str) -> list[str]:
    """Class names from a list or a comma-separated string (``--set class_names=balloon,kite``)."""
    names = class_names.split(",") if isinstance(class_names, str) else list(class_names)
    names = [str(name).strip() for name in names]
    if not names or not all(names):
        raise DatasetError(f"via: class_names must be non-empty names, got {class_names!r}")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise DatasetError(f"via: class_names lists {', '.join(duplicates)} more than once")
    if "BG" in names:
        raise DatasetError("via: class_names must not include 'BG'; class 0 is the background already")
    return names


def labels_in(json_paths: list[Path], label_key: str) -> list[str]:
    """Every class name used in the given annotation files, sorted (unlabelled regions add none)."""
    labels: set[str] = set()
    for json_path in json_paths:
        for entry_key, entry in read_annotations(json_path).items():
            filename = image_filename(entry, entry_key, json_path)
            for region_key, region in regions_of(entry, filename, json_path):
                label = region_label(region, label_key, f"{json_path}: image {filename!r}, region {region_key}")
                if label is not None:
                    labels.add(label)
    return sorted(labels)


def make_via(root: str, subset: str = "train", class_names: list[str] | str | None = None,
             label_key: str = "name", default_class: str | None = None, val_fraction: float | None = None,
             split_seed: int = 0, folder: str = ".") -> ViaDataset:
    """Factory registered as ``via``: the prepared dataset of ``<root>/<subset>/via_region_data.json``.

    Without ``class_names`` the classes are every label used under ``root`` (plus ``default_class``),
    sorted; pass them to fix their order and to turn a misspelled label into an error instead of a
    new class. Unlabelled regions get ``default_class``, or the class when ``class_names`` names one
    (matterport's balloon layout). With ``val_fraction`` the one file ``<root>/<folder>/via_region_data.json``
    is split by image filename: ``subset`` 'val' keeps about that fraction, 'train' the rest.
    """
    root_path = Path(root)
    fraction = check_split_args("via", subset, val_fraction)
    if fraction is None:
        json_path, label_files = root_path / subset / ANNOTATION_FILE, sorted(root_path.glob(f"*/{ANNOTATION_FILE}"))
    else:
        json_path = root_path / folder / ANNOTATION_FILE
        label_files = [json_path]
    if class_names is not None:
        names = parse_class_names(class_names)
    else:
        names = sorted(set(labels_in(label_files, label_key)) | ({str(default_class)} if default_class else set()))
    if default_class is None and class_names is not None and len(names) == 1:
        default_class = names[0]
    if default_class is not None and default_class not in names:
        raise DatasetError(f"via: default_class {default_class!r} is not one of class_names ({', '.join(names)})")
    if not names:
        read_annotations(json_path)  # a missing annotation file is the likelier cause: report that first
        raise DatasetError(f"via: no labelled regions under {root_path} (label_key={label_key!r}); "
                           f"pass class_names= (or default_class=) or check label_key")
    dataset = ViaDataset(subset)
    split = (subset, fraction, int(split_seed)) if fraction is not None else None
    dataset.load_via(json_path, names, label_key, default_class, split)
    dataset.prepare()
    return dataset
