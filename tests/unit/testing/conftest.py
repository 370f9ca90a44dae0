"""The deliberately broken plugin of tests/broken_plugins.py, for the conformance-kit tests."""

from __future__ import annotations

import pytest

from maskkit import plugins
from tests import broken_plugins


@pytest.fixture
def broken():
    """The broken plugin, registered in this process only."""
    plugins.register_plugin(broken_plugins, name="broken")
    yield
    plugins.unregister_plugin("broken")
