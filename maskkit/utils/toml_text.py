"""Write a flat mapping of config values as TOML text (Python reads TOML but ships no writer)."""

from __future__ import annotations

import json
import math
from typing import Any, Mapping


def toml_value(value: Any) -> str:
    """One TOML value: booleans, integers, floats, strings, arrays and inline tables of those.

    Args:
        value: the value; lists and tuples become arrays, mappings inline tables, anything else TypeError.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # valid TOML: no \uD83D-style surrogate escapes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        pairs = (f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as TOML")


def dumps_toml(values: Mapping[str, Any]) -> str:
    """``KEY = value`` lines, one per entry; None (which TOML cannot express) is an error.

    Args:
        values: bare keys (written unquoted) to values toml_value can write.
    """
    lines = []
    for key, value in values.items():
        if value is None:
            raise TypeError(f"{key} is None, which TOML cannot express; save as .json or .yaml")
        lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"
