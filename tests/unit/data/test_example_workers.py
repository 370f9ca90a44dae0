"""example_workers: a worker's dropped-instance records reach the pipeline's, in stream order."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

from maskkit.data import example_workers
from maskkit.data.example_workers import index_groups
from maskkit.data.example_arrays import KEYS
from maskkit.data.input import ExampleBuilder
from tests.helpers_crowded import crowded_config, crowded_dataset


def test_index_groups_cut_the_stream_into_groups_of_the_size_with_a_short_last_one():
    stream = iter([(0, 0, 5), (0, 1, 6), (0, 2, 7)])
    groups = list(index_groups(stream, 2))
    assert [(p, list(pos), list(ids)) for p, pos, ids in groups] == [(0, [0, 1], [5, 6]), (0, [2], [7])]


def test_what_worker_processes_drop_reaches_the_pipelines_record(monkeypatch):
    """A worker's builder is a pickled copy: it sends its records with each group and never warns itself."""
    builder = ExampleBuilder(crowded_dataset(images=2), crowded_config(MAX_GT_INSTANCES=100))
    monkeypatch.setattr(example_workers, "_worker_builder", pickle.loads(pickle.dumps(builder)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        built = example_workers._group_in_worker(0, np.array([0, 1]), np.array([0, 1]))
    assert built[1] == {builder.dataset.describe_image(0): 600, builder.dataset.describe_image(1): 600}
    with pytest.warns(RuntimeWarning, match="left out 1000 ground-truth instances of 2 images"):
        arrays = example_workers._merged(builder, built)
    assert arrays[KEYS.index("gt_class_ids")].shape == (2, 100)
