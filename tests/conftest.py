"""Test-wide settings: quiet TensorFlow, fresh plugin state for every test."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

from maskkit import plugins  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_plugins():
    """Each test starts from the installed entry-point plugins only."""
    plugins.enable_all()
    yield
    plugins.enable_all()
