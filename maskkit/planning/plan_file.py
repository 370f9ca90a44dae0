"""Write a plan as a config file for ``maskkit train --config``: a ``preset`` key naming the base, the
current config's own settings, then each planned field (YAML and TOML with its reason as a comment).

The format follows the extension as Config.save's does: .yaml/.yml, .toml, anything else JSON.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from maskkit.atomic_files import atomic_write_text
from maskkit.planning.plan import Plan


def plan_text(plan: Plan, suffix: str, title: str) -> str:
    """The plan file's text for a file ending in ``suffix``; ``title`` heads YAML and TOML as a comment."""
    if suffix not in (".yaml", ".yml", ".toml"):
        return json.dumps(plan.file_values(), indent=2) + "\n"
    entry = _toml_entry if suffix == ".toml" else _yaml_entry
    lines = [f"# {title}", f"# base preset: {plan.preset} (fields not listed come from it)",
             entry("preset", plan.preset)]
    if plan.kept_settings:
        lines.append("# from the current config (--config / --set)")
        lines += [entry(name, value) for name, value in plan.kept_settings.items()]
    for field in plan.fields:
        lines += [f"# {field.reason}", entry(field.name, field.value)]
    return "\n".join(lines) + "\n"


def write_plan(plan: Plan, path: str | os.PathLike, title: str) -> Path:
    """Write the plan file atomically; returns its path.

    Args:
        plan: the Plan to write.
        path: the file; its extension picks the format (plan_text).
        title: the heading comment of YAML and TOML files.
    """
    path = Path(path)
    atomic_write_text(path, plan_text(plan, path.suffix.lower(), title))
    return path


def _yaml_entry(key: str, value: Any) -> str:
    """``KEY: value`` with lists and mappings inline (``[8, 16, 32]``)."""
    import yaml

    if isinstance(value, (list, dict)):
        return f"{key}: " + yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
    return yaml.safe_dump({key: value}, default_flow_style=False, sort_keys=False).rstrip("\n")


def _toml_entry(key: str, value: Any) -> str:
    """``KEY = value`` in TOML."""
    from maskkit.utils.toml_text import toml_value

    return f"{key} = {toml_value(value)}"
