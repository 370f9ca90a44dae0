"""``maskkit inspect`` end to end through click's runner: statistics printed, PNGs decodable."""

from __future__ import annotations

import json

import cv2
from click.testing import CliRunner

from maskkit.cli.main import cli


def test_inspect_prints_seed_statistics_and_writes_pictures(tmp_path):
    out = tmp_path / "pics"
    result = CliRunner().invoke(cli, ["inspect", "shapes", "--data", "count=12", "--preset", "shapes",
                                      "--count", "2", "--seed", "1", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["images"] == 12 and stats["class_names"] == ["BG", "square", "circle", "triangle"]
    assert stats["anchors"] == 4092 and stats["anchors_per_level"] == [3072, 768, 192, 48, 12]
    assert len(stats["samples"]) == 2
    for sample in stats["samples"]:
        assert sample["positive"] + sample["negative"] + sample["neutral"] == 4092
        assert 0 < sample["positive"] and sample["positive"] + sample["negative"] <= 256
    assert len(stats["files"]) >= 7
    for path in stats["files"]:
        image = cv2.imread(path)
        assert image is not None and image.ndim == 3 and min(image.shape[:2]) >= 64


def test_inspect_unknown_dataset_lists_known():
    result = CliRunner().invoke(cli, ["inspect", "shapez"])
    assert result.exit_code == 1 and "known datasets" in result.output and "shapes" in result.output


def test_inspect_num_classes_mismatch_is_named():
    result = CliRunner().invoke(cli, ["inspect", "shapes", "--data", "count=2", "--set", "num_classes=3"])
    assert result.exit_code == 1 and "NUM_CLASSES" in result.output and "square" in result.output
