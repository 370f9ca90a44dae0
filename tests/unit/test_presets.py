"""Presets: the cpu preset, and a dataset's recommended preset when none is given."""

from __future__ import annotations

from maskkit.presets import assemble_config, preset_config
from tests.helpers import shown_config


def test_cpu_preset_is_small_moderate_and_named_after_the_dataset():
    config = preset_config("cpu", "balloon")
    assert config.NAME == "balloon" and config.BACKBONE == "resnet18"
    assert config.IMAGE_MAX_DIM == 512 and config.MAX_GT_INSTANCES >= 50
    assert shown_config("--preset", "cpu")["NAME"] == "custom"


def test_datasets_recommend_a_preset_that_applies_when_none_is_given():
    config, base = assemble_config(dataset="shapes")
    assert base == "shapes" and config.IMAGE_MAX_DIM == 128
    assert assemble_config(dataset="coco")[1] == "default"
    assert assemble_config(preset="cpu", dataset="shapes")[0].NAME == "shapes"


def test_every_preset_picks_the_precision_for_the_machine():
    from maskkit.presets import PRESETS

    assert {name: preset_config(name).PRECISION for name in PRESETS} == dict.fromkeys(PRESETS, "auto")
    assert shown_config("--preset", "shapes", "--set", "precision=float32")["PRECISION"] == "float32"
