"""Mixed precision per model build: a Keras dtype policy set only while one model's layers are made.

Keras layers take the global dtype policy when they are constructed, so building under
``policy_scope(config.PRECISION)`` gives the backbone, FPN and heads bfloat16/float16 compute with
float32 variables (checkpoints stay float32), and restoring the previous policy afterwards keeps
several models in one process independent. Layers that must stay exact pass ``dtype=FLOAT32``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterator

import keras

from maskkit.config import PRECISIONS

FLOAT32 = "float32"
__all__ = ["FLOAT32", "PRECISIONS", "bfloat16_supported", "cpu_flags", "policy_scope", "suggested_settings"]


@contextlib.contextmanager
def policy_scope(precision: str) -> Iterator[None]:
    """Make ``precision`` Keras' global dtype policy inside the block, then restore the previous one."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def cpu_flags() -> set[str]:
    """The CPU feature flags Linux reports in /proc/cpuinfo (empty where there is none)."""
    try:
        return set(Path("/proc/cpuinfo").read_text().split())
    except OSError:
        return set()


def bfloat16_supported(flags: set[str] | None = None) -> bool:
    """Whether this CPU (or one with these cpu_flags()) has native bfloat16 arithmetic (AVX512_BF16 or AMX)."""
    return bool((cpu_flags() if flags is None else flags) & {"avx512_bf16", "amx_bf16"})


def suggested_settings(has_gpu: bool, flags: set[str]) -> dict[str, Any]:
    """The PRECISION and XLA to start from on this machine: mixed_float16 on a GPU; on a CPU with AMX
    tiles mixed_bfloat16 with XLA (bfloat16 without XLA adds unfused casts); float32 otherwise, since
    AVX512_BF16 alone measured no faster than float32 (docs/benchmarks.md, Model speed)."""
    if has_gpu:
        return {"PRECISION": "mixed_float16", "XLA": False}
    if "amx_bf16" in flags:
        return {"PRECISION": "mixed_bfloat16", "XLA": True}
    return {"PRECISION": "float32", "XLA": False}


