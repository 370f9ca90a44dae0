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
