"""Evaluation of detections on any maskkit Dataset: COCO metrics via pycocotools and matterport's mAP.

No TensorFlow here: results are the numpy dicts ``detect`` returns (rois, class_ids, scores, masks).
"""

from __future__ import annotations

from maskkit.evaluation.coco_eval import STAT_NAMES, evaluate_coco
from maskkit.evaluation.coco_format import dataset_to_coco, detections_to_coco_results
from maskkit.evaluation.reference_map import evaluate_map
from maskkit.evaluation.metrics_output import format_metrics_table, write_metrics_json, write_results_json

__all__ = [
    "STAT_NAMES", "dataset_to_coco", "detections_to_coco_results", "evaluate_coco", "evaluate_map",
    "format_metrics_table", "write_metrics_json", "write_results_json",
]
