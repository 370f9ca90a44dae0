"""Presets: the cpu preset named after its dataset, and a dataset's recommended preset when none is given."""

from __future__ import annotations

from maskkit.config_assembly import ConfigRequest, assemble_config
from maskkit.presets import preset_config
from tests.helpers import shown_config


def test_cpu_preset_is_small_moderate_and_named_after_the_dataset():
    config = preset_config("cpu", "balloon")
    assert config.NAME == "balloon" and config.BACKBONE == "resnet18"
    assert config.IMAGE_MAX_DIM == 512 and config.MAX_GT_INSTANCES >= 50
    assert shown_config("--preset", "cpu")["NAME"] == "custom"


def test_datasets_recommend_a_preset_that_applies_when_none_is_given():
    assembled = assemble_config(dataset_name="shapes")
    assert assembled.preset == "shapes" and assembled.config.IMAGE_MAX_DIM == 128
    assert assemble_config(dataset_name="coco").preset == "default"
    assert assemble_config(ConfigRequest(preset="cpu"), dataset_name="shapes").config.NAME == "shapes"
    assert preset_config("default", "balloon").NAME == "maskkit"


def test_every_preset_picks_the_precision_for_the_machine():
    from maskkit.presets import PRESETS

    assert {name: preset_config(name).PRECISION for name in PRESETS} == dict.fromkeys(PRESETS, "auto")
    assert shown_config("--preset", "shapes", "--set", "precision=float32")["PRECISION"] == "float32"
