"""What a conformance check is given becomes the object to check, and its failures name the plugin."""

from __future__ import annotations

import pytest

from maskkit.dataset import datasets
from maskkit.testing import ConformanceError
from maskkit.testing.resolve import build, describe


def make_widget(size: int = 1) -> dict:
    return {"size": size}


def test_subjects_name_the_plugin_the_factory_or_the_type():
    assert describe("dataset", "shapes", datasets) == "dataset 'shapes' (plugin 'shapes')"
    assert describe("dataset", "nope", datasets) == "dataset 'nope'"
    assert describe("dataset", make_widget, datasets) == f"dataset factory {__name__}.make_widget"
    assert describe("dataset", 3, datasets) == "dataset int"


def test_products_pass_factories_are_called_and_failures_are_conformance_errors():
    is_dict = lambda obj: isinstance(obj, dict)  # noqa: E731
    ready = {"size": 0}
    assert build("dataset", ready, datasets, is_dict, {})[1] is ready
    assert build("dataset", make_widget, datasets, is_dict, {"size": 3, "subset": "val"})[1] == {"size": 3}
    with pytest.raises(ConformanceError, match="cannot be looked up: unknown dataset 'nope'"):
        build("dataset", "nope", datasets, is_dict, {})
    with pytest.raises(ConformanceError, match=r"factory raised TypeError: .* \(arguments: \['colour'\]\)"):
        build("dataset", make_widget, datasets, is_dict, {"colour": "red"})
    with pytest.raises(ConformanceError, match="expected a registered name, a factory or a dataset object, got int"):
        build("dataset", 3, datasets, is_dict, {})
