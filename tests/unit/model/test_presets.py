"""The presets' former path, maskkit.model.presets, still gives maskkit.presets' objects."""

from __future__ import annotations

import pytest

import maskkit.presets
from maskkit.model import presets as old_path


@pytest.mark.parametrize("name", ["CPU_DEFAULTS", "PRESETS", "SHAPES_DEFAULTS", "assemble_config", "cpu_config",
                                  "preset_config", "recommended_preset", "shapes_config"])
def test_every_name_is_the_same_object(name):
    assert getattr(old_path, name) is getattr(maskkit.presets, name)
