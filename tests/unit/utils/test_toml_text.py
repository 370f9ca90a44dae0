"""dumps_toml writes values that round-trip through tomllib."""

from __future__ import annotations

import pytest

from maskkit.utils.toml_text import dumps_toml


def test_toml_values_round_trip_through_tomllib():
    import tomllib

    values = {"A": True, "B": -3, "C": 1e-4, "D": "x\ny", "E": [0.5, 1, 2], "F": {"k": 1.5}, "G": []}
    assert tomllib.loads(dumps_toml(values)) == values
    with pytest.raises(TypeError, match="None"):
        dumps_toml({"A": None})


def test_characters_beyond_the_basic_plane_read_back():
    import tomllib

    text = dumps_toml({"NAME": "cells 😀", "MAP": {"ключ 😀": 1}})
    assert tomllib.loads(text) == {"NAME": "cells 😀", "MAP": {"ключ 😀": 1}}
