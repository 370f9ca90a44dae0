"""maskkit.layers is the public home of the Keras layers a backbone plugin needs."""

from __future__ import annotations

import pytest

pytest.importorskip("tensorflow")

import maskkit.layers  # noqa: E402
from maskkit.model.batchnorm import BatchNorm  # noqa: E402


def test_batchnorm_is_the_models_own_layer():
    assert maskkit.layers.BatchNorm is BatchNorm
    assert maskkit.layers.__all__ == ["BatchNorm"]
