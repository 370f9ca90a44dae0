"""``maskkit config save x.toml`` writes TOML that loads back to the same config."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from maskkit.cli.main import cli
from maskkit.config import Config
from maskkit.utils.toml_text import dumps_toml


@pytest.mark.parametrize("suffix", [".toml", ".yaml", ".json"])
def test_cli_save_writes_the_format_of_the_extension_and_loads_back(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    result = CliRunner().invoke(cli, ["config", "save", "--preset", "shapes", "--set", "AUGMENTERS=[fliplr]",
                                      "--set", 'NAME=my "run"', str(path)])
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert ('NAME = "my \\"run\\""' in text) == (suffix == ".toml")
    loaded = Config.load(path)
    assert loaded.NAME == 'my "run"' and list(loaded.AUGMENTERS) == ["fliplr"] and loaded.MAX_GT_INSTANCES == 8


def test_toml_values_round_trip_through_tomllib():
    import tomllib

    values = {"A": True, "B": -3, "C": 1e-4, "D": "x\ny", "E": [0.5, 1, 2], "F": {"k": 1.5}, "G": []}
    assert tomllib.loads(dumps_toml(values)) == values
    with pytest.raises(TypeError, match="None"):
        dumps_toml({"A": None})
