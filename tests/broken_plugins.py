"""A deliberately broken plugin: each component breaks exactly one rule of the plugin contract.

Register it in-process with ``maskkit.plugins.register_plugin(broken_plugins, name="broken")``;
the conformance tests expect every ``broken_*`` name to fail with a message saying what is wrong.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np

from maskkit import Backbone, Dataset, hookimpl
from maskkit.augment.base import Augmenter

SIZE = 32


class SquaresDataset(Dataset):
    """A conforming baseline: four images, each with one square of class "square"."""

    def __init__(self, count: int = 4) -> None:
        super().__init__()
        self.add_class("squares", 1, "square")
        for i in range(count):
            self.add_image("squares", image_id=i, path=None)
        self.prepare()

    def load_image(self, image_id: int) -> np.ndarray:
        image = np.zeros((SIZE, SIZE, 3), dtype=np.uint8)
        image[4 + image_id:20 + image_id, 6:22] = 200
        return image

    def load_mask(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        mask = np.zeros((SIZE, SIZE, 1), dtype=bool)
        mask[4 + image_id:20 + image_id, 6:22, 0] = True
        return mask, np.array([1], dtype=np.int32)

    def image_reference(self, image_id: int) -> str:
        return f"square {image_id}"


class FloatMaskDataset(SquaresDataset):
    """Broken: returns float32 masks instead of bool."""

    def load_mask(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        mask, class_ids = super().load_mask(image_id)
        return mask.astype(np.float32), class_ids


class MismatchedCountDataset(SquaresDataset):
    """Broken: one mask but two class ids."""

    def load_mask(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        mask, _ = super().load_mask(image_id)
        return mask, np.array([1, 1], dtype=np.int32)


class RandomDataset(SquaresDataset):
    """Broken: every load_image call adds fresh noise, so the same id never gives the same image."""

    def load_image(self, image_id: int) -> np.ndarray:
        noise = np.random.default_rng().integers(0, 50, size=(SIZE, SIZE, 3))
        return (super().load_image(image_id) // 2 + noise).astype(np.uint8)


class FlipImageOnly(Augmenter):
    """Broken: mirrors the image left-right but returns the masks unmoved."""

    targets = "both"

    def __call__(self, image, masks, rng):
        return np.ascontiguousarray(image[:, ::-1]), masks


class ColourTouchingMasks(Augmenter):
    """Broken: brightens the image (a colour transform) but also clears the first row of every mask."""

    targets = "image"

    def __call__(self, image, masks, rng):
        masks = masks.copy()
        masks[: masks.shape[0] // 2] = False
        return np.clip(image.astype(np.int16) + 20, 0, 255).astype(np.uint8), masks


class UnseededBrightness(Augmenter):
    """Broken: brightens the image by an amount from its own call counter, not from ``rng``.

    Hidden state rather than an unseeded generator, so two calls never agree by chance.
    """

    targets = "image"
    calls = itertools.count(1)

    def __call__(self, image, masks, rng):
        shift = next(self.calls) % 39 + 1
        return np.clip(image.astype(np.int16) + shift, 0, 255).astype(np.uint8), masks


class NoTargets(Augmenter):
    """Broken: declares no ``targets``."""

    def __call__(self, image, masks, rng):
        return image, masks


class WrongStrideBackbone(Backbone):
    """Broken: promises strides 4..64 but its maps are twice as large (stride 2..32)."""

    name = "wrong_stride"

    def build(self, images: Any, config: Any) -> list[Any]:
        import keras

        x, features = images, []
        for level in range(2, 7):
            x = keras.layers.Conv2D(config.TOP_DOWN_PYRAMID_SIZE, 3, strides=2, padding="same",
                                    name=f"wrong_p{level}")(x)
            features.append(x)
        return features


DATASETS = {"broken_float_masks": FloatMaskDataset, "broken_mask_count": MismatchedCountDataset,
            "broken_random": RandomDataset}
AUGMENTERS = {"broken_flip_image_only": FlipImageOnly, "broken_colour_masks": ColourTouchingMasks,
              "broken_unseeded": UnseededBrightness}
BACKBONES = {"broken_strides": WrongStrideBackbone}


@hookimpl
def maskkit_register_datasets(register: Callable[..., None]) -> None:
    """Register the broken datasets."""
    for name, factory in DATASETS.items():
        register(name, factory)


@hookimpl
def maskkit_register_augmenters(register: Callable[..., None]) -> None:
    """Register the broken augmenters."""
    for name, factory in AUGMENTERS.items():
        register(name, factory)


@hookimpl
def maskkit_register_backbones(register: Callable[..., None]) -> None:
    """Register the broken backbone."""
    for name, factory in BACKBONES.items():
        register(name, factory)
