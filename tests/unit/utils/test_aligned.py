"""aligned_array: data on a 64-byte boundary for any shape and dtype, zeroed on request."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.utils.aligned import TENSOR_ALIGNMENT, aligned_array


@pytest.mark.parametrize("shape, dtype", [((8, 1024, 1024, 3), np.uint8), ((8, 261888), np.int8),
                                          ((3, 256, 4), np.float32), ((2, 56, 56, 100), np.bool_),
                                          ((5,), np.int64), ((), np.int32)])
def test_data_start_on_the_alignment_boundary_with_the_asked_layout(shape, dtype):
    for _ in range(3):  # fresh allocations land at different offsets
        array = aligned_array(shape, dtype)
        assert array.ctypes.data % TENSOR_ALIGNMENT == 0
        assert array.shape == shape and array.dtype == np.dtype(dtype)
        assert array.flags.c_contiguous and array.flags.writeable


def test_empty_arrays_have_the_asked_layout():
    array = aligned_array((0, 16), np.float32, zeroed=True)
    assert array.shape == (0, 16) and array.dtype == np.float32


def test_zeroed_arrays_are_zero_and_writes_stay_inside_the_array():
    first = aligned_array((4, 33), np.float32, zeroed=True)
    assert not first.any()
    first[...] = 7.0
    second = aligned_array((4, 33), np.float32, zeroed=True)
    assert not second.any() and (first == 7.0).all()
    assert np.shares_memory(first, first.base) and not np.shares_memory(first, second)
