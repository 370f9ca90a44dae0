"""Unmolding of detections: one image's normalised detections and small class masks, as the
inference graph returns them, back to matterport's result dict in the original image's pixels.

NumPy only, run on the host after the graph: it is separate from maskkit.model.maskrcnn (the model
class, which batches images and runs the graph) and from maskkit.model.molding (the in-graph, TF
molding of training batches), so it can be used and tested without building a model or TensorFlow.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from maskkit.utils.box_math import denorm_boxes, norm_boxes
from maskkit.utils.resize import paste_mask


def unmold_detections(detections: np.ndarray, masks: np.ndarray, original_shape: Sequence[int],
                      image_shape: Sequence[int], window: Sequence[int]) -> dict[str, np.ndarray]:
    """One image's normalised detections [D, 6] and class masks [D, h, w] -> matterport's result dict.

    Args:
        detections: [D, 6] (y1, x1, y2, x2, class_id, score), normalised to the molded image; class_id 0 pads.
        masks: [D, h, w] mask probabilities of each detection's class.
        original_shape: the image's shape before resizing; boxes and masks are returned in its pixels.
        image_shape: the molded image's shape.
        window: (y1, x1, y2, x2) pixel window of the image inside the molded one.

    Returns:
        rois int32 [N, 4], class_ids int32 [N], scores float32 [N], masks bool [H, W, N]; boxes of zero
        area are dropped.
    """
    count = int(np.sum(detections[:, 4] > 0))
    boxes = detections[:count, :4]
    class_ids = detections[:count, 4].astype(np.int32)
    scores = detections[:count, 5].astype(np.float32)
    masks = masks[:count]
    wy1, wx1, wy2, wx2 = norm_boxes(np.asarray(window, dtype=np.float32), image_shape[:2])
    shift = np.array([wy1, wx1, wy1, wx1], dtype=np.float32)
    scale = np.array([wy2 - wy1, wx2 - wx1, wy2 - wy1, wx2 - wx1], dtype=np.float32)
    boxes = denorm_boxes((boxes - shift) / scale, original_shape[:2])
    keep = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) > 0
    boxes, class_ids, scores, masks = boxes[keep], class_ids[keep], scores[keep], masks[keep]
    height, width = int(original_shape[0]), int(original_shape[1])
    full_masks = np.zeros((len(boxes), height, width), dtype=bool)
    for index, (mask, box) in enumerate(zip(masks, boxes)):
        paste_mask(full_masks[index], mask, box)
    # [N, H, W] in memory (each mask contiguous), seen as matterport's [H, W, N] without a copy.
    return {"rois": boxes.astype(np.int32), "class_ids": class_ids, "scores": scores,
            "masks": np.moveaxis(full_masks, 0, -1)}
