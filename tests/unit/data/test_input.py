"""ExampleBuilder warns once when an image has more instances than MAX_GT_INSTANCES."""

from __future__ import annotations

import numpy as np
import pytest

from tests.helpers import shapes_dataset


def test_more_instances_than_max_gt_instances_warns_once():
    from maskkit.data.input import ExampleBuilder
    from maskkit.presets import shapes_config

    dataset = shapes_dataset(count=6)
    counts = [dataset.load_mask(i)[1].size for i in dataset.image_ids]
    busy = int(np.argmax(counts))
    assert counts[busy] >= 2
    builder = ExampleBuilder(dataset, shapes_config(MAX_GT_INSTANCES=1))
    with pytest.warns(RuntimeWarning, match="MAX_GT_INSTANCES is 1") as caught:
        builder(0, busy)
        builder(1, busy)
    assert len([w for w in caught if "MAX_GT_INSTANCES" in str(w.message)]) == 1
