"""Interrupted runs: a checkpoint write killed half-way leaves no half-written checkpoint, and a
``maskkit train`` killed mid-epoch resumes from its last complete epoch with the same numbering."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from maskkit.checkpoints import CHECKPOINT_NAME, newest_checkpoint

pytestmark = pytest.mark.slow

EPOCHS = 3
TINY = ["--preset", "shapes", "--data", "count=16", "--val-data", "count=4",
        "--set", "steps_per_epoch=30", "--set", "validation_steps=1", "--set", "backbone=tiny",
        "--set", "top_down_pyramid_size=32", "--set", "fpn_classif_fc_layers_size=64",
        "--set", "images_per_gpu=2"]
OVERRIDES = {"STEPS_PER_EPOCH": 30, "VALIDATION_STEPS": 1, "BACKBONE": "tiny", "TOP_DOWN_PYRAMID_SIZE": 32,
             "FPN_CLASSIF_FC_LAYERS_SIZE": 64, "IMAGES_PER_GPU": 2}


def env() -> dict[str, str]:
    """The test's environment with unbuffered output and quiet TensorFlow."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}


def checkpoints(log_dir: Path) -> list[Path]:
    """Every file under ``log_dir`` named like a checkpoint, sorted."""
    return sorted(p for p in log_dir.rglob("*") if CHECKPOINT_NAME.match(p.name))


def assert_all_complete(log_dir: Path) -> None:
    """Every file named like a checkpoint is a whole HDF5 file with its metadata."""
    for path in checkpoints(log_dir):
        with h5py.File(path, "r") as handle:
            assert "metadata" in handle.attrs and len(handle.keys()) > 0, path


def wait_for(path_glob: str, root: Path, process: subprocess.Popen, log: Path, timeout: float = 240.0) -> Path:
    """Poll until a file matching ``path_glob`` exists below ``root``; fail if the process ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(root.rglob(path_glob))
        if found:
            return found[0]
        if process.poll() is not None:
            pytest.fail(f"training ended (code {process.returncode}) before {path_glob} appeared:\n"
                        f"{log.read_text()}")
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"{path_glob} did not appear within {timeout}s")


KILLED_WRITER = textwrap.dedent("""\
    import sys, time
    import numpy as np
    from maskkit.weights.native import write_native

    target = sys.argv[1]
    write_native(target, [("conv", [("kernel", lambda: np.ones(4, np.float32))])], {"epoch": 1}, {})

    def stall():
        print("writing", flush=True)
        time.sleep(120)
        return np.zeros(4, np.float32)

    write_native(target, [("conv", [("kernel", stall)])], {"epoch": 1}, {})
    """)


def test_a_checkpoint_write_killed_half_way_leaves_the_old_file_and_an_ignored_temp(tmp_path):
    run = tmp_path / "shapes20250101T0000"
    target = run / "mask_rcnn_shapes_0001.weights.h5"
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)], stdout=subprocess.PIPE,
                              text=True, env=env())
    try:
        assert writer.stdout.readline().strip() == "writing"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    leftovers = [p for p in run.iterdir() if p != target]
    assert leftovers and all(p.name.startswith(".mask_rcnn_shapes_0001.weights.h5.") for p in leftovers)
    assert not any(CHECKPOINT_NAME.match(p.name) for p in leftovers)
    with h5py.File(target, "r") as handle:
        np.testing.assert_array_equal(handle["conv"]["kernel"][()], np.ones(4, np.float32))
    assert newest_checkpoint(tmp_path) == target


def test_a_killed_training_run_resumes_from_its_last_complete_epoch(tmp_path):
    log_dir = tmp_path / "runs"
    command = [sys.executable, "-m", "maskkit", "train", *TINY, "--log-dir", str(log_dir)]
    log = tmp_path / "first.log"
    with open(log, "w") as output:
        first = subprocess.Popen([*command, "--epochs", str(EPOCHS)], stdout=output, stderr=subprocess.STDOUT,
                                 env=env())
    try:
        wait_for("mask_rcnn_shapes_0001.weights.h5", log_dir, first, log)
        time.sleep(0.3)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    done = checkpoints(log_dir)
    assert done, "the first epoch's checkpoint vanished"
    last = max(int(CHECKPOINT_NAME.match(p.name)["epoch"]) for p in done)
    assert last < EPOCHS, "the run finished before it was killed; make its epochs longer"
    assert_all_complete(log_dir)
    run_dirs = [p for p in log_dir.iterdir() if p.is_dir()]
    assert len(run_dirs) == 1

    resumed = subprocess.run([*command, "--resume", "--epochs", str(EPOCHS)], capture_output=True, text=True,
                             env=env(), timeout=600)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"Resuming from {run_dirs[0] / f'mask_rcnn_shapes_{last:04d}.weights.h5'} (epoch {last})" in resumed.stdout
    assert f"\nepoch {last + 1}:" in resumed.stdout and f"\nepoch {last}:" not in resumed.stdout
    assert [p.name for p in checkpoints(log_dir)] == [
        f"mask_rcnn_shapes_{epoch:04d}.weights.h5" for epoch in range(1, EPOCHS + 1)]
    assert [p for p in log_dir.iterdir() if p.is_dir()] == run_dirs
    assert_all_complete(log_dir)

    from maskkit.pipeline import Pipeline

    pipe = Pipeline("shapes", dataset_args={"count": 16}, val_args={"count": 4}, preset="shapes",
                    overrides=OVERRIDES, log_dir=log_dir)
    history = pipe.train(EPOCHS, resume=True, verbose=0)
    assert history == {} and pipe.model.epoch == EPOCHS and pipe.model.log_dir == run_dirs[0]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_run_that_named_no_config_resumes_with_the_config_it_planned(tmp_path, monkeypatch):
    """A planned run's batch follows the free memory; --resume carries on with the stored config instead."""
    from maskkit.weights import read_metadata
    from tests.helpers import run_cli
    from tests.helpers_coco import build_coco

    files = build_coco(tmp_path / "data")
    args = ["train", "--dataset", "coco", "--data", f"annotations={files.annotations}",
            "--data", f"images={files.images}", "--set", "steps_per_epoch=2", "--set", "validation_steps=1",
            "--set", "top_down_pyramid_size=32", "--set", "fpn_classif_fc_layers_size=64",
            "--log-dir", str(tmp_path / "runs")]
    first = run_cli(*args, "--epochs", "1")
    assert first.exit_code == 0, first.output
    assert "config: planned from the training annotations" in first.output
    monkeypatch.setattr("maskkit.planning.machine.available_memory", lambda meminfo: int(2.3 * (1 << 30)))
    second = run_cli(*args, "--epochs", "2", "--resume")
    assert second.exit_code == 0, second.output
    assert "config: planned" not in second.output
    stored = [read_metadata(path)["config"] for path in checkpoints(tmp_path / "runs")]
    assert len(stored) == 2 and stored[0] == stored[1]
