"""Image and mask resizing helpers (matterport ``mrcnn/utils.py`` semantics, OpenCV backend).

Pure numpy + OpenCV; no TensorFlow.
"""
from __future__ import annotations

from typing import Optional, Sequence

import cv2
import numpy as np

__all__ = [
    "resize",
    "resize_image",
    "resize_mask",
    "minimize_mask",
    "expand_mask",
    "paste_mask",
    "unmold_mask",
]

Window = tuple[int, int, int, int]
Padding = list[tuple[int, int]]
Crop = Optional[tuple[int, int, int, int]]

_CV_NATIVE = {np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.int16),
              np.dtype(np.float32), np.dtype(np.float64)}
_CV_MAX_CHANNELS = 128  # CV_CN_MAX in OpenCV 5 (512 in OpenCV 4)


def resize(image: np.ndarray, output_shape: Sequence[int],
           interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """Resize [H, W] or [H, W, C] to (h, w) with cv2, keeping dtype and the channel axis.

    Works for any dtype (bool/int32/float16 go through float32) and any channel count.

    Args:
        image: [H, W] or [H, W, C] array, H and W nonzero.
        output_shape: (h, w, ...) of the result; h and w must be positive.
        interpolation: a cv2.INTER_* flag; bilinear by default.

    Returns:
        [h, w] or [h, w, C] of the input's dtype (integers rounded and clipped, bool thresholded at 0.5).
    """
    image = np.asarray(image)
    out_h, out_w = int(output_shape[0]), int(output_shape[1])
    if out_h <= 0 or out_w <= 0:
        raise ValueError(f"output shape must be positive, got {(out_h, out_w)}")
    if image.ndim not in (2, 3):
        raise ValueError(f"expected a [H, W] or [H, W, C] array, got shape {image.shape}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f"cannot resize an empty image of shape {image.shape}")
    dtype = image.dtype
    work = image if dtype in _CV_NATIVE else image.astype(np.float32)
    if image.ndim == 2:
        out = cv2.resize(work, (out_w, out_h), interpolation=interpolation)
    else:
        c = image.shape[2]
        if c == 0:
            return np.zeros((out_h, out_w, 0), dtype=dtype)
        chunks = []
        for start in range(0, c, _CV_MAX_CHANNELS):
            part = np.ascontiguousarray(work[:, :, start:start + _CV_MAX_CHANNELS])
            r = cv2.resize(part, (out_w, out_h), interpolation=interpolation)
            chunks.append(r.reshape(out_h, out_w, part.shape[2]))
        out = chunks[0] if len(chunks) == 1 else np.concatenate(chunks, axis=2)
    if out.dtype != dtype:
        if dtype == np.bool_:
            out = out >= 0.5
        elif np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            out = np.clip(np.rint(out), info.min, info.max).astype(dtype)
        else:
            out = out.astype(dtype)
    return out


def pad_with_zeros(image: np.ndarray, padding: Padding) -> np.ndarray:
    """``image`` [H, W(, C)] with ``padding``'s (before, after) rows and columns of zeros, as
    np.pad(mode="constant") gives, without its per-call overhead; the image itself when there is none.

    Args:
        image: [H, W] or [H, W, C] array.
        padding: [(top, bottom), (left, right), ...]; entries past the second are ignored.
    """
    (top, bottom), (left, right) = padding[0], padding[1]
    if not (top or bottom or left or right):
        return image
    h, w = image.shape[:2]
    out = np.zeros((h + top + bottom, w + left + right, *image.shape[2:]), dtype=image.dtype)
    out[top:top + h, left:left + w] = image
    return out


def resize_image(
    image: np.ndarray,
    min_dim: Optional[int] = None,
    max_dim: Optional[int] = None,
    min_scale: Optional[float] = None,
    mode: str = "square",
    rng: Optional[np.random.Generator] = None,
) -> tuple[np.ndarray, Window, float, Padding, Crop]:
    """Resize (and pad or crop) an image keeping aspect ratio, as matterport's resize_image.

    Modes: ``none`` (unchanged), ``square`` (scale then pad to max_dim x max_dim),
    ``pad64`` (scale then pad sides to multiples of 64), ``crop`` (scale then random
    min_dim x min_dim crop; pass ``rng`` for determinism).
    Returns (image, window (y1, x1, y2, x2) of the real image, scale, padding, crop).

    Args:
        image: [H, W] or [H, W, C] array; the dtype is kept.
        min_dim: scale up (never down) so the shorter side is at least this; pad64 needs a multiple of 64,
            pad64 and crop need it set.
        max_dim: ``square`` only: scale down so the longer side fits, and the output square's side.
        min_scale: lower bound on the scale, applied after ``min_dim`` and before ``max_dim``'s limit.
        mode: ``none``, ``square``, ``pad64`` or ``crop``.
        rng: ``crop`` only: picks the crop's corner; None draws from a fresh unseeded generator.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be [H, W] or [H, W, C], got shape {image.shape}")
    dtype = image.dtype
    h, w = image.shape[:2]
    window: Window = (0, 0, h, w)
    scale: float = 1
    padding: Padding = [(0, 0), (0, 0), (0, 0)]
    crop: Crop = None

    if mode not in ("none", "square", "pad64", "crop"):
        raise ValueError(f"Mode {mode!r} not supported; use none, square, pad64 or crop")
    if mode == "none":
        return image, window, scale, padding, crop
    if h == 0 or w == 0:
        raise ValueError(f"cannot resize an empty image of shape {image.shape}")
    if mode == "square" and not max_dim:
        raise ValueError("square mode needs max_dim (the side of the output square)")
    if mode in ("pad64", "crop") and not min_dim:
        raise ValueError(f"{mode} mode needs min_dim")

    if min_dim:
        scale = max(1, min_dim / min(h, w))
    if min_scale and scale < min_scale:
        scale = min_scale
    if max_dim and mode == "square":
        image_max = max(h, w)
        if round(image_max * scale) > max_dim:
            scale = max_dim / image_max
    if scale != 1:
        image = resize(image, (round(h * scale), round(w * scale)))

    if mode == "square":
        h, w = image.shape[:2]
        top = (max_dim - h) // 2
        left = (max_dim - w) // 2
        padding = [(top, max_dim - h - top), (left, max_dim - w - left), (0, 0)]
        image = pad_with_zeros(image, padding)
        window = (top, left, h + top, w + left)
    elif mode == "pad64":
        if min_dim % 64 != 0:
            raise ValueError(f"pad64 mode: min_dim must be a multiple of 64, got {min_dim}")
        h, w = image.shape[:2]
        ph = (-h) % 64
        pw = (-w) % 64
        padding = [(ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)]
        image = pad_with_zeros(image, padding)
        window = (ph // 2, pw // 2, h + ph // 2, w + pw // 2)
    else:  # crop
        h, w = image.shape[:2]
        if h < min_dim or w < min_dim:
            raise ValueError(f"crop mode: image {(h, w)} smaller than min_dim {min_dim}")
        gen = rng if rng is not None else np.random.default_rng()
        y = int(gen.integers(0, h - min_dim + 1))
        x = int(gen.integers(0, w - min_dim + 1))
        crop = (y, x, min_dim, min_dim)
        image = image[y:y + min_dim, x:x + min_dim]
        window = (0, 0, min_dim, min_dim)
    return image.astype(dtype, copy=False), window, scale, padding, crop


def resize_mask(mask: np.ndarray, scale: float, padding: Padding,
                crop: Crop = None) -> np.ndarray:
    """Scale (nearest neighbour), then crop or pad a [H, W, N] mask to match resize_image (the input
    itself when there is nothing to scale, crop or pad).

    Args:
        mask: [H, W, N] masks of the image before resize_image.
        scale: the scale resize_image returned.
        padding: the padding resize_image returned; unused when ``crop`` is given.
        crop: the crop (y, x, h, w) resize_image returned, or None.
    """
    mask = np.asarray(mask)
    if mask.ndim != 3:
        raise ValueError(f"mask must be [H, W, N], got shape {mask.shape}")
    h, w = mask.shape[:2]
    if scale != 1:
        new_shape = (round(h * scale), round(w * scale))
        if mask.shape[2] == 0:
            mask = np.zeros(new_shape + (0,), dtype=mask.dtype)
        elif mask.dtype == np.bool_:
            # Nearest neighbour copies values, so 0/1 bytes resized as uint8 are the bool result
            # (a float32 round trip would move 4x the bytes per pixel and instance).
            mask = resize(mask.view(np.uint8), new_shape, interpolation=cv2.INTER_NEAREST_EXACT).view(np.bool_)
        else:
            mask = resize(mask, new_shape, interpolation=cv2.INTER_NEAREST_EXACT)
    if crop is not None:
        y, x, ch, cw = crop
        return mask[y:y + ch, x:x + cw]
    return pad_with_zeros(mask, padding)


def minimize_mask(bbox: np.ndarray, mask: np.ndarray,
                  mini_shape: Sequence[int]) -> np.ndarray:
    """Crop each instance to its box and shrink to ``mini_shape`` (bool) to save memory: a bilinear
    resize of the crop as float32, then >= 0.5.

    Per instance only the crop's conversion and one OpenCV call run; thresholding and the
    [H, W, N] layout happen once for all. This runs on the input pipeline's threads, where every
    Python step holds the GIL, and images can have a hundred instances.

    Args:
        bbox: [N, (y1, x1, y2, x2, ...)] pixel boxes, from extract_bboxes; an empty box raises ValueError.
        mask: [H, W, N] instance masks.
        mini_shape: (height, width, ...) of each mini mask.

    Returns:
        bool [mini_height, mini_width, N].
    """
    mask = np.asarray(mask)
    bbox = np.asarray(bbox)
    mini_h, mini_w = int(mini_shape[0]), int(mini_shape[1])
    n = mask.shape[-1]
    if bbox.shape[0] != n:
        raise ValueError(f"got {bbox.shape[0]} boxes for {n} masks")
    planes = np.moveaxis(mask, -1, 0)
    shrunk = np.empty((n, mini_h, mini_w), dtype=np.float32)
    corners = bbox[:, :4].astype(np.int64).tolist() if n else []
    for i, (y1, x1, y2, x2) in enumerate(corners):
        crop = planes[i, y1:y2, x1:x2]
        if crop.size == 0:
            raise ValueError(
                f"minimize_mask: instance {i} has an empty bounding box {(y1, x1, y2, x2)}"
            )
        cv2.resize(crop.astype(np.float32), (mini_w, mini_h), dst=shrunk[i], interpolation=cv2.INTER_LINEAR)
    return np.ascontiguousarray(np.moveaxis(shrunk >= 0.5, 0, -1))


def expand_mask(bbox: np.ndarray, mini_mask: np.ndarray,
                image_shape: Sequence[int]) -> np.ndarray:
    """Inverse of minimize_mask: paste each mini mask back into a full-image bool mask.

    Args:
        bbox: [N, (y1, x1, y2, x2, ...)] pixel boxes the mini masks were cut from; empty boxes stay empty.
        mini_mask: [h, w, N] mini masks.
        image_shape: (height, width, ...) of the image.

    Returns:
        bool [height, width, N].
    """
    mini_mask = np.asarray(mini_mask)
    bbox = np.asarray(bbox)
    n = mini_mask.shape[-1]
    if bbox.shape[0] != n:
        raise ValueError(f"got {bbox.shape[0]} boxes for {n} mini masks")
    mask = np.zeros((int(image_shape[0]), int(image_shape[1]), n), dtype=bool)
    for i in range(n):
        y1, x1, y2, x2 = (int(v) for v in bbox[i][:4])
        if y2 <= y1 or x2 <= x1:
            continue
        m = resize(mini_mask[:, :, i].astype(np.float32), (y2 - y1, x2 - x1))
        mask[y1:y2, x1:x2, i] = m >= 0.5
    return mask


def unmold_mask(mask: np.ndarray, bbox: Sequence[int],
                image_shape: Sequence[int]) -> np.ndarray:
    """Resize a small float mask to its box and threshold at 0.5 into a full-image bool mask.

    Args:
        mask: [h, w] float mask, e.g. a mask head's output.
        bbox: (y1, x1, y2, x2) pixel box; the part outside the image is dropped.
        image_shape: (height, width, ...) of the image.

    Returns:
        bool [height, width].
    """
    full = np.zeros((int(image_shape[0]), int(image_shape[1])), dtype=bool)
    paste_mask(full, mask, bbox)
    return full


def paste_mask(canvas: np.ndarray, mask: np.ndarray, bbox: Sequence[int]) -> None:
    """Resize a small float mask to its pixel box, threshold at 0.5 and write the part of the box that
    lies inside ``canvas`` [H, W] into it (detect fills one preallocated [N, H, W] array this way).

    Args:
        canvas: [H, W] bool array written in place, only inside the box.
        mask: [h, w] float mask.
        bbox: (y1, x1, y2, x2) pixel box; an empty box writes nothing.
    """
    y1, x1, y2, x2 = (int(v) for v in bbox[:4])
    if y2 <= y1 or x2 <= x1:
        return
    m = resize(np.asarray(mask, dtype=np.float32), (y2 - y1, x2 - x1)) >= 0.5
    cy1, cx1 = max(y1, 0), max(x1, 0)
    cy2, cx2 = min(y2, canvas.shape[0]), min(x2, canvas.shape[1])
    if cy2 > cy1 and cx2 > cx1:
        canvas[cy1:cy2, cx1:cx2] = m[cy1 - y1:cy2 - y1, cx1 - x1:cx2 - x1]
