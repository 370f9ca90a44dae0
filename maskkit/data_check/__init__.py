"""Check a dataset before training: unreadable files, broken or tiny masks, bad class ids, duplicates.

``check_data(dataset)`` scans the images in parallel and returns a :class:`DataReport` with
findings (severity error/warning/info, a stable code, a message, image id and file), per-class
instance counts and a mask-area histogram. No TensorFlow is imported.
"""

from maskkit.data_check.check import check_data
from maskkit.data_check.findings import CODES, ERROR, INFO, SEVERITIES, WARNING, Finding
from maskkit.data_check.findings_report import DataReport

__all__ = ["CODES", "ERROR", "INFO", "SEVERITIES", "WARNING", "DataReport", "Finding", "check_data"]
