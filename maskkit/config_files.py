"""The text forms a config comes in: config files (.yaml/.yml, .toml, .json) and ``KEY=value`` overrides.

Reading and writing those formats, checking a file's extension and parsing the CLI's ``--set``
strings (values parsed as YAML, like a config file's) are apart from maskkit.config, which
holds the fields, their defaults and their checks: this module deals in plain mappings of
upper-case field names to values and knows nothing of Config, so Config.save and Config.load
delegate here and maskkit.config_assembly reads a file's values without building a config.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable, Mapping

from maskkit.errors import ConfigError

CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".json")


def write_config_file(path: str | os.PathLike, values: Mapping[str, Any]) -> None:
    """Write config values as YAML, TOML or JSON (by file extension: .yaml/.yml, .toml, .json), atomically;
    another extension is a ConfigError.

    Args:
        path: the file to write; its extension picks the format.
        values: the fields as plain JSON-friendly values by name, as Config.to_dict gives them.
    """
    from maskkit.atomic_files import atomic_write_text

    path = Path(path)
    suffix = check_config_suffix(path)
    if suffix in (".yaml", ".yml"):
        import yaml

        text = yaml.safe_dump(dict(values), sort_keys=False)
    elif suffix == ".toml":
        from maskkit.utils.toml_text import dumps_toml

        text = dumps_toml(values)
    else:
        text = json.dumps(dict(values), indent=2)
    atomic_write_text(path, text)


def read_config_file(path: str | os.PathLike) -> dict[str, Any]:
    """The mapping a .json, .yaml/.yml or .toml config file holds, keys upper-cased.

    Args:
        path: the config file; its extension picks the parser. A missing or unparsable file,
            or one not holding a mapping, is a ConfigError.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(None, f"config file not found: {path}")
    suffix = check_config_suffix(path)
    text = path.read_text()
    try:
        if suffix in (".yaml", ".yml"):
            import yaml

            values = yaml.safe_load(text) or {}
        elif suffix == ".toml":
            import tomllib

            values = tomllib.loads(text)
        else:
            values = json.loads(text)
    except Exception as exc:
        raise ConfigError(None, f"cannot parse {path}: {exc}") from exc
    if not isinstance(values, dict):
        raise ConfigError(None, f"{path} must hold a mapping of field names to values")
    return {str(key).upper(): value for key, value in values.items()}


def check_config_suffix(path: Path) -> str:
    """``path``'s extension, lower-cased, which picks the format; ConfigError unless it is one config
    files are read and written with."""
    suffix = path.suffix.lower()
    if suffix not in CONFIG_SUFFIXES:
        raise ConfigError(None, f"{path}: config files are {', '.join(CONFIG_SUFFIXES)}, not "
                                f"{path.suffix or 'extensionless'}")
    return suffix


def parse_overrides(assignments: Iterable[str]) -> dict[str, Any]:
    """``["IMAGES_PER_GPU=4", "mean_pixel=[1,2,3]"]`` -> ``{"IMAGES_PER_GPU": 4, ...}``.

    Args:
        assignments: ``KEY=value`` strings; keys are upper-cased, values parsed as YAML. An item
            without ``=`` or with an unparsable value is a ConfigError.

    Returns:
        The values by upper-case field name (not checked against the fields here).
    """
    import yaml

    out: dict[str, Any] = {}
    for item in assignments:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(item, "an override must look like KEY=value")
        try:
            out[key.strip().upper()] = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise ConfigError(key.strip().upper(), f"cannot parse value {raw!r}: {exc}") from exc
    return out
