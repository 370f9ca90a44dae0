"""The hash-based train/val split, the coco factory's split, and the validation-is-training warning."""

from __future__ import annotations

import warnings

import pytest

from maskkit.errors import DatasetError
from maskkit.split import select_subset, validation_mask, validation_overlap_message, warn_if_validation_is_training
from maskkit_coco.dataset import make_coco
from tests.helpers_coco import build_coco


def test_split_is_disjoint_covering_seeded_and_stable_under_growth():
    keys = list(range(1000))
    val = select_subset(keys, "val", 0.2, seed=7)
    train = select_subset(keys, "train", 0.2, seed=7)
    assert all(a != b for a, b in zip(val, train))
    assert 150 < sum(val) < 250
    assert validation_mask(keys, 0.2, 7) == val and validation_mask(keys, 0.2, 8) != val
    assert validation_mask(keys + list(range(1000, 1500)), 0.2, 7)[:1000] == val


def test_tiny_sets_get_non_empty_parts():
    for n in (2, 3, 5):
        chosen = validation_mask([f"img{i}" for i in range(n)], 0.01)
        assert 1 <= sum(chosen) < n
        chosen = validation_mask([f"img{i}" for i in range(n)], 0.99)
        assert 1 <= sum(chosen) < n


def load(files, subset, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make_coco(str(files.annotations), str(files.images), subset=subset, **kwargs)


def test_coco_factory_splits_one_file(tmp_path):
    files = build_coco(tmp_path)
    train, val = load(files, "train", val_fraction=0.5), load(files, "val", val_fraction=0.5)
    train_ids = {info["id"] for info in train.image_info}
    val_ids = {info["id"] for info in val.image_info}
    assert train_ids and val_ids and not train_ids & val_ids and train_ids | val_ids == {10, 20, 30, 40}
    assert validation_overlap_message(train, val) is None
    with pytest.raises(DatasetError, match="subset must be 'train' or 'val'"):
        load(files, None, val_fraction=0.5)
    with pytest.raises(DatasetError, match="val_fraction must be between 0 and 1"):
        load(files, "val", val_fraction=1.5)


def test_same_file_without_split_warns_loudly(tmp_path, capsys):
    files = build_coco(tmp_path)
    train, val = load(files, "train"), load(files, "val")
    message = warn_if_validation_is_training(train, val)
    assert "all 4 validation images are also training images" in message and "val_fraction" in message
    assert "*** WARNING: all 4 validation images" in capsys.readouterr().err
    part = load(files, "val", val_fraction=0.5)
    assert "also training images" in validation_overlap_message(part, load(files, "train"))


def test_datasets_without_files_are_not_compared():
    from maskkit_shapes.dataset import make_shapes

    assert validation_overlap_message(make_shapes(count=3), make_shapes(count=3, subset="val")) is None
    shapes = make_shapes(count=3)
    assert "IS the training dataset" in validation_overlap_message(shapes, shapes)
