"""COCO-format instance segmentation as a maskkit Dataset; every mask is decoded by pycocotools.

Crowd regions get negative class ids (excluded from training targets, as in matterport), COCO
category ids map to contiguous class ids (``map_source_class_id("coco.<id>")`` and back with
``get_source_class_id``), and annotations whose masks are empty, whose category or image is not
in the file, or whose area or box is negative are reported (``annotation_problems``). A
category no annotation uses that names the others' supercategory (Roboflow's category 0) is a
grouping, not a class, and is left out.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import warnings
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from maskkit.dataset import AnnotationProblem, Dataset
from maskkit.errors import DatasetError
from maskkit.split import check_split_args, select_subset
from maskkit_coco.layout import choose_split
from maskkit_coco.validate import (bad_geometry_annotations, check_compressed_rle, check_unique_ids,
                                   unknown_category_annotations, unknown_image_annotations)

SOURCE = "coco"
REQUIRED_KEYS = ("images", "annotations", "categories")
RLE_CHARS = ("0", "o")  # pycocotools' compressed RLE uses characters 48..111
AREA_CHUNK = 255  # pycocotools' area() counts its RLEs in a uint8: more than 255 at once overflow
SHOWN_SKIPPED = 5


class CocoDataset(Dataset):
    """The images and instances of one COCO annotation file, restricted to chosen categories."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped_annotations: list[int] = []
        self.unknown_class_annotations: list[Any] = []
        self.bad_annotations: list[tuple[Any, str]] = []
        #: (annotation id, image id) of annotations whose image is not among the file's images
        self.unknown_image_annotations: list[tuple[Any, Any]] = []
        self._problems: list[AnnotationProblem] = []
        #: category ids left out as unused supercategories (see ``unused_supercategories``)
        self.dropped_supercategories: list[int] = []
        self.coco: COCO | None = None
        #: the annotation file every image came from (None after loading several): evaluation scores against it
        self.coco_annotation_file: Path | None = None
        self._loaded_files: set[Path] = set()

    def load_coco(self, annotations: str | os.PathLike, images: str | os.PathLike,
                  class_ids: Iterable[int] | str | None = None, return_coco: bool = False,
                  split: tuple[str, float, int] | None = None) -> None:
        """Add the categories, images and annotations of ``annotations``; image files live in ``images``.

        ``split=(subset, val_fraction, split_seed)`` keeps only that part of a per-image-id split.
        """
        ann_path, image_dir = Path(annotations), Path(images)
        coco = read_coco(ann_path)
        if not image_dir.is_dir():
            raise DatasetError(f"coco: image folder not found: {image_dir}")
        cat_ids = select_categories(coco, class_ids, ann_path)
        if class_ids is None:
            dropped = unused_supercategories(coco)
            cat_ids = [cat_id for cat_id in cat_ids if cat_id not in dropped]
            self.dropped_supercategories = sorted(set(self.dropped_supercategories) | set(dropped))
        for cat_id in cat_ids:
            self.add_class(SOURCE, cat_id, str(coco.cats[cat_id].get("name", cat_id)))
        wanted = set(cat_ids)
        if class_ids is None:
            image_ids = sorted(coco.imgs)
        else:
            image_ids = sorted({img for cat_id in cat_ids for img in coco.catToImgs.get(cat_id, [])
                                if img in coco.imgs})
        if split is not None:
            keep = select_subset(image_ids, *split)
            image_ids = [img_id for img_id, kept in zip(image_ids, keep) if kept]
        missing: list[Path] = []
        skipped: list[int] = []
        for img_id in image_ids:
            img = coco.imgs[img_id]
            path, height, width = image_fields(img, ann_path, image_dir)
            if not path.is_file():
                missing.append(path)
                continue
            kept = []
            for ann in coco.imgToAnns.get(img_id, []):
                if ann.get("category_id") not in wanted:
                    continue
                rle = annotation_rle(ann, height, width, who=f"coco image {img_id} ({path})")
                if rle is None or int(mask_utils.area(rle)) == 0:
                    skipped.append(ann["id"])
                    continue
                kept.append(ann)
            self.add_image(SOURCE, image_id=img_id, path=str(path), width=width, height=height,
                           annotations=kept)
        if missing:
            shown = ", ".join(str(p) for p in missing[:SHOWN_SKIPPED])
            raise DatasetError(f"coco: {len(missing)} image file(s) listed in {ann_path} are missing "
                               f"from {image_dir}: {shown}{', ...' if len(missing) > SHOWN_SKIPPED else ''}")
        self.skipped_annotations.extend(skipped)
        if skipped:
            self._problems.append(AnnotationProblem(
                "skipped-annotation", f"{ann_path}: {len(skipped)} annotation(s) were dropped because their masks "
                                      f"are empty (ids {_shown(skipped)})"))
            warnings.warn(f"coco {ann_path}: skipped {len(skipped)} annotation(s) whose masks are empty "
                          f"(ids {_shown(skipped)})", stacklevel=2)
        self.coco = coco if return_coco else None
        self._loaded_files.add(ann_path.resolve())
        self.coco_annotation_file = ann_path if len(self._loaded_files) == 1 else None
        self._report_annotation_problems(coco.dataset, ann_path)

    def _report_annotation_problems(self, data: dict[str, Any], ann_path: Path) -> None:
        """Record and warn about annotations of undeclared categories or unlisted images (both left
        out) and about negative geometry."""
        unknown, bad = unknown_category_annotations(data), bad_geometry_annotations(data)
        orphans = unknown_image_annotations(data)
        self.unknown_class_annotations.extend(unknown)
        self.bad_annotations.extend(bad)
        self.unknown_image_annotations.extend(orphans)
        found = []
        if unknown:
            found.append(("unknown-class", f"left out {len(unknown)} annotation(s) whose category_id is not among "
                                           f"the categories (ids {_shown(unknown)})"))
        if orphans:
            pairs = [f"annotation {ann_id} -> image {image_id}" for ann_id, image_id in orphans]
            found.append(("unknown-image", f"left out {len(orphans)} annotation(s) whose image_id is not among the "
                                           f"images ({_shown(pairs)})"))
        if bad:
            found.append(("bad-annotation", f"{len(bad)} annotation(s) have a negative area or box "
                                            f"({_shown([f'{ann_id}: {problem}' for ann_id, problem in bad])})"))
        for code, message in found:
            self._problems.append(AnnotationProblem(code, f"{ann_path}: {message}"))
            warnings.warn(f"coco {ann_path}: {message}", stacklevel=3)

    def annotation_problems(self) -> list[AnnotationProblem]:
        """Annotations left out (empty masks, undeclared categories, unlisted images) or kept with a
        negative area or box, one AnnotationProblem per kind and annotation file."""
        return list(self._problems)

    def load_mask(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        """Instance masks bool [H, W, N] and class ids int32 [N]; crowd regions have negative ids."""
        info = self.image_info[image_id]
        if info["source"] != SOURCE:
            return super().load_mask(image_id)
        height, width, anns = info["height"], info["width"], info["annotations"]
        if not anns:
            return np.zeros((height, width, 0), dtype=bool), np.zeros(0, dtype=np.int32)
        who = self.describe_image(image_id)
        masks = decode_checked([annotation_rle(ann, height, width, who) for ann in anns], anns, who)
        return masks.astype(bool), self._class_ids(anns)

    def annotation_boxes(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        """Boxes float32 [N, (y1, x1, y2, x2)] in pixels and class ids int32 [N] of the instances
        ``load_mask`` returns, read from the annotations' ``bbox`` without decoding masks.

        An annotation without a usable bbox (missing, not four finite numbers, or empty) gets the
        extent of its segmentation; boxes are clipped to the image.
        """
        self._require_prepared()
        info = self.image_info[image_id]
        if info["source"] != SOURCE:
            return super().annotation_boxes(image_id)
        height, width, anns = info["height"], info["width"], info["annotations"]
        if not anns:
            return np.zeros((0, 4), dtype=np.float32), np.zeros(0, dtype=np.int32)
        xywh = np.array([usable_bbox(ann.get("bbox")) for ann in anns], dtype=np.float64)
        redo = np.flatnonzero(np.isnan(xywh[:, 0]))
        if redo.size:
            who = self.describe_image(image_id)
            xywh[redo] = mask_utils.toBbox([annotation_rle(anns[k], height, width, who) for k in redo])
        x1, y1 = xywh[:, 0], xywh[:, 1]
        boxes = np.stack([y1, x1, y1 + xywh[:, 3], x1 + xywh[:, 2]], axis=1)
        boxes = np.clip(boxes, 0, [height, width, height, width]).astype(np.float32)
        return boxes, self._class_ids(anns)

    def _class_ids(self, anns: list[dict[str, Any]]) -> np.ndarray:
        """int32 class ids of annotations; crowd regions negative."""
        return np.array([self.map_source_class_id(f"{SOURCE}.{ann['category_id']}")
                         * (-1 if ann.get("iscrowd") else 1) for ann in anns], dtype=np.int32)


def _shown(items: list[Any]) -> str:
    return ", ".join(map(str, items[:SHOWN_SKIPPED])) + (", ..." if len(items) > SHOWN_SKIPPED else "")


def make_coco(annotations: str | None = None, images: str | None = None, class_ids: list[int] | str | None = None,
              return_coco: bool = False, subset: str | None = None, val_fraction: float | None = None,
              split_seed: int = 0, root: str | None = None) -> CocoDataset:
    """A prepared CocoDataset of ``annotations`` (a JSON file) and ``images`` (its image folder), or of
    ``root``, a Roboflow-style export (see ``maskkit_coco.layout`` for how ``subset`` picks its folder).

    ``{subset}`` in either path is replaced by ``subset`` (e.g. train/val). With ``val_fraction`` one
    file is split instead: ``subset`` 'val' keeps about that fraction of the images (chosen by a hash
    of ``split_seed`` and the image id, so stable), 'train' keeps the rest.
    """
    fraction = check_split_args("coco", subset, val_fraction)
    if root is not None:
        if annotations is not None or images is not None:
            raise DatasetError("coco: give either root= (a Roboflow-style export or split folder) or "
                               "annotations= and images=, not both")
        choice = choose_split(root, subset, fraction)
        if choice.note:
            warnings.warn(choice.note, stacklevel=2)
        annotations, images, fraction = str(choice.annotations), str(choice.folder), choice.val_fraction
    elif annotations is None or images is None:
        raise DatasetError("coco: needs annotations= (the JSON file) and images= (its image folder), "
                           "or root= (a Roboflow-style export or split folder)")
    else:
        annotations, images = subset_paths(annotations, images, subset, fraction)
    dataset = CocoDataset()
    split = (subset, fraction, int(split_seed)) if fraction is not None else None
    dataset.load_coco(annotations, images, class_ids=class_ids, return_coco=return_coco, split=split)
    dataset.prepare()
    return dataset


def subset_paths(annotations: str, images: str, subset: str | None, fraction: float | None) -> tuple[str, str]:
    """Both paths with ``{subset}`` filled in; an error when it cannot be (no subset, or one file split)."""
    if fraction is not None:
        for path in (annotations, images):
            if "{subset}" in str(path):
                raise DatasetError(f"coco: path {path} contains {{subset}}; with val_fraction one file is split, "
                                   f"so name it directly")
    elif subset is not None:
        annotations = str(annotations).replace("{subset}", subset)
        images = str(images).replace("{subset}", subset)
    for path in (annotations, images):
        if "{subset}" in str(path):
            raise DatasetError(f"coco: path {path} contains {{subset}} but no subset was given")
    return str(annotations), str(images)


def decode_checked(rles: list[dict[str, Any]], anns: list[dict[str, Any]], who: str) -> np.ndarray:
    """Decode RLEs to uint8 [H, W, N]; runs that overflow or fall short of the image raise DatasetError."""
    masks = try_decode(rles)
    if masks is not None:
        sane = ((masks.max(axis=(0, 1)) <= 1)
                & (masks.sum(axis=(0, 1), dtype=np.int64) == rle_areas(rles)))
        if sane.all():
            return masks
        culprit = int(np.argmin(sane))
    else:
        culprit = next(k for k, rle in enumerate(rles) if try_decode([rle]) is None)
    raise DatasetError(f"{who}: annotation {anns[culprit]['id']} has a corrupt compressed RLE "
                       f"(its runs do not cover the image exactly)")


def rle_areas(rles: list[dict[str, Any]]) -> np.ndarray:
    """Pixel counts int64 [N] of compressed RLEs: pycocotools' area() in chunks it can count."""
    chunks = [mask_utils.area(rles[k:k + AREA_CHUNK]) for k in range(0, len(rles), AREA_CHUNK)]
    return np.concatenate(chunks).astype(np.int64) if chunks else np.zeros(0, dtype=np.int64)


def try_decode(rles: list[dict[str, Any]]) -> np.ndarray | None:
    """pycocotools' decode, or None when it rejects the runs."""
    try:
        return mask_utils.decode(rles)
    except ValueError:
        return None


def read_coco(path: Path) -> COCO:
    """Load and index an annotation file, with errors naming the file instead of pycocotools' asserts."""
    if not path.is_file():
        raise DatasetError(f"coco: annotation file not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(f"coco: {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or any(key not in data for key in REQUIRED_KEYS):
        raise DatasetError(f"coco: {path} must be a JSON object with {', '.join(REQUIRED_KEYS)} "
                           f"(a COCO instances file)")
    check_unique_ids(data, path)
    coco = COCO()
    coco.dataset = data
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            coco.createIndex()
    except (KeyError, TypeError) as exc:
        raise DatasetError(f"coco: {path}: an image, annotation or category lacks field {exc}") from exc
    return coco


def select_categories(coco: COCO, class_ids: Iterable[int] | str | None, path: Path) -> list[int]:
    """The sorted category ids to load: all, or the requested ones (a list or "3,7") after checking them."""
    if class_ids is None:
        return sorted(coco.cats)
    if isinstance(class_ids, str):
        class_ids = [c for c in class_ids.split(",") if c.strip()]
    try:
        requested = sorted({int(c) for c in class_ids})
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"coco: class_ids must be COCO category ids (integers), got {class_ids!r}") from exc
    unknown = [c for c in requested if c not in coco.cats]
    if unknown:
        raise DatasetError(f"coco: {path} has no categories {unknown}; known ids: {sorted(coco.cats)}")
    return requested


def unused_supercategories(coco: COCO) -> list[int]:
    """Ids of categories that no annotation uses and whose name is another category's supercategory.

    Roboflow exports its workspace as category 0 ("supercategory": "none") and names it as the
    supercategory of every real class; it would otherwise become a class no image shows. A real
    class merely absent from one split is not a supercategory, so it stays and splits agree.
    """
    parents: dict[Any, set[int]] = {}
    for cat_id, cat in coco.cats.items():
        parents.setdefault(cat.get("supercategory"), set()).add(cat_id)
    return sorted(cat_id for cat_id, cat in coco.cats.items()
                  if not coco.catToImgs.get(cat_id) and parents.get(cat.get("name"), set()) - {cat_id})


def usable_bbox(bbox: Any) -> list[float]:
    """An annotation's [x, y, w, h] as floats, or four NaNs when it is missing, malformed or empty."""
    if isinstance(bbox, (list, tuple)) and len(bbox) == 4:
        try:
            values = [float(v) for v in bbox]
        except (TypeError, ValueError):
            values = []
        if values and np.all(np.isfinite(values)) and values[2] > 0 and values[3] > 0:
            return values
    return [np.nan] * 4


def image_fields(img: dict[str, Any], ann_path: Path, image_dir: Path) -> tuple[Path, int, int]:
    """(file path, height, width) of an image entry, checked."""
    try:
        return image_dir / img["file_name"], int(img["height"]), int(img["width"])
    except (KeyError, TypeError, ValueError) as exc:
        raise DatasetError(f"coco: {ann_path}: image {img.get('id')!r} needs file_name, height and "
                           f"width ({type(exc).__name__}: {exc})") from exc


def annotation_rle(ann: dict[str, Any], height: int, width: int, who: str) -> dict[str, Any] | None:
    """The compressed RLE of an annotation's segmentation; None when its polygons are all degenerate.

    Polygon parts with fewer than three points are dropped (they cover no pixels). Anything else
    pycocotools would silently misread raises DatasetError naming the annotation.
    """
    where = f"{who}: annotation {ann.get('id')!r}"
    segm = ann.get("segmentation")
    if isinstance(segm, list):
        return polygon_rle(segm, height, width, where)
    if isinstance(segm, dict) and "counts" in segm and "size" in segm:
        size = segm["size"]
        if not isinstance(size, (list, tuple)) or list(size) != [height, width]:
            raise DatasetError(f"{where}: RLE size {size} differs from the image size [{height}, {width}]")
        counts = segm["counts"]
        if isinstance(counts, list):
            return uncompressed_rle(segm, height, width, where)
        if isinstance(counts, (str, bytes)):
            text = counts.decode("ascii", "replace") if isinstance(counts, bytes) else counts
            if text and (min(text) < RLE_CHARS[0] or max(text) > RLE_CHARS[1]):
                raise DatasetError(f"{where}: compressed RLE counts contain characters outside "
                                   f"{RLE_CHARS[0]!r}..{RLE_CHARS[1]!r}")
            check_compressed_rle(counts, height, width, where)
            return {"size": [height, width], "counts": counts}
        raise DatasetError(f"{where}: RLE counts must be a list or a string, got {type(counts).__name__}")
    raise DatasetError(f"{where}: segmentation must be a list of polygons or an RLE dict with counts and "
                       f"size, got {type(segm).__name__}")


def polygon_rle(polygons: list[Any], height: int, width: int, where: str) -> dict[str, Any] | None:
    """Merge polygon parts into one compressed RLE; a malformed part raises DatasetError."""
    parts = []
    for k, part in enumerate(polygons):
        try:
            coords = np.asarray(part, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"{where}: polygon {k} is not a list of numbers ({exc})") from exc
        if coords.ndim != 1 or coords.size % 2 or not np.all(np.isfinite(coords)):
            raise DatasetError(f"{where}: polygon {k} must be a flat list of finite x,y pairs, "
                               f"got shape {coords.shape}")
        if coords.size >= 6:
            parts.append(coords.tolist())
    if not parts:
        return None
    return mask_utils.merge(mask_utils.frPyObjects(parts, height, width))


def uncompressed_rle(segm: dict[str, Any], height: int, width: int, where: str) -> dict[str, Any]:
    """Compress an uncompressed RLE after checking its runs cover the image exactly."""
    try:
        counts = np.asarray(segm["counts"], dtype=np.int64)
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{where}: RLE counts are not integers ({exc})") from exc
    if counts.ndim != 1 or np.any(counts < 0):
        raise DatasetError(f"{where}: RLE counts must be a flat list of non-negative run lengths")
    if int(counts.sum()) != height * width:
        raise DatasetError(f"{where}: RLE runs sum to {int(counts.sum())} pixels, the image has "
                           f"{height}x{width} = {height * width}")
    return mask_utils.frPyObjects({"size": [height, width], "counts": counts.tolist()}, height, width)
