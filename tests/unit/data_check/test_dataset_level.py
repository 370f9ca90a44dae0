"""Dataset-level findings: no images or classes, unused classes, annotations the loader dropped."""

from __future__ import annotations

import types

import numpy as np

from maskkit.data_check.dataset_level import (class_findings, coco_unknown_categories, dropped_annotation_findings,
                                              shown_ids, structure_findings)
from tests.helpers_data_check import arrays, square_mask


def codes(found) -> list[str]:
    return [f.code for f in found]


def test_an_empty_dataset_without_classes_is_two_errors():
    empty = arrays([], [], class_names=())
    assert codes(structure_findings(empty)) == ["no-images", "no-classes"]


def test_unused_classes_say_whether_every_image_was_checked():
    dataset = arrays([square_mask(), square_mask()], [[1], [1]], class_names=("a", "b"))
    counts = np.array([0, 2, 0])
    assert [f.message for f in class_findings(dataset, counts, 2)] == ["class 2 'b' has no instance in the dataset"]
    assert class_findings(dataset, counts, 1)[0].message.endswith("in the 1 checked images")


def test_dropped_bad_and_unknown_annotations_are_counted_with_their_ids():
    dataset = arrays([square_mask()], [[1]])
    dataset.bad_annotations = [(7, "negative area")]
    dataset.skipped_annotations = list(range(8))
    found = {f.code: f.message for f in dropped_annotation_findings(dataset)}
    assert found == {"bad-annotation": "1 annotation(s) have a negative area or box (7: negative area)",
                     "skipped-annotation": "8 annotation(s) were dropped by the loader (ids 0, 1, 2, 3, 4, ...)"}
    assert shown_ids([1, 2]) == "1, 2"


def test_a_kept_coco_index_is_searched_for_undeclared_categories():
    dataset = arrays([square_mask()], [[1]])
    dataset.coco = types.SimpleNamespace(anns={1: {"category_id": 1}, 2: {"category_id": 9}}, cats={1: {}})
    assert coco_unknown_categories(dataset) == [2]
    assert codes(dropped_annotation_findings(dataset)) == ["unknown-class"]
    assert coco_unknown_categories(arrays([square_mask()], [[1]])) == []
