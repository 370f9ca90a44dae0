"""The run configuration: matterport's fields and defaults, checked at construction, then frozen.

Subclass it like the seed's ``ShapesConfig(Config)`` by assigning new class-level defaults;
derived values (batch size, image shape, image-meta size) are properties, never stored twice.
The file formats and ``KEY=value`` overrides are read and written by maskkit.config_files.
"""

from __future__ import annotations

import math
import os
from typing import Any, ClassVar, Iterable, Mapping

import attrs

from maskkit.config_files import parse_overrides, read_config_file, write_config_file
from maskkit.errors import ConfigError
from maskkit.image_meta import meta_size

RESIZE_MODES = ("none", "square", "pad64", "crop")
LR_SCHEDULES = ("constant", "cosine", "step")
#: PRECISION's machine-dependent value: maskkit.model.precision resolves it when a model is built.
AUTO_PRECISION = "auto"
PRECISIONS = (AUTO_PRECISION, "float32", "mixed_bfloat16", "mixed_float16")
LOSS_NAMES = ("rpn_class_loss", "rpn_bbox_loss", "mrcnn_class_loss", "mrcnn_bbox_loss", "mrcnn_mask_loss")


def _tuple(value: Any) -> tuple:
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return tuple(value)


def _float_tuple(value: Any) -> tuple:
    return tuple(float(v) for v in value)


