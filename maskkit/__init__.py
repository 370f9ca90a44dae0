"""maskkit: a plugin-based Mask R-CNN toolkit on TensorFlow 2 / Keras 3.

Importing maskkit is instant: TensorFlow loads only when a model or input pipeline is built.
Heavy names below are resolved lazily on first attribute access. Importing maskkit changes nothing
in the host process (no import hooks, no environment variables); the ``maskkit`` command quietens
TensorFlow's start-up log lines itself (see maskkit.quiet).
"""

from __future__ import annotations

import importlib
from typing import Any

from maskkit.augment.base import augmenters
from maskkit.backbone import Backbone, backbones
from maskkit.config import Config
from maskkit.dataset import Dataset, datasets
from maskkit.errors import (
    ConfigError,
    DatasetError,
    MaskkitError,
    PluginError,
    UnknownNameError,
    WeightsError,
)
from maskkit.hookspecs import hookimpl

__version__ = "0.1.0"

_LAZY = {
    "Augmenter": "maskkit.augment.base",
    "load_image_gt": "maskkit.data.ground_truth",
    "build_rpn_targets": "maskkit.data.rpn_targets",
    "build_group_rpn_targets": "maskkit.data.rpn_targets",
    "MaskRCNN": "maskkit.model.maskrcnn",
    "Pipeline": "maskkit.pipeline",
    "evaluate_coco": "maskkit.evaluation",
    "evaluate_map": "maskkit.evaluation",
    "write_report": "maskkit.report",
    "compute_ap": "maskkit.utils.metrics",
    "make_dataset": "maskkit.data.input",
    "build_augmenters": "maskkit.augment.from_spec",
    "check_data": "maskkit.data_check",
    "export_saved_model": "maskkit.export",
    "save_weights": "maskkit.weights",
    "load_weights": "maskkit.weights",
    "shapes_config": "maskkit.presets",
    "preset_config": "maskkit.presets",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'maskkit' has no attribute {name!r}")


__all__ = [
    "Backbone", "Config", "ConfigError", "Dataset", "DatasetError", "MaskkitError", "PluginError",
    "UnknownNameError", "WeightsError", "augmenters", "backbones", "datasets", "hookimpl", "__version__",
    *_LAZY,
]
