"""Ready-made configurations, picked by name with ``--preset NAME`` or ``Pipeline(preset=NAME)``.

``shapes`` trains the shapes example on a 2-core CPU; ``cpu`` is a starting point for your own
data on a CPU (ResNet-18 at 512 px, named after the dataset); ``default`` is matterport's config
(ResNet-101 at 1024 px, meant for a GPU). A config file may name its base with a ``preset`` key, and a
dataset plugin may recommend one (maskkit.dataset_recommendation); maskkit.config_assembly combines them.
Every preset keeps Config's ``PRECISION="auto"``: the run picks the precision for its machine
(mixed_bfloat16 made the shapes model's training step 0.8x as long on an AMX CPU).
"""

from __future__ import annotations

from typing import Any, Callable

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
    "ROI_POSITIVE_RATIO": 0.5,
    "POST_NMS_ROIS_TRAINING": 500,
    "POST_NMS_ROIS_INFERENCE": 200,
    "MAX_GT_INSTANCES": 8,
    "MINI_MASK_SHAPE": (56, 56),
    "MASK_POOL_SIZE": 14,
    "MASK_SHAPE": (28, 28),
    "LOSS_WEIGHTS": {"rpn_class_loss": 1.0, "rpn_bbox_loss": 1.0, "mrcnn_class_loss": 1.0,
                     "mrcnn_bbox_loss": 1.0, "mrcnn_mask_loss": 2.0},
    "STEPS_PER_EPOCH": 100,
    "VALIDATION_STEPS": 2,
    "LEARNING_RATE": 0.02,
    "LR_SCHEDULE": "cosine",
    "LR_WARMUP_STEPS": 100,
    "DETECTION_MIN_CONFIDENCE": 0.5,
    "TRAIN_BN": True,
}

#: Custom data on a CPU, the recipe measured on the nanoparticles set (docs/benchmarks.md, "Real data"):
#: a small backbone at a moderate size, short epochs so a time budget ends on time, a high rate with
#: warm-up and cosine decay, 14x14 masks (the mask head is a third of a CPU step at 28x28), room
#: for crowded images. ``maskkit data plan`` sizes the image, anchors and sampling from the data.
CPU_DEFAULTS: dict[str, Any] = {
    "NAME": "custom",
    "BACKBONE": "resnet18",
    "IMAGES_PER_GPU": 2,
    "IMAGE_MIN_DIM": 512,
    "IMAGE_MAX_DIM": 512,
    "RPN_ANCHOR_SCALES": (16, 32, 64, 128, 256),
    "TOP_DOWN_PYRAMID_SIZE": 128,
    "FPN_CLASSIF_FC_LAYERS_SIZE": 512,
    "PRE_NMS_LIMIT": 3000,
    "POST_NMS_ROIS_TRAINING": 1000,
    "POST_NMS_ROIS_INFERENCE": 500,
    "TRAIN_ROIS_PER_IMAGE": 100,
    "MASK_POOL_SIZE": 7,
    "MASK_SHAPE": (14, 14),
    "MAX_GT_INSTANCES": 100,
    "DETECTION_MAX_INSTANCES": 100,
    "DETECTION_MIN_CONFIDENCE": 0.3,
    "STEPS_PER_EPOCH": 30,
    "VALIDATION_STEPS": 2,
    "LEARNING_RATE": 0.03,
    "LR_SCHEDULE": "cosine",
    "LR_WARMUP_STEPS": 50,
    "AUGMENTERS": ("fliplr",),
    "TRAIN_BN": True,
}


def shapes_config(**overrides: Any) -> Config:
    """The shapes example's config (128x128, 3 classes + background, slim backbone), with overrides.

    Args:
        overrides: field values by upper-case name, applied over the preset's.
    """
    return Config(**{**SHAPES_DEFAULTS, **overrides})


def cpu_config(dataset: str | None = None, **overrides: Any) -> Config:
    """The config for custom data on a CPU, its NAME taken from ``dataset`` (run folders follow it).

    Args:
        dataset: the dataset's name, used as NAME; None keeps the preset's NAME.
        overrides: field values by upper-case name, applied last (a NAME here wins over ``dataset``).
    """
    name = {"NAME": dataset} if dataset else {}
    return Config(**{**CPU_DEFAULTS, **name, **overrides})


PRESETS: dict[str, Callable[..., Config]] = {
    "cpu": cpu_config,
    "default": Config,
    "shapes": shapes_config,
}


#: Presets whose NAME follows the dataset they train on (run folders are named after it).
NAMED_AFTER_DATASET = ("cpu",)


def preset_config(name: str, dataset: str | None = None) -> Config:
    """The ready-made config called ``name``.

    Args:
        name: a key of PRESETS.
        dataset: the dataset's registered name, the NAME of presets in NAMED_AFTER_DATASET.

    Returns:
        The preset's Config; ConfigError names the known presets for an unknown ``name``.
    """
    if name not in PRESETS:
        raise ConfigError("preset", f"unknown preset {name!r}; known: {', '.join(sorted(PRESETS))}")
    return cpu_config(dataset) if name in NAMED_AFTER_DATASET else PRESETS[name]()
