"""``maskkit data check``: exit codes, table and JSON, --out and --limit, one-line errors."""

from __future__ import annotations

import json
import warnings

import numpy as np
from click.testing import CliRunner

from maskkit.cli.main import cli
from tests.helpers import registered
from tests.helpers_data_check import SIZE, arrays, square_mask


def run(*args):
    return CliRunner().invoke(cli, ["data", "check", *args])


def test_cli_clean_dataset_exits_zero_with_table():
    result = run("shapes", "--set", "count=4", "--set", "HEIGHT=64", "--data", "width=64")
    assert result.exit_code == 0, result.output
    assert "dataset shapes: checked 4 of 4 images" in result.stdout


def test_cli_errors_exit_one_and_json_is_parsable():
    broken = lambda: arrays([square_mask(), square_mask(size=16)], [[1], [2]])  # noqa: E731
    with registered("dataset", "broken_sizes", broken):
        result = run("broken_sizes", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["summary"]["dataset"] == "broken_sizes"
    assert [f["code"] for f in data["findings"]] == ["mask-size-mismatch"]


def test_cli_warnings_only_exit_zero_and_out_and_limit(tmp_path):
    warned = lambda: arrays([square_mask(), np.zeros((SIZE, SIZE, 0), bool)], [[1], []])  # noqa: E731
    with registered("dataset", "warned", warned):
        result = run("warned", "--out", str(tmp_path), "--limit", "1", "--workers", "1")
        assert result.exit_code == 0, result.output
        assert "checked 1 of 2 images" in result.stdout
        assert (tmp_path / "mask_areas.png").is_file() and (tmp_path / "data_check.json").is_file()
        assert run("warned").exit_code == 0


def test_cli_unknown_dataset_is_a_one_line_error():
    result = run("no_such_dataset")
    assert result.exit_code == 1 and "unknown dataset 'no_such_dataset'" in result.output


def test_cli_coco_with_a_corrupt_image_names_the_file(tmp_path):
    from tests.helpers_coco import build_coco

    files = build_coco(tmp_path)
    corrupt = files.images / "c.png"
    corrupt.write_bytes(b"\x89PNG truncated")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run("coco", "--set", f"annotations={files.annotations}", "--set", f"images={files.images}")
    assert result.exit_code == 1, result.output
    assert "ERROR   unreadable-image" in result.stdout and str(corrupt) in result.stdout
    assert "WARNING skipped-annotation" in result.stdout


def plan_cli(*args):
    return CliRunner().invoke(cli, ["data", "plan", *args])


def crowded_coco(root, images=3, per_image=60, size=128):
    """A COCO file of ``images`` pictures crowded with ``per_image`` 6-8 px squares (category 5)."""
    from maskkit.imageio import write_image_rgb

    rng = np.random.default_rng(1)
    data = {"images": [], "annotations": [], "categories": [{"id": 5, "name": "dot"}]}
    for img_id in range(images):
        data["images"].append({"id": img_id, "file_name": f"{img_id}.png", "height": size, "width": size})
        write_image_rgb(root / f"{img_id}.png", np.zeros((size, size, 3), np.uint8))
        for _ in range(per_image):
            side = float(rng.integers(6, 9))
            x, y = (float(v) for v in rng.integers(0, size - 9, size=2))
            data["annotations"].append({"id": len(data["annotations"]), "image_id": img_id, "category_id": 5,
                                        "iscrowd": 0, "area": side * side, "bbox": [x, y, side, side],
                                        "segmentation": [[x, y, x + side, y, x + side, y + side, x, y + side]]})
    (root / "ann.json").write_text(json.dumps(data))
    return [f"annotations={root / 'ann.json'}", f"images={root}"]


def test_plan_of_shapes_prints_coverage_and_writes_a_config_train_accepts(tmp_path):
    from maskkit.config import Config
    from maskkit.config_assembly import ConfigRequest, assemble_config

    out = tmp_path / "plan.yaml"
    result = plan_cli("shapes", "--data", "count=6", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "dataset shapes: 6 images, " + lines[0].split(", ", 1)[1]
    current = next(line for line in lines if line.startswith("  current "))
    proposed = next(line for line in lines if line.startswith("  proposed "))
    for line in (current, proposed):
        assert "IoU>=0.5" in line and "IoU>=0.7" in line and "%" in line
    assert "128 px square, scales 8-128" in current
    assert f"wrote {out}; train with:" in result.stdout
    assert f"maskkit train --dataset shapes --data count=6 --config {out}" in result.stdout
    assert Config.load(out).NUM_CLASSES == 4
    assembled = assemble_config(ConfigRequest(config_file=out), dataset_name="shapes")
    config = assembled.config
    assert assembled.preset == "shapes" and config.IMAGE_MAX_DIM == 128 and config.BACKBONE == "tiny"
    shown = json.loads(CliRunner().invoke(cli, ["config", "show", "--config", str(out), "--json"]).stdout)
    assert shown["MINI_MASK_SHAPE"] == [56, 56]


def test_plan_of_a_crowded_coco_file_with_small_objects(tmp_path):
    from maskkit.config import Config

    out = tmp_path / "plan.toml"
    result = plan_cli("coco", *(f"--data={item}" for item in crowded_coco(tmp_path)), "--preset", "cpu",
                      "--set", "LEARNING_RATE=0.003", "--set", "IMAGE_MIN_DIM=128", "--set", "IMAGE_MAX_DIM=128",
                      "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "dataset coco: 3 images, 180 instances, 1 classes" in result.stdout
    assert "instances per image: min 60, median 60, p90 60, max 60" in result.stdout
    planned = Config.load(out)
    assert planned.NUM_CLASSES == 2 and planned.LEARNING_RATE == 0.003
    assert planned.MAX_GT_INSTANCES >= 60 and planned.TRAIN_ROIS_PER_IMAGE * planned.ROI_POSITIVE_RATIO >= 64
    assert 128 < planned.IMAGE_MAX_DIM <= 512, "6-8 px objects in 128 px images: enlarged, within the CPU cap"
    shares = {line.split()[0]: [float(v.rstrip("%")) for v in line.split() if v.endswith("%")]
              for line in result.stdout.splitlines() if line.startswith(("  current ", "  proposed "))}
    assert shares["proposed"][0] > shares["current"][0] + 20, "16 px anchors miss 6-8 px objects at 128 px"
    text = out.read_text()
    assert 'preset = "cpu"' in text and "LEARNING_RATE = 0.003" in text


def test_plan_without_a_preset_starts_from_the_machines(tmp_path, monkeypatch):
    """coco recommends no preset: a machine without a GPU plans from the cpu recipe."""
    import maskkit.planning
    from maskkit.planning.machine import GIB, Machine

    monkeypatch.setattr(maskkit.planning, "this_machine", lambda: Machine(gpu=False, memory_bytes=16 * GIB))
    out = tmp_path / "plan.yaml"
    result = plan_cli("coco", *(f"--data={item}" for item in crowded_coco(tmp_path)), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "preset: cpu" in out.read_text().splitlines()


def test_plan_errors_are_one_line(tmp_path):
    result = plan_cli("no_such_dataset", "--out", str(tmp_path / "p.yaml"))
    assert result.exit_code == 1 and "unknown dataset 'no_such_dataset'" in result.output
    result = plan_cli("shapes", "--data", "count=2", "--set", "image_max_dim=100", "--out", str(tmp_path / "p.yaml"))
    assert result.exit_code == 1 and "IMAGE_MAX_DIM" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "p.yaml").exists()


def test_plan_imports_no_tensorflow(tmp_path):
    import subprocess
    import sys

    args = ["data", "plan", "shapes", "--data", "count=2", "--out", str(tmp_path / "p.json")]
    code = ("import sys; from click.testing import CliRunner; from maskkit.cli.main import cli; "
            f"r = CliRunner().invoke(cli, {args!r}); "
            "sys.exit(r.exit_code or 'tensorflow' in sys.modules or 'keras' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
