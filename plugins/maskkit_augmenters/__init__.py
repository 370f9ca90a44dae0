"""Built-in plugin: the stock augmenters, registered by import string so nothing loads until used."""

from __future__ import annotations

from typing import Callable

from maskkit.hookspecs import hookimpl

BUILTINS = {
    "fliplr": ("FlipLR", "mirror left-right with probability p (default 0.5)"),
    "flipud": ("FlipUD", "mirror top-bottom with probability p (default 0.5)"),
    "rot90": ("Rot90", "turn by a random multiple of 90 degrees"),
    "scale_crop": ("ScaleCrop", "zoom by a random factor in scale=(1.0, 1.3) and crop back to size"),
    "rotate": ("Rotate", "rotate by a random angle within +-max_angle (default 10) degrees"),
    "brightness_contrast": ("BrightnessContrast", "random brightness and contrast (colour only)"),
    "gaussian_blur": ("GaussianBlur", "Gaussian blur with sigma in (0, 1.5) (colour only)"),
}


@hookimpl
def maskkit_register_augmenters(register: Callable[..., None]) -> None:
    """Register the built-in augmenters."""
    for name, (cls, description) in BUILTINS.items():
        register(name, f"maskkit_augmenters.transforms:{cls}", description=description)