@attrs.define(init=False, slots=False, eq=True, on_setattr=attrs.setters.NO_OP)
class Config:
    """Every setting of a Mask R-CNN run; field names and defaults follow matterport's Config."""

    NAME: str = "maskkit"
    GPU_COUNT: int = 1
    IMAGES_PER_GPU: int = 2
    STEPS_PER_EPOCH: int = 1000
    VALIDATION_STEPS: int = 50
    BACKBONE: str = "resnet101"
    BACKBONE_STRIDES: tuple = attrs.field(default=(4, 8, 16, 32, 64), converter=_tuple)
    FPN_CLASSIF_FC_LAYERS_SIZE: int = 1024
    TOP_DOWN_PYRAMID_SIZE: int = 256
    NUM_CLASSES: int = 1
    RPN_ANCHOR_SCALES: tuple = attrs.field(default=(32, 64, 128, 256, 512), converter=_tuple)
    RPN_ANCHOR_RATIOS: tuple = attrs.field(default=(0.5, 1, 2), converter=_tuple)
    RPN_ANCHOR_STRIDE: int = 1
    RPN_NMS_THRESHOLD: float = 0.7
    RPN_TRAIN_ANCHORS_PER_IMAGE: int = 256
    PRE_NMS_LIMIT: int = 6000
    POST_NMS_ROIS_TRAINING: int = 2000
    POST_NMS_ROIS_INFERENCE: int = 1000
    USE_MINI_MASK: bool = True
    MINI_MASK_SHAPE: tuple = attrs.field(default=(56, 56), converter=_tuple)
    IMAGE_RESIZE_MODE: str = "square"
    IMAGE_MIN_DIM: int = 800
    IMAGE_MAX_DIM: int = 1024
    IMAGE_MIN_SCALE: float = 0.0
    IMAGE_CHANNEL_COUNT: int = 3
    MEAN_PIXEL: tuple = attrs.field(default=(123.7, 116.8, 103.9), converter=_float_tuple)
    TRAIN_ROIS_PER_IMAGE: int = 200
    ROI_POSITIVE_RATIO: float = 0.33
    POOL_SIZE: int = 7
    MASK_POOL_SIZE: int = 14
    MASK_SHAPE: tuple = attrs.field(default=(28, 28), converter=_tuple)
    MAX_GT_INSTANCES: int = 100
    RPN_BBOX_STD_DEV: tuple = attrs.field(default=(0.1, 0.1, 0.2, 0.2), converter=_float_tuple)
    BBOX_STD_DEV: tuple = attrs.field(default=(0.1, 0.1, 0.2, 0.2), converter=_float_tuple)
    DETECTION_MAX_INSTANCES: int = 100
    DETECTION_MIN_CONFIDENCE: float = 0.7
    DETECTION_NMS_THRESHOLD: float = 0.3
    LEARNING_RATE: float = 0.001
    LEARNING_MOMENTUM: float = 0.9
    LR_SCHEDULE: str = "constant"
    LR_WARMUP_STEPS: int = 0
    WEIGHT_DECAY: float = 0.0001
    LOSS_WEIGHTS: dict = attrs.field(factory=lambda: {name: 1.0 for name in LOSS_NAMES}, converter=dict)
    USE_RPN_ROIS: bool = True
    TRAIN_BN: bool = False
    GRADIENT_CLIP_NORM: float = 5.0
    AUGMENTERS: tuple = attrs.field(default=(), converter=_tuple)
    SEED: int = 0
    NUM_WORKERS: int = 2
    WORKER_PROCESSES: int = 0
    PRECISION: str = AUTO_PRECISION
    XLA: bool = False

    _class_defaults: ClassVar[dict[str, Any]] = {}
    _locked: bool = attrs.field(default=False, init=False, repr=False, eq=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Turn plain class-attribute overrides (``NAME = "shapes"``) into new defaults."""
        super().__init_subclass__(**kwargs)
        names = field_names()
        defaults = dict(cls._class_defaults)
        for key in list(vars(cls)):
            if key in names:
                defaults[key] = vars(cls)[key]
                delattr(cls, key)
        cls._class_defaults = defaults

    def __init__(self, **overrides: Any) -> None:
        """Build and validate a config: the class's defaults with ``overrides`` applied, then frozen.

        Args:
            overrides: field values by upper-case field name (``IMAGES_PER_GPU=4``); an unknown
                name or an invalid value is a ConfigError.
        """
        unknown = sorted(set(overrides) - set(field_names()))
        if unknown:
            raise ConfigError(unknown[0], f"unknown field; known fields: {', '.join(field_names())}")
        values = {**type(self)._class_defaults, **overrides}
        try:
            self.__attrs_init__(**values)
        except (TypeError, ValueError) as exc:
            raise ConfigError(None, f"invalid config value: {exc}") from exc
        self.validate()
        object.__setattr__(self, "_locked", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_locked", False):
            raise ConfigError(name, "a Config is frozen once built; use config.replace(FIELD=value)")
        object.__setattr__(self, name, value)

    # ----- derived values -------------------------------------------------------------------
    @property
    def BATCH_SIZE(self) -> int:
        """Images per step across all replicas."""
        return self.IMAGES_PER_GPU * self.GPU_COUNT

    @property
    def IMAGE_SHAPE(self) -> tuple[int, int, int]:
        """The molded input shape the model is built for."""
        side = self.IMAGE_MIN_DIM if self.IMAGE_RESIZE_MODE == "crop" else self.IMAGE_MAX_DIM
        return (side, side, self.IMAGE_CHANNEL_COUNT)

    @property
    def IMAGE_META_SIZE(self) -> int:
        """Length of the image_meta vector: 12 fixed entries plus one per class."""
        return meta_size(self.NUM_CLASSES)

    # ----- checks ---------------------------------------------------------------------------
    def validate(self) -> None:
        """Raise ConfigError naming the first impossible field."""
        _check_types(self)
        positive = (
            "GPU_COUNT", "IMAGES_PER_GPU", "STEPS_PER_EPOCH", "FPN_CLASSIF_FC_LAYERS_SIZE",
            "TOP_DOWN_PYRAMID_SIZE", "NUM_CLASSES", "RPN_ANCHOR_STRIDE", "RPN_TRAIN_ANCHORS_PER_IMAGE",
            "PRE_NMS_LIMIT", "POST_NMS_ROIS_TRAINING", "POST_NMS_ROIS_INFERENCE", "IMAGE_MAX_DIM",
            "IMAGE_CHANNEL_COUNT", "TRAIN_ROIS_PER_IMAGE", "POOL_SIZE", "MASK_POOL_SIZE",
            "MAX_GT_INSTANCES", "DETECTION_MAX_INSTANCES",
        )
        for name in positive:
            if getattr(self, name) <= 0:
                raise ConfigError(name, f"must be positive, got {getattr(self, name)}")
        for name in ("VALIDATION_STEPS", "IMAGE_MIN_DIM", "IMAGE_MIN_SCALE", "LEARNING_RATE",
                     "WEIGHT_DECAY", "GRADIENT_CLIP_NORM", "NUM_WORKERS", "WORKER_PROCESSES", "SEED",
                     "LR_WARMUP_STEPS"):
            if getattr(self, name) < 0:
                raise ConfigError(name, f"must not be negative, got {getattr(self, name)}")
        for name in ("RPN_NMS_THRESHOLD", "DETECTION_MIN_CONFIDENCE", "DETECTION_NMS_THRESHOLD",
                     "LEARNING_MOMENTUM"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(name, f"must be within [0, 1], got {getattr(self, name)}")
        if not 0.0 < self.ROI_POSITIVE_RATIO <= 1.0:
            raise ConfigError("ROI_POSITIVE_RATIO", f"must be within (0, 1], got {self.ROI_POSITIVE_RATIO}")
        if self.LR_SCHEDULE not in LR_SCHEDULES:
            raise ConfigError("LR_SCHEDULE",
                              f"unknown schedule {self.LR_SCHEDULE!r}; known: {', '.join(LR_SCHEDULES)}")
        if self.IMAGE_RESIZE_MODE not in RESIZE_MODES:
            raise ConfigError("IMAGE_RESIZE_MODE",
                              f"unknown mode {self.IMAGE_RESIZE_MODE!r}; known: {', '.join(RESIZE_MODES)}")
        if self.IMAGE_RESIZE_MODE in ("square", "pad64") and self.IMAGE_MAX_DIM % 64:
            raise ConfigError("IMAGE_MAX_DIM", f"must be divisible by 64 in {self.IMAGE_RESIZE_MODE} mode "
                              f"(the FPN halves the image 6 times), got {self.IMAGE_MAX_DIM}")
        if self.IMAGE_RESIZE_MODE == "crop" and self.IMAGE_MIN_DIM % 64:
            raise ConfigError("IMAGE_MIN_DIM", f"must be divisible by 64 in crop mode, got {self.IMAGE_MIN_DIM}")
        if self.IMAGE_MIN_DIM > self.IMAGE_MAX_DIM and self.IMAGE_RESIZE_MODE != "crop":
            raise ConfigError("IMAGE_MIN_DIM", f"{self.IMAGE_MIN_DIM} exceeds IMAGE_MAX_DIM {self.IMAGE_MAX_DIM}")
        if self.PRECISION not in PRECISIONS:
            raise ConfigError("PRECISION", f"unknown precision {self.PRECISION!r}; known: {', '.join(PRECISIONS)} "
                              f"(auto picks mixed_bfloat16 on CPUs with AMX, mixed_float16 on NVIDIA GPUs with "
                              f"compute capability >= 7.0, else float32)")
        if len(self.RPN_ANCHOR_SCALES) != len(self.BACKBONE_STRIDES):
            raise ConfigError("RPN_ANCHOR_SCALES", f"needs one scale per backbone level: "
                              f"{len(self.RPN_ANCHOR_SCALES)} scales for {len(self.BACKBONE_STRIDES)} strides")
        for name in ("RPN_ANCHOR_SCALES", "RPN_ANCHOR_RATIOS", "BACKBONE_STRIDES", "MINI_MASK_SHAPE",
                     "MASK_SHAPE", "RPN_BBOX_STD_DEV", "BBOX_STD_DEV"):
            values = getattr(self, name)
            if not values or any(not isinstance(v, (int, float)) or v <= 0 for v in values):
                raise ConfigError(name, f"every value must be a positive number, got {values}")
        for name, size in (("MINI_MASK_SHAPE", 2), ("MASK_SHAPE", 2), ("RPN_BBOX_STD_DEV", 4), ("BBOX_STD_DEV", 4)):
            if len(getattr(self, name)) != size:
                raise ConfigError(name, f"needs {size} values, got {getattr(self, name)}")
        if len(self.MEAN_PIXEL) != self.IMAGE_CHANNEL_COUNT:
            raise ConfigError("MEAN_PIXEL", f"needs one value per channel ({self.IMAGE_CHANNEL_COUNT}), "
                              f"got {len(self.MEAN_PIXEL)}")
        unknown = sorted(set(self.LOSS_WEIGHTS) - set(LOSS_NAMES))
        if unknown:
            raise ConfigError("LOSS_WEIGHTS", f"unknown loss {unknown[0]!r}; known: {', '.join(LOSS_NAMES)}")
        if any(float(w) < 0 for w in self.LOSS_WEIGHTS.values()):
            raise ConfigError("LOSS_WEIGHTS", "weights must not be negative")
        if self.MASK_SHAPE[0] != 2 * self.MASK_POOL_SIZE or self.MASK_SHAPE[1] != 2 * self.MASK_POOL_SIZE:
            raise ConfigError("MASK_SHAPE", f"the mask head upsamples MASK_POOL_SIZE twofold, so MASK_SHAPE "
                              f"must be {2 * self.MASK_POOL_SIZE}x{2 * self.MASK_POOL_SIZE}, got {self.MASK_SHAPE}")

    # ----- conversion -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """All fields as plain JSON-friendly values."""
        out = {}
        for name in field_names():
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else (dict(value) if isinstance(value, dict) else value)
        return out

    def replace(self, **changes: Any) -> "Config":
        """A new, validated config of the same class with some fields changed.

        Args:
            changes: new field values by upper-case field name.
        """
        return type(self)(**{**self.to_dict(), **changes})

    def with_overrides(self, assignments: Iterable[str]) -> "Config":
        """Apply ``KEY=value`` strings (values parsed as YAML), as the CLI's ``--set`` does.

        Args:
            assignments: ``KEY=value`` strings, e.g. ``["IMAGES_PER_GPU=4"]``; keys are case-insensitive.

        Returns:
            A new, validated config of the same class.
        """
        return self.replace(**parse_overrides(assignments))

    def save(self, path: str | os.PathLike) -> None:
        """Write the config as YAML, TOML or JSON (by file extension: .yaml/.yml, .toml, .json), atomically;
        another extension is a ConfigError.

        Args:
            path: the file to write; its extension picks the format.
        """
        write_config_file(path, self.to_dict())

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "Config":
        """Build from a mapping of field names (upper or lower case) to values."""
        return cls(**{key.upper(): value for key, value in values.items()})

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Config":
        """Read a config from .json, .yaml/.yml or .toml (a ``preset`` key is ignored here; the CLI
        and maskkit.config_assembly start from that preset).

        Args:
            path: the config file; its extension picks the format.

        Returns:
            A validated config of this class with the file's fields applied to its defaults.
        """
        values = read_config_file(path)
        values.pop("PRESET", None)
        return cls.from_dict(values)

    def format_table(self) -> str:
        """The configuration as an aligned table, derived values included."""
        derived = {"BATCH_SIZE": self.BATCH_SIZE, "IMAGE_SHAPE": self.IMAGE_SHAPE,
                   "IMAGE_META_SIZE": self.IMAGE_META_SIZE}
        rows = sorted({**self.to_dict(), **derived}.items())
        return "Configurations:\n" + "\n".join(f"{k:30} {v}" for k, v in rows) + "\n"

    def display(self) -> None:
        """Print the configuration table, as matterport's ``config.display()`` does."""
        print(self.format_table())


def field_names() -> tuple[str, ...]:
    """Names of every settable Config field."""
    return tuple(f.name for f in attrs.fields(Config) if f.init)


_SEQUENCE_FIELDS = {f.name for f in attrs.fields(Config) if f.converter in (_tuple, _float_tuple)}


def _check_types(config: Config) -> None:
    for field in attrs.fields(Config):
        if not field.init or field.name in _SEQUENCE_FIELDS:
            continue
        value = getattr(config, field.name)
        expected = field.type if isinstance(field.type, type) else {
            "int": int, "float": float, "str": str, "bool": bool, "dict": dict}.get(field.type)
        if expected is None:
            continue
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            object.__setattr__(config, field.name, float(value))
            continue
        if expected is int and isinstance(value, float) and value.is_integer():
            object.__setattr__(config, field.name, int(value))
            continue
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(field.name, f"expected {expected.__name__}, got {value!r}")
        if expected is float and not math.isfinite(value):
            raise ConfigError(field.name, f"must be finite, got {value}")
