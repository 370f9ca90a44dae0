"""check_class_names lists how a file's class names differ from the dataset's."""

from __future__ import annotations

import pytest

from maskkit.errors import WeightsError
from maskkit.weights import check_class_names


def test_check_class_names_lists_the_difference():
    names = ["BG", "square", "circle", "triangle"]
    check_class_names(names, list(names), excluded_heads=False)
    check_class_names(None, names, excluded_heads=False)
    check_class_names(["BG", "person"], names, excluded_heads=True)
    with pytest.raises(WeightsError, match=r"missing from the weights: 'triangle'; in the weights but not expected: "
                                           r"'star'.*exclude the heads"):
        check_class_names(["BG", "square", "circle", "star"], names, excluded_heads=False)
    with pytest.raises(WeightsError, match=r"reordered: #1 is 'circle' in the weights but 'square' expected"):
        check_class_names(["BG", "circle", "square", "triangle"], names, excluded_heads=False)
