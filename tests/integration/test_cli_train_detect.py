"""train -> evaluate -> detect through the CLI and the Pipeline API, and class names that travel
with the checkpoint into a fresh process that has no dataset. Training is tested on a CLI run of
its own; evaluate and detect use the session's trained model (``trained_tiny``, trained by Pipeline)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import h5py
import pytest

from maskkit.cli.main import cli
from maskkit.errors import WeightsError
from maskkit.pipeline import Pipeline
from tests.helpers import ArrayDataset

pytestmark = pytest.mark.slow

TINY = ["--set", "backbone=tiny", "--set", "image_min_dim=64", "--set", "image_max_dim=64",
        "--set", "images_per_gpu=2", "--set", "top_down_pyramid_size=32",
        "--set", "fpn_classif_fc_layers_size=64", "--set", "steps_per_epoch=4", "--set", "validation_steps=1",
        "--set", "post_nms_rois_inference=100", "--set", "detection_min_confidence=0.0",
        "--set", "detection_max_instances=10"]
DATA = ["--data", "count=6", "--data", "height=64", "--data", "width=64", "--val-data", "count=3",
        "--val-data", "height=64", "--val-data", "width=64"]


def invoke(*args: str):
    from click.testing import CliRunner

    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    log_dir = tmp_path_factory.mktemp("runs")
    result = invoke("train", "--preset", "shapes", *DATA, *TINY, "--epochs", "2", "--log-dir", str(log_dir))
    assert result.exit_code == 0, result.output
    assert "run folder" in result.output
    return log_dir


def test_train_writes_checkpoints_with_classes_and_dataset(run_dir):
    checkpoints = sorted(run_dir.rglob("mask_rcnn_shapes_*.weights.h5"))
    assert [p.name for p in checkpoints] == ["mask_rcnn_shapes_0001.weights.h5", "mask_rcnn_shapes_0002.weights.h5"]
    with h5py.File(checkpoints[-1]) as handle:
        meta = json.loads(handle.attrs["metadata"])
    assert meta["class_names"] == ["BG", "square", "circle", "triangle"]
    assert meta["dataset"]["name"] == "shapes" and meta["dataset"]["val_args"]["count"] == 3
    assert meta["config"]["BACKBONE"] == "tiny" and meta["epoch"] == 2
    assert (checkpoints[-1].parent / "loss_curves.png").is_file()


def test_evaluate_prints_coco_numbers_and_writes_json(trained_tiny, tmp_path):
    result = invoke("evaluate", "--weights", str(trained_tiny.model_dir), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "AP50" in result.output and "mAP@0.5" in result.output
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert set(metrics["bbox"]["stats"]) >= {"AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100"}
    assert 0.0 <= metrics["map50"] <= 1.0
    results = json.loads((tmp_path / "results.json").read_text())
    assert all({"image_id", "category_id", "bbox", "score", "segmentation"} <= set(r) for r in results)


def test_detect_in_a_fresh_process_names_classes_from_the_checkpoint(trained_tiny, tmp_path):
    import maskkit

    dataset = maskkit.datasets.create("shapes", count=2, height=64, width=80, seed=5)
    paths = []
    for i in dataset.image_ids:
        path = tmp_path / f"img{i}.png"
        cv2.imwrite(str(path), cv2.cvtColor(dataset.load_image(i), cv2.COLOR_RGB2BGR))
        paths.append(str(path))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "maskkit", "detect", *paths, "--weights", str(trained_tiny.model_dir),
                           "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for path in paths:
        picture = cv2.imread(str(out / f"{Path(path).stem}_detections.png"))
        assert picture is not None and picture.shape[1] % 80 == 0 and picture.shape[1] >= 512
    results = json.loads((out / "results.json").read_text())
    assert results and {r["file_name"] for r in results} <= set(paths)
    assert {r["category_id"] for r in results} <= {1, 2, 3}
    assert any(name in proc.stdout for name in ("square", "circle", "triangle"))


def test_pipeline_from_checkpoint_detects_without_a_dataset(trained_tiny):
    import maskkit

    pipe = Pipeline.from_checkpoint(trained_tiny.model_dir, use_stored_dataset=False)
    assert pipe.class_names == ["BG", "square", "circle", "triangle"] and pipe.dataset is None
    image = maskkit.datasets.create("shapes", count=1, height=64, width=64).load_image(0)
    result = pipe.detect([image])[0]
    assert result["masks"].shape[:2] == (64, 64) and result["rois"].shape[1] == 4


def test_mismatched_class_list_is_an_error_unless_heads_are_excluded(trained_tiny, tmp_path):
    import numpy as np

    image = np.zeros((64, 64, 3), np.uint8)
    mask = np.zeros((64, 64, 1), bool)
    mask[10:30, 10:30] = True
    other = ArrayDataset([image], [mask], [np.array([1])], class_names=("cat", "dog", "bird"))
    pipe = Pipeline(other, config=trained_tiny.model.config, log_dir=tmp_path)
    with pytest.raises(WeightsError) as info:
        pipe.load_weights(trained_tiny.model_dir)
    assert "cat" in str(info.value) and "square" in str(info.value)
    report = pipe.load_weights(trained_tiny.model_dir,
                               exclude=["mrcnn_class_logits", "mrcnn_bbox_fc", "mrcnn_bbox", "mrcnn_mask"])
    assert report.loaded


def test_train_resume_carries_epoch_numbering(run_dir):
    result = invoke("train", "--preset", "shapes", *DATA, *TINY, "--epochs", "3", "--resume",
                    "--log-dir", str(run_dir))
    assert result.exit_code == 0, result.output
    assert "Resuming" in result.output
    names = sorted(p.name for p in run_dir.rglob("mask_rcnn_shapes_*.weights.h5"))
    assert names[-1] == "mask_rcnn_shapes_0003.weights.h5" and len(names) == 3


def test_imagenet_weights_come_from_a_local_file_only(tmp_path):
    result = invoke("train", "--preset", "shapes", *DATA, *TINY, "--epochs", "1",
                    "--imagenet-weights", str(tmp_path / "resnet50_notop.h5"), "--log-dir", str(tmp_path))
    assert result.exit_code == 1
    assert "resnet50_notop.h5" in result.output and "download" in result.output
    assert not list(tmp_path.rglob("*.weights.h5"))


def test_imagenet_weights_initialise_the_backbone_by_name(tmp_path):
    import numpy as np

    from tests.helpers_weights import write_keras2

    pipe = Pipeline("shapes", dataset_args={"count": 4, "height": 64, "width": 64},
                    val_args={"count": 2, "height": 64, "width": 64}, preset="shapes", log_dir=tmp_path,
                    overrides={"BACKBONE": "tiny", "IMAGE_MIN_DIM": 64, "IMAGE_MAX_DIM": 64, "IMAGES_PER_GPU": 2,
                               "TOP_DOWN_PYRAMID_SIZE": 16, "FPN_CLASSIF_FC_LAYERS_SIZE": 32,
                               "STEPS_PER_EPOCH": 1, "VALIDATION_STEPS": 0})
    conv1 = pipe.model.keras_model.get_layer("conv1")
    kernel = np.full(tuple(conv1.kernel.shape), 0.25, np.float32)
    groups = {"conv1": [("conv1/kernel:0", kernel)] + [("conv1/bias:0", np.zeros(kernel.shape[-1], np.float32))][
        : len(conv1.weights) - 1]}
    write_keras2(tmp_path / "resnet_notop.h5", groups)
    pipe.train(1, layers="heads", imagenet=tmp_path / "resnet_notop.h5", verbose=0)  # conv1 stays frozen
    np.testing.assert_allclose(conv1.kernel.numpy(), kernel)
