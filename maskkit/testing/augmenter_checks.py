"""Conformance checks for augmenter plugins, run on a marker image whose pixels spell their position."""

from __future__ import annotations

from typing import Any

import numpy as np

from maskkit.augment.base import Augmenter, augmenters, check_augmenter_contract
from maskkit.errors import PluginError
from maskkit.testing import marker
from maskkit.testing.conformance_error import ConformanceError
from maskkit.testing.resolve import build

TRIALS = 8
MIN_TRACKED_FRACTION = 0.1


def check_augmenter(augmenter_or_name: Any, *, seed: int = 0, **kwargs: Any) -> Any:
    """Check an augmenter plugin (registered name, factory or Augmenter) and return the augmenter.

    Over several seeds starting at ``seed``: the output is a uint8 HxWx3 image and bool HxWxN
    masks, the inputs are not modified, equal seeds give equal results, a colour augmenter
    (``targets="image"``) returns the masks bit-identical, and a geometric one (``"both"``) puts
    every mask pixel where its image pixel went. Images without instances must work too.
    Raises ConformanceError listing every problem.

    Args:
        augmenter_or_name: a registered augmenter name, a factory returning an Augmenter, or an Augmenter.
        seed: the first of the ``TRIALS`` consecutive seeds tried.
        kwargs: passed to the factory (those it accepts).

    Returns:
        The augmenter that was checked.
    """
    subject, aug = build("augmenter", augmenter_or_name, augmenters, lambda obj: isinstance(obj, Augmenter),
                         kwargs)
    try:
        check_augmenter_contract(aug, where=subject)
    except PluginError as exc:
        raise ConformanceError(subject, [str(exc)]) from exc
    image, masks = marker.marker_image(), marker.marker_masks()
    failing = [found for trial_seed in range(seed, seed + TRIALS)
               if (found := trial_problems(aug, image, masks, trial_seed))]
    suffix = f" [{len(failing)} of {TRIALS} seeds fail; the first is shown]" if len(failing) > 1 else ""
    problems = [problem + suffix for problem in failing[0]] if failing else []
    problems.extend(trial_problems(aug, image, masks[:, :, :0], seed, what="an image without instances"))
    if problems:
        raise ConformanceError(subject, problems)
    return aug


def run(aug: Any, image: np.ndarray, masks: np.ndarray, seed: int) -> Any:
    """Call the augmenter on copies with a fresh generator seeded ``seed``.

    Args:
        aug: the augmenter under test.
        image: uint8 HxWx3 input image; not modified.
        masks: bool HxWxN input masks; not modified.
        seed: seed of the numpy Generator passed as the augmenter's rng.

    Returns:
        Whatever the augmenter returns, normally ``(image, masks)``.
    """
    return aug(image.copy(), masks.copy(), np.random.default_rng(seed))


def trial_problems(aug: Any, image: np.ndarray, masks: np.ndarray, seed: int,
                   what: str = "the marker image") -> list[str]:
    """Problems of one call on ``image``/``masks`` with ``seed`` (and its repetition).

    Args:
        aug: the augmenter under test; its ``targets`` picks the colour or the geometry checks.
        image: uint8 HxWx3 marker image.
        masks: bool HxWxN masks in the marker image's coordinates (N may be 0).
        seed: seed of the rng for the call and its repetition.
        what: how messages name the input, e.g. "the marker image".

    Returns:
        Messages prefixed with the seed and input; empty when the call conforms.
    """
    where = f"seed {seed} on {what}"
    image_in, masks_in = image.copy(), masks.copy()
    try:
        out = aug(image_in, masks_in, np.random.default_rng(seed))
    except Exception as exc:
        return [f"{where}: raised {type(exc).__name__}: {exc}"]
    problems = []
    if not (np.array_equal(image_in, image) and np.array_equal(masks_in, masks)):
        problems.append(f"{where}: modified its input arrays in place (return new arrays instead)")
    shape_errors = output_problems(out, masks.shape[2], where)
    if shape_errors:
        return problems + shape_errors
    new_image, new_masks = out
    again = run(aug, image, masks, seed)
    if not (isinstance(again, tuple) and len(again) == 2 and np.array_equal(again[0], new_image)
            and np.array_equal(again[1], new_masks)):
        problems.append(f"{where}: the same seed gave a different result on a second call (draw all "
                        f"randomness from the rng argument)")
    if aug.targets == "image":
        problems.extend(colour_problems(image, masks, new_image, new_masks, where))
    else:
        problems.extend(geometry_problems(masks, new_image, new_masks, where))
    return problems


