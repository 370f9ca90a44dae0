"""Ground truth and detections of any maskkit Dataset in COCO's formats, via pycocotools.

Ground truth for evaluation: a dataset loaded from one COCO file (it names the file in
``coco_annotation_file``) is scored against that file's own annotations (bbox, area, iscrowd, ids),
so the numbers equal pycocotools run on the file; any other dataset gets boxes and areas from its masks.

Ids: when all classes (or all images) of the dataset come from one source with distinct integer
ids (a COCO file, but also e.g. shapes), those source ids are used, so results can be scored
against the original annotation file; otherwise the dataset's internal ids are used.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any, Sequence

import numpy as np
from pycocotools import mask as mask_utils
from pycocotools.coco import COCO

from maskkit.dataset import Dataset, check_mask
from maskkit.errors import DatasetError, MaskkitError
from maskkit.evaluation.rle import rle_areas

RESULT_FIELDS = ("rois", "class_ids", "scores", "masks")


def category_ids(dataset: Dataset) -> dict[int, int]:
    """Internal class id (1..) -> COCO category id.

    Args:
        dataset: a prepared dataset; its classes' source ids are used when ``single_source_ids`` allows.
    """
    internal = list(range(1, dataset.num_classes))
    return dict(zip(internal, single_source_ids([dataset.class_info[i] for i in internal], internal)))


def coco_image_ids(dataset: Dataset) -> dict[int, int]:
    """Internal image id -> COCO image id.

    Args:
        dataset: a prepared dataset; its images' source ids are used when ``single_source_ids`` allows.
    """
    internal = [int(i) for i in dataset.image_ids]
    return dict(zip(internal, single_source_ids([dataset.image_info[i] for i in internal], internal)))


def single_source_ids(infos: list[dict[str, Any]], internal: list[int]) -> list[int]:
    """The infos' source ids when they share one source and are distinct integers, else ``internal``."""
    ids = [info["id"] for info in infos]
    usable = (len({info["source"] for info in infos}) == 1
              and all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in ids)
              and len(set(ids)) == len(ids))
    return [int(i) for i in ids] if usable else list(internal)


def dataset_to_coco(dataset: Dataset, image_ids: Sequence[int] | None = None) -> COCO:
    """An in-memory, indexed COCO object of the ground truth of ``image_ids`` (default: all images).

    Masks become compressed RLEs; negative (crowd) class ids become ``iscrowd=1``; empty masks are left out.

    Args:
        dataset: a prepared dataset.
        image_ids: internal image ids; None for all of the dataset's.
    """
    if not dataset.is_prepared:
        raise DatasetError(f"{dataset.name}: call prepare() before evaluating")
    cats = category_ids(dataset)
    img_map = coco_image_ids(dataset)
    ids = [int(i) for i in (dataset.image_ids if image_ids is None else image_ids)]
    images, annotations = [], []
    for image_id in ids:
        mask, class_ids = dataset.load_mask(image_id)
        height, width = image_size(dataset, image_id, mask)
        mask, class_ids = check_mask(mask, class_ids, (height, width), dataset.num_classes,
                                     dataset.describe_image(image_id))
        images.append({"id": img_map[image_id], "height": height, "width": width,
                       "file_name": dataset.image_reference(image_id)})
        present = mask.any(axis=(0, 1))
        if not present.any():
            continue
        rles = encode_masks(mask[:, :, present])
        areas = rle_areas(rles)
        boxes = mask_utils.toBbox(rles)
        for rle, area, box, class_id in zip(rles, areas, boxes, class_ids[present]):
            annotations.append({"id": len(annotations) + 1, "image_id": img_map[image_id],
                                "category_id": cats[abs(int(class_id))], "segmentation": rle,
                                "area": float(area), "bbox": [float(v) for v in box],
                                "iscrowd": int(class_id < 0)})
    categories = [{"id": cats[c], "name": dataset.class_names[c],
                   "supercategory": dataset.class_info[c]["source"]} for c in sorted(cats)]
    return make_coco_object({"images": images, "annotations": annotations, "categories": categories})


