"""matterport's reference mAP: ``compute_ap`` per image (mask IoU matching), averaged over images."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from maskkit.dataset import Dataset, check_mask
from maskkit.errors import MaskkitError
from maskkit.evaluation.coco_format import checked_result, image_size
from maskkit.utils.box_math import extract_bboxes
from maskkit.utils.metrics import compute_ap, compute_ap_range

COCO_IOU_RANGE = tuple(np.round(np.arange(0.5, 1.0, 0.05), 2))


def evaluate_map(dataset: Dataset, image_ids: Sequence[int], results: Sequence[dict[str, np.ndarray]],
                 iou_threshold: float = 0.5) -> dict[str, Any]:
    """Mean over images of matterport's AP at ``iou_threshold`` and over IoU 0.5:0.95.

    Crowd instances (negative class ids) are left out of the ground truth, as matterport's targets
    leave them out of training.

    Args:
        dataset: the prepared dataset holding the ground truth.
        image_ids: internal ids of the evaluated images.
        results: one detect result per image id, masks in original image pixels.
        iou_threshold: IoU at which a detection matches, for ``mAP``.

    Returns:
        ``{"iou_threshold", "mAP", "mAP_50_95", "per_image": [{"image_id", "AP", "AP_50_95"}, ...]}``;
        both means are 0.0 without images.
    """
    if len(image_ids) != len(results):
        raise MaskkitError(f"{len(image_ids)} image ids but {len(results)} detection results")
    per_image = []
    for image_id, result in zip(image_ids, results):
        image_id = int(image_id)
        gt_mask, gt_class_ids = ground_truth(dataset, image_id)
        rois, class_ids, scores, masks = checked_result(result, dataset, image_id)
        if not len(class_ids):
            masks = np.zeros((*gt_mask.shape[:2], 0), dtype=bool)
        elif masks.shape[:2] != gt_mask.shape[:2]:
            raise MaskkitError(f"detection masks of {dataset.describe_image(image_id)} are {masks.shape[:2]}, "
                               f"the image is {gt_mask.shape[:2]}; masks must be in original image pixels")
        gt_boxes = extract_bboxes(gt_mask)
        args = (gt_boxes, gt_class_ids, gt_mask, rois, class_ids, scores, masks)
        ap, _, _, _ = compute_ap(*args, iou_threshold=iou_threshold)
        ap_range = compute_ap_range(*args, iou_thresholds=COCO_IOU_RANGE)
        per_image.append({"image_id": image_id, "AP": float(ap), "AP_50_95": float(ap_range)})
    return {
        "iou_threshold": float(iou_threshold),
        "mAP": float(np.mean([r["AP"] for r in per_image])) if per_image else 0.0,
        "mAP_50_95": float(np.mean([r["AP_50_95"] for r in per_image])) if per_image else 0.0,
        "per_image": per_image,
    }


def ground_truth(dataset: Dataset, image_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-crowd, non-empty GT masks bool [H, W, N] and class ids of one image.

    Args:
        dataset: the dataset holding the image.
        image_id: internal image id.
    """
    mask, class_ids = dataset.load_mask(image_id)
    size = image_size(dataset, image_id, mask)
    mask, class_ids = check_mask(mask, class_ids, size, dataset.num_classes, dataset.describe_image(image_id))
    keep = (class_ids > 0) & mask.any(axis=(0, 1))
    return mask[:, :, keep], class_ids[keep]
