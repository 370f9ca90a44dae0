"""Load one image's training ground truth: augment, resize, drop vanished instances, boxes from masks.

Boxes are always recomputed from the final masks (the seed's reasoning: after any flip, crop or
rotation the masks are the truth and the boxes must follow them).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from maskkit.augment.base import check_output
from maskkit.config import Config
from maskkit.dataset import Dataset
from maskkit.errors import ConfigError, DatasetError, MaskkitError
from maskkit.image_meta import compose_image_meta
from maskkit.utils.box_math import extract_bboxes
from maskkit.utils.resize import minimize_mask, resize_image, resize_mask

GroundTruth = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def load_image_gt(dataset: Dataset, config: Config, image_id: int,
                  augmenters: Callable | None = None, use_mini_mask: bool | None = None,
                  rng: np.random.Generator | None = None) -> GroundTruth:
    """Return (image uint8, image_meta float32, class_ids int32 [N], bboxes int32 [N, 4], masks bool).

    ``augmenters`` (an Augmenter) is applied to the original image and masks together, before
    resizing; ``image_meta``'s original shape is the augmented image's shape, which the window
    and scale refer to. Instances whose mask is empty after resizing are left out.

    Args:
        dataset: the prepared Dataset to load from; its class count must match config.NUM_CLASSES.
        config: supplies the resize settings, NUM_CLASSES and the mini-mask settings.
        image_id: the image's index in ``dataset``.
        augmenters: an Augmenter applied before resizing, or None for none.
        use_mini_mask: masks as MINI_MASK_SHAPE + [N] instead of [H, W, N]; None means config.USE_MINI_MASK.
        rng: drives augmentation and crop mode; None means a fresh unseeded generator.

    Raises:
        ConfigError: NUM_CLASSES does not match the dataset.
        DatasetError: the augmenter failed.
    """
    rng = rng if rng is not None else np.random.default_rng()
    use_mini_mask = config.USE_MINI_MASK if use_mini_mask is None else use_mini_mask
    check_class_count(dataset, config)
    active = active_class_ids(dataset, config, image_id)
    image, mask, class_ids = dataset.load_checked(image_id)
    if augmenters is not None:
        try:
            image, mask = check_output(augmenters, image, mask, augmenters(image, mask, rng))
        except MaskkitError:
            raise
        except Exception as exc:
            raise DatasetError(f"{dataset.describe_image(image_id)}: augmenter {augmenters!r} failed: "
                               f"{type(exc).__name__}: {exc}") from exc
    original_shape = image.shape
    image, window, scale, padding, crop = resize_image(
        image, min_dim=config.IMAGE_MIN_DIM, max_dim=config.IMAGE_MAX_DIM, min_scale=config.IMAGE_MIN_SCALE,
        mode=config.IMAGE_RESIZE_MODE, rng=rng)
    mask = resize_mask(mask, scale, padding, crop)
    bboxes = extract_bboxes(mask)
    present = bboxes[:, 2] > bboxes[:, 0]
    if not present.all():
        mask, class_ids, bboxes = mask[:, :, present], class_ids[present], bboxes[present]
    if use_mini_mask:
        mask = minimize_mask(bboxes, mask, config.MINI_MASK_SHAPE)
    image_meta = compose_image_meta(image_id, original_shape, image.shape, window, scale, active)
    return image, image_meta, class_ids.astype(np.int32), bboxes.astype(np.int32), mask


def active_class_ids(dataset: Dataset, config: Config, image_id: int) -> np.ndarray:
    """int32 [NUM_CLASSES]: 1 for the classes of the image's source (and BG), 0 elsewhere.

    Args:
        dataset: the prepared Dataset holding the image.
        config: supplies NUM_CLASSES.
        image_id: the image's index in ``dataset``.
    """
    active = np.zeros(config.NUM_CLASSES, dtype=np.int32)
    source = dataset.image_info[image_id]["source"]
    active[dataset.source_class_ids.get(source, [0])] = 1
    return active


def check_class_count(dataset: Dataset, config: Config) -> None:
    """Raise ConfigError when NUM_CLASSES does not match the dataset's class count (BG included).

    Args:
        dataset: the prepared Dataset.
        config: supplies NUM_CLASSES.
    """
    if dataset.num_classes != config.NUM_CLASSES:
        raise ConfigError("NUM_CLASSES", f"is {config.NUM_CLASSES} but {dataset.name} has "
                          f"{dataset.num_classes} classes including BG ({', '.join(dataset.class_names)})")
