"""The Augmenter contract: transform an image and its instance masks together, reproducibly.

Geometric augmenters (``targets = "both"``) move every mask pixel exactly where its image pixel
goes; colour augmenters (``targets = "image"``) change pixel values and must return the masks
untouched. All randomness comes from the ``rng`` argument, so equal seeds give equal results.
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar

import numpy as np

from maskkit.errors import PluginError
from maskkit.registry import Registry

TARGETS = ("image", "both")


class Augmenter(abc.ABC):
    """Base of every augmenter; subclasses set ``targets`` and implement ``__call__``.

    ``__call__(image, masks, rng)`` reads a uint8 HxWx3 image, bool HxWxN masks and a
    ``numpy.random.Generator`` and returns the new (image, masks); it must not modify its inputs.
    """

    targets: ClassVar[str] = ""

    @abc.abstractmethod
    def __call__(self, image: np.ndarray, masks: np.ndarray,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Return the augmented (image uint8 HxWx3, masks bool HxWxN)."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_") and k != "targets")
        return f"{type(self).__name__}({params})"


def check_augmenter_contract(obj: Any, where: str) -> None:
    """Raise PluginError naming ``where`` unless ``obj`` is a documented Augmenter with valid ``targets``.

    Args:
        obj: what an augmenter factory returned.
        where: names the factory in the error message.
    """
    if not isinstance(obj, Augmenter):
        raise PluginError(f"{where}: factory returned {type(obj).__name__}, not a maskkit.Augmenter")
    targets = getattr(obj, "targets", None)
    if targets not in TARGETS:
        raise PluginError(f"{where}: {type(obj).__name__}.targets must be 'image' (colour only, masks "
                          f"untouched) or 'both' (geometric, masks move with pixels), got {targets!r}")
    if not (type(obj).__doc__ or "").strip():
        raise PluginError(f"{where}: {type(obj).__name__} needs a docstring saying what it reads and changes")


def _check_registered(name: str, obj: Any) -> None:
    check_augmenter_contract(obj, where=f"augmenter {name!r}")


#: Augmenter factories registered through ``maskkit_register_augmenters``.
augmenters = Registry("augmenter", _check_registered)


def check_output(aug: Augmenter, image: np.ndarray, masks: np.ndarray,
                 out: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate what an augmenter returned; a colour augmenter must hand the masks back unchanged.

    Args:
        aug: the Augmenter that ran.
        image, masks: its inputs, uint8 [H, W, C] and [H, W, N].
        out: what it returned.

    Returns:
        The new (image uint8 [H', W', C], masks bool [H', W', N]).

    Raises:
        PluginError: ``out`` is not such a pair, or a colour augmenter changed the masks.
    """
    name = type(aug).__name__
    if not (isinstance(out, tuple) and len(out) == 2):
        raise PluginError(f"augmenter {name} must return (image, masks), got {type(out).__name__}")
    new_image, new_masks = out
    if (not isinstance(new_image, np.ndarray) or new_image.dtype != np.uint8 or new_image.ndim != 3
            or new_image.shape[2] != image.shape[2]):
        raise PluginError(f"augmenter {name} must return a uint8 HxWx{image.shape[2]} image, got "
                          f"{getattr(new_image, 'dtype', '?')} {getattr(new_image, 'shape', '?')}")
    if (not isinstance(new_masks, np.ndarray) or new_masks.ndim != 3
            or new_masks.shape != new_image.shape[:2] + (masks.shape[2],)):
        raise PluginError(f"augmenter {name} must return masks of shape {new_image.shape[:2] + (masks.shape[2],)} "
                          f"matching its image, got {getattr(new_masks, 'shape', '?')}")
    if aug.targets == "image" and not (new_masks is masks or np.array_equal(new_masks, masks)):
        raise PluginError(f"colour augmenter {name} (targets='image') changed the masks; declare "
                          f"targets='both' if it moves pixels")
    return new_image, new_masks.astype(bool, copy=False)
