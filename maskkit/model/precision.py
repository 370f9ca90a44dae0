"""Mixed precision per model build: a Keras dtype policy set only while one model's layers are made.

Keras layers take the global dtype policy when they are constructed, so building under
``policy_scope(config.PRECISION)`` gives the backbone, FPN and heads bfloat16/float16 compute with
float32 variables (checkpoints stay float32), and restoring the previous policy afterwards keeps
several models in one process independent. Layers that must stay exact pass ``dtype=FLOAT32``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import keras

from maskkit.config import PRECISIONS

FLOAT32 = "float32"
__all__ = ["FLOAT32", "PRECISIONS", "bfloat16_supported", "policy_scope"]


@contextlib.contextmanager
def policy_scope(precision: str) -> Iterator[None]:
    """Make ``precision`` Keras' global dtype policy inside the block, then restore the previous one."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def bfloat16_supported() -> bool:
    """Whether this CPU has native bfloat16 arithmetic (AVX512_BF16 or AMX), where mixed_bfloat16 pays."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return any(flag in flags.split() for flag in ("avx512_bf16", "amx_bf16"))
