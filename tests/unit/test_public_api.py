"""The public API is re-exported from maskkit; heavy names resolve lazily."""

from __future__ import annotations

import maskkit


def test_every_public_name_resolves():
    for name in maskkit.__all__:
        assert getattr(maskkit, name) is not None, name


def test_unknown_attribute_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError):
        maskkit.no_such_thing  # noqa: B018
