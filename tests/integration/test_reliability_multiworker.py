"""Multi-worker training for real: two worker processes on 127.0.0.1 with TF_CONFIG
(MultiWorkerMirroredStrategy on CPU) train a tiny model and end with the weights of one process
trained on the same global batches; each worker reads a disjoint shard; only the chief writes.

As in test_distributed.py, every positive ROI and no negative one is kept so both set-ups train on
the same ROIs, and BatchNorm is frozen (its statistics are per worker).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

WORKER = textwrap.dedent("""
    import contextlib, io, json, os, sys
    from pathlib import Path

    import keras
    import numpy as np

    import maskkit
    from maskkit.data.input import make_dataset
    from maskkit.model.distribute import worker_shard
    from maskkit.model.maskrcnn import MaskRCNN
    from maskkit.presets import shapes_config

    out, name, images_per_worker = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    config = shapes_config(NAME="mw", BACKBONE="tiny", TOP_DOWN_PYRAMID_SIZE=16, FPN_CLASSIF_FC_LAYERS_SIZE=32,
                           IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=64, TRAIN_BN=False, IMAGES_PER_GPU=images_per_worker,
                           GPU_COUNT=1, POST_NMS_ROIS_TRAINING=32, TRAIN_ROIS_PER_IMAGE=32, ROI_POSITIVE_RATIO=1.0,
                           RPN_TRAIN_ANCHORS_PER_IMAGE=64, MAX_GT_INSTANCES=4, MINI_MASK_SHAPE=(28, 28),
                           STEPS_PER_EPOCH=2, VALIDATION_STEPS=0, NUM_WORKERS=1, LEARNING_RATE=0.02,
                           GRADIENT_CLIP_NORM=5.0, LR_SCHEDULE="constant", LR_WARMUP_STEPS=0, PRECISION="float32")
    data = maskkit.datasets.create("shapes", count=8, height=64, width=64, seed=3, subset="train")
    keras.utils.set_random_seed(0)
    model = MaskRCNN("training", config, out / name / "runs")
    shard = worker_shard(model.strategy)
    seen = [int(meta[0]) for batch in make_dataset(data, config, seed=config.SEED + 1, shard=shard).take(2)
            for meta in batch["image_meta"].numpy()]
    initial = model.keras_model.get_weights()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model.train(data, None, config.LEARNING_RATE, epochs=1, layers="all", verbose=1)
    weights = model.keras_model.get_weights()
    np.savez(out / f"{name}.npz", *weights)
    print(json.dumps({"shard": list(shard), "replicas": model.strategy.num_replicas_in_sync, "images": seen,
                      "update": max(float(np.max(np.abs(a - b))) for a, b in zip(weights, initial)),
                      "starting": [line for line in printed.getvalue().splitlines() if line.startswith("Starting")]}))
""")


def free_ports(count: int) -> list[int]:
    """Ports the OS reports free on 127.0.0.1 (bound together, so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def start(out: Path, name: str, images: int, tf_config: dict | None) -> subprocess.Popen:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("MASKKIT_DEVICES", None)
    env.pop("TF_CONFIG", None)
    if tf_config is not None:
        env["TF_CONFIG"] = json.dumps(tf_config)
    return subprocess.Popen([sys.executable, "-c", WORKER, str(out), name, str(images)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> dict:
    try:
        stdout, stderr = process.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    assert process.returncode == 0, stderr[-4000:]
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    out = tmp_path_factory.mktemp("multiworker")
    addresses = [f"127.0.0.1:{port}" for port in free_ports(2)]
    workers = [start(out, f"worker{i}", 1, {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": i}})
               for i in range(2)]
    single = start(out, "single", 2, None)
    results = {name: finish(process) for name, process in zip(("worker0", "worker1", "single"), [*workers, single])}
    return out, results


def weights(out: Path, name: str) -> list[np.ndarray]:
    with np.load(out / f"{name}.npz") as stored:
        return [stored[f"arr_{i}"] for i in range(len(stored.files))]


def test_each_worker_reads_a_disjoint_shard_of_the_global_batches(runs):
    _, results = runs
    assert [results[f"worker{i}"]["shard"] for i in range(2)] == [[0, 2], [1, 2]]
    assert results["worker0"]["replicas"] == 2 and results["single"]["replicas"] == 1
    first, second = results["worker0"]["images"], results["worker1"]["images"]
    assert not set(first) & set(second)
    merged = [image for pair in zip(first, second) for image in pair]
    assert merged == results["single"]["images"]


def test_both_workers_end_with_the_weights_of_one_process_on_the_global_batches(runs):
    out, results = runs
    chief, other, single = weights(out, "worker0"), weights(out, "worker1"), weights(out, "single")
    assert all(np.array_equal(a, b) for a, b in zip(chief, other)), "the workers' weights differ"
    update = results["single"]["update"]
    assert update > 1e-3, "the steps barely moved the weights; the comparison would be vacuous"
    gap = max(float(np.max(np.abs(a - b))) for a, b in zip(chief, single))
    # Round-off between one and two processes can flip a near-tied proposal (see test_distributed.py).
    assert gap < 0.1 * update, f"weights differ by {gap:.2e}, the update was {update:.2e}"


def test_only_the_chief_writes_checkpoints_and_tensorboard_logs(runs):
    out, _ = runs
    [run] = list((out / "worker0" / "runs").iterdir())
    assert [p.name for p in run.glob("*.weights.h5")] == ["mask_rcnn_mw_0001.weights.h5"]
    assert list(run.glob("events.out.tfevents.*"))
    assert not (out / "worker1" / "runs").exists()


def test_only_the_chief_names_its_run_folder_the_other_worker_says_it_writes_nothing(runs):
    out, results = runs
    [run] = list((out / "worker0" / "runs").iterdir())
    [chief] = results["worker0"]["starting"]
    [other] = results["worker1"]["starting"]
    assert chief.endswith(f"log_dir={run}")
    assert other.endswith("run folder: none on worker 1, which writes nothing; the chief (worker 0) creates the "
                          f"run folder under {out / 'worker1' / 'runs'}")
