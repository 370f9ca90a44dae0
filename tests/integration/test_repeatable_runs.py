"""Same seed, same run: two `maskkit train` processes and a Pipeline with the same config print the
same losses; the CLI prints no TensorFlow log lines; a piped log is plain, one line an epoch; loss
curves keep absolute epochs across --resume."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from maskkit.cli.main import cli
from maskkit.config import LOSS_NAMES

pytestmark = pytest.mark.slow

SETS = {"backbone": "tiny", "image_min_dim": 64, "image_max_dim": 64, "images_per_gpu": 2,
        "top_down_pyramid_size": 32, "fpn_classif_fc_layers_size": 64, "steps_per_epoch": 3,
        "validation_steps": 1, "train_rois_per_image": 16, "post_nms_rois_training": 200, "seed": 7}
DATA = {"count": 6, "height": 64, "width": 64}
ARGS = ["train", "--dataset", "shapes", "--epochs", "1",
        *[part for key, value in SETS.items() for part in ("--set", f"{key}={value}")],
        *[part for key, value in DATA.items() for part in ("--data", f"{key}={value}")],
        "--val-data", "count=2", "--val-data", "height=64", "--val-data", "width=64"]
TF_NOISE = ("oneDNN", "absl", "PredictCost", "I0000", "W0000", "E0000", "cpu_feature_guard")
SUMMARY = re.compile(r"^epoch 1: (.*)\(", re.MULTILINE)


def summary_losses(output: str) -> dict[str, str]:
    """The epoch-1 summary's ``name=value`` pairs, values as printed."""
    line = SUMMARY.search(output)
    assert line, output
    return dict(pair.split("=") for pair in line.group(1).split())


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory) -> list[tuple[Path, subprocess.CompletedProcess]]:
    """Two identical training processes, run side by side, with TensorFlow's log level unset."""
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "MASKKIT_VERBOSE")}
    runs = []
    for index in range(2):
        log_dir = tmp_path_factory.mktemp(f"run{index}")
        process = subprocess.Popen([sys.executable, "-m", "maskkit", *ARGS, "--log-dir", str(log_dir)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        runs.append((log_dir, process))
    done = []
    for log_dir, process in runs:
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr
        done.append((log_dir, subprocess.CompletedProcess(process.args, 0, stdout, stderr)))
    return done


def test_two_identical_commands_print_identical_losses(cli_runs):
    first, second = (summary_losses(result.stdout) for _, result in cli_runs)
    assert first == second
    assert set(first) == {"loss", *LOSS_NAMES, "val_loss", *(f"val_{name}" for name in LOSS_NAMES),
                          "learning_rate"}


def test_the_cli_prints_no_tensorflow_log_lines(cli_runs):
    for _, result in cli_runs:
        noise = [line for line in result.stderr.splitlines() if any(word in line for word in TF_NOISE)]
        assert not noise, noise


def test_a_piped_train_log_is_plain_with_one_line_per_epoch(cli_runs):
    stdout = cli_runs[0][1].stdout
    assert not re.search(r"[\r\b\x1b]", stdout), "a log must hold no carriage returns, backspaces or escape codes"
    epoch_lines = [line for line in stdout.splitlines() if re.match(r"epoch 1\b", line, re.IGNORECASE)]
    # one summary line; a loaded machine that makes the epoch long may add plain progress lines before it
    assert SUMMARY.match(epoch_lines[-1]) and not any(SUMMARY.match(line) for line in epoch_lines[:-1]), stdout
    assert all(re.match(r"epoch 1/1 step [12]/3: loss=", line) for line in epoch_lines[:-1]), stdout


def test_the_pipeline_with_the_same_config_agrees_with_the_cli(cli_runs, tmp_path):
    from maskkit.pipeline import Pipeline

    pipe = Pipeline("shapes", dataset_args=dict(DATA), val_args={"count": 2, "height": 64, "width": 64},
                    overrides={key.upper(): value for key, value in SETS.items()}, log_dir=tmp_path)
    history = pipe.train(1, verbose=0)
    printed = summary_losses(cli_runs[0][1].stdout)
    assert {name: f"{values[0]:.4f}" for name, values in history.items() if name in printed} == printed


def test_loss_curves_keep_absolute_epochs_across_resume(cli_runs):
    from click.testing import CliRunner

    from maskkit.loss_curves import loss_table
    from maskkit.report.run_history import read_history

    log_dir = cli_runs[0][0]
    args = [*ARGS, "--log-dir", str(log_dir), "--resume"]
    args[args.index("--epochs") + 1] = "2"
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    run_dir = next(log_dir.glob("shapes*"))
    epochs, table = loss_table(read_history(run_dir))
    assert epochs == [1, 2] and "epoch_seconds" not in table
    assert set(table) == {"loss", *LOSS_NAMES, "val_loss", *(f"val_{name}" for name in LOSS_NAMES)}
    assert f"{table['loss'][0]:.4f}" == summary_losses(cli_runs[0][1].stdout)["loss"]
    assert (run_dir / "loss_curves.png").stat().st_size > 0


def test_the_python_api_prints_no_tensorflow_log_lines_once_quietened():
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "MASKKIT_VERBOSE")}
    code = ("import maskkit.quiet\nmaskkit.quiet.install()\nfrom maskkit.model.maskrcnn import MaskRCNN\n"
            "import tensorflow as tf\ntf.reduce_sum(tf.ones(3))\n")
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert quiet.returncode == 0 and not quiet.stderr.strip(), quiet.stderr
