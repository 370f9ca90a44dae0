"""Deterministic train/val splits of one annotation file, and the check that validation is not training.

Each image goes to validation when a hash of ``(split_seed, image key)`` falls below ``val_fraction``,
so an image's side depends on its own key only: adding images never moves the others. The two parts
are disjoint and together cover every image.
"""

from __future__ import annotations

import hashlib
import os
import sys
from typing import Any, Hashable, Sequence

from maskkit.errors import DatasetError

SUBSETS = ("train", "val")


def split_value(key: Hashable, seed: int) -> float:
    """A uniform number in [0, 1) fixed by ``seed`` and the image key (stable across runs and machines)."""
    digest = hashlib.sha256(f"{int(seed)}:{key}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def validation_mask(keys: Sequence[Hashable], val_fraction: float, seed: int = 0) -> list[bool]:
    """Per key: True for validation. With two or more keys neither part is empty (the extreme hash moves).

    Args:
        keys: one stable key per image (e.g. its file name or annotation id), in dataset order.
        val_fraction: the share of images meant for validation, 0..1.
        seed: the split seed; another seed gives another split.
    """
    values = [split_value(key, seed) for key in keys]
    chosen = [v < val_fraction for v in values]
    if len(keys) >= 2 and val_fraction > 0:
        if not any(chosen):
            chosen[min(range(len(values)), key=values.__getitem__)] = True
        if all(chosen):
            chosen[max(range(len(values)), key=values.__getitem__)] = False
    return chosen


def check_split_args(who: str, subset: str | None, val_fraction: float | None) -> float | None:
    """The checked fraction (None: no split); a split needs subset train or val and 0 < fraction < 1.

    Args:
        who: how DatasetError messages name the dataset.
        subset: the part of the split to load, ``"train"`` or ``"val"``.
        val_fraction: the validation share as given (a number or a string of one); None for no split.
    """
    if val_fraction is None:
        return None
    try:
        fraction = float(val_fraction)
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{who}: val_fraction must be a number, got {val_fraction!r}") from exc
    if not 0.0 < fraction < 1.0:
        raise DatasetError(f"{who}: val_fraction must be between 0 and 1 (exclusive), got {fraction}")
    if subset not in SUBSETS:
        raise DatasetError(f"{who}: with val_fraction, subset must be 'train' or 'val' (the part of the "
                           f"split to load), got {subset!r}")
    return fraction


def select_subset(keys: Sequence[Hashable], subset: str, val_fraction: float, seed: int = 0) -> list[bool]:
    """Per key: True when the image belongs to ``subset`` ('train' or 'val') of the split.

    Args:
        keys: one stable key per image, in dataset order.
        subset: ``"val"`` for the validation part; anything else selects the training part.
        val_fraction: the validation share, 0..1.
        seed: the split seed.
    """
    in_val = validation_mask(keys, val_fraction, seed)
    return [v if subset == "val" else not v for v in in_val]


def image_keys(dataset: Any) -> set[str] | None:
    """The image files of a dataset, or None when some images are not files (then they cannot be compared)."""
    paths = [info.get("path") for info in dataset.image_info]
    if not paths or not all(isinstance(p, (str, os.PathLike)) for p in paths):
        return None
    return {os.path.abspath(os.fspath(p)) for p in paths}


def validation_overlap_message(train: Any, val: Any) -> str | None:
    """A warning when the validation images are (some of) the training images, else None.

    Args:
        train, val: the training and validation datasets (either may be None); images are compared
            by absolute file path, so datasets whose images are not all files are not compared.
    """
    if train is None or val is None:
        return None
    if train is val:
        return "the validation dataset IS the training dataset: validation losses and metrics measure memorisation"
    train_keys, val_keys = image_keys(train), image_keys(val)
    if train_keys is None or val_keys is None:
        return None
    shared = train_keys & val_keys
    if not shared:
        return None
    if val_keys <= train_keys:
        return (f"all {len(val_keys)} validation images are also training images: validation losses and "
                f"metrics measure memorisation. Split one annotation file with --data val_fraction=0.2 "
                f"(coco, via) or give --val-data for a separate set")
    return (f"{len(shared)} of {len(val_keys)} validation images are also training images; validation "
            f"numbers are optimistic")


def warn_if_validation_is_training(train: Any, val: Any) -> str | None:
    """Print a loud warning on stderr when validation reuses training images; returns it, if any.

    Args:
        train, val: the training and validation datasets, as in :func:`validation_overlap_message`.
    """
    message = validation_overlap_message(train, val)
    if message:
        print(f"\n*** WARNING: {message} ***\n", file=sys.stderr, flush=True)
    return message
