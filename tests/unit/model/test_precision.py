"""Precision: what ``auto`` picks follows what was measured, the dtype policy holds only inside its scope."""

from __future__ import annotations

import pytest

keras = pytest.importorskip("keras")

from maskkit.model import precision  # noqa: E402
from maskkit.model.precision import (PrecisionChoice, bfloat16_supported, choose_precision,  # noqa: E402
                                     policy_scope, precision_line, resolve_precision)

AMX = {"avx512f", "avx512_bf16", "amx_bf16", "amx_tile"}


@pytest.mark.parametrize(("gpus", "flags", "expected"), [
    ([], AMX, "mixed_bfloat16"),
    ([], {"avx512f", "avx512_bf16"}, "float32"),
    ([], {"sse4_2", "avx2"}, "float32"),
    ([], set(), "float32"),
    ([(8, 0)], AMX, "mixed_float16"),
    ([(7, 0), (8, 6)], set(), "mixed_float16"),
    ([(6, 1)], AMX, "float32"),
    ([(8, 0), (6, 1)], set(), "float32"),
    ([None], set(), "float32"),
])
def test_auto_follows_what_was_measured(gpus, flags, expected):
    choice = choose_precision(gpus, flags)
    assert choice.precision == expected and choice.reason


def test_the_reasons_name_what_decided():
    assert choose_precision([], AMX).reason == "this CPU has AMX"
    assert "no AMX" in choose_precision([], {"avx512_bf16"}).reason
    assert "8.0" in choose_precision([(8, 0)], set()).reason
    assert "6.1" in choose_precision([(6, 1)], set()).reason and "below 7.0" in choose_precision([(6, 1)], set()).reason


def test_auto_is_resolved_from_this_machines_facts_and_other_values_pass_through(monkeypatch):
    monkeypatch.setattr(precision, "gpu_capabilities", lambda: [])
    monkeypatch.setattr(precision, "cpu_flags", lambda: AMX)
    assert resolve_precision("auto") == PrecisionChoice("mixed_bfloat16", "this CPU has AMX")
    monkeypatch.setattr(precision, "cpu_flags", lambda: set())
    assert resolve_precision("auto").precision == "float32"
    assert resolve_precision("mixed_bfloat16") == PrecisionChoice("mixed_bfloat16", "")


def test_the_start_line_says_why_only_for_auto():
    assert precision_line(PrecisionChoice("mixed_bfloat16", "this CPU has AMX")) == \
        "precision: mixed_bfloat16 (auto: this CPU has AMX)"
    assert precision_line(PrecisionChoice("float32")) == "precision: float32"


def test_this_machines_gpus_are_listed_with_their_capabilities():
    import tensorflow as tf

    found = precision.gpu_capabilities()
    assert len(found) == len(tf.config.list_physical_devices("GPU"))
    assert all(cc is None or (len(cc) == 2 and cc[0] >= 1) for cc in found)


def test_bfloat16_needs_avx512_bf16_or_amx():
    assert bfloat16_supported({"avx512_bf16"}) and bfloat16_supported({"amx_bf16", "sse"})
    assert not bfloat16_supported({"avx512f", "avx2"})


def test_the_policy_applies_inside_the_scope_and_is_restored_after():
    before = keras.config.dtype_policy().name
    with policy_scope("mixed_bfloat16"):
        assert keras.config.dtype_policy().name == "mixed_bfloat16"
        assert keras.layers.Dense(2).compute_dtype == "bfloat16"
    assert keras.config.dtype_policy().name == before
