"""inspect_weights and format_inspection read any weights file."""

from __future__ import annotations

import numpy as np

from maskkit.weights import format_inspection, inspect_weights
from tests.helpers_weights import matterport_groups, tiny_model, write_keras2


def test_inspect_and_format_any_file(tmp_path):
    write_keras2(tmp_path / "mp.h5", matterport_groups(tiny_model()))
    listing = dict(inspect_weights(tmp_path / "mp.h5"))
    assert "input_image" not in listing
    assert listing["conv1"] == [("conv1/kernel:0", (3, 3, 3, 4), "float32"), ("conv1/bias:0", (4,), "float32")]
    assert [name for name, _, _ in listing["rpn_model"]][0] == "rpn_conv_shared/kernel:0"
    text = format_inspection(inspect_weights(tmp_path / "mp.h5"))
    assert "conv1/kernel:0" in text and "3x3x3x4" in text
    total = sum(int(np.prod(v.shape)) for v in tiny_model().weights)
    weight_count = sum(map(len, listing.values()))
    assert text.splitlines()[-1] == f"{len(listing)} layers, {weight_count} weights, {total:,} parameters"
