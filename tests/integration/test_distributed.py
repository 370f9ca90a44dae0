"""Mirrored training over two logical CPUs gives the losses and weights of one device on the same global batch.

TensorFlow's logical devices must be set before it initialises, so the runs happen in a subprocess
that prints its measurements as JSON. ROI sampling draws random subsets, which differ between
devices; with ROI_POSITIVE_RATIO = 1 and as many ROI slots as proposals every positive proposal and
no negative one is kept, so both runs train on the same ROIs. The two images still differ in their
numbers of non-neutral and positive anchors, which the exact loss reduction accounts for (a plain
mean of the replicas' mean losses misses the single-device weights by ~1e-3 here, the exact one by
~3e-8). The strategy choice itself is checked in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.errors import ConfigError, MaskkitError  # noqa: E402
from maskkit.model.distribute import cluster_workers, is_chief, strategy_for, worker_shard  # noqa: E402
from maskkit.presets import shapes_config  # noqa: E402

SCRIPT = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path

    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    import keras
    import numpy as np

    import maskkit
    from maskkit.data.feed import epoch_input
    from maskkit.data.input import make_dataset
    from maskkit.model.distribute import make_steps
    from maskkit.model.maskrcnn import MaskRCNN
    from maskkit.presets import shapes_config

    out = Path(sys.argv[1])
    single = shapes_config(NAME="dist", BACKBONE="tiny", TOP_DOWN_PYRAMID_SIZE=16, FPN_CLASSIF_FC_LAYERS_SIZE=32,
                           IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=64, RPN_ANCHOR_SCALES=(8, 16, 32, 64, 128),
                           TRAIN_BN=False, IMAGES_PER_GPU=2, GPU_COUNT=1, POST_NMS_ROIS_TRAINING=32,
                           TRAIN_ROIS_PER_IMAGE=32, ROI_POSITIVE_RATIO=1.0, RPN_TRAIN_ANCHORS_PER_IMAGE=64,
                           MAX_GT_INSTANCES=4, MINI_MASK_SHAPE=(28, 28), STEPS_PER_EPOCH=2, VALIDATION_STEPS=0,
                           NUM_WORKERS=1, LEARNING_RATE=0.02, GRADIENT_CLIP_NORM=5.0, LR_SCHEDULE="constant",
                           LR_WARMUP_STEPS=0, PRECISION="float32")
    mirrored = single.replace(IMAGES_PER_GPU=1, GPU_COUNT=2)
    data = maskkit.datasets.create("shapes", count=4, height=64, width=64, seed=3, subset="train")
    first_epoch = epoch_input(data, single, 1)(1)  # what train() reads in epoch 1
    batches = [next(first_epoch) for _ in range(2)]

    keras.utils.set_random_seed(0)
    one = MaskRCNN("training", single, out / "one")
    two = MaskRCNN("training", mirrored, out / "two")  # devices from MASKKIT_DEVICES
    two.keras_model.set_weights(one.keras_model.get_weights())
    initial = one.keras_model.get_weights()
    steps = make_steps(one.strategy, one.graph.training_model, single, one.graph.layer_regex("all"),
                       single.LEARNING_RATE)
    single_losses = [{name: float(value) for name, value in steps.train_step(batch).items()} for batch in batches]
    mirrored_batch = next(iter(make_dataset(data, mirrored, seed=mirrored.SEED + 1)))
    same_batches = all(np.array_equal(mirrored_batch[key], batches[0][key]) for key in mirrored_batch)
    history = two.train(data, None, mirrored.LEARNING_RATE, epochs=1, layers="all", verbose=0)
    ones, twos = one.keras_model.get_weights(), two.keras_model.get_weights()
    print(json.dumps({
        "replicas": two.strategy.num_replicas_in_sync, "devices": list(two.strategy.extended.worker_devices),
        "steps": [type(steps).__name__, type(make_steps(two.strategy, two.graph.training_model, mirrored, ".*",
                                                        0.01)).__name__],
        "same_batches": same_batches,
        "single_loss": {name: sum(step[name] for step in single_losses) / 2 for name in single_losses[0]},
        "mirrored_loss": {name: values[0] for name, values in history.items() if name != "epoch_seconds"},
        "largest_update": max(float(np.max(np.abs(a - w))) for a, w in zip(ones, initial)),
        "weight_gap": max(float(np.max(np.abs(a - b))) for a, b in zip(ones, twos)),
        "relative_gap": float(np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(ones, twos)))
                              / np.sqrt(sum(np.sum((a - w) ** 2) for a, w in zip(ones, initial)))),
        "checkpoints": sorted(p.name for p in two.log_dir.glob("*.weights.h5")),
    }))
""")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    env = {**os.environ, "MASKKIT_DEVICES": "/cpu:0,/cpu:1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("TF_CONFIG", None)
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path_factory.mktemp("distributed"))], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_mirrored_strategy_spans_the_two_logical_cpus(result: dict) -> None:
    assert result["replicas"] == 2 and len(result["devices"]) == 2
    assert result["steps"] == ["StepFunctions", "DistributedSteps"]


