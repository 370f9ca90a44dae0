"""``maskkit weights inspect|convert`` through click's runner on a matterport-layout file."""

from __future__ import annotations

import json

from click.testing import CliRunner

from maskkit.cli.main import cli
from tests.helpers_weights import matterport_groups, tiny_model, write_keras2


def test_inspect_and_convert_a_matterport_file(tmp_path):
    src = tmp_path / "mask_rcnn_coco.h5"
    write_keras2(src, matterport_groups(tiny_model()))
    runner = CliRunner()
    table = runner.invoke(cli, ["weights", "inspect", str(src)])
    assert table.exit_code == 0, table.output
    assert "conv1" in table.output
    dst = tmp_path / "converted.weights.h5"
    converted = runner.invoke(cli, ["weights", "convert", str(src), str(dst), "--class-names", "BG,a,b,c"])
    assert converted.exit_code == 0, converted.output
    data = json.loads(runner.invoke(cli, ["weights", "inspect", str(dst), "--json"]).output)
    assert data["metadata"]["class_names"] == ["BG", "a", "b", "c"]
    assert any(layer["name"] == "conv1" for layer in data["layers"])


def test_inspect_missing_file_is_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["weights", "inspect", str(tmp_path / "nope.h5")])
    assert result.exit_code == 1 and "nope.h5" in result.output and "Traceback" not in result.output


def test_inspect_fails_on_a_checkpoint_whose_arrays_no_longer_match_its_checksum(tmp_path):
    import h5py
    import numpy as np

    from maskkit.weights.native import write_native

    path = tmp_path / "mask_rcnn_x_0001.weights.h5"
    write_native(path, [("dense", [("kernel", lambda: np.ones((16, 16), np.float32))])], {"epoch": 1}, {})
    assert CliRunner().invoke(cli, ["weights", "inspect", str(path)]).exit_code == 0
    with h5py.File(path, "r") as handle:
        offset = handle["dense"]["kernel"].id.get_offset()
    with open(path, "r+b") as raw:
        raw.seek(offset + 32)
        raw.write(bytes(64))
    for extra in ([], ["--json"]):
        result = CliRunner().invoke(cli, ["weights", "inspect", str(path), *extra])
        assert result.exit_code == 1, result.output
        assert result.output.strip() == (f"Error: weights file {path} is damaged: its arrays do not match the "
                                         f"checksum stored when it was written (disk or copy error); use an "
                                         f"earlier checkpoint")
