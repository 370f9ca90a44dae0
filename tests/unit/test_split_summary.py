"""describe_data: images and instances per split and class, warnings about a weak validation split."""

from __future__ import annotations

import numpy as np

from maskkit.dataset import Dataset
from maskkit.split_summary import class_counts, describe_data


class Boxes(Dataset):
    """Images whose instances are given as class-id lists (crowds negative)."""

    def __init__(self, per_image: list[list[int]]) -> None:
        super().__init__()
        for name_id, name in enumerate(("cat", "dog"), start=1):
            self.add_class("toy", name_id, name)
        for index, ids in enumerate(per_image):
            self.add_image("toy", index, None, ids=ids)
        self.prepare()

    def annotation_boxes(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        ids = np.asarray(self.image_info[image_id]["ids"], dtype=np.int32)
        return np.zeros((len(ids), 4), np.float32), ids


def test_counts_per_class_leave_out_crowds() -> None:
    total, counts = class_counts(Boxes([[1, 1, 2], [2, -1], []]))
    assert total == 4 and counts.tolist() == [0, 2, 2]


def test_describes_both_splits_and_warns_about_a_small_or_partial_validation_split() -> None:
    text = describe_data(Boxes([[1, 2]] * 1200), Boxes([[1]] * 3))
    assert "train: 1,200 images, 2,400 instances (cat 1,200, dog 1,200)" in text
    assert "val: 3 images, 3 instances (cat 3, dog 0)" in text
    assert "only 3 validation image(s)" in text and "no instance of dog" in text
    quiet = describe_data(Boxes([[1, 2]] * 20), Boxes([[1, 2]] * 10))
    assert "Warning" not in quiet
    assert "val: none" in describe_data(Boxes([[1]]), None)
