"""The machine check (no TensorFlow) and the settings it implies."""

from __future__ import annotations

import subprocess
import sys

from maskkit.planning import machine as module
from maskkit.planning.machine import (GIB, Machine, available_memory, machine_preset, plan_machine, size_cap,
                                     this_machine)


def fake_proc(tmp_path, meminfo="MemTotal: 100 kB\nMemAvailable:   2048 kB\n", nvidia=False):
    (tmp_path / "meminfo").write_text(meminfo)
    if nvidia:
        (tmp_path / "driver" / "nvidia").mkdir(parents=True)
    return tmp_path


def test_this_machine_reads_proc_and_path(tmp_path, monkeypatch):
    monkeypatch.setattr(module.shutil, "which", lambda name: None)
    assert this_machine(fake_proc(tmp_path)) == Machine(gpu=False, memory_bytes=2048 * 1024)
    assert this_machine(fake_proc(tmp_path, nvidia=True)).gpu
    monkeypatch.setattr(module.shutil, "which", lambda name: "/usr/bin/nvidia-smi" if name == "nvidia-smi" else None)
    assert this_machine(tmp_path / "elsewhere") == Machine(gpu=True, memory_bytes=None)


def test_available_memory_tolerates_odd_files(tmp_path):
    path = tmp_path / "meminfo"
    path.write_text("MemTotal: 5 kB\n")
    assert available_memory(path) is None
    path.write_text("MemAvailable: lots\n")
    assert available_memory(path) is None


def test_size_caps():
    assert size_cap(Machine(True, None)) == 1024
    assert size_cap(Machine(False, 16 * GIB)) == 512 and size_cap(Machine(False, None)) == 512
    assert size_cap(Machine(False, 4 * GIB)) == 384


def test_cpu_plans_a_light_backbone_and_fits_the_batch_in_memory():
    roomy = plan_machine(Machine(False, 32 * GIB), 512, "resnet101")
    assert roomy["BACKBONE"][0] == "resnet18" and roomy["IMAGES_PER_GPU"][0] == 2
    assert roomy["PRECISION"][0] == "auto"
    assert plan_machine(Machine(False, 32 * GIB), 512, "tiny")["BACKBONE"][0] == "tiny"
    assert plan_machine(Machine(False, 5 * GIB), 512, "resnet18")["IMAGES_PER_GPU"][0] == 1


def test_small_images_train_in_larger_batches_on_a_cpu():
    batch = {size: plan_machine(Machine(False, 32 * GIB), size, "resnet18")["IMAGES_PER_GPU"][0]
             for size in (128, 256, 320, 384, 512)}
    assert batch == {128: 8, 256: 8, 320: 5, 384: 3, 512: 2}
    assert plan_machine(Machine(False, 4 * GIB), 256, "resnet18")["IMAGES_PER_GPU"][0] == 4
    assert plan_machine(Machine(False, None), 128, "resnet18")["IMAGES_PER_GPU"][0] == 8


def test_gpu_keeps_the_backbone():
    planned = plan_machine(Machine(True, 8 * GIB), 1024, "resnet101")
    assert planned["BACKBONE"][0] == "resnet101" and planned["IMAGES_PER_GPU"][0] == 2


def test_planning_imports_no_tensorflow():
    code = ("import sys, maskkit.planning, maskkit.cli.data_cmd; maskkit.planning.this_machine(); "
            "sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_a_plan_starts_from_the_cpu_recipe_without_a_gpu():
    assert machine_preset(Machine(gpu=False, memory_bytes=16 * GIB)) == "cpu"
    assert machine_preset(Machine(gpu=True, memory_bytes=None)) == "default"


def test_small_images_train_the_slim_backbone_on_a_cpu():
    assert plan_machine(Machine(False, 32 * GIB), 256, "resnet18")["BACKBONE"][0] == "tiny"
    assert plan_machine(Machine(False, 32 * GIB), 128, "resnet101")["BACKBONE"][0] == "tiny"
    assert plan_machine(Machine(False, 32 * GIB), 320, "resnet18")["BACKBONE"][0] == "resnet18"
    assert plan_machine(Machine(True, 32 * GIB), 128, "resnet50")["BACKBONE"][0] == "resnet50"
