"""Plugins are discovered again in a spawned process: entry-point datasets work there, in-process ones do not."""

from __future__ import annotations

import multiprocessing

import maskkit
from tests.helpers import ArrayDataset, registered


def datasets_seen_in_child() -> dict:
    """Run in the spawned process: the dataset names it knows and one loaded shapes image."""
    dataset = maskkit.datasets.create("shapes", count=2, height=64, width=64)
    image, masks, class_ids = dataset.load_checked(0)
    return {"names": maskkit.datasets.names(), "image_shape": image.shape, "instances": len(class_ids)}


def throwaway_dataset() -> ArrayDataset:
    return ArrayDataset([], [], [])


def test_entry_point_datasets_are_available_in_a_spawned_process():
    with registered("dataset", "throwaway_in_process", throwaway_dataset, plugin="throwaway"):
        assert "throwaway_in_process" in maskkit.datasets.names()
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            seen = pool.apply(datasets_seen_in_child)
    assert "shapes" in seen["names"]
    assert seen["image_shape"] == (64, 64, 3) and seen["instances"] >= 1
    assert "throwaway_in_process" not in seen["names"]
