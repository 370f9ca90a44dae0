"""The public API is re-exported from maskkit; heavy names resolve lazily; the conformance kit imports light."""

from __future__ import annotations

import subprocess
import sys

import maskkit


def test_every_public_name_resolves_to_what_its_module_defines():
    import importlib

    import pluggy

    from maskkit.registry import Registry

    kinds = {"augmenters": "augmenter", "backbones": "backbone", "datasets": "dataset"}
    for name in maskkit.__all__:
        value = getattr(maskkit, name)
        if name in maskkit._LAZY:
            assert value is getattr(importlib.import_module(maskkit._LAZY[name]), name), name
        elif name in kinds:
            assert isinstance(value, Registry) and value.kind == kinds[name], name
        elif name == "hookimpl":
            assert isinstance(value, pluggy.HookimplMarker) and value.project_name == "maskkit"
        elif name == "__version__":
            assert value == importlib.metadata.version("maskkit")
        else:
            assert value.__name__ == name and value.__module__.startswith("maskkit."), name


def test_unknown_attribute_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError):
        maskkit.no_such_thing  # noqa: B018


def test_importing_the_kit_does_not_import_tensorflow():
    code = "import sys, maskkit.testing; sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
