"""Everything between Dataset.load_image/load_mask and the model's inputs (TensorFlow only in input.py and feed.py)."""

from maskkit.data.anchor_grid import AnchorGrid, anchor_counts, anchor_grid, anchors_for
from maskkit.data.ground_truth import load_image_gt
from maskkit.data.mean_pixel import mold_image, unmold_image
from maskkit.data.roi_targets import build_detection_targets, generate_random_rois
from maskkit.data.rpn_targets import build_group_rpn_targets, build_rpn_targets
from maskkit.image_meta import compose_image_meta, parse_image_meta, parse_image_meta_batch

__all__ = ["AnchorGrid", "anchor_counts", "anchor_grid", "anchors_for", "build_detection_targets",
           "build_group_rpn_targets", "build_rpn_targets", "compose_image_meta", "generate_random_rois",
           "load_image_gt", "make_dataset", "mold_image", "parse_image_meta", "parse_image_meta_batch",
           "unmold_image"]


def __getattr__(name: str):
    if name == "make_dataset":
        from maskkit.data.input import make_dataset

        return make_dataset
    raise AttributeError(f"module 'maskkit.data' has no attribute {name!r}")
