"""Small in-memory datasets for the data-check tests: square masks on flat images, checked quietly."""

from __future__ import annotations

import cv2
import numpy as np

from maskkit.data_check import check_data
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
