"""The Backbone base class: one small contract every backbone plugin implements, and its registry.

TensorFlow is imported by the subclasses' ``build`` only, so registering a backbone is cheap.
"""

from __future__ import annotations

from typing import Any

from maskkit.errors import PluginError
from maskkit.registry import Registry


#: The feature pyramid Mask R-CNN reads, by level name with the stride in pixels: the RPN runs on all
#: five levels, and the ROI heads pool each box from P2..P5 by its size with the FPN paper's rule
#: (level k = 4 + log2(sqrt(area) / 224), maskkit.model.roi_align), which holds only when P_k has
#: stride 2**k.
PYRAMID_LEVELS: dict[str, int] = {"P2": 4, "P3": 8, "P4": 16, "P5": 32, "P6": 64}


class Backbone:
    """Turns a batch of molded images into the feature pyramid Mask R-CNN reads: P2..P6.

    ``outputs`` names the levels in order with their strides in pixels. Mask R-CNN requires exactly
    PYRAMID_LEVELS, ``{"P2": 4, "P3": 8, "P4": 16, "P5": 32, "P6": 64}`` (the default): the ROI
    heads choose a level by box size assuming P_k has stride 2**k. :meth:`level_problem` says why
    any other ``outputs`` is refused; the model build and ``maskkit.testing.check_backbone`` both
    ask it. The config's BACKBONE_STRIDES follow from ``outputs``. ``build(images, config)``
    receives a Keras tensor ``[batch, H, W, C]`` (float32, mean subtracted) and the run's Config,
    and returns the levels as a dict keyed by those names (or a list in that order), each with
    ``config.TOP_DOWN_PYRAMID_SIZE`` channels. Layers it creates must have unique names;
    ``trainable_layer_regex`` maps the ``layers=`` shortcuts of training (``"3+"``, ``"4+"``, ``"5+"``,
    ``"all"``) to regular expressions over those names.
    """

    #: Backbone names as they appear in config.BACKBONE and in the registry.
    name: str = "backbone"

    #: Feature levels by name, in order, with their strides in pixels (PYRAMID_LEVELS is required).
    outputs: dict[str, int] = dict(PYRAMID_LEVELS)

    def level_problem(self) -> str | None:
        """Why ``outputs`` is not the pyramid Mask R-CNN reads, or None when it is PYRAMID_LEVELS.

        Returns:
            A sentence naming what is declared, what is required and why; None if they agree.
        """
        try:
            declared = {str(name): int(stride) for name, stride in dict(self.outputs).items()}
        except (TypeError, ValueError) as exc:
            return f"declares outputs {self.outputs!r}, which is not a dict of level names to strides ({exc})"
        if declared == PYRAMID_LEVELS:
            return None
        return (f"declares levels {declared}; Mask R-CNN requires {PYRAMID_LEVELS}: the RPN reads all five "
                f"levels and the ROI heads pick P2..P5 by box size assuming P_k has stride 2**k")

    def output_strides(self) -> tuple[int, ...]:
        """Strides in pixels of the levels in ``outputs``, in order."""
        return tuple(self.outputs.values())

    def build(self, images: Any, config: Any) -> dict[str, Any] | list[Any]:
        """Return the feature maps of ``outputs`` for ``images`` (a dict by level name, or a list in order).

        Args:
            images: Keras tensor ``[batch, H, W, C]`` of molded images (float32, mean subtracted).
            config: the run's Config (e.g. ``TOP_DOWN_PYRAMID_SIZE``, the channels of every level).

        Returns:
            The levels of ``outputs`` as a dict keyed by level name, or a list in that order.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement build(images, config)")

    def pyramid(self, images: Any, config: Any) -> list[Any]:
        """The feature maps of :meth:`build` as a list in the order of ``outputs``; PluginError if levels are missing.

        Args:
            images: Keras tensor ``[batch, H, W, C]`` of molded images, passed to :meth:`build`.
            config: the run's Config, passed to :meth:`build`.
        """
        features = self.build(images, config)
        names = list(self.outputs)
        if isinstance(features, dict):
            missing = [name for name in names if name not in features]
            if missing or len(features) != len(names):
                raise PluginError(f"backbone {self.name!r} returned levels {sorted(features)}, "
                                  f"declared {names} in outputs")
            return [features[name] for name in names]
        if not isinstance(features, (list, tuple)):
            raise PluginError(f"backbone {self.name!r}: build returned {type(features).__name__}, expected a "
                              f"dict by level name or a list of {len(names)} feature maps")
        features = list(features)
        if len(features) != len(names):
            raise PluginError(f"backbone {self.name!r} returned {len(features)} feature maps, "
                              f"declared {len(names)} ({', '.join(names)}) in outputs")
        return features

    def trainable_layer_regex(self) -> dict[str, str]:
        """Layer-name regexes for training's ``layers=`` shortcuts beyond ``heads``/``all``."""
        return {"all": ".*"}


def _check_backbone(name: str, obj: Any) -> None:
    if not isinstance(obj, Backbone):
        raise PluginError(f"backbone {name!r}: factory returned {type(obj).__name__}, not a maskkit.Backbone")


#: Backbone factories registered through ``maskkit_register_backbones``.
backbones = Registry("backbone", _check_backbone)
