"""Plan files: YAML/TOML with reasons as comments, JSON plain; each loads with Config.load and --config."""

from __future__ import annotations

import pytest

from maskkit.config import Config
from maskkit.planning.machine import GIB, Machine
from maskkit.planning.plan import make_plan
from maskkit.planning.plan_file import plan_text, write_plan
from maskkit.config_assembly import ConfigRequest, assemble_config
from maskkit.presets import preset_config
from tests.helpers_planning import synthetic_annotations


@pytest.fixture(scope="module")
def plan():
    current = preset_config("cpu", "demo").replace(LEARNING_RATE=0.002, LOSS_WEIGHTS={"mrcnn_mask_loss": 2.0})
    return make_plan(synthetic_annotations(per_image=[60, 70, 80]), current, Machine(False, 16 * GIB), "cpu",
                     preset_config("cpu", "demo"))


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".toml", ".json", ".YAML", ".Toml"])
def test_every_format_loads_back_with_the_plan(plan, tmp_path, suffix):
    path = write_plan(plan, tmp_path / f"plan{suffix}", "a title")
    assert path.read_text().startswith("{" if suffix == ".json" else "# a title")
    loaded = Config.load(path)
    assert loaded == Config(**{**Config().to_dict(), **{k: v for k, v in plan.file_values().items() if k != "preset"}})
    assembled = assemble_config(ConfigRequest(config_file=path), dataset_name="demo")
    assert assembled.preset == "cpu" and assembled.config == plan.proposed


def test_yaml_carries_the_reasons_as_comments(plan):
    text = plan_text(plan, ".yaml", "a title")
    lines = text.splitlines()
    assert lines[0] == "# a title" and "preset: cpu" in lines
    assert "# from the current config (--config / --set)" in lines and "LEARNING_RATE: 0.002" in lines
    assert "LOSS_WEIGHTS: {mrcnn_mask_loss: 2.0}" in lines
    scales = next(line for line in lines if line.startswith("RPN_ANCHOR_SCALES:"))
    assert lines[lines.index(scales) - 1].startswith("# ") and scales.endswith("]")
    assert "# " + plan.fields[0].reason in text


def test_toml_comments_and_json_has_none(plan):
    assert 'preset = "cpu"' in plan_text(plan, ".toml", "t") and "# t" in plan_text(plan, ".toml", "t")
    assert plan_text(plan, ".json", "t").startswith('{\n  "preset": "cpu"')
