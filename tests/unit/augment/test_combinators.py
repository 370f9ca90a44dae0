"""Compose, OneOf and Sometimes apply their children by the rng."""

from __future__ import annotations

import numpy as np

import maskkit
from maskkit.augment import OneOf, Sometimes
from tests.helpers import marker


def test_combinators_apply_children_by_the_rng():
    image, masks = marker()
    never = Sometimes(0.0, maskkit.augmenters.create("fliplr", p=1.0))
    assert never(image, masks, np.random.default_rng(0))[0] is image
    one = OneOf([maskkit.augmenters.create("fliplr", p=1.0), maskkit.augmenters.create("flipud", p=1.0)])
    outputs = {one(image, masks, np.random.default_rng(s))[1].tobytes() for s in range(8)}
    assert len(outputs) == 2