def evaluation_ground_truth(dataset: Dataset, image_ids: Sequence[int] | None = None) -> COCO:
    """The ground truth to score ``image_ids`` against: the dataset's COCO file when it has one, else its masks."""
    source = source_ground_truth(dataset, image_ids)
    return source if source is not None else dataset_to_coco(dataset, image_ids)


def source_ground_truth(dataset: Dataset, image_ids: Sequence[int] | None = None) -> COCO | None:
    """The images and categories of ``dataset`` as annotated in its COCO file, or None when it has no file.

    Only datasets whose images and classes all carry the file's own ids qualify. Annotations lacking
    ``area``, ``bbox`` or ``iscrowd`` (which pycocotools needs) get them from their masks / 0.

    Args:
        dataset: a dataset, prepared when it names a ``coco_annotation_file``.
        image_ids: internal ids of the images to keep; None for all of the dataset's.
    """
    path = getattr(dataset, "coco_annotation_file", None)
    if path is None:
        return None
    if not dataset.is_prepared:
        raise DatasetError(f"{dataset.name}: call prepare() before evaluating")
    cats, img_map = category_ids(dataset), coco_image_ids(dataset)
    if (any(cats[c] != dataset.class_info[c]["id"] for c in cats)
            or any(img_map[i] != dataset.image_info[i]["id"] for i in img_map)):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            source = json.load(handle)
    except (OSError, ValueError) as exc:
        raise MaskkitError(f"{dataset.name}: cannot read its COCO annotation file {path}: {exc}") from exc
    wanted_images = {img_map[int(i)] for i in (dataset.image_ids if image_ids is None else image_ids)}
    wanted_cats = set(cats.values())
    images = [img for img in source["images"] if img["id"] in wanted_images]
    sizes = {img["id"]: (int(img["height"]), int(img["width"])) for img in images}
    annotations = [completed_annotation(ann, *sizes[ann["image_id"]]) for ann in source["annotations"]
                   if ann.get("image_id") in sizes and ann.get("category_id") in wanted_cats]
    categories = [cat for cat in source["categories"] if cat["id"] in wanted_cats]
    return make_coco_object({"images": images, "annotations": annotations, "categories": categories})


def completed_annotation(ann: dict[str, Any], height: int, width: int) -> dict[str, Any]:
    """``ann`` as is when it has area, bbox and iscrowd; else a copy with the missing ones filled in.

    Args:
        ann: one annotation of a COCO file (polygon, uncompressed or compressed RLE segmentation).
        height, width: its image's size in pixels, to decode the segmentation.
    """
    if all(key in ann for key in ("area", "bbox", "iscrowd")):
        return ann
    ann = dict(ann)
    ann.setdefault("iscrowd", 0)
    if "area" not in ann or "bbox" not in ann:
        segm = ann["segmentation"]
        rle = (mask_utils.merge(mask_utils.frPyObjects(segm, height, width)) if isinstance(segm, list)
               else mask_utils.frPyObjects(segm, height, width) if isinstance(segm["counts"], list) else segm)
        ann.setdefault("area", float(mask_utils.area(rle)))
        ann.setdefault("bbox", [float(v) for v in mask_utils.toBbox(rle)])
    return ann


def image_size(dataset: Dataset, image_id: int, mask: np.ndarray) -> tuple[int, int]:
    """Height and width of an image: from its masks, its info, or by reading it.

    Args:
        dataset: the dataset holding the image.
        image_id: internal image id.
        mask: the image's masks [H, W, N] as ``load_mask`` returns them (may be empty).
    """
    if mask.ndim == 3 and mask.shape[0] and mask.shape[1]:
        return int(mask.shape[0]), int(mask.shape[1])
    info = dataset.image_info[image_id]
    if info.get("height") and info.get("width"):
        return int(info["height"]), int(info["width"])
    return tuple(int(s) for s in dataset.load_image(image_id).shape[:2])


