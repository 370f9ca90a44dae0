"""Built-in augmenters: flips, 90-degree turns, scale+crop, small rotations, brightness/contrast, blur.

Geometric ones warp the image with OpenCV and sample the masks nearest-neighbour through the same
mapping, so every mask pixel lands where its image pixel lands. All randomness comes from ``rng``.
"""

from __future__ import annotations

import cv2
import numpy as np

from maskkit.augment.base import Augmenter


def affine_warp(image: np.ndarray, masks: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Warp image (bilinear) and masks (nearest) by the 2x3 source->destination ``matrix``, same size."""
    h, w = image.shape[:2]
    matrix = np.asarray(matrix, dtype=np.float64)
    warped = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    inverse = cv2.invertAffineTransform(matrix)
    ys, xs = np.mgrid[0:h, 0:w]
    src_x = np.rint(inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2]).astype(np.int64)
    src_y = np.rint(inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2]).astype(np.int64)
    inside = (src_x >= 0) & (src_x < w) & (src_y >= 0) & (src_y < h)
    moved = np.zeros_like(masks)
    moved[inside] = masks[src_y[inside], src_x[inside]]
    return warped.reshape(image.shape), moved


class _Flip(Augmenter):
    """Mirror image and masks along ``axis`` with probability ``p``; reads and moves both."""

    targets = "both"
    axis = 1

    def __init__(self, p: float = 0.5) -> None:
        self.p = float(p)

    def __call__(self, image, masks, rng):
        if rng.random() >= self.p:
            return image, masks
        return (np.ascontiguousarray(np.flip(image, self.axis)),
                np.ascontiguousarray(np.flip(masks, self.axis)))


class FlipLR(_Flip):
    """Mirror image and masks left-right with probability ``p``; reads and moves both."""

    axis = 1


class FlipUD(_Flip):
    """Mirror image and masks top-bottom with probability ``p``; reads and moves both."""

    axis = 0


class Rot90(Augmenter):
    """Turn image and masks by k * 90 degrees, k drawn from 0..3 (H and W swap for odd k)."""

    targets = "both"

    def __call__(self, image, masks, rng):
        k = int(rng.integers(4))
        if k == 0:
            return image, masks
        return (np.ascontiguousarray(np.rot90(image, k, axes=(0, 1))),
                np.ascontiguousarray(np.rot90(masks, k, axes=(0, 1))))


class ScaleCrop(Augmenter):
    """Zoom image and masks by a factor drawn from ``scale`` and crop/pad back to the same size at a
    random offset; reads and moves both."""

    targets = "both"

    def __init__(self, scale: tuple[float, float] = (1.0, 1.3)) -> None:
        low, high = (float(v) for v in scale)
        if not 0.0 < low <= high:
            raise ValueError(f"scale_crop: scale must be (low, high) with 0 < low <= high, got {scale}")
        self.scale = (low, high)

    def __call__(self, image, masks, rng):
        h, w = image.shape[:2]
        s = float(rng.uniform(*self.scale))
        extra_x, extra_y = (s - 1.0) * w, (s - 1.0) * h
        ox = float(rng.uniform(min(0.0, extra_x), max(0.0, extra_x)))
        oy = float(rng.uniform(min(0.0, extra_y), max(0.0, extra_y)))
        return affine_warp(image, masks, np.array([[s, 0.0, -ox], [0.0, s, -oy]]))


class Rotate(Augmenter):
    """Rotate image (bilinear) and masks (nearest) about the centre by an angle within +-``max_angle``
    degrees; corners that leave the frame are cut, uncovered corners are black."""

    targets = "both"

    def __init__(self, max_angle: float = 10.0) -> None:
        self.max_angle = float(max_angle)

    def __call__(self, image, masks, rng):
        angle = float(rng.uniform(-self.max_angle, self.max_angle))
        h, w = image.shape[:2]
        matrix = cv2.getRotationMatrix2D(((w - 1) / 2.0, (h - 1) / 2.0), angle, 1.0)
        return affine_warp(image, masks, matrix)


class BrightnessContrast(Augmenter):
    """Scale pixel values by 1 +- ``contrast`` and shift them by +- ``brightness`` * 255; reads and
    changes the image only, masks are returned untouched."""

    targets = "image"

    def __init__(self, brightness: float = 0.2, contrast: float = 0.2) -> None:
        self.brightness = float(brightness)
        self.contrast = float(contrast)

    def __call__(self, image, masks, rng):
        alpha = 1.0 + float(rng.uniform(-self.contrast, self.contrast))
        beta = 255.0 * float(rng.uniform(-self.brightness, self.brightness))
        out = image.astype(np.float32) * alpha + beta
        return np.clip(np.rint(out), 0, 255).astype(np.uint8), masks


class GaussianBlur(Augmenter):
    """Blur the image with a Gaussian of sigma drawn from ``sigma``; changes the image only, masks
    are returned untouched."""

    targets = "image"

    def __init__(self, sigma: tuple[float, float] = (0.0, 1.5)) -> None:
        low, high = (float(v) for v in sigma)
        if not 0.0 <= low <= high:
            raise ValueError(f"gaussian_blur: sigma must be (low, high) with 0 <= low <= high, got {sigma}")
        self.sigma = (low, high)

    def __call__(self, image, masks, rng):
        sigma = float(rng.uniform(*self.sigma))
        if sigma < 0.1:
            return image, masks
        return cv2.GaussianBlur(image, (0, 0), sigmaX=sigma, sigmaY=sigma).reshape(image.shape), masks
