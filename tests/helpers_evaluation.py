"""Detections for the evaluation tests: a COCO helper file made realistic, perfect and disturbed results."""

from __future__ import annotations

import numpy as np
from pycocotools import mask as mask_utils

from maskkit.evaluation.coco_eval import load_results
from maskkit.evaluation.coco_format import make_coco_object
from maskkit.utils.box_math import extract_bboxes
from tests.helpers_coco import EMPTY_ANN


def realistic(data):
    """Give the helper file the bbox and area of each mask (as real COCO files do) and drop its empty mask."""
    data["annotations"] = [ann for ann in data["annotations"] if ann["id"] != EMPTY_ANN]
    sizes = {img["id"]: (img["height"], img["width"]) for img in data["images"]}
    for ann in data["annotations"]:
        height, width = sizes[ann["image_id"]]
        segm = ann["segmentation"]
        if isinstance(segm, list):
            rle = mask_utils.merge(mask_utils.frPyObjects(segm, height, width))
        else:
            rle = mask_utils.frPyObjects(segm, height, width) if isinstance(segm["counts"], list) else segm
        ann["area"] = float(mask_utils.area(rle))
        ann["bbox"] = mask_utils.toBbox(rle).tolist()



def result(masks, class_ids, scores):
    """A detect-contract result from bool masks [H, W, N]."""
    masks = np.asarray(masks, dtype=bool)
    return {"rois": extract_bboxes(masks).astype(np.int32), "class_ids": np.asarray(class_ids, np.int32),
            "scores": np.asarray(scores, np.float32), "masks": masks}



def perfect_results(dataset):
    """The non-crowd ground truth of every image as detections with score 0.9."""
    out = []
    for image_id in dataset.image_ids:
        masks, class_ids = dataset.load_mask(image_id)
        keep = class_ids > 0
        out.append(result(masks[:, :, keep], class_ids[keep], np.full(keep.sum(), 0.9)))
    return out



def imperfect_results(dataset):
    """Perfect detections disturbed: shifted masks, a wrong class, a false positive, mixed scores."""
    rng = np.random.default_rng(3)
    out = []
    for det in perfect_results(dataset):
        masks = det["masks"].copy()
        class_ids = det["class_ids"].copy()
        n = masks.shape[2]
        if n:
            masks[:, :, 0] = np.roll(masks[:, :, 0], 3, axis=1)
            if n > 1:
                class_ids[1] = 3 - class_ids[1]
            extra = np.zeros(masks.shape[:2] + (1,), dtype=bool)
            extra[2:12, 2:14] = True
            masks = np.concatenate([masks, extra], axis=2)
            class_ids = np.append(class_ids, 1)
        out.append(result(masks, class_ids, rng.uniform(0.1, 1.0, size=len(class_ids))))
    return out


def coco_pair(images: int, gts: list[tuple], dts: list[tuple]):
    """GT (image, category, xywh box[, crowd]) and detections (image, category, box, score) as COCO objects."""
    annotations = [{"id": k + 1, "image_id": g[0], "category_id": g[1], "bbox": list(g[2]), "area": g[2][2] * g[2][3],
                    "iscrowd": g[3] if len(g) > 3 else 0} for k, g in enumerate(gts)]
    gt = make_coco_object({"images": [{"id": i, "height": 100, "width": 100} for i in range(1, images + 1)],
                           "annotations": annotations,
                           "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]})
    dt = load_results(gt, [{"image_id": d[0], "category_id": d[1], "bbox": list(d[2]), "score": d[3]} for d in dts])
    return gt, dt
