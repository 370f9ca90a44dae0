"""A browsable evaluation report: one self-contained HTML page per run (``write_report``).

Per-image AP and the confusion matrix of matched detections are public for reuse and tests.
Nothing here imports TensorFlow except reading a run's TensorBoard history.
"""

from __future__ import annotations

from maskkit.report.writer import write_report
from maskkit.report.confusion import confusion_matrix
from maskkit.report.per_image import per_image_ap

__all__ = ["confusion_matrix", "per_image_ap", "write_report"]
