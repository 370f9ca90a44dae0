"""pycocotools' RLE functions for any number of masks at once.

pycocotools' ``area`` counts the RLEs of one call in a uint8, so a list of more than 255 raises
OverflowError (an image can have hundreds of instances); ``rle_areas`` calls it in chunks it can count.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from pycocotools import mask as mask_utils

#: The most RLEs one call of pycocotools' ``area`` counts.
RLE_CHUNK = 255


def rle_areas(rles: Sequence[dict[str, Any]]) -> np.ndarray:
    """Pixel counts of compressed RLEs, as pycocotools' ``area`` of the list, for lists of any length.

    Args:
        rles: compressed RLE dicts (``size`` and ``counts``), as pycocotools' ``encode`` gives.

    Returns:
        int64 [N]: the number of pixels of each mask.
    """
    rles = list(rles)
    chunks = [mask_utils.area(rles[start:start + RLE_CHUNK]) for start in range(0, len(rles), RLE_CHUNK)]
    return np.concatenate(chunks).astype(np.int64) if chunks else np.zeros(0, dtype=np.int64)
