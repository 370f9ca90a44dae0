"""The tf.data pipeline: model-input contract, seeded determinism, skipping empty images, padding."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import maskkit
from maskkit.data import anchors_for, load_image_gt, mold_image, parse_image_meta_batch
from maskkit.data.input import make_dataset
from maskkit.errors import DatasetError
from tests.helpers import ArrayDataset, matterport_shapes_config, shapes_dataset


def batches(pipeline, count=2):
    return [{k: v.numpy() for k, v in batch.items()} for batch in pipeline.take(count)]


def assert_same(a, b):
    for x, y in zip(a, b):
        for key in x:
            np.testing.assert_array_equal(x[key], y[key], err_msg=key)


def test_batch_images_are_the_loaded_images_and_the_step_molds_them_exactly_as_mold_image():
    from maskkit.model.molding import molded_inputs

    config = matterport_shapes_config()
    dataset = shapes_dataset(count=4)
    batch = batches(make_dataset(dataset, config, shuffle=False, seed=0), 1)[0]
    molded = molded_inputs(batch, config.MEAN_PIXEL)["images"].numpy()
    for position in range(2):
        image = load_image_gt(dataset, config, position, rng=np.random.default_rng([0, 0, position]))[0]
        np.testing.assert_array_equal(batch["images"][position], image)
        np.testing.assert_array_equal(molded[position], mold_image(image, config))


def test_batches_follow_the_model_input_contract():
    config = matterport_shapes_config()
    batch = batches(make_dataset(shapes_dataset(count=6), config, augmenters="fliplr", seed=1), 1)[0]
    anchors = anchors_for(config, config.IMAGE_SHAPE).shape[0]
    expected = {"images": ((2, 128, 128, 3), np.uint8), "image_meta": ((2, 16), np.float32),
                "rpn_match": ((2, anchors), np.int32), "rpn_bbox": ((2, 256, 4), np.float32),
                "gt_class_ids": ((2, 100), np.int32), "gt_boxes": ((2, 100, 4), np.float32),
                "gt_masks": ((2, 56, 56, 100), np.bool_)}
    assert {k: (v.shape, v.dtype) for k, v in batch.items()} == expected
    assert set(np.unique(batch["rpn_match"])) <= {-1, 0, 1} and (batch["rpn_match"] == 1).any()
    n = (batch["gt_class_ids"] > 0).sum(axis=1)
    assert (n > 0).all()
    assert not batch["gt_boxes"][0, n[0]:].any() and batch["gt_boxes"][0, :n[0], 2:].min() > 0
    assert not batch["gt_masks"][0, :, :, n[0]:].any()
    np.testing.assert_array_equal(parse_image_meta_batch(batch["image_meta"])["image_shape"][0], [128, 128, 3])


def test_equal_seeds_give_identical_batches_and_workers_do_not_matter():
    config, dataset = matterport_shapes_config(), shapes_dataset(count=6)
    spec = "fliplr,rot90,rotate,brightness_contrast"
    first = batches(make_dataset(dataset, config, augmenters=spec, seed=5, num_parallel_calls=2), 4)
    again = batches(make_dataset(dataset, config, augmenters=spec, seed=5, num_parallel_calls=1), 4)
    assert_same(first, again)
    other = batches(make_dataset(dataset, config, augmenters=spec, seed=6, num_parallel_calls=2), 4)
    assert any(not np.array_equal(a["images"], b["images"]) for a, b in zip(first, other))


def test_without_shuffle_or_repeat_images_come_in_order_once():
    config = matterport_shapes_config()
    out = batches(make_dataset(shapes_dataset(count=5), config, shuffle=False, repeat=False), 10)
    ids = np.concatenate([parse_image_meta_batch(b["image_meta"])["image_id"] for b in out])
    np.testing.assert_array_equal(ids, [0, 1, 2, 3])


def block_dataset(counts: list[int]) -> ArrayDataset:
    """64x64 images with the given numbers of 4x4 instances (class 1)."""
    images, masks, class_ids = [], [], []
    for n in counts:
        mask = np.zeros((64, 64, n), dtype=bool)
        for i in range(n):
            y, x = divmod(i, 8)
            mask[y * 8:y * 8 + 4, x * 8:x * 8 + 4, i] = True
        images.append(np.full((64, 64, 3), 90, dtype=np.uint8))
        masks.append(mask)
        class_ids.append(np.ones(n, dtype=np.int32))
    return ArrayDataset(images, masks, class_ids, class_names=("a", "b", "c"))


def test_images_without_instances_are_skipped_and_extra_instances_subsampled():
    config = matterport_shapes_config(MAX_GT_INSTANCES=5, IMAGES_PER_GPU=1)
    out = batches(make_dataset(block_dataset([0, 9, 0, 2]), config, shuffle=False, repeat=False), 10)
    ids = [int(b["image_meta"][0, 0]) for b in out]
    assert ids == [1, 3]
    np.testing.assert_array_equal(out[0]["gt_class_ids"][0], [1, 1, 1, 1, 1])
    np.testing.assert_array_equal(out[1]["gt_class_ids"][0], [1, 1, 0, 0, 0])


def test_a_dataset_without_any_instance_is_a_clear_error():
    with pytest.raises(DatasetError, match="none of its 2 images has an instance"):
        make_dataset(block_dataset([0, 0]), matterport_shapes_config())


def test_worker_processes_give_the_same_batches_as_threads():
    config, dataset = matterport_shapes_config(), shapes_dataset(count=6)
    threads = batches(make_dataset(dataset, config, augmenters="fliplr,rot90", seed=2), 3)
    processes = batches(make_dataset(dataset, config, augmenters="fliplr,rot90", seed=2, processes=2), 3)
    assert_same(threads, processes)


KILLED_PARENT = """
import multiprocessing, sys
if __name__ == "__main__":
    import maskkit
    from maskkit.data.input import make_dataset
    from tests.helpers import matterport_shapes_config, shapes_dataset
    batches = iter(make_dataset(shapes_dataset(count=4, size=64), matterport_shapes_config(), processes=2))
    next(batches)
    print(" ".join(str(child.pid) for child in multiprocessing.active_children()), flush=True)
    sys.stdin.read()
