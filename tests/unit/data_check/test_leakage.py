"""Images shared between splits: identical files and near copies are found across train and val."""

from __future__ import annotations

import shutil
import warnings

import cv2
import numpy as np
import pytest

from maskkit.data_check.leakage import (difference_hash, leak_findings, near_pairs, split_fingerprints,
                                        warn_split_overlap)
from tests.helpers_data_check import Files, picture


@pytest.fixture
def leaky(tmp_path):
    """train/ with 4 pictures; val/ with a byte copy of train's 0, a re-encoded copy of train's 1, 2 new ones."""
    (tmp_path / "train").mkdir()
    (tmp_path / "val").mkdir()
    train = [tmp_path / "train" / f"{i}.png" for i in range(4)]
    for i, path in enumerate(train):
        cv2.imwrite(str(path), picture(i))
    val = [tmp_path / "val" / "copy.png", tmp_path / "val" / "resaved.jpg",
           tmp_path / "val" / "new1.png", tmp_path / "val" / "new2.png"]
    shutil.copy(train[0], val[0])
    cv2.imwrite(str(val[1]), picture(1), [cv2.IMWRITE_JPEG_QUALITY, 80])
    cv2.imwrite(str(val[2]), picture(10))
    cv2.imwrite(str(val[3]), picture(11))
    return Files(train), Files(val)


def test_a_leaked_image_across_splits_is_reported_naming_both_files(leaky):
    train, val = leaky
    found = leak_findings({"train": split_fingerprints(train, 2), "val": split_fingerprints(val, 2)})
    by_code = {f.code: f for f in found}
    assert sorted(by_code) == ["leaked-image", "near-duplicate-image"] and len(found) == 2
    leaked = by_code["leaked-image"]
    assert (leaked.image_id, leaked.file) == (0, val.image_info[0]["path"])
    assert leaked.message == f"val image 0 is identical to train image 0 ({train.image_info[0]['path']})"
    near = by_code["near-duplicate-image"]
    assert near.image_id == 1 and "nearly identical to train image 1" in near.message


def test_near_pairs_compare_hashes_by_popcount_and_skip_plain_pictures():
    base = np.uint64(0x0F0F_F0F0_3C3C_C3C3)
    first = np.array([base, 0, base ^ np.uint64(0xFFFF)], dtype=np.uint64)
    second = np.array([base ^ np.uint64(0b111), 0, base ^ np.uint64(0b11111)], dtype=np.uint64)
    assert near_pairs(first, second, max_bits=4).tolist() == [[0, 0]]  # 0 == 0 is plain, 5 bits is too far
    assert near_pairs(first, second, max_bits=5).tolist() == [[0, 0], [0, 2]]


def test_the_difference_hash_survives_resizing_and_tells_pictures_apart():
    a, b = picture(3), picture(4)
    assert bin(difference_hash(a) ^ difference_hash(cv2.resize(a, (128, 128)))).count("1") <= 4
    assert bin(difference_hash(a) ^ difference_hash(b)).count("1") > 10


def test_train_warns_when_validation_files_are_byte_identical(leaky):
    train, val = leaky
    with pytest.warns(UserWarning, match=r"1 validation image\(s\) are byte-identical to training images .*copy.png"):
        pairs = warn_split_overlap(train, val)
    assert pairs == [(train.image_info[0]["path"], val.image_info[0]["path"])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_split_overlap(train, None) == [] and warn_split_overlap(train, train) == []
