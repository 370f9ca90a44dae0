"""build_augmenters parses names, probabilities and objects."""

from __future__ import annotations

import pytest

import maskkit
from maskkit.augment import Compose, Sometimes, build_augmenters
from maskkit.errors import UnknownNameError


def test_build_augmenters_parses_names_probabilities_and_objects():
    composed = build_augmenters("fliplr, rot90,gaussian_blur@0.3")
    assert isinstance(composed, Compose) and len(composed) == 3
    assert isinstance(composed.augmenters[2], Sometimes) and composed.augmenters[2].p == 0.3
    assert composed.targets == "both"
    assert build_augmenters("brightness_contrast").targets == "image"
    assert len(build_augmenters(None)) == 0 and len(build_augmenters("")) == 0
    flip = maskkit.augmenters.create("flipud")
    assert build_augmenters([flip, "fliplr"]).augmenters[0] is flip
    with pytest.raises(UnknownNameError, match="fliplr"):
        build_augmenters("nosuch")
