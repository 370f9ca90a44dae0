"""Findings about the dataset as a whole: classes, duplicate images and annotations the loader dropped."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from maskkit.data_check.findings import Finding, finding
from maskkit.data_check.scan import image_file, shown
from maskkit.dataset import Dataset


def structure_findings(dataset: Dataset) -> list[Finding]:
    """No images, no classes, duplicate image ids or paths."""
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
    """Declared classes without instances in the ``scanned`` images (``counts`` per class id)."""
    unused = [i for i in range(1, dataset.num_classes) if counts[i] == 0]
    scope = "the dataset" if scanned == len(dataset.image_info) else f"the {scanned} checked images"
    return [finding("unused-class", f"class {i} {dataset.class_names[i]!r} has no instance in {scope}")
            for i in unused]


def dropped_annotation_findings(dataset: Dataset) -> list[Finding]:
    """Annotations the loader left out, for datasets that record them.

    A dataset may expose ``unknown_class_annotations`` (ids of annotations whose class it does not
    declare), ``skipped_annotations`` (ids of annotations it dropped for other reasons, such as
    empty masks) and ``bad_annotations`` ((id, problem) pairs it kept despite, e.g., a negative
    area). A pycocotools index kept as ``dataset.coco`` is searched for unknown categories.
    """
    found = []
    unknown = list(getattr(dataset, "unknown_class_annotations", None) or coco_unknown_categories(dataset))
    if unknown:
        found.append(finding("unknown-class", f"{len(unknown)} annotation(s) have a class the dataset does not "
                                              f"declare and were left out (ids {shown_ids(unknown)})"))
    bad = list(getattr(dataset, "bad_annotations", None) or [])
    if bad:
        found.append(finding("bad-annotation", f"{len(bad)} annotation(s) have a negative area or box "
                                               f"({shown_ids([f'{ann_id}: {problem}' for ann_id, problem in bad])})"))
    skipped = list(getattr(dataset, "skipped_annotations", None) or [])
    if skipped:
        found.append(finding("skipped-annotation", f"{len(skipped)} annotation(s) were dropped by the loader "
                                                   f"(ids {shown_ids(skipped)})"))
    return found


def coco_unknown_categories(dataset: Dataset) -> list[Any]:
    """Ids of annotations in ``dataset.coco`` (a pycocotools COCO, if kept) whose category is undeclared."""
    coco = getattr(dataset, "coco", None)
    anns, cats = getattr(coco, "anns", None), getattr(coco, "cats", None)
    if not isinstance(anns, dict) or not isinstance(cats, dict):
        return []
    return [ann_id for ann_id, ann in anns.items() if ann.get("category_id") not in cats]


def shown_ids(ids: list[Any]) -> str:
    """The first few ids, with '...' when there are more."""
    return ", ".join(map(str, ids[:5])) + (", ..." if len(ids) > 5 else "")
