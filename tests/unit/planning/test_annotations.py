"""Reading a dataset's annotations: boxes via annotation_boxes, sizes from image_info or masks, no pixels."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit import Dataset, DatasetError
from maskkit.planning.annotations import annotations_from_arrays, read_annotations
from tests.helpers import ArrayDataset


class Unreadable(ArrayDataset):
    """Any attempt to decode an image fails the test."""

    def load_image(self, image_id: int) -> np.ndarray:
        raise AssertionError("planning decoded an image")


def masks(height: int, width: int, *rects: tuple[int, int, int, int]) -> np.ndarray:
    out = np.zeros((height, width, len(rects)), bool)
    for k, (y1, x1, y2, x2) in enumerate(rects):
        out[y1:y2, x1:x2, k] = True
    return out


def test_sizes_from_masks_and_boxes_from_annotation_boxes_without_decoding():
    dataset = Unreadable([None, None], [masks(20, 30, (1, 2, 5, 9), (0, 0, 20, 30)), masks(40, 10, (3, 3, 4, 4))],
                         [np.array([1, -2]), np.array([2])])
    table = read_annotations(dataset)
    assert table.image_hw.tolist() == [[20, 30], [40, 10]]
    assert table.boxes.tolist() == [[1, 2, 5, 9], [0, 0, 20, 30], [3, 3, 4, 4]]
    assert table.class_ids.tolist() == [1, -2, 2] and table.image_index.tolist() == [0, 0, 1]
    assert table.objects.tolist() == [True, False, True]
    assert table.instances_per_image.tolist() == [2, 1] and table.objects_per_image.tolist() == [1, 1]
    assert table.class_names == ("BG", "a", "b")


def test_recorded_sizes_are_used_and_an_image_without_size_or_instances_is_read():
    dataset = ArrayDataset([np.zeros((12, 14, 3), np.uint8)], [np.zeros((0, 0, 0), bool)], [np.zeros(0, np.int32)])
    dataset.add_image("arrays", image_id=1, path=None, height=100, width=80)
    dataset._images.append(None)
    dataset._masks.append(masks(100, 80, (10, 10, 20, 20)))
    dataset._class_ids.append(np.array([1]))
    dataset.prepare()
    assert read_annotations(dataset).image_hw.tolist() == [[12, 14], [100, 80]]


class BadBoxes(Dataset):
    def __init__(self, boxes: np.ndarray, ids: np.ndarray, **info) -> None:
        super().__init__()
        self.add_class("x", 1, "a")
        self.add_image("x", image_id="pic", path="pic.png", **info)
        self.prepare()
        self._boxes, self._ids = boxes, ids

    def annotation_boxes(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        return self._boxes, self._ids


@pytest.mark.parametrize("boxes, ids, info, message", [
    (np.zeros((2, 3)), np.zeros(2), {"height": 5, "width": 5}, "boxes [N, 4] and class ids [N]"),
    (np.zeros((2, 4)), np.zeros(3), {"height": 5, "width": 5}, "got shapes (2, 4) and (3,)"),
    (np.zeros((0, 4)), np.zeros(0), {"height": "tall", "width": 5}, "height and width must be integers"),
    (np.zeros((0, 4)), np.zeros(0), {"height": 0, "width": 5}, "image size 0x5 is empty"),
])
def test_malformed_annotations_name_the_image(boxes, ids, info, message):
    with pytest.raises(DatasetError, match="BadBoxes image 0") as caught:
        read_annotations(BadBoxes(boxes, ids, **info))
    assert message in str(caught.value)


def test_a_dataset_without_images_is_an_error():
    dataset = Dataset()
    dataset.prepare()
    with pytest.raises(DatasetError, match="no images"):
        read_annotations(dataset)


def test_annotations_from_arrays_flattens_per_image_arrays():
    table = annotations_from_arrays([(10, 10), (20, 20), (5, 5)], [np.zeros((0, 4)), np.ones((2, 4)), [[0, 0, 1, 1]]],
                                    [[], [1, 1], [-1]], ("BG", "a"))
    assert table.image_index.tolist() == [1, 1, 2] and table.boxes.dtype == np.float32
    assert table.instances_per_image.tolist() == [0, 2, 1] and table.objects_per_image.tolist() == [0, 2, 0]
