"""Ready-made configurations; ``shapes_config`` is tuned to train the shapes example on a 2-core CPU."""

from __future__ import annotations

from typing import Any

from maskkit.config import Config
from maskkit.errors import ConfigError

SHAPES_DEFAULTS: dict[str, Any] = {
    "NAME": "shapes",
    "BACKBONE": "tiny",
    "NUM_CLASSES": 4,
    "IMAGES_PER_GPU": 8,
    "IMAGE_MIN_DIM": 128,
    "IMAGE_MAX_DIM": 128,
    "RPN_ANCHOR_SCALES": (8, 16, 32, 64, 128),
    "TOP_DOWN_PYRAMID_SIZE": 64,
    "FPN_CLASSIF_FC_LAYERS_SIZE": 256,
    "TRAIN_ROIS_PER_IMAGE": 32,
    "POST_NMS_ROIS_TRAINING": 500,
    "POST_NMS_ROIS_INFERENCE": 200,
    "MAX_GT_INSTANCES": 8,
    "MINI_MASK_SHAPE": (56, 56),
    "MASK_POOL_SIZE": 7,
    "MASK_SHAPE": (14, 14),
    "STEPS_PER_EPOCH": 100,
    "VALIDATION_STEPS": 2,
    "LEARNING_RATE": 0.02,
    "LR_SCHEDULE": "cosine",
    "LR_WARMUP_STEPS": 100,
    "DETECTION_MIN_CONFIDENCE": 0.5,
    "TRAIN_BN": True,
}


def shapes_config(**overrides: Any) -> Config:
    """The shapes example's config (128x128, 3 classes + background, slim backbone), with overrides."""
    return Config(**{**SHAPES_DEFAULTS, **overrides})


def preset_config(name: str) -> Config:
    """The ready-made config called ``name``: ``shapes`` (tuned for CPU) or ``default`` (matterport's)."""
    presets = {"shapes": shapes_config, "default": Config}
    if name not in presets:
        raise ConfigError("preset", f"unknown preset {name!r}; known: {', '.join(sorted(presets))}")
    return presets[name]()
