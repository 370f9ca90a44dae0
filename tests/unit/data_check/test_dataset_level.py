"""Dataset-level findings: no images or classes, unused classes, annotations the loader dropped."""

from __future__ import annotations

import numpy as np

from maskkit.data_check.dataset_level import annotation_findings, class_findings, structure_findings
from maskkit.dataset import AnnotationProblem
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


def test_annotation_problems_a_dataset_reports_become_findings_with_its_codes():
    dataset = arrays([square_mask()], [[1]])
    dataset.annotation_problems = lambda: [AnnotationProblem("bad-annotation", "7: negative area"),
                                           AnnotationProblem("unknown-image", "annotation 5 -> image 99"),
                                           AnnotationProblem("made-up", "odd", image_id=0)]
    found = annotation_findings(dataset)
    assert [(f.code, f.severity, f.message) for f in found] == [
        ("bad-annotation", "warning", "7: negative area"), ("unknown-image", "warning", "annotation 5 -> image 99"),
        ("annotation-problem", "warning", "odd")]
    assert found[2].image_id == 0


def test_the_base_dataset_reports_no_annotation_problem_and_a_raising_one_is_itself_reported():
    assert annotation_findings(arrays([square_mask()], [[1]])) == []
    dataset = arrays([square_mask()], [[1]])

    def broken():
        raise KeyError("coco")

    dataset.annotation_problems = broken
    [found] = annotation_findings(dataset)
    assert found.code == "annotation-problem" and "raised KeyError" in found.message
