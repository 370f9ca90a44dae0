"""Findings about the dataset as a whole: classes, duplicate images and annotations the loader dropped."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from maskkit.data_check.findings import Finding, finding
from maskkit.data_check.scan import image_file, shown
from maskkit.dataset import Dataset

#: Codes a Dataset's AnnotationProblem may carry; any other is reported as ``annotation-problem``.
ANNOTATION_CODES = ("unknown-class", "unknown-image", "skipped-annotation", "bad-annotation", "annotation-problem")


def structure_findings(dataset: Dataset) -> list[Finding]:
    """No images, no classes, duplicate image ids or paths.

    Args:
        dataset: the prepared Dataset; all of its images are looked at.
    """
    found = []
    if len(dataset.image_info) == 0:
        found.append(finding("no-images", f"{dataset.name} has no images"))
    if dataset.num_classes < 2:
        found.append(finding("no-classes", f"{dataset.name} declares no classes besides BG"))
    by_id: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    by_path: dict[str, list[int]] = defaultdict(list)
    for image_id, info in enumerate(dataset.image_info):
        by_id[(info.get("source"), info.get("id"))].append(image_id)
        path = image_file(dataset, image_id)
        if path is not None:
            by_path[path].append(image_id)
    for (source, source_id), ids in by_id.items():
        if len(ids) > 1:
            found.append(finding("duplicate-image-id", f"images {shown(ids)} all have source {source!r} id "
                                 f"{source_id!r}", ids[1], image_file(dataset, ids[1])))
    for path, ids in by_path.items():
        if len(ids) > 1:
            found.append(finding("duplicate-image-path", f"images {shown(ids)} all read {path}", ids[1], path))
    return found


def class_findings(dataset: Dataset, counts: np.ndarray, scanned: int) -> list[Finding]:
    """Declared classes without instances in the ``scanned`` images (``counts`` per class id).

    Args:
        dataset: the prepared Dataset, for its classes and image count.
        counts: int [num_classes] instances (crowds included) per class id in the scanned images.
        scanned: how many images were scanned; names the scope in the messages.
    """
    unused = [i for i in range(1, dataset.num_classes) if counts[i] == 0]
    scope = "the dataset" if scanned == len(dataset.image_info) else f"the {scanned} checked images"
    return [finding("unused-class", f"class {i} {dataset.class_names[i]!r} has no instance in {scope}")
            for i in unused]


def annotation_findings(dataset: Dataset) -> list[Finding]:
    """The annotation problems the dataset's loader reports (``Dataset.annotation_problems``) as findings.

    A code the data check does not know becomes ``annotation-problem``; a method that raises is
    itself reported, so a broken plugin cannot hide the rest of the check.

    Args:
        dataset: the prepared Dataset whose ``annotation_problems()`` is asked.
    """
    try:
        problems = list(dataset.annotation_problems())
    except Exception as exc:
        return [finding("annotation-problem", f"{dataset.name}.annotation_problems() raised "
                                              f"{type(exc).__name__}: {exc}")]
    found = []
    for problem in problems:
        code = problem.code if problem.code in ANNOTATION_CODES else "annotation-problem"
        image_id = problem.image_id
        found.append(finding(code, problem.message, image_id, image_file(dataset, image_id)
                             if image_id is not None and 0 <= image_id < len(dataset.image_info) else None))
    return found
