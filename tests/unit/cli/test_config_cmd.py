"""``maskkit config show|save``: presets, config files, overrides, one-line errors, every save format loads back."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from maskkit.cli.main import cli
from maskkit.config import Config
from maskkit.planning.machine import machine_preset, this_machine
from tests.helpers import run_cli, shown_config


def test_config_show_with_overrides():
    result = run_cli("config", "show", "--set", "images_per_gpu=4", "--json")
    assert result.exit_code == 0 and json.loads(result.output)["IMAGES_PER_GPU"] == 4


def test_config_show_preset_and_unknown_preset():
    assert json.loads(run_cli("config", "show", "--preset", "shapes", "--json").output)["BACKBONE"] == "tiny"
    result = CliRunner().invoke(cli, ["config", "show", "--preset", "nope"])
    assert result.exit_code == 1 and "known: cpu, default, shapes" in result.output


def test_config_save_and_load(tmp_path):
    path = tmp_path / "c.yaml"
    assert run_cli("config", "save", "--set", "name=mine", str(path)).exit_code == 0
    result = run_cli("config", "show", "--config", str(path), "--json")
    assert json.loads(result.output)["NAME"] == "mine"


def test_bad_config_value_is_one_line_error():
    result = CliRunner().invoke(cli, ["config", "show", "--set", "image_max_dim=100"])
    assert result.exit_code == 1
    assert "IMAGE_MAX_DIM" in result.output and "Traceback" not in result.output


def test_config_file_overrides_the_preset_and_may_name_its_base(tmp_path):
    plain = tmp_path / "plain.yaml"
    plain.write_text("IMAGE_MAX_DIM: 256\nimage_min_dim: 256\n")
    values = shown_config("--preset", "cpu", "--config", str(plain), "--set", "steps_per_epoch=7")
    assert (values["BACKBONE"], values["IMAGE_MAX_DIM"], values["STEPS_PER_EPOCH"]) == ("resnet18", 256, 7)
    based = tmp_path / "based.toml"
    based.write_text('preset = "shapes"\nMAX_GT_INSTANCES = 30\n')
    values = shown_config("--config", str(based))
    assert (values["BACKBONE"], values["IMAGE_MAX_DIM"], values["MAX_GT_INSTANCES"]) == ("tiny", 128, 30)
    assert shown_config("--preset", "cpu", "--config", str(based))["BACKBONE"] == "resnet18"


@pytest.mark.parametrize("suffix", [".toml", ".yaml", ".json"])
def test_cli_save_writes_the_format_of_the_extension_and_loads_back(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    result = CliRunner().invoke(cli, ["config", "save", "--preset", "shapes", "--set", "AUGMENTERS=[fliplr]",
                                      "--set", 'NAME=my "run"', str(path)])
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert ('NAME = "my \\"run\\""' in text) == (suffix == ".toml")
    loaded = Config.load(path)
    assert loaded.NAME == 'my "run"' and list(loaded.AUGMENTERS) == ["fliplr"] and loaded.MAX_GT_INSTANCES == 8


@pytest.mark.filterwarnings("ignore:coco .* skipped 1 annotation")
def test_config_show_for_a_dataset_uses_its_preset_or_a_data_plan_and_its_classes(tmp_path):
    values = shown_config("--dataset", "shapes", "--data", "count=2")
    assert (values["NUM_CLASSES"], values["BACKBONE"], values["IMAGE_MAX_DIM"]) == (4, "tiny", 128)
    from tests.helpers_coco import build_coco

    files = build_coco(tmp_path)
    args = ["config", "show", "--dataset", "coco", "--data", f"annotations={files.annotations}",
            "--data", f"images={files.images}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    heading = "dataset coco: 2 classes + BG (cat, dog); preset {}, with a data plan\nConfigurations:\n"
    assert result.stdout.startswith(heading.format(machine_preset(this_machine())))
    assert "NUM_CLASSES                    3\n" in result.stdout
    why = CliRunner().invoke(cli, [*args, "--set", "images_per_gpu=3", "--why", "image_max_dim",
                                   "--why", "images_per_gpu"]).stdout.splitlines()[-2:]
    assert re.fullmatch(r"IMAGE_MAX_DIM = \d+  \(data plan\)", why[0]) and why[1] == "IMAGES_PER_GPU = 3  (--set)"
    values = json.loads(CliRunner().invoke(cli, [*args, "--preset", "cpu", "--json"]).stdout)
    assert (values["NUM_CLASSES"], values["BACKBONE"], values["NAME"]) == (3, "resnet18", "coco")


def test_config_show_for_a_dataset_refuses_a_contradicting_num_classes_and_data_alone():
    result = CliRunner().invoke(cli, ["config", "show", "--dataset", "shapes", "--data", "count=2",
                                      "--set", "NUM_CLASSES=7"])
    assert result.exit_code == 1 and "NUM_CLASSES" in result.output and "square, circle, triangle" in result.output
    result = CliRunner().invoke(cli, ["config", "show", "--data", "count=2"])
    assert result.exit_code == 2 and "--data needs --dataset NAME" in result.output


def test_config_show_why_names_each_fields_source(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("preset: cpu\nIMAGE_MAX_DIM: 384\nIMAGE_MIN_DIM: 384\n")
    args = ["config", "show", "--config", str(path), "--dataset", "shapes", "--data", "count=2", "--set",
            "images_per_gpu=4", "--why", "image_max_dim", "--why", "NUM_CLASSES", "--why", "backbone"]
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["IMAGE_MAX_DIM = 384  (file run.yaml)", "NUM_CLASSES = 4  (dataset shapes)",
                                          "BACKBONE = resnet18  (preset cpu)"]
    shown = json.loads(run_cli(*args, "--why", "batch_size", "--json").output)
    assert shown[-1] == {"field": "BATCH_SIZE", "value": 4,
                         "source": "derived from IMAGES_PER_GPU (--set), GPU_COUNT (default)"}
    result = CliRunner().invoke(cli, ["config", "show", "--why", "nope"])
    assert result.exit_code == 1 and "NOPE: unknown field" in result.output
