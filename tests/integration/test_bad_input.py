"""Bad input at every public entry point gives one clear message naming the culprit, and nothing
is written half-way; odd but valid input (grayscale, 16-bit, RGBA, tiny images) just works."""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

import maskkit
from maskkit import Config, Dataset, plugins
from maskkit.checkpoints import CHECKPOINT_NAME, FAILED_MARK
from maskkit.cli.main import cli
from maskkit.data.ground_truth import load_image_gt
from maskkit.errors import ConfigError, DatasetError, PluginError, TrainingDivergedError, WeightsError
from maskkit.weights.native import write_native
from tests.helpers import ArrayDataset, matterport_shapes_config, registered
from tests.helpers_coco import build_coco

pytestmark = pytest.mark.slow

TINY = {"BACKBONE": "tiny", "IMAGE_MIN_DIM": 64, "IMAGE_MAX_DIM": 64, "IMAGES_PER_GPU": 2,
        "TOP_DOWN_PYRAMID_SIZE": 32, "FPN_CLASSIF_FC_LAYERS_SIZE": 64, "STEPS_PER_EPOCH": 2,
        "VALIDATION_STEPS": 1, "POST_NMS_ROIS_INFERENCE": 100, "DETECTION_MAX_INSTANCES": 10}
TINY_ARGS = [arg for key, value in TINY.items() for arg in ("--set", f"{key.lower()}={value}")]
DATA = {"count": 6, "height": 64, "width": 64}
DATA_ARGS = [arg for key, value in DATA.items() for arg in ("--data", f"{key}={value}")]
SQUARE = (slice(4, 12), slice(5, 15))


def invoke(*args: str):
    """Run the CLI in-process; return click's result."""
    from click.testing import CliRunner

    return CliRunner().invoke(cli, [str(arg) for arg in args])


