"""FilesDataset: plain image files with the class list (and source ids) a checkpoint stored."""

from __future__ import annotations

import numpy as np

from maskkit.files_dataset import FilesDataset
from maskkit.imageio import write_image_rgb


def test_files_and_stored_classes(tmp_path):
    image = np.full((5, 7, 3), 9, dtype=np.uint8)
    write_image_rgb(tmp_path / "a.png", image)
    dataset = FilesDataset([tmp_path / "a.png"], ["BG", "cat", "dog"], [["", 0], ["coco", 17], ["coco", 18]])
    assert dataset.class_names == ["BG", "cat", "dog"] and dataset.num_images == 1
    assert dataset.map_source_class_id("coco.18") == 2
    assert dataset.image_reference(0) == str(tmp_path / "a.png")
    np.testing.assert_array_equal(dataset.load_image(0), image)


def test_without_sources_classes_come_from_files():
    dataset = FilesDataset([], ["BG", "thing"])
    assert dataset.class_names == ["BG", "thing"] and dataset.num_images == 0
    assert dataset.map_source_class_id("files.1") == 1
