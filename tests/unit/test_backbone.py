"""The Backbone contract: levels by name or in order, strides the config follows, the registry's check."""

from __future__ import annotations

import pytest

from maskkit import PluginError
from maskkit.backbone import Backbone, backbones
from tests.helpers import registered


class Three(Backbone):
    """A backbone of three named levels that returns whatever it was given."""

    name = "three"
    outputs = {"C3": 8, "C4": 16, "C5": 32}

    def __init__(self, features=None) -> None:
        self.features = features

    def build(self, images, config):
        return self.features


def test_levels_come_back_in_declared_order_by_name_or_position():
    assert Three({"C5": "c5", "C3": "c3", "C4": "c4"}).pyramid(None, None) == ["c3", "c4", "c5"]
    assert Three(("a", "b", "c")).pyramid(None, None) == ["a", "b", "c"]
    assert Three().output_strides() == (8, 16, 32)


@pytest.mark.parametrize(("features", "message"), [
    ({"C3": 1, "C4": 2}, r"returned levels \['C3', 'C4'\], declared \['C3', 'C4', 'C5'\]"),
    (["a", "b"], "returned 2 feature maps, declared 3 \\(C3, C4, C5\\)"),
    ("a tensor", "build returned str, expected a dict by level name or a list of 3"),
])
def test_wrong_levels_are_plugin_errors_naming_the_backbone(features, message):
    with pytest.raises(PluginError, match=message):
        Three(features).pyramid(None, None)


class Coarse(Backbone):
    """Five levels at twice the default strides."""

    name = "coarse"
    outputs = {"P3": 8, "P4": 16, "P5": 32, "P6": 64, "P7": 128}


def test_the_registry_refuses_a_factory_that_returns_no_backbone():
    with registered("backbone", "not_a_backbone", lambda: object()):
        with pytest.raises(PluginError, match="factory returned object, not a maskkit.Backbone"):
            backbones.create("not_a_backbone")
    with registered("backbone", "three", Three):
        assert isinstance(backbones.create("three"), Three)


def test_only_the_p2_to_p6_pyramid_passes_the_level_contract():
    assert Backbone().level_problem() is None
    assert "declares levels {'C3': 8, 'C4': 16, 'C5': 32}" in Three().level_problem()
    assert "assuming P_k has stride 2**k" in Coarse().level_problem()
    assert "not a dict of level names to strides" in type("Odd", (Backbone,), {"outputs": 5})().level_problem()
