"""SavedModel export: a process without maskkit gets the same detections as model.detect, with names."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

pytest.importorskip("keras")

import maskkit  # noqa: E402
from maskkit.cli.main import cli  # noqa: E402
from maskkit.errors import ConfigError, MaskkitError  # noqa: E402
from maskkit.export import export_saved_model, read_export_metadata  # noqa: E402
from maskkit.model.maskrcnn import MaskRCNN  # noqa: E402
from maskkit.weights import save_weights  # noqa: E402
from tests.helpers import tiny_config  # noqa: E402

pytestmark = pytest.mark.slow

# Runs in a fresh interpreter: loads the export with TensorFlow alone and saves what it returns.
CONSUMER = textwrap.dedent("""
    import json, sys
    import numpy as np
    import tensorflow as tf

    export_dir, inputs, outputs = sys.argv[1:4]
    loaded = tf.saved_model.load(export_dir)
    serve = loaded.signatures["serving_default"]
    arrays = np.load(inputs)
    results = {}
    for name in arrays.files:
        for key, value in serve(images=tf.constant(arrays[name])).items():
            results[f"{name}/{key}"] = value.numpy()
    names = [n.decode() for n in loaded.class_names().numpy()]
    signature_names = [n.decode() for n in loaded.signatures["class_names"]()["class_names"].numpy()]
    metadata = json.loads(loaded.metadata().numpy().decode())
    with open(f"{export_dir}/assets.extra/maskkit.json") as handle:
        file_names = json.load(handle)["class_names"]
    assert "maskkit" not in sys.modules, "the consumer must not import maskkit"
    np.savez(outputs, **results)
    print(json.dumps({"names": names, "signature_names": signature_names, "file_names": file_names,
                      "config_max_dim": metadata["config"]["IMAGE_MAX_DIM"]}))
""")


@pytest.fixture(scope="module")
def trained(trained_tiny, tmp_path_factory: pytest.TempPathFactory):
    """The session's trained tiny model rebuilt for 128x128 inputs (the weights do not depend on the
    size), detecting from a 0.05 score, and 128x128 shapes images. At 64x64, one of its masks from
    export and from detect differed by 6% of its pixels with equal box, class and score."""
    config = tiny_config(IMAGE_MIN_DIM=128, IMAGE_MAX_DIM=128, DETECTION_MIN_CONFIDENCE=0.05,
                         DETECTION_MAX_INSTANCES=10)
    model = MaskRCNN("inference", config, tmp_path_factory.mktemp("logs"))
    model.load_weights(trained_tiny.model.find_last())
    train = maskkit.datasets.create("shapes", count=4, height=128, width=128, seed=0, subset="train")
    return model, train


def run_consumer(export_dir: Path, batches: dict[str, np.ndarray], work: Path) -> tuple[dict, dict]:
    np.savez(work / "inputs.npz", **batches)
    done = subprocess.run([sys.executable, "-c", CONSUMER, str(export_dir), str(work / "inputs.npz"),
                           str(work / "outputs.npz")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(np.load(work / "outputs.npz")), json.loads(done.stdout.strip().splitlines()[-1])


def assert_same_detections(outputs: dict, prefix: str, row: int, expected: dict) -> None:
    count = int(outputs[f"{prefix}/num_detections"][row])
    assert count == len(expected["class_ids"])
    boxes = outputs[f"{prefix}/boxes"][row, :count]
    np.testing.assert_allclose(boxes, expected["rois"], atol=1)
    np.testing.assert_array_equal(outputs[f"{prefix}/class_ids"][row, :count], expected["class_ids"])
    np.testing.assert_allclose(outputs[f"{prefix}/scores"][row, :count], expected["scores"], atol=1e-4)
    masks = outputs[f"{prefix}/masks"][row, :count].astype(bool)
    reference = np.moveaxis(expected["masks"], -1, 0)
    assert masks.shape == reference.shape
    union = (masks | reference).sum(axis=(1, 2))
    iou = (masks & reference).sum(axis=(1, 2)) / np.maximum(union, 1)
    assert np.all((iou > 0.95) | (union == 0)), iou
    assert not outputs[f"{prefix}/masks"][row, count:].any()
    assert not outputs[f"{prefix}/class_ids"][row, count:].any()


def test_export_matches_detect_in_a_process_without_maskkit(trained, tmp_path: Path) -> None:
    model, train = trained
    square = np.stack([train.load_image(0), train.load_image(1)])  # 128 x 128: no resize
    wide = train.load_image(2)[16:112]  # 96 x 128: padded only
    small = cv2.resize(train.load_image(3), (64, 48), interpolation=cv2.INTER_AREA)  # upscaled twice, padded
    export_dir = export_saved_model(model, tmp_path / "export", class_names=train.class_names)
    outputs, info = run_consumer(export_dir, {"square": square, "wide": wide[None], "small": small[None]},
                                 tmp_path)
    expected = model.detect([square[0], square[1], wide, small])
    assert len(expected[0]["class_ids"]) > 0, "the briefly trained model should find something"
    assert_same_detections(outputs, "square", 0, expected[0])
    assert_same_detections(outputs, "square", 1, expected[1])
    assert_same_detections(outputs, "wide", 0, expected[2])
    assert outputs["wide/masks"].shape[2:] == (96, 128)
    assert_same_detections(outputs, "small", 0, expected[3])
    assert outputs["small/masks"].shape[2:] == (48, 64)
    names = list(train.class_names)
    assert info == {"names": names, "signature_names": names, "file_names": names, "config_max_dim": 128}


def test_export_checks_class_names_and_output_folder(trained, tmp_path: Path) -> None:
    model, _ = trained
    with pytest.raises(ConfigError, match="NUM_CLASSES.*2 class names"):
        export_saved_model(model, tmp_path / "a", class_names=["BG", "square"])
    with pytest.raises(MaskkitError, match="no class names"):
        export_saved_model(model, tmp_path / "b")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("keep me")
    with pytest.raises(MaskkitError, match="taken is not empty and is not an earlier output"):
        export_saved_model(model, tmp_path / "taken", class_names=["BG", "square", "circle", "triangle"])
    assert (tmp_path / "taken" / "notes.txt").read_text() == "keep me"


def test_cli_exports_a_checkpoint_with_its_class_names(trained, tmp_path: Path) -> None:
    from click.testing import CliRunner

    model, train = trained
    checkpoint = tmp_path / "mask_rcnn_tiny_0001.weights.h5"
    names = ["BG", "box", "ball", "wedge"]
    save_weights(model.keras_model, checkpoint, metadata={"config": model.config.to_dict(), "class_names": names})
    out = tmp_path / "served"
    runner = CliRunner()
    for _ in range(2):  # the second run replaces the first export
        result = runner.invoke(cli, ["export", "--weights", str(checkpoint), "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert "masks" in result.output and "uint8" in result.output and "box, ball, wedge" in result.output
    assert (out / "saved_model.pb").is_file()
    metadata = read_export_metadata(out)
    assert metadata["class_names"] == names
    assert metadata["config"]["NAME"] == "tiny"
    assert sorted(p.name for p in tmp_path.iterdir()) == [checkpoint.name, "served"]


def test_cli_export_names_a_missing_weights_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    missing = tmp_path / "nowhere.weights.h5"
    result = CliRunner().invoke(cli, ["export", "--weights", str(missing), "--out", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert "weights file not found" in result.output and str(missing) in result.output
    assert not (tmp_path / "out").exists()
