"""A new user's first day (issue 15): presets and config files, plugin descriptions, epoch-time and
instance-cap warnings, loss curves, picture names, closed pipes -- through click's runner and one
real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import numpy as np
import pytest
from click.testing import CliRunner

from maskkit.cli.detect_cmd import _picture_stem
from maskkit.cli.main import cli
from maskkit.model.progress import slow_epoch_message
from maskkit.presets import assemble_config, preset_config
from tests.helpers import registered, shapes_dataset


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def shown(*args: str) -> dict:
    result = run("config", "show", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_cpu_preset_is_small_moderate_and_named_after_the_dataset():
    config = preset_config("cpu", "balloon")
    assert config.NAME == "balloon" and config.BACKBONE == "resnet18"
    assert config.IMAGE_MAX_DIM == 512 and config.MAX_GT_INSTANCES >= 50
    assert shown("--preset", "cpu")["NAME"] == "custom"


def test_config_file_overrides_the_preset_and_may_name_its_base(tmp_path):
    plain = tmp_path / "plain.yaml"
    plain.write_text("IMAGE_MAX_DIM: 256\nimage_min_dim: 256\n")
    values = shown("--preset", "cpu", "--config", str(plain), "--set", "steps_per_epoch=7")
    assert (values["BACKBONE"], values["IMAGE_MAX_DIM"], values["STEPS_PER_EPOCH"]) == ("resnet18", 256, 7)
    based = tmp_path / "based.toml"
    based.write_text('preset = "shapes"\nMAX_GT_INSTANCES = 30\n')
    values = shown("--config", str(based))
    assert (values["BACKBONE"], values["IMAGE_MAX_DIM"], values["MAX_GT_INSTANCES"]) == ("tiny", 128, 30)
    assert shown("--preset", "cpu", "--config", str(based))["BACKBONE"] == "resnet18"


def test_datasets_recommend_a_preset_that_applies_when_none_is_given():
    config, base = assemble_config(dataset="shapes")
    assert base == "shapes" and config.IMAGE_MAX_DIM == 128
    assert assemble_config(dataset="coco")[1] == "default"
    assert assemble_config(preset="cpu", dataset="shapes")[0].NAME == "shapes"


def test_inspect_shapes_shows_the_seeds_4092_anchors_without_flags(tmp_path):
    result = run("inspect", "shapes", "--count", "1", "--json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "4092" in result.output


def test_plugins_lists_descriptions_and_details_show_factory_defaults():
    listing = run("plugins")
    assert listing.exit_code == 0
    assert "synthetic squares, circles and triangles" in listing.output and "[preset: shapes]" in listing.output
    details = run("plugins", "--details", "shapes")
    assert details.exit_code == 0, details.output
    assert "count   default 500" in details.output and "recommended preset: shapes" in details.output
    unknown = run("plugins", "--details", "nope")
    assert unknown.exit_code == 1 and "no plugin registers 'nope'" in unknown.output
    assert "Traceback" not in unknown.output


def test_a_closed_pipe_is_no_error():
    @click.command("pipe")
    def pipe() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    with registered("command", "pipe", pipe):
        result = run("pipe")
    assert result.exit_code == 1 and "BrokenPipeError" not in result.output and "Error" not in result.output


def test_subprocess_writing_into_a_closed_pipe_prints_nothing():
    process = subprocess.Popen([sys.executable, "-m", "maskkit", "plugins"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "BrokenPipe" not in stderr and "Error" not in stderr and "Exception" not in stderr, stderr


def test_slow_epoch_warning_only_when_an_epoch_takes_hours():
    assert slow_epoch_message(0.3, 100, "CPU") is None
    message = slow_epoch_message(58.0, 1000, "CPU")
    assert "16.1 h" in message and "CPU" in message and "--preset cpu" in message


def test_the_epoch_time_check_times_the_steps_after_the_traced_first_one(monkeypatch):
    from maskkit.model import progress

    clock = iter([100.0, 216.0])  # after step 1, after step 3: 58 s per step
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    monkeypatch.setattr(progress, "device_kind", lambda: "CPU")
    check = progress.EpochTimeCheck(1000, verbose=0)
    with pytest.warns(RuntimeWarning, match="about 16.1 h on this CPU"):
        for step in range(1, 6):
            check.step_done(step)


def test_more_instances_than_max_gt_instances_warns_once():
    from maskkit.data.input import ExampleBuilder
    from maskkit.presets import shapes_config

    dataset = shapes_dataset(count=6)
    counts = [dataset.load_mask(i)[1].size for i in dataset.image_ids]
    busy = int(np.argmax(counts))
    assert counts[busy] >= 2
    builder = ExampleBuilder(dataset, shapes_config(MAX_GT_INSTANCES=1))
    with pytest.warns(RuntimeWarning, match="MAX_GT_INSTANCES is 1") as caught:
        builder(0, busy)
        builder(1, busy)
    assert len([w for w in caught if "MAX_GT_INSTANCES" in str(w.message)]) == 1


def test_detection_pictures_are_named_after_the_source_file():
    assert _picture_stem("/data/val/balloon_017.jpg", 3) == "balloon_017"
    assert _picture_stem(None, 3) == "image_00003"


def test_verbose_switches_tensorflow_logs_back_on(monkeypatch):
    from maskkit import quiet

    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.delenv(quiet.VERBOSE_ENV, raising=False)
    assert not quiet.verbose()
    assert run("--verbose", "config", "show").exit_code == 0
    assert quiet.verbose() and quiet.os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"


def test_loss_curves_plot_losses_only_at_absolute_epochs_on_a_log_axis_when_it_helps(tmp_path):
    from maskkit.loss_curves import loss_table, wants_log_scale

    history = {"loss": {3: 8.0, 4: 2.0, 5: 0.5}, "val_loss": {3: 9.0, 5: 1.0}, "epoch_seconds": {3: 60.0}}
    epochs, table = loss_table(history)
    assert epochs == [3, 4, 5] and list(table) == ["loss", "val_loss"]
    assert np.isnan(table["val_loss"][1]) and table["val_loss"][2] == 1.0
    assert wants_log_scale(table)
    assert not wants_log_scale(loss_table({"loss": {1: 2.0, 2: 1.0}})[1])
