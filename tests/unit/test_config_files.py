"""maskkit.config_files: reading and writing .yaml/.yml, .toml and .json config files, and KEY=value overrides."""

from __future__ import annotations

import pytest

from maskkit import Config, ConfigError
from maskkit.config_files import check_config_suffix, parse_overrides, read_config_file, write_config_file


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml", ".YAML", ".toml", ".Toml"])
def test_write_read_round_trip(tmp_path, suffix):
    values = Config(NAME="ünïcode 𝔪", AUGMENTERS=("fliplr",)).to_dict()
    path = tmp_path / f"config{suffix}"
    write_config_file(path, values)
    assert read_config_file(path) == values


@pytest.mark.parametrize("suffix, text", [
    (".yaml", "NAME: x\nIMAGES_PER_GPU: 4\n"),
    (".YML", "NAME: x\nIMAGES_PER_GPU: 4\n"),
    (".toml", 'NAME = "x"\nIMAGES_PER_GPU = 4\n'),
    (".json", '{\n  "NAME": "x",\n  "IMAGES_PER_GPU": 4\n}'),
])
def test_each_format_is_written_as_itself(tmp_path, suffix, text):
    path = tmp_path / f"c{suffix}"
    write_config_file(path, {"NAME": "x", "IMAGES_PER_GPU": 4})
    assert path.read_text() == text


def test_read_toml_lowercase_keys(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('name = "toml"\nimages_per_gpu = 3\nrpn_anchor_scales = [8, 16, 32, 64, 128]\n')
    assert read_config_file(path) == {"NAME": "toml", "IMAGES_PER_GPU": 3, "RPN_ANCHOR_SCALES": [8, 16, 32, 64, 128]}
    c = Config.load(path)
    assert c.NAME == "toml" and c.BATCH_SIZE == 3 and c.RPN_ANCHOR_SCALES == (8, 16, 32, 64, 128)


def test_read_errors_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        read_config_file(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="cannot parse") as info:
        read_config_file(bad)
    assert str(info.value).startswith(f"cannot parse {bad}") and info.value.field is None
    with pytest.raises(ConfigError, match="cannot parse"):
        Config.load(bad)
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="must hold a mapping"):
        read_config_file(listed)


def test_an_empty_yaml_file_is_an_empty_mapping(tmp_path):
    path = tmp_path / "empty.yml"
    path.write_text("")
    assert read_config_file(path) == {}


@pytest.mark.parametrize("name", ["config.ini", "config.txt", "config"])
def test_unknown_config_extensions_are_named_not_read_as_json(tmp_path, name):
    path = tmp_path / name
    path.write_text("[section]\nNAME = x\n")
    with pytest.raises(ConfigError, match=r"config files are \.yaml, \.yml, \.toml, \.json"):
        read_config_file(path)
    with pytest.raises(ConfigError, match=r"config files are \.yaml, \.yml, \.toml, \.json"):
        Config.load(path)
    with pytest.raises(ConfigError, match=name):
        write_config_file(tmp_path / f"out_{name}", {"NAME": "x"})
    with pytest.raises(ConfigError, match=name):
        Config().save(tmp_path / f"out_{name}")
    assert not (tmp_path / f"out_{name}").exists()
    with pytest.raises(ConfigError, match="extensionless"):
        check_config_suffix(tmp_path / "config")


def test_overrides():
    assert parse_overrides(["images_per_gpu=4", "MEAN_PIXEL=[1, 2, 3]", "NAME=x"]) == {
        "IMAGES_PER_GPU": 4, "MEAN_PIXEL": [1, 2, 3], "NAME": "x"}
    assert parse_overrides([]) == {}
    with pytest.raises(ConfigError, match="KEY=value"):
        parse_overrides(["oops"])
    with pytest.raises(ConfigError, match="KEY=value"):
        parse_overrides(["=4"])
    with pytest.raises(ConfigError, match="cannot parse value") as info:
        parse_overrides(["mean_pixel=[1, 2"])
    assert info.value.field == "MEAN_PIXEL"
