"""Plan a config from a dataset's annotations (no image decoding): image size, anchors, limits.

``read_annotations(dataset)`` gathers boxes and image sizes, ``make_plan`` proposes each field with
a reason and measures anchor coverage exactly, ``write_plan`` writes a file for ``--config`` and
``format_plan`` the summary ``maskkit data plan`` prints. No TensorFlow is imported.
"""

from maskkit.planning.annotations import Annotations, annotations_from_arrays, read_annotations
from maskkit.planning.coverage import Coverage, best_anchor_iou, dataset_coverage
from maskkit.planning.machine import Machine, this_machine
from maskkit.planning.plan import Plan, PlannedField, make_plan
from maskkit.planning.plan_file import write_plan
from maskkit.planning.plan_report import format_plan

__all__ = ["Annotations", "Coverage", "Machine", "Plan", "PlannedField", "annotations_from_arrays",
           "best_anchor_iou", "dataset_coverage", "format_plan", "make_plan", "read_annotations", "this_machine",
           "write_plan"]
