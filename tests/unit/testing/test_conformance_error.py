"""ConformanceError is an AssertionError and a MaskkitError listing every problem."""

from __future__ import annotations

from maskkit import MaskkitError
from maskkit.testing import ConformanceError


def test_conformance_error_is_an_assertion_and_a_maskkit_error():
    error = ConformanceError("dataset 'x'", ["first problem", "second problem"])
    assert isinstance(error, AssertionError) and isinstance(error, MaskkitError)
    assert str(error) == "dataset 'x' fails 2 conformance checks:\n  - first problem\n  - second problem"
