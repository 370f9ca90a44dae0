"""The Backbone base class: one small contract every backbone plugin implements.

TensorFlow is imported by the subclasses' ``build`` only, so registering a backbone is cheap.
"""

from __future__ import annotations

from typing import Any

from maskkit.errors import PluginError
from maskkit.registry import Registry


class Backbone:
    """Turns a batch of molded images into a feature pyramid [P2, P3, P4, P5, P6].

    ``build(images, config)`` receives a Keras tensor ``[batch, H, W, C]`` (float32, mean
    subtracted) and the run's Config, and returns five Keras tensors with
    ``config.TOP_DOWN_PYRAMID_SIZE`` channels at the strides of ``output_strides()``. Layers it
    creates must have unique names; ``trainable_layer_regex`` maps the ``layers=`` shortcuts of
    training (``"3+"``, ``"4+"``, ``"5+"``, ``"all"``) to regular expressions over those names.
    """

    #: Backbone names as they appear in config.BACKBONE and in the registry.
    name: str = "backbone"

    def output_strides(self) -> tuple[int, ...]:
        """Strides in pixels of P2..P6."""
        return (4, 8, 16, 32, 64)

    def build(self, images: Any, config: Any) -> list[Any]:
        """Return the feature maps [P2, P3, P4, P5, P6] for ``images``."""
        raise NotImplementedError(f"{type(self).__name__} must implement build(images, config)")

    def trainable_layer_regex(self) -> dict[str, str]:
        """Layer-name regexes for training's ``layers=`` shortcuts beyond ``heads``/``all``."""
        return {"all": ".*"}


def _check_backbone(name: str, obj: Any) -> None:
    if not isinstance(obj, Backbone):
        raise PluginError(f"backbone {name!r}: factory returned {type(obj).__name__}, not a maskkit.Backbone")


#: Backbone factories registered through ``maskkit_register_backbones``.
backbones = Registry("backbone", _check_backbone)
