"""Memory a training run needs per batch, estimated from the config alone before anything is built.

A huge IMAGE_MAX_DIM passes every field check and used to fail deep in the input pipeline with a
raw allocation error, after the run folder was made. ``check_training_memory`` refuses such a run
up front, with the estimate and the memory the machine has available. The estimate errs low (the
activation figure is a quarter of what ``maskkit data plan`` budgets), so a run that might fit is
never refused; only one that cannot is.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from maskkit.config import Config
from maskkit.errors import ConfigError
from maskkit.planning.machine import GIB, this_machine
from maskkit.utils.anchor_geometry import anchors_per_level, compute_backbone_shapes

#: Batches alive at once: the one trained on, the one prefetched, the one being built.
IN_FLIGHT_BATCHES = 3
#: Bytes of backbone and head activations kept for the backward pass, per input pixel and image: a
#: low figure for a ResNet-FPN in float32 (measured runs use about 8 KiB at 512 px on a CPU).
ACTIVATION_BYTES_PER_PIXEL = 2048


@attrs.frozen
class MemoryEstimate:
    """Bytes a training batch needs, by part (images, masks, anchors, activations)."""

    parts: dict[str, int]

    @property
    def total(self) -> int:
        """All parts together, in bytes."""
        return sum(self.parts.values())

    def describe(self) -> str:
        """``images 44 MiB, masks 107 MiB, ..., activations 4.0 GiB``: each part readably."""
        return ", ".join(f"{name} {readable_size(size)}" for name, size in self.parts.items())


def readable_size(size: int) -> str:
    """``44 MiB`` below a GiB, ``4.0 GiB`` from there on.

    Args:
        size: a byte count.
    """
    return f"{size / GIB:.1f} GiB" if size >= GIB else f"{size / 2 ** 20:.0f} MiB"


def estimate_training_memory(config: Config, activations: bool = True) -> MemoryEstimate:
    """The memory one training step's batches need on the host at ``config``'s IMAGE_SHAPE and BATCH_SIZE.

    Args:
        config: the run's config (IMAGE_SHAPE, BATCH_SIZE, MAX_GT_INSTANCES, mini masks, anchors).
        activations: count the model's activations too (they live in host memory when training on a
            CPU, on the GPU otherwise).

    Returns:
        The MemoryEstimate: uint8 images in flight plus the float32 batch a step molds; ground-truth
        masks (mini or full size, padded to MAX_GT_INSTANCES) plus the full-size masks of an image
        being built; anchors and RPN targets; activations.
    """
    batch = int(config.BATCH_SIZE)
    height, width, channels = (int(v) for v in config.IMAGE_SHAPE)
    pixels = height * width
    limit = int(config.MAX_GT_INSTANCES)
    mask_pixels = int(config.MINI_MASK_SHAPE[0]) * int(config.MINI_MASK_SHAPE[1]) if config.USE_MINI_MASK else pixels
    shapes = compute_backbone_shapes((height, width), config.BACKBONE_STRIDES)
    anchors = int(anchors_per_level(shapes, len(config.RPN_ANCHOR_RATIOS), config.RPN_ANCHOR_STRIDE).sum())
    parts = {
        "images": IN_FLIGHT_BATCHES * batch * pixels * channels + batch * pixels * channels * 4,
        "masks": IN_FLIGHT_BATCHES * batch * mask_pixels * limit + pixels * limit,
        "anchors and RPN targets": (batch + 2) * anchors * 16 + IN_FLIGHT_BATCHES * batch * (
            anchors + int(config.RPN_TRAIN_ANCHORS_PER_IMAGE) * 16),
    }
    if activations:
        parts["activations"] = ACTIVATION_BYTES_PER_PIXEL * batch * pixels
    return MemoryEstimate(parts)


def check_training_memory(config: Config, available: int | None = None, gpu: bool | None = None,
                          proc: Path = Path("/proc")) -> MemoryEstimate:
    """Refuse, with the figures, a config whose batches cannot fit in the memory available.

    Args:
        config: the run's config.
        available: bytes available (default: MemAvailable of ``proc``/meminfo; unknown skips the check).
        gpu: whether an NVIDIA GPU holds the activations (default: detected as ``maskkit data plan`` does).
        proc: the /proc folder to read.

    Returns:
        The estimate; ConfigError naming the image-size field when it exceeds ``available``.
    """
    if available is None or gpu is None:
        machine = this_machine(proc)
        available = machine.memory_bytes if available is None else available
        gpu = machine.gpu if gpu is None else gpu
    estimate = estimate_training_memory(config, activations=not gpu)
    if available is not None and estimate.total > available:
        field = "IMAGE_MIN_DIM" if config.IMAGE_RESIZE_MODE == "crop" else "IMAGE_MAX_DIM"
        height, width, _ = config.IMAGE_SHAPE
        raise ConfigError(field, f"training at {height}x{width} px with BATCH_SIZE {config.BATCH_SIZE} needs about "
                                 f"{estimate.total / GIB:.1f} GiB of memory ({estimate.describe()}), but only "
                                 f"{available / GIB:.1f} GiB is available: lower {field}, IMAGES_PER_GPU or "
                                 f"MAX_GT_INSTANCES")
    return estimate
