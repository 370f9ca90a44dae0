"""A colour augmenter: rotate the hue of the whole image by a random angle."""

from __future__ import annotations

import cv2
import numpy as np

from maskkit.augment.base import Augmenter


class HueShift(Augmenter):
    """Rotate the hue of every pixel by an angle drawn from +-``max_degrees``; reads and changes the
    image only, masks are returned untouched."""

    targets = "image"

    def __init__(self, max_degrees: float = 20.0) -> None:
        max_degrees = float(max_degrees)
        if not 0.0 <= max_degrees <= 180.0:
            raise ValueError(f"via_hue_shift: max_degrees must be within 0..180, got {max_degrees}")
        self.max_degrees = max_degrees

    def __call__(self, image: np.ndarray, masks: np.ndarray,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        degrees = float(rng.uniform(-self.max_degrees, self.max_degrees))
        shift = int(round(degrees / 2.0))  # OpenCV stores 8-bit hue as 0..179, i.e. degrees / 2
        if shift == 0:
            return image, masks
        hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
        hsv[:, :, 0] = (hsv[:, :, 0].astype(np.int16) + shift) % 180
        return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB), masks
