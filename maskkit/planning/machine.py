"""The machine a plan is for (GPU or not, available memory), read cheaply without starting TensorFlow,
and the settings that follow from it: size cap, backbone, images per step, precision.

An NVIDIA GPU counts as present when ``nvidia-smi`` is on PATH or /proc/driver/nvidia exists;
memory is MemAvailable of /proc/meminfo.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import attrs

GIB = 1024 ** 3
GPU_SIZE_CAP = 1024
CPU_SIZE_CAP = 512
SMALL_MEMORY_SIZE_CAP = 384
SMALL_MEMORY = 8 * GIB
#: A rough CPU training footprint: a fixed part plus a part per image growing with its pixels.
BASE_TRAINING_BYTES = 2 * GIB
TRAINING_BYTES_PER_IMAGE_AT_512 = 2 * GIB
HEAVY_BACKBONES = ("resnet50", "resnet101")
#: The CPU backbones: ResNet-18, and the slim ``tiny`` for images of SMALL_IMAGE_SIZE or less,
#: where ResNet-18 takes twice its step time and, in a 10-minute budget, scored lower (a shapes
#: COCO export at 128 px: test mAP@0.5 0.52 with tiny, 0.06 with ResNet-18; docs/benchmarks.md).
CPU_BACKBONE = "resnet18"
SMALL_IMAGE_BACKBONE = "tiny"
SMALL_IMAGE_SIZE = 256
#: A CPU step's pixels (two 512 px images) and the most images per step.
CPU_STEP_PIXELS = 2 * 512 ** 2
MAX_CPU_BATCH = 8

Planned = dict[str, tuple[object, str]]


@attrs.frozen
class Machine:
    """Whether an NVIDIA GPU is present and how much memory is available (None: unknown)."""

    gpu: bool
    memory_bytes: int | None

    def describe(self) -> str:
        """``CPU only, 23.2 GiB available``."""
        memory = f"{self.memory_bytes / GIB:.1f} GiB available" if self.memory_bytes else "memory unknown"
        return f"{'NVIDIA GPU' if self.gpu else 'CPU only'}, {memory}"


def this_machine(proc: Path = Path("/proc")) -> Machine:
    """The machine this runs on, from PATH and ``proc`` (/proc) alone."""
    gpu = shutil.which("nvidia-smi") is not None or (proc / "driver" / "nvidia").exists()
    return Machine(gpu=gpu, memory_bytes=available_memory(proc / "meminfo"))


def available_memory(meminfo: Path) -> int | None:
    """MemAvailable in bytes from a /proc/meminfo file, or None when it cannot be read."""
    try:
        for line in meminfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key == "MemAvailable":
                return int(value.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def machine_preset(machine: Machine) -> str:
    """The preset a plan starts from when the user names none: ``cpu`` (the CPU recipe: small
    backbone, short epochs, cosine schedule) without a GPU, matterport's ``default`` with one.

    Args:
        machine: the Machine planned for (this_machine()).
    """
    return "default" if machine.gpu else "cpu"


def size_cap(machine: Machine) -> int:
    """The largest molded image side to plan: 1024 on a GPU, 512 on a CPU (384 under 8 GiB available).

    Args:
        machine: the Machine planned for; unknown memory counts as enough.
    """
    if machine.gpu:
        return GPU_SIZE_CAP
    if machine.memory_bytes is not None and machine.memory_bytes < SMALL_MEMORY:
        return SMALL_MEMORY_SIZE_CAP
    return CPU_SIZE_CAP


def plan_machine(machine: Machine, size: int, backbone: str) -> Planned:
    """BACKBONE, IMAGES_PER_GPU and PRECISION for ``machine`` training at ``size`` x ``size``.

    On a CPU a ResNet-50/101 ``backbone`` becomes ResNet-18 (the cpu preset's), and ResNet-18/50/101
    become ``tiny`` for images of 256 px or less; any other is kept. Images per step hold the pixels
    of two 512 px images (2 at 512, 8 at 256 or less: a CPU step costs about its pixels, so small
    images train in larger batches at the same pace), as many as the memory estimate (2 GiB + 2 GiB
    per image at 512 px, growing with the pixels) fits in the available memory, at least 1. On a GPU
    the backbone is kept, 2 images per step.
    PRECISION stays ``auto``: the run picks it for the machine it starts on.
    """
    planned: Planned = {"PRECISION": ("auto", "chosen for the machine when the run starts (see maskkit env)")}
    if machine.gpu:
        planned["BACKBONE"] = (backbone, "kept: an NVIDIA GPU is present")
        planned["IMAGES_PER_GPU"] = (2, "matterport's batch per GPU")
        return planned
    if size <= SMALL_IMAGE_SIZE and backbone in (*HEAVY_BACKBONES, CPU_BACKBONE):
        planned["BACKBONE"] = (SMALL_IMAGE_BACKBONE, f"no GPU and images of {size} px: the slim backbone "
                                                     f"takes half of {CPU_BACKBONE}'s step time")
    elif backbone in HEAVY_BACKBONES:
        planned["BACKBONE"] = (CPU_BACKBONE, f"no GPU: {backbone} would train several times slower on a CPU")
    else:
        planned["BACKBONE"] = (backbone, "kept: light enough for a CPU")
    per_image = TRAINING_BYTES_PER_IMAGE_AT_512 * (size / 512) ** 2
    wanted = int(min(MAX_CPU_BATCH, max(1, CPU_STEP_PIXELS // size ** 2)))
    fitting = wanted if machine.memory_bytes is None else int((machine.memory_bytes - BASE_TRAINING_BYTES) // per_image)
    images = max(1, min(wanted, fitting))
    needed = BASE_TRAINING_BYTES + images * per_image
    why = f"the pixels of two 512 px images per step; {images} at {size} px need about {needed / GIB:.0f} GiB"
    planned["IMAGES_PER_GPU"] = (images, f"{why} ({machine.describe()})")
    return planned
