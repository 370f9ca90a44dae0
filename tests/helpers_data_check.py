"""Small in-memory datasets for the data-check tests: square masks on flat images, checked quietly."""

from __future__ import annotations

import cv2
import numpy as np

from maskkit.data_check import check_data
from maskkit.dataset import Dataset
from tests.helpers import ArrayDataset

SIZE = 32


def square_mask(y: int = 4, x: int = 4, side: int = 10, size: int = SIZE) -> np.ndarray:
    """One instance [size, size, 1]: a filled ``side`` square at (y, x)."""
    mask = np.zeros((size, size, 1), dtype=bool)
    mask[y:y + side, x:x + side, 0] = True
    return mask


def image(size: int = SIZE) -> np.ndarray:
    """A flat grey uint8 RGB image."""
    return np.full((size, size, 3), 100, dtype=np.uint8)


def arrays(masks, class_ids, images=None, class_names=("a", "b")) -> ArrayDataset:
    """An ArrayDataset of ``masks`` and ``class_ids`` (one list per image), on flat images unless given."""
    images = images or [image() for _ in masks]
    return ArrayDataset(images, masks, [np.asarray(c, dtype=np.int32) for c in class_ids], class_names)


def check(dataset, **kwargs):
    """check_data without a progress bar."""
    return check_data(dataset, progress=False, **kwargs)


def only(report, code):
    """The one finding of ``code`` in ``report`` (fails showing the table when there are more or none)."""
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, report.format_table()
    return found[0]


def write_png(path, channels: int) -> str:
    """A flat SIZE x SIZE PNG with ``channels`` channels at ``path``."""
    shape = (SIZE, SIZE) if channels == 1 else (SIZE, SIZE, channels)
    cv2.imwrite(str(path), np.full(shape, 90, dtype=np.uint8))
    return str(path)


def picture(seed: int, size: int = 64) -> np.ndarray:
    """A textured BGR picture, different for every seed."""
    rng = np.random.default_rng(seed)
    return cv2.resize(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8), (size, size), interpolation=cv2.INTER_LINEAR)


class Files(Dataset):
    """The image files given, one square instance each."""

    def __init__(self, paths) -> None:
        super().__init__()
        self.add_class("files", 1, "thing")
        for path in paths:
            self.add_image("files", image_id=str(path), path=str(path))
        self.prepare()

    def load_mask(self, image_id):
        return np.ones((64, 64, 1), dtype=bool), np.array([1], dtype=np.int32)