@pytest.mark.slow
def test_both_runs_saw_the_same_batches(result: dict) -> None:
    assert result["same_batches"]


@pytest.mark.slow
def test_losses_of_the_global_batch_match_the_single_device(result: dict) -> None:
    for name, value in result["single_loss"].items():
        # Mean over both steps: the second step can differ by ~1e-4 relative when round-off flips a
        # near-tied proposal (see the weights test); a wrong reduction is off by a large factor.
        assert result["mirrored_loss"][name] == pytest.approx(value, rel=1e-3, abs=1e-6), name


@pytest.mark.slow
def test_weights_after_two_steps_match_the_single_device(result: dict) -> None:
    assert result["largest_update"] > 1e-3, "the steps barely moved the weights; the comparison would be vacuous"
    # Relative to the size of the update. Some runs match to 1e-8; in others float round-off between
    # one device and two flips a near-tied proposal choice after the first step, leaving a gap of
    # ~2.5% of the update. A wrong reduction (summed or unaveraged gradients) gives 50-100%.
    assert result["relative_gap"] < 0.1, (
        f"weights differ by {result['relative_gap']:.2e} of the update (max {result['weight_gap']:.2e})")


@pytest.mark.slow
def test_mirrored_train_writes_the_epoch_checkpoint(result: dict) -> None:
    assert result["checkpoints"] == ["mask_rcnn_dist_0001.weights.h5"]


class FakeWorker:
    """Stands in for a multi-worker strategy: only its cluster_resolver is read."""

    def __init__(self, task_type: str, task_id: int, cluster: dict) -> None:
        self.cluster_resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
            tf.train.ClusterSpec(cluster), task_type=task_type, task_id=task_id)


def test_one_gpu_without_a_cluster_trains_on_the_default_strategy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_CONFIG", raising=False)
    monkeypatch.setenv("MASKKIT_DEVICES", "/cpu:0,/cpu:1")
    strategy = strategy_for(shapes_config(GPU_COUNT=1))
    assert strategy is tf.distribute.get_strategy() and strategy.num_replicas_in_sync == 1
    assert is_chief(strategy) and worker_shard(strategy) == (0, 1)


def test_more_replicas_than_devices_names_gpu_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_CONFIG", raising=False)
    monkeypatch.setenv("MASKKIT_DEVICES", "/cpu:0,/cpu:1")
    with pytest.raises(ConfigError, match="GPU_COUNT: is 3 but MASKKIT_DEVICES lists only 2 devices"):
        strategy_for(shapes_config(GPU_COUNT=3))


def test_tf_config_is_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = {"worker": ["host1:1", "host2:1"], "chief": ["host0:1"]}
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 0}}))
    assert cluster_workers() == 3
    monkeypatch.setenv("MASKKIT_DEVICES", "/gpu:0")
    with pytest.raises(MaskkitError, match="MASKKIT_DEVICES cannot be combined with a multi-worker TF_CONFIG"):
        strategy_for(shapes_config())
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(MaskkitError, match="TF_CONFIG is not a JSON object"):
        cluster_workers()


def test_only_the_chief_writes_and_every_worker_reads_its_own_shard() -> None:
    with_chief = {"chief": ["host0:1"], "worker": ["host1:1", "host2:1"]}
    workers = [FakeWorker(kind, index, with_chief) for kind, index in (("chief", 0), ("worker", 0), ("worker", 1))]
    assert [is_chief(w) for w in workers] == [True, False, False]
    assert [worker_shard(w) for w in workers] == [(0, 3), (1, 3), (2, 3)]
    plain = {"worker": ["host1:1", "host2:1"]}
    assert [is_chief(FakeWorker("worker", i, plain)) for i in (0, 1)] == [True, False]