def assert_one_line_error(result, *fragments: str) -> None:
    """Exit code 1, an ``Error:`` line naming every fragment, and no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


def checkpoints(folder: Path) -> list[Path]:
    """Files named like checkpoints below ``folder``."""
    return sorted(p for p in folder.rglob("*") if CHECKPOINT_NAME.match(p.name))


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


class SquareFiles(Dataset):
    """Image files each with one square instance of class 1 (20x20 pixel coordinates scaled to the file)."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self.add_class("files", 1, "square")
        for index, path in enumerate(paths):
            self.add_image("files", image_id=index, path=str(path))
        self.prepare()

    def load_mask(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        image = self.load_image(image_id)
        mask = np.zeros((*image.shape[:2], 1), dtype=bool)
        mask[SQUARE[0], SQUARE[1], 0] = True
        return mask, np.array([1], dtype=np.int32)


def square_image(size: int = 32) -> np.ndarray:
    """An RGB uint8 image with a bright square where SQUARE's mask is."""
    image = np.full((size, size, 3), 30, dtype=np.uint8)
    image[SQUARE] = 220
    return image


def array_dataset(masks: list[np.ndarray], class_ids: list[list[int]], size: int = 32) -> ArrayDataset:
    """An ArrayDataset of square images with the given masks and class ids."""
    return ArrayDataset([square_image(size) for _ in masks], masks,
                        [np.asarray(ids, dtype=np.int32) for ids in class_ids])


def square_mask(size: int = 32, count: int = 1) -> np.ndarray:
    """``count`` copies of SQUARE as an HxWxN bool mask."""
    mask = np.zeros((size, size, count), dtype=bool)
    mask[SQUARE[0], SQUARE[1], :] = True
    return mask


CONFIG = matterport_shapes_config(NUM_CLASSES=3, IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=64)


# ----- image files ------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_corrupt_image_file_names_the_file(tmp_path, damage):
    path = tmp_path / "broken.png"
    cv2.imwrite(str(path), square_image())
    data = path.read_bytes()
    path.write_bytes({"truncated": data[: len(data) // 2], "garbage": b"not an image at all", "empty": b""}[damage])
    dataset = SquareFiles([path])
    with pytest.raises(DatasetError, match=r"image 0 .*broken\.png.*cannot decode image file"):
        load_image_gt(dataset, matterport_shapes_config(NUM_CLASSES=2, IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=64), 0)


def test_a_missing_image_file_names_the_path(tmp_path):
    dataset = SquareFiles([tmp_path / "nowhere" / "gone.jpg"])
    with pytest.raises(DatasetError, match=r"image file not found: .*nowhere/gone\.jpg"):
        dataset.load_checked(0)


@pytest.mark.parametrize("kind", ["gray8", "gray16", "rgb16", "rgba", "gray_alpha"])
def test_grayscale_16bit_and_alpha_files_load_as_rgb(tmp_path, kind):
    rgb = square_image()
    gray = rgb[:, :, 0]
    pixels = {"gray8": gray, "gray16": gray.astype(np.uint16) * 257, "rgb16": rgb[:, :, ::-1].astype(np.uint16) * 257,
              "rgba": np.dstack([rgb[:, :, ::-1], np.full(gray.shape, 128, np.uint8)]),
              "gray_alpha": np.dstack([gray, gray, gray, np.full(gray.shape, 255, np.uint8)])}[kind]
    path = tmp_path / f"{kind}.png"
    assert cv2.imwrite(str(path), pixels)
    config = matterport_shapes_config(NUM_CLASSES=2, IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=64)
    image, meta, class_ids, boxes, masks = load_image_gt(SquareFiles([path]), config, 0, use_mini_mask=False)
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8
    assert list(meta[1:4]) == [32, 32, 3]
    assert class_ids.tolist() == [1] and boxes.tolist() == [[8, 10, 24, 30]]
    assert image[16, 20].tolist() == [220, 220, 220] and masks[16, 20, 0]


# ----- masks and class ids ----------------------------------------------------------------------
def test_a_mask_of_the_wrong_size_names_the_image_and_both_sizes():
    dataset = array_dataset([square_mask(), square_mask(size=16)], [[1], [1]])
    load_image_gt(dataset, CONFIG, 0)
    with pytest.raises(DatasetError, match=r"ArrayDataset image 1 .*mask size \(16, 16\) differs from "
                                           r"image size \(32, 32\)"):
        load_image_gt(dataset, CONFIG, 1)


def test_an_instance_with_an_empty_mask_is_dropped():
    mask = square_mask(count=2)
    mask[..., 0] = False
    dataset = array_dataset([mask], [[1, 2]])
    _, _, class_ids, boxes, masks = load_image_gt(dataset, CONFIG, 0)
    assert class_ids.tolist() == [2] and boxes.shape == (1, 4) and masks.shape == (56, 56, 1)


def test_images_without_instances_load_empty_and_a_dataset_of_only_those_is_an_error():
    dataset = array_dataset([np.zeros((32, 32, 0), bool), square_mask(count=1) & False], [[], [1]])
    for image_id in (0, 1):
        image, _, class_ids, boxes, masks = load_image_gt(dataset, CONFIG, image_id)
        assert image.shape == (64, 64, 3) and class_ids.shape == (0,) and boxes.shape == (0, 4)
        assert masks.shape == (56, 56, 0)
    from maskkit.data.input import make_dataset

    with pytest.raises(DatasetError, match="none of its 2 images has an instance"):
        make_dataset(dataset, CONFIG)


@pytest.mark.parametrize("class_id", [3, 7, 0, -5])
def test_class_ids_out_of_range_name_the_image_and_the_id(class_id):
    dataset = array_dataset([square_mask(), square_mask()], [[1], [class_id]])
    with pytest.raises(DatasetError, match=rf"ArrayDataset image 1 .*class id {class_id} is outside "
                                           r"the dataset's classes 1\.\.2"):
        load_image_gt(dataset, CONFIG, 1)


def test_a_bad_image_met_during_training_stops_with_its_own_message(tmp_path):
    from maskkit.pipeline import Pipeline

    masks = [square_mask() for _ in range(4)]
    dataset = array_dataset(masks, [[1], [1], [1], [9]])
    pipe = Pipeline(dataset, config=CONFIG.replace(**TINY), log_dir=tmp_path)
    with pytest.raises(DatasetError) as caught:
        pipe.train(1, verbose=0)
    message = str(caught.value)
    assert message.startswith("ArrayDataset image 3 (source id 3") and "class id 9 is outside" in message
    assert "\n" not in message and "Traceback" not in message
    assert list(tmp_path.iterdir()) == []  # the run failed before its first checkpoint: no folder is left


class FailingMasks(ArrayDataset):
    """An ArrayDataset whose load_mask raises a plain KeyError for image 2, as a buggy plugin might."""

    def load_mask(self, image_id: int) -> tuple[np.ndarray, np.ndarray]:
        if image_id == 2:
            raise KeyError("segmentation")
        return super().load_mask(image_id)


def test_an_exception_in_a_datasets_own_code_is_named_when_the_pipeline_meets_it():
    from maskkit.data.example_errors import next_batch
    from maskkit.data.input import make_dataset

    dataset = FailingMasks([square_image() for _ in range(4)], [square_mask() for _ in range(4)],
                           [np.array([1], np.int32)] * 4)
    batches = iter(make_dataset(dataset, CONFIG, shuffle=False))
    with pytest.raises(DatasetError) as caught:
        for _ in range(3):
            next_batch(batches)
    assert str(caught.value) == ("FailingMasks image 2 (source id 2, arrays:2): loading failed: "
                                 "KeyError: 'segmentation'")


# ----- COCO files -------------------------------------------------------------------------------
def _odd_polygon(data):
    data["annotations"][0]["segmentation"] = [[5.0, 5.0, 30.0, 6.0, 18.5]]


def _no_segmentation(data):
    data["annotations"][0]["segmentation"] = None


def _short_rle(data):
    data["annotations"][3]["segmentation"]["counts"] = [10, 20, 30]


def _rle_of_another_size(data):
    data["annotations"][3]["segmentation"]["size"] = [10, 10]


@pytest.mark.parametrize("mutate, fragment", [
    (_odd_polygon, r"annotation 101: polygon 0 must be a flat list of finite x,y pairs"),
    (_no_segmentation, r"annotation 101: segmentation must be a list of polygons or an RLE dict"),
    (_short_rle, r"annotation 201: RLE runs sum to 60 pixels, the image has 60x80"),
    (_rle_of_another_size, r"annotation 201: RLE size \[10, 10\] differs from the image size \[60, 80\]"),
])
def test_a_coco_file_with_a_broken_segmentation_names_the_annotation(tmp_path, mutate, fragment):
    files = build_coco(tmp_path, mutate=mutate)
    with pytest.raises(DatasetError, match=fragment):
        maskkit.datasets.create("coco", annotations=str(files.annotations), images=str(files.images))


def test_data_check_on_a_broken_coco_file_is_one_error_line(tmp_path):
    files = build_coco(tmp_path, mutate=_odd_polygon)
    result = invoke("data", "check", "coco", "--data", f"annotations={files.annotations}",
                    "--data", f"images={files.images}")
    assert_one_line_error(result, "annotation 101", "polygon 0", str(files.annotations.parent))


# ----- configs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("changes, fragment", [
    ({"IMAGE_MIN_DIM": -64}, "config field IMAGE_MIN_DIM: must not be negative, got -64"),
    ({"IMAGE_MAX_DIM": 100}, "config field IMAGE_MAX_DIM: must be divisible by 64"),
    ({"IMAGE_MIN_DIM": 256, "IMAGE_MAX_DIM": 128}, "config field IMAGE_MIN_DIM: 256 exceeds IMAGE_MAX_DIM 128"),
    ({"ROI_POSITIVE_RATIO": 1.5}, "config field ROI_POSITIVE_RATIO: must be within (0, 1]"),
    ({"RPN_ANCHOR_SCALES": (8, 16)}, "config field RPN_ANCHOR_SCALES: needs one scale per backbone level"),
    ({"LEARNING_RATE": float("nan")}, "config field LEARNING_RATE: must be finite"),
    ({"LOSS_WEIGHTS": {"rpn_class_loss": 1.0, "typo_loss": 1.0}}, "config field LOSS_WEIGHTS: unknown loss"),
])
def test_a_config_with_impossible_values_names_the_field(changes, fragment):
    with pytest.raises(ConfigError) as caught:
        Config(**changes)
    assert fragment in str(caught.value)


def test_a_num_classes_that_contradicts_the_dataset_is_an_error_before_training(tmp_path):
    from maskkit.data.input import make_dataset
    from maskkit.pipeline import Pipeline

    dataset = array_dataset([square_mask()], [[1]])
    with pytest.raises(ConfigError, match=r"NUM_CLASSES: overrides sets 5 but dataset ArrayDataset has 3 classes"):
        Pipeline(dataset, config=CONFIG.replace(**TINY), overrides={"NUM_CLASSES": 5}, log_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"NUM_CLASSES: is 5 but ArrayDataset has 3 classes"):
        make_dataset(dataset, CONFIG.replace(NUM_CLASSES=5))
    assert list(tmp_path.iterdir()) == []


def test_the_cli_rejects_an_impossible_config_in_one_line(tmp_path):
    result = invoke("train", "--preset", "shapes", "--set", "image_max_dim=100", "--log-dir", tmp_path / "runs")
    assert_one_line_error(result, "IMAGE_MAX_DIM", "divisible by 64")
    assert not (tmp_path / "runs").exists()


def test_debug_shows_the_traceback_in_a_real_process(tmp_path):
    command = [sys.executable, "-m", "maskkit", "train", "--preset", "shapes", "--set", "image_min_dim=-64",
               "--log-dir", str(tmp_path / "runs")]
    quiet = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    assert "Error: config field IMAGE_MIN_DIM: must not be negative, got -64" in quiet.stderr
    loud = subprocess.run([sys.executable, "-m", "maskkit", "--debug", *command[3:]], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert loud.returncode == 1
    assert "Traceback (most recent call last)" in loud.stderr and "maskkit.errors.ConfigError" in loud.stderr
    assert "Error: config field IMAGE_MIN_DIM" in loud.stderr
    assert not (tmp_path / "runs").exists()


# ----- plugins ----------------------------------------------------------------------------------
@pytest.fixture
def exploding_dataset(tmp_path, monkeypatch):
    """A dataset ``exploding`` whose plugin module raises when it is imported."""
    (tmp_path / "exploding_plugin_module.py").write_text('raise RuntimeError("exploding is broken on purpose")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    with registered("dataset", "exploding", "exploding_plugin_module:make", plugin="exploding-plugin"):
        yield


def test_a_plugin_that_raises_at_import_names_itself(exploding_dataset):
    with pytest.raises(PluginError, match=r"dataset 'exploding' from plugin 'exploding-plugin' cannot be "
                                          r"loaded: RuntimeError: exploding is broken on purpose"):
        maskkit.datasets.create("exploding")
    assert "shapes" in maskkit.datasets.names()


def test_an_entry_point_plugin_that_raises_at_import_is_reported_and_skipped(tmp_path, monkeypatch):
    (tmp_path / "exploding_plugin_module.py").write_text('raise RuntimeError("exploding is broken on purpose")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    installed = plugins.metadata.entry_points
    broken = importlib.metadata.EntryPoint("exploding", "exploding_plugin_module", plugins.ENTRY_POINT_GROUP)
    monkeypatch.setattr(plugins.metadata, "entry_points", lambda group: [*installed(group=group), broken])
    plugins.reset()
    with pytest.warns(plugins.PluginWarning, match=r"plugin 'exploding' .*failed to import and was skipped: "
                                                   r"RuntimeError: exploding is broken on purpose"):
        assert "shapes" in maskkit.datasets.names()
    result = invoke("plugins")
    assert result.exit_code == 0, result.output
    [row] = [line for line in result.output.splitlines() if line.startswith("exploding")]
    assert "FAILED" in row and "exploding is broken on purpose" in row


def test_the_cli_reports_a_plugin_that_raises_at_import_in_one_line(exploding_dataset, tmp_path):
    result = invoke("train", "--dataset", "exploding", "--log-dir", tmp_path / "runs")
    assert_one_line_error(result, "exploding-plugin", "exploding is broken on purpose")


# ----- with a trained checkpoint ----------------------------------------------------------------
@pytest.fixture(scope="module")
def log_dir(tmp_path_factory) -> Path:
    """A one-epoch tiny shapes run."""
    log_dir = tmp_path_factory.mktemp("runs")
    result = invoke("train", "--preset", "shapes", *DATA_ARGS, *TINY_ARGS, "--epochs", "1", "--log-dir", log_dir)
    assert result.exit_code == 0, result.output
    return log_dir


def test_detect_on_a_missing_file_or_only_corrupt_files_writes_nothing(log_dir, tmp_path):
    good, broken = tmp_path / "good.png", tmp_path / "broken.jpg"
    cv2.imwrite(str(good), square_image(64))
    broken.write_bytes(b"\xff\xd8\xff\xe0 half a jpeg")
    out = tmp_path / "out"
    result = invoke("detect", "--weights", log_dir, broken, "--out", out)
    assert_one_line_error(result, "none of the 1 images could be read")
    assert "image 0" in result.output and "broken.jpg" in result.output and "cannot decode image file" in result.output
    result = invoke("detect", "--weights", log_dir, tmp_path / "absent.png", "--out", out)
    assert_one_line_error(result, "none of the 1 images could be read")
    assert "image file not found" in result.output and "absent.png" in result.output
    assert not out.exists()
    result = invoke("detect", "--weights", log_dir, good, tmp_path / "absent.png", "--out", out)
    assert_one_line_error(result, "1 of 2 images could not be read and were skipped", "absent.png")
    assert [p.name for p in out.glob("*.png")] == ["good_detections.png"]


def test_detect_on_images_smaller_than_the_input_and_the_anchors(log_dir, tmp_path):
    from maskkit.pipeline import Pipeline

    pipe = Pipeline.from_checkpoint(log_dir, use_stored_dataset=False)
    results = pipe.detect([square_image(20), np.zeros((5, 3, 3), np.uint8)])
    assert results[0]["masks"].shape[:2] == (20, 20) and results[1]["masks"].shape[:2] == (5, 3)
    for result, (height, width) in zip(results, [(20, 20), (5, 3)]):
        rois = result["rois"]
        assert np.all(rois >= 0) and np.all(rois[:, [2, 0]] <= height) and np.all(rois[:, [3, 1]] <= width)
    path = tmp_path / "tiny.png"
    cv2.imwrite(str(path), square_image(20))
    result = invoke("detect", "--weights", log_dir, path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "results.json").is_file()


def test_detect_gives_same_stem_pictures_distinct_names_and_survives_a_corrupt_image(log_dir, tmp_path):
    inputs = []
    for folder, suffix in (("a", ".png"), ("b", ".png"), ("c", ".jpg")):
        (tmp_path / folder).mkdir()
        inputs.append(tmp_path / folder / f"x{suffix}")
        cv2.imwrite(str(inputs[-1]), square_image(64))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 half a jpeg")
    inputs.insert(1, broken)
    out = tmp_path / "out"
    result = invoke("detect", "--weights", log_dir, *inputs, "--out", out)
    assert_one_line_error(result, "1 of 4 images could not be read and were skipped", "broken.jpg")
    assert "skipped:" in result.output and "cannot decode image file" in result.output
    assert sorted(p.name for p in out.glob("*.png")) == ["x_2_detections.png", "x_3_detections.png",
                                                        "x_detections.png"]
    import json

    written = json.loads((out / "results.json").read_text())
    assert {entry["file_name"] for entry in written} <= {str(p) for p in inputs if p != broken}


def test_evaluate_on_other_classes_suggests_only_what_exists(log_dir, tmp_path):
    files = build_coco(tmp_path)
    result = invoke("evaluate", "--weights", log_dir, "--dataset", "coco", "--data", f"annotations={files.annotations}",
                    "--data", f"images={files.images}")
    assert_one_line_error(result, "class names stored with weights file", "maskkit train --weights")
    assert "exclude the heads" not in result.output


def test_a_weights_file_of_another_architecture_is_refused(log_dir, tmp_path):
    from maskkit.pipeline import Pipeline

    other = tmp_path / "other.weights.h5"
    write_native(other, [("dense_7", [("kernel", lambda: np.ones((3, 3), np.float32))])], {}, {})
    pipe = Pipeline("shapes", dataset_args=DATA, preset="shapes", overrides=TINY, log_dir=tmp_path / "api")
    with pytest.raises(WeightsError, match=r"other\.weights\.h5 has no layer in common with the model "
                                           r"\(another architecture\?\)"):
        pipe.load_weights(other)
    runs = tmp_path / "runs"
    result = invoke("train", "--preset", "shapes", *DATA_ARGS, *TINY_ARGS, "--weights", other, "--log-dir", runs)
    assert_one_line_error(result, "other.weights.h5", "no layer in common")
    result = invoke("train", "--preset", "shapes", *DATA_ARGS, *TINY_ARGS, "--set", "top_down_pyramid_size=16",
                    "--weights", log_dir, "--log-dir", runs)
    assert_one_line_error(result, "mask_rcnn_shapes_0001.weights.h5", "does not fit the model", "shape mismatches",
                          "To skip these layers pass exclude=")
    result = invoke("detect", "--weights", other, tmp_path / "x.png")
    assert_one_line_error(result, "other.weights.h5 holds no maskkit config")
    assert checkpoints(runs) == []


def test_a_loss_going_nan_stops_training_and_keeps_the_last_good_checkpoint(log_dir, tmp_path):
    from maskkit.pipeline import Pipeline

    runs = tmp_path / "runs"
    shutil.copytree(log_dir, runs)
    [good] = checkpoints(runs)
    before = digest(good)
    overrides = {**TINY, "STEPS_PER_EPOCH": 6}
    pipe = Pipeline("shapes", dataset_args=DATA, preset="shapes", overrides=overrides, log_dir=runs)
    with pytest.raises(TrainingDivergedError) as caught:
        pipe.train(3, resume=True, learning_rate=1e12, verbose=0)
    error = caught.value
    assert error.epoch == 2 and 1 <= error.step <= 6 and error.phase == "training"
    assert "loss" in error.losses and all(not np.isfinite(v) for v in error.losses.values())
    message = str(error)
    assert message.startswith(f"training diverged at epoch 2, training step {error.step}: ")
    assert "epoch 2 was not saved and the last good checkpoint is epoch 1's" in message
    assert checkpoints(runs) == [good] and digest(good) == before
    assert pipe.model.epoch == 1
    failed = (good.parent / FAILED_MARK).read_text()
    assert failed.startswith(f"training stopped with an error: TrainingDivergedError: {message}\n")


def test_the_cli_reports_divergence_in_one_line(log_dir, tmp_path):
    runs = tmp_path / "runs"
    shutil.copytree(log_dir, runs)
    result = invoke("train", "--preset", "shapes", *DATA_ARGS, *TINY_ARGS, "--set", "steps_per_epoch=6",
                    "--resume", "--epochs", "2", "--learning-rate", "1e12", "--log-dir", runs)
    assert_one_line_error(result, "training diverged at epoch 2", "last good checkpoint is epoch 1's")
    assert [p.name for p in checkpoints(runs)] == ["mask_rcnn_shapes_0001.weights.h5"]
