"""Conformance checks a plugin's own test suite runs in one line each; importing this needs no TensorFlow.

    from maskkit.testing import check_augmenter, check_backbone, check_dataset

    def test_my_dataset():
        check_dataset("my_dataset", root="tests/data")

Each check raises one :class:`ConformanceError` (an AssertionError) listing every problem found,
each naming the plugin, the image or seed, and what the contract expected. ``check_backbone``
imports TensorFlow when called. ``matterport_rpn_targets`` is matterport's full-matrix float64
algorithm, the reference build_rpn_targets is checked against (tests and bench/bench_input.py).
"""

from maskkit.testing.augmenter_checks import check_augmenter
from maskkit.testing.backbone_checks import check_backbone
from maskkit.testing.dataset_checks import check_dataset
from maskkit.testing.conformance_error import ConformanceError
from maskkit.testing.rpn_reference import matterport_rpn_targets

__all__ = ["ConformanceError", "check_augmenter", "check_backbone", "check_dataset", "matterport_rpn_targets"]
