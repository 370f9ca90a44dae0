"""Arrays whose data start on a 64-byte boundary, so that TensorFlow adopts them without a copy.

A numpy array returned from ``tf.numpy_function`` becomes a tensor in place only when its data are
aligned as TensorFlow's CPU kernels require (EIGEN_MAX_ALIGN_BYTES, 64 on x86-64 builds); otherwise
TensorFlow copies it. numpy's large arrays come from glibc's mmap chunks, which start 16 bytes past a
page boundary, so every batch of examples used to be copied once more on tf.data's threads.
"""

from __future__ import annotations

from typing import Any

import numpy as np

TENSOR_ALIGNMENT = 64


def aligned_array(shape: tuple[int, ...], dtype: Any, zeroed: bool = False) -> np.ndarray:
    """A C-contiguous array of ``shape`` and ``dtype`` whose data (if any) start on a TENSOR_ALIGNMENT
    boundary; uninitialised unless ``zeroed`` (zeroed memory comes from calloc: untouched pages cost
    nothing)."""
    dtype = np.dtype(dtype)
    shape = tuple(int(size) for size in shape)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = (np.zeros if zeroed else np.empty)(nbytes + TENSOR_ALIGNMENT, dtype=np.uint8)
    start = -raw.ctypes.data % TENSOR_ALIGNMENT
    return raw[start:start + nbytes].view(dtype).reshape(shape)
