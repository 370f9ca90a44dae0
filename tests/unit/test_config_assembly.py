"""The effective config: preset -> dataset -> backbone -> file -> overrides, each field's source recorded."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit import Backbone, Config, ConfigError
from maskkit.config_assembly import ConfigRequest, assemble_config
from tests.helpers import ArrayDataset
from tests.helpers_crowded import crowded_dataset


def three_classes() -> ArrayDataset:
    image, mask = np.zeros((8, 8, 3), np.uint8), np.ones((8, 8, 1), bool)
    return ArrayDataset([image], [mask], [np.array([1])], class_names=("a", "b", "c"))


class Coarse(Backbone):
    name = "coarse"
    outputs = {"P3": 8, "P4": 16, "P5": 32, "P6": 64, "P7": 128}


def test_each_layer_wins_over_the_ones_before_and_is_named_as_the_source(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("IMAGE_MAX_DIM = 256\nIMAGE_MIN_DIM = 256\nIMAGES_PER_GPU = 3\n")
    request = ConfigRequest(preset="cpu", config_file=path, overrides=[("--set", {"images_per_gpu": 4})])
    assembled = assemble_config(request, dataset_name="nano", dataset=three_classes(), backbone=Coarse())
    config = assembled.config
    assert (config.NAME, config.NUM_CLASSES, config.BACKBONE_STRIDES) == ("nano", 4, (8, 16, 32, 64, 128))
    assert (config.BACKBONE, config.IMAGE_MAX_DIM, config.IMAGES_PER_GPU) == ("resnet18", 256, 4)
    assert {field: assembled.source(field) for field in ("NAME", "NUM_CLASSES", "BACKBONE_STRIDES", "BACKBONE",
                                                         "IMAGE_MAX_DIM", "IMAGES_PER_GPU", "GPU_COUNT")} == {
        "NAME": "dataset nano", "NUM_CLASSES": "dataset nano", "BACKBONE_STRIDES": "backbone coarse",
        "BACKBONE": "preset cpu", "IMAGE_MAX_DIM": "file run.toml", "IMAGES_PER_GPU": "--set", "GPU_COUNT": "default"}
    assert assembled.why("images_per_gpu") == "IMAGES_PER_GPU = 4  (--set)"
    assert assembled.source("BATCH_SIZE") == "derived from IMAGES_PER_GPU (--set), GPU_COUNT (default)"
    with pytest.raises(ConfigError, match="NOPE: unknown field"):
        assembled.source("nope")


def test_the_preset_is_named_else_the_files_else_the_datasets_recommendation_else_default(tmp_path):
    based = tmp_path / "based.yaml"
    based.write_text("preset: cpu\n")
    assert assemble_config().preset == "default"
    assert assemble_config(dataset_name="shapes").preset == "shapes"
    assert assemble_config(ConfigRequest(config_file=based), dataset_name="shapes").preset == "cpu"
    assert assemble_config(ConfigRequest(preset="default", config_file=based), dataset_name="shapes").preset == "default"


def test_the_class_count_follows_the_dataset_and_an_explicit_contradiction_names_both(tmp_path):
    saved = tmp_path / "saved.yaml"
    Config(NUM_CLASSES=2).save(saved)
    assembled = assemble_config(ConfigRequest(config_file=saved), dataset=three_classes())
    assert assembled.config.NUM_CLASSES == 4 and assembled.source("NUM_CLASSES") == "dataset ArrayDataset"
    assert assemble_config(ConfigRequest(config=Config(NUM_CLASSES=2)), dataset=three_classes()).config.NUM_CLASSES == 4
    agreeing = ConfigRequest(overrides=[("--set", {"NUM_CLASSES": 4})])
    assert assemble_config(agreeing, dataset=three_classes()).source("NUM_CLASSES") == "--set"
    with pytest.raises(ConfigError, match="NUM_CLASSES: --set sets 2 but dataset ArrayDataset has 4 classes "
                                          "including BG: BG, a, b, c"):
        assemble_config(ConfigRequest(overrides=[("--set", {"NUM_CLASSES": 2})]), dataset=three_classes())


def test_the_strides_follow_the_backbone_even_from_a_ready_config_but_not_against_an_override():
    ready = ConfigRequest(config=Config(), config_source="checkpoint x.h5")
    assembled = assemble_config(ready, backbone=Coarse())
    assert assembled.config.BACKBONE_STRIDES == (8, 16, 32, 64, 128) and assembled.source("NAME") == "checkpoint x.h5"
    untouched = Config()
    assert assemble_config(ConfigRequest(config=untouched), backbone=Backbone()).config is untouched
    with pytest.raises(ConfigError, match=r"BACKBONE_STRIDES: overrides sets \[4, 8, 16, 32, 64\] but backbone "
                                          r"'coarse' produces"):
        assemble_config(ready.with_overrides("overrides", {"BACKBONE_STRIDES": [4, 8, 16, 32, 64]}),
                        backbone=Coarse())


def test_an_impossible_value_names_where_it_came_from(tmp_path):
    path = tmp_path / "run.json"
    path.write_text('{"IMAGE_MAX_DIM": 100}')
    with pytest.raises(ConfigError, match=r"IMAGE_MAX_DIM: must be divisible by 64.* \(from file run.json\)"):
        assemble_config(ConfigRequest(config_file=path))
    with pytest.raises(ConfigError, match=r"unknown field.*\(from --set\)"):
        assemble_config(ConfigRequest(overrides=[("--set", {"nope": 1})]))
    with pytest.raises(ConfigError, match="argument preset: give either config or preset"):
        ConfigRequest(preset="cpu", config=Config())


def test_a_request_naming_nothing_for_data_without_a_preset_gets_a_data_plan(tmp_path):
    from maskkit.config_assembly import PLAN_SOURCE, plan_request
    from maskkit.planning.machine import machine_preset, this_machine

    dataset = crowded_dataset()
    asked = ConfigRequest(overrides=[("--set", {"IMAGES_PER_GPU": 3})])
    planned = plan_request(asked, None, dataset)
    assert planned.preset == machine_preset(this_machine()) and "IMAGE_MAX_DIM" in planned.planned
    assembled = assemble_config(planned, dataset=dataset)
    assert assembled.source("IMAGE_MAX_DIM") == PLAN_SOURCE and assembled.source("MAX_GT_INSTANCES") == PLAN_SOURCE
    assert assembled.config.MAX_GT_INSTANCES >= 600, "the plan raised the limit for the 600-instance image"
    assert assembled.source("IMAGES_PER_GPU") == "--set" and assembled.config.IMAGES_PER_GPU == 3
    assert assembled.source("NUM_CLASSES") == "dataset ArrayDataset"
    for named in (ConfigRequest(preset="cpu"), ConfigRequest(config=Config()), ConfigRequest(config_file=tmp_path)):
        assert plan_request(named, None, dataset) is named
    assert plan_request(asked, "shapes", dataset) is asked, "a dataset that recommends a preset keeps it"
    assert plan_request(asked, None, None) is asked