"""


def running(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting to be reaped has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_worker_processes_end_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(KILLED_PARENT)
    root = str(Path(__file__).parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    parent = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              env=env, text=True)
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(running(pid) for pid in workers)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 20
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(running(pid) for pid in workers)


class EraseAll(maskkit.Augmenter):
    """Clears every instance mask (as an over-eager crop would); reads and changes the masks."""

    targets = "both"

    def __call__(self, image, masks, rng):
        return image, np.zeros_like(masks)


def test_losing_every_instance_to_augmentation_stops_with_a_clear_error():
    pipeline = make_dataset(shapes_dataset(count=3), matterport_shapes_config(), augmenters=EraseAll())
    with pytest.raises(Exception, match="had no instances"):
        batches(pipeline, 1)


def test_each_pass_over_a_finite_pipeline_is_reshuffled_reproducibly():
    config, dataset = matterport_shapes_config(), shapes_dataset(count=8)

    def two_passes():
        pipeline = make_dataset(dataset, config, seed=4, repeat=False)
        return [np.concatenate([b["image_meta"][:, 0] for b in batches(pipeline, 4)]) for _ in range(2)]

    first, second = two_passes()
    assert sorted(first) == sorted(second) == list(range(8)) and not np.array_equal(first, second)
    again = two_passes()
    np.testing.assert_array_equal(again[0], first)
    np.testing.assert_array_equal(again[1], second)


def reference_batches(dataset, config, augmenters, seed, count):
    """The batches make_dataset must give, built one example at a time with ExampleBuilder (padded per
    image, images without instances skipped)."""
    from maskkit.augment.from_spec import build_augmenters
    from maskkit.data.example_arrays import KEYS
    from maskkit.data.input import ExampleBuilder, index_stream

    builder = ExampleBuilder(dataset, config, build_augmenters(augmenters) if augmenters else None, seed)
    ids = np.asarray(dataset.image_ids, dtype=np.int64)
    kept = (example for example, keep in (builder(position, image_id, pass_index)
                                          for pass_index, position, image_id in index_stream(ids, True, seed, True))
            if keep)
    out = []
    for _ in range(count):
        chosen = [next(kept) for _ in range(config.BATCH_SIZE)]
        out.append({key: np.stack([example[key] for example in chosen]) for key in KEYS})
    return out


@pytest.mark.parametrize("threads", [1, 2])
def test_batches_handed_over_in_groups_equal_examples_built_one_at_a_time(threads):
    config = matterport_shapes_config(IMAGES_PER_GPU=3, MAX_GT_INSTANCES=3)
    dataset = shapes_dataset(count=7)
    spec = "fliplr,rot90,rotate"
    got = batches(make_dataset(dataset, config, augmenters=spec, seed=9, num_parallel_calls=threads), 5)
    expected = reference_batches(dataset, config, spec, seed=9, count=5)
    for a, b in zip(got, expected):
        assert {key: (value.shape, value.dtype) for key, value in a.items()} == \
            {key: (value.shape, value.dtype) for key, value in b.items()}
    assert_same(got, expected)


def test_a_group_without_any_instance_leaves_no_gap_in_the_batches():
    config = matterport_shapes_config(MAX_GT_INSTANCES=5, IMAGES_PER_GPU=2)
    out = batches(make_dataset(block_dataset([0, 0, 3, 2, 0, 1, 4]), config, shuffle=False, repeat=False), 10)
    ids = [[int(v) for v in b["image_meta"][:, 0]] for b in out]
    assert ids == [[2, 3], [5, 6]]
    np.testing.assert_array_equal(out[1]["gt_class_ids"][:, :4], [[1, 0, 0, 0], [1, 1, 1, 1]])
    assert out[1]["gt_masks"].shape[-1] == 5 and not out[1]["gt_masks"][0, ..., 1:].any()


def test_full_groups_reach_tensorflow_in_the_builders_own_buffers(monkeypatch):
    """No copy at the hand-over: overwriting the arrays a group was built in shows in the batch."""
    from maskkit.data.input import ExampleBuilder

    built = []
    group = ExampleBuilder.group

    def recording(self, *args):
        stacked = group(self, *args)
        built.append(stacked)
        return stacked

    monkeypatch.setattr(ExampleBuilder, "group", recording)
    config = matterport_shapes_config(IMAGES_PER_GPU=3)  # images and masks > 128 KiB: glibc mmaps them
    batch = next(iter(make_dataset(shapes_dataset(count=4), config, seed=0, num_parallel_calls=1)))
    for images, *_, masks in built:
        images[...], masks[...] = 255, True
    assert (batch["images"].numpy() == 255).all() and batch["gt_masks"].numpy().all()