def make_coco_object(data: dict[str, Any]) -> COCO:
    """A COCO object over ``data`` without pycocotools' progress prints."""
    coco = COCO()
    coco.dataset = data
    with contextlib.redirect_stdout(io.StringIO()):
        coco.createIndex()
    return coco


def encode_masks(masks: np.ndarray) -> list[dict[str, Any]]:
    """Compressed RLEs of bool masks [H, W, N], counts as str so they serialise to JSON."""
    rles = mask_utils.encode(np.asfortranarray(masks.astype(np.uint8)))
    for rle in rles:
        rle["counts"] = rle["counts"].decode("ascii")
        rle["size"] = [int(s) for s in rle["size"]]
    return rles


def detections_to_coco_results(dataset: Dataset, image_ids: Sequence[int],
                               results: Sequence[dict[str, np.ndarray]]) -> list[dict[str, Any]]:
    """COCO results (image_id, category_id, bbox xywh, score, segmentation RLE) for detect outputs.

    ``results[k]`` belongs to ``image_ids[k]`` and holds rois int [N, (y1, x1, y2, x2)] with y2/x2
    exclusive, class_ids [N], scores [N] and masks bool [H, W, N] in original image pixels.

    Args:
        dataset: the prepared dataset of the images, for the COCO image and category ids.
        image_ids: internal image ids.
        results: one detect result per image id, as above.
    """
    if len(image_ids) != len(results):
        raise MaskkitError(f"{len(image_ids)} image ids but {len(results)} detection results")
    cats = category_ids(dataset)
    img_map = coco_image_ids(dataset)
    out: list[dict[str, Any]] = []
    for image_id, result in zip(image_ids, results):
        image_id = int(image_id)
        rois, class_ids, scores, masks = checked_result(result, dataset, image_id)
        if not len(class_ids):
            continue
        boxes = np.stack([rois[:, 1], rois[:, 0], rois[:, 3] - rois[:, 1], rois[:, 2] - rois[:, 0]], axis=1)
        rles = encode_masks(masks)
        for box, class_id, score, rle in zip(boxes.astype(float), class_ids, scores, rles):
            out.append({"image_id": img_map[image_id], "category_id": cats[int(class_id)],
                        "bbox": [float(v) for v in box], "score": float(score), "segmentation": rle})
    return out


def checked_result(result: dict[str, Any], dataset: Dataset,
                   image_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(rois, class_ids, scores, masks) of one detect result, checked for consistent shapes and ids.

    Args:
        result: one detect result dict (``RESULT_FIELDS``).
        dataset: the dataset, for the number of classes and the image's description in errors.
        image_id: internal id of the image ``result`` belongs to.

    Returns:
        rois [N, 4], class_ids int64 [N], scores float64 [N] and masks bool [H, W, N] ([0, 0, 0] when N is 0).
    """
    who = f"detections for {dataset.describe_image(image_id)}"
    missing = [f for f in RESULT_FIELDS if f not in result]
    if missing:
        raise MaskkitError(f"{who}: missing field(s) {', '.join(missing)}")
    rois = np.asarray(result["rois"]).reshape(-1, 4)
    class_ids = np.asarray(result["class_ids"]).reshape(-1).astype(np.int64)
    scores = np.asarray(result["scores"], dtype=np.float64).reshape(-1)
    masks = np.asarray(result["masks"])
    count = len(class_ids)
    if count == 0 and masks.size == 0 and rois.size == 0 and scores.size == 0:
        return rois, class_ids, scores, np.zeros((0, 0, 0), dtype=bool)
    if masks.ndim != 3 or masks.shape[2] != count or len(rois) != count or len(scores) != count:
        raise MaskkitError(f"{who}: rois {rois.shape}, class_ids {class_ids.shape}, scores {scores.shape} "
                           f"and masks {masks.shape} [H, W, N] disagree on the number of detections")
    bad = class_ids[(class_ids < 1) | (class_ids >= dataset.num_classes)]
    if bad.size:
        raise MaskkitError(f"{who}: class id {int(bad[0])} is outside 1..{dataset.num_classes - 1}")
    return rois, class_ids, scores, masks.astype(bool, copy=False)
