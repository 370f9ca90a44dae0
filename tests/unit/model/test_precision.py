"""Precision: suggested settings follow what was measured, the dtype policy holds only inside its scope."""

from __future__ import annotations

import pytest

keras = pytest.importorskip("keras")

from maskkit.model.precision import bfloat16_supported, policy_scope, suggested_settings  # noqa: E402


@pytest.mark.parametrize(("has_gpu", "flags", "expected"), [
    (True, {"amx_bf16", "avx512_bf16"}, {"PRECISION": "mixed_float16", "XLA": False}),
    (False, {"amx_bf16", "avx512_bf16"}, {"PRECISION": "mixed_bfloat16", "XLA": True}),
    (False, {"avx512_bf16", "avx512f"}, {"PRECISION": "float32", "XLA": False}),
    (False, set(), {"PRECISION": "float32", "XLA": False}),
])
def test_suggested_settings_follow_what_was_measured(has_gpu, flags, expected):
    assert suggested_settings(has_gpu, flags) == expected


def test_bfloat16_needs_avx512_bf16_or_amx():
    assert bfloat16_supported({"avx512_bf16"}) and bfloat16_supported({"amx_bf16", "sse"})
    assert not bfloat16_supported({"avx512f", "avx2"})


def test_the_policy_applies_inside_the_scope_and_is_restored_after():
    before = keras.config.dtype_policy().name
    with policy_scope("mixed_bfloat16"):
        assert keras.config.dtype_policy().name == "mixed_bfloat16"
        assert keras.layers.Dense(2).compute_dtype == "bfloat16"
    assert keras.config.dtype_policy().name == before
