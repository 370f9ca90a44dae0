"""Pure numpy/OpenCV utilities: boxes, resizing, anchors and metrics (no TensorFlow)."""
from .anchor_geometry import (
    anchors_per_level,
    compute_backbone_shapes,
    generate_anchors,
    generate_pyramid_anchors,
)
from .box_math import (
    apply_box_deltas,
    box_refinement,
    compute_iou,
    compute_overlaps,
    compute_overlaps_masks,
    denorm_boxes,
    extract_bboxes,
    non_max_suppression,
    norm_boxes,
)
from .metrics import compute_ap, compute_ap_range, compute_matches, compute_recall, trim_zeros
from .resize import (
    expand_mask,
    minimize_mask,
    resize,
    resize_image,
    resize_mask,
    unmold_mask,
)

__all__ = [
    "anchors_per_level",
    "apply_box_deltas",
    "box_refinement",
    "compute_ap",
    "compute_ap_range",
    "compute_backbone_shapes",
    "compute_iou",
    "compute_matches",
    "compute_overlaps",
    "compute_overlaps_masks",
    "compute_recall",
    "denorm_boxes",
    "expand_mask",
    "extract_bboxes",
    "generate_anchors",
    "generate_pyramid_anchors",
    "minimize_mask",
    "non_max_suppression",
    "norm_boxes",
    "resize",
    "resize_image",
    "resize_mask",
    "trim_zeros",
    "unmold_mask",
]