def output_problems(out: Any, count: int, where: str) -> list[str]:
    """The result must be (uint8 HxWx3 image, bool HxWxN masks of the same size and N).

    Args:
        out: what the augmenter returned.
        count: N, the number of masks passed in.
        where: message prefix naming the seed and input.

    Returns:
        At most one message; empty when the result has the right types and shapes.
    """
    if not (isinstance(out, tuple) and len(out) == 2):
        return [f"{where}: must return a tuple (image, masks), got {type(out).__name__}"]
    new_image, new_masks = out
    if not isinstance(new_image, np.ndarray) or new_image.dtype != np.uint8 or new_image.ndim != 3 \
            or new_image.shape[2] != 3:
        return [f"{where}: returned an image of dtype {getattr(new_image, 'dtype', type(new_image).__name__)} "
                f"shape {getattr(new_image, 'shape', None)}; it must be uint8 HxWx3"]
    if not isinstance(new_masks, np.ndarray) or new_masks.dtype != bool or new_masks.ndim != 3:
        return [f"{where}: returned masks of dtype {getattr(new_masks, 'dtype', type(new_masks).__name__)} "
                f"shape {getattr(new_masks, 'shape', None)}; they must be bool HxWxN"]
    expected = new_image.shape[:2] + (count,)
    if new_masks.shape != expected:
        return [f"{where}: returned masks of shape {new_masks.shape} for an image of shape {new_image.shape} "
                f"and {count} instances; expected {expected}"]
    return []


def colour_problems(image: np.ndarray, masks: np.ndarray, new_image: np.ndarray, new_masks: np.ndarray,
                    where: str) -> list[str]:
    """A colour augmenter keeps the image size and returns the masks bit-identical.

    Args:
        image, masks: the input image (HxWx3) and masks (HxWxN).
        new_image, new_masks: what the augmenter returned for them.
        where: message prefix naming the seed and input.

    Returns:
        At most one message; empty when the augmenter conforms.
    """
    problems = []
    if new_image.shape != image.shape:
        problems.append(f"{where}: colour augmenter (targets='image') changed the image shape from {image.shape} "
                        f"to {new_image.shape}; resizing is geometric (targets='both')")
    elif not np.array_equal(new_masks, masks):
        changed = int(np.count_nonzero(new_masks != masks))
        problems.append(f"{where}: colour augmenter (targets='image') changed {changed} mask pixels; it must "
                        f"return the masks untouched")
    return problems


def geometry_problems(masks: np.ndarray, new_image: np.ndarray, new_masks: np.ndarray, where: str) -> list[str]:
    """A geometric augmenter moves each mask pixel to where the marker says its image pixel went.

    Args:
        masks: bool HxWxN input masks in marker-image coordinates.
        new_image: the returned image, decoded with ``marker.decode`` to find each pixel's source.
        new_masks: the returned bool masks, compared with ``masks`` at those sources.
        where: message prefix naming the seed and input.

    Returns:
        At most one message; empty when the masks follow the pixels.
    """
    valid, exact, source_y, source_x = marker.decode(new_image)
    comparable = valid[..., None] & (exact[..., None] | marker.stable(masks)[source_y, source_x])
    tracked = int(np.count_nonzero(valid))
    if tracked < MIN_TRACKED_FRACTION * valid.size:
        return [f"{where}: only {tracked} of {valid.size} output pixels still carry a marker colour; a geometric "
                f"augmenter (targets='both') must move pixels without recolouring them (put colour changes "
                f"in a separate targets='image' augmenter)"]
    if masks.shape[2] == 0:
        return []
    expected = masks[source_y, source_x]
    wrong = comparable & (new_masks != expected)
    if not wrong.any():
        return []
    y, x, k = (int(v) for v in np.argwhere(wrong)[0])
    return [f"{where}: masks do not move with the pixels: {int(np.count_nonzero(wrong))} mask pixels disagree "
            f"with the image, first mask {k} at output (y={y}, x={x}), whose image pixel came from "
            f"(y={int(source_y[y, x])}, x={int(source_x[y, x])}) where the mask is {bool(expected[y, x, k])} "
            f"but the output mask is {bool(new_masks[y, x, k])}"]
