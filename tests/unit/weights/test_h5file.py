"""Missing, corrupt and truncated weights files are errors naming the file."""

from __future__ import annotations

import pytest

from maskkit.errors import WeightsError
from maskkit.weights import load_weights, save_weights
from tests.helpers_weights import tiny_model


def test_missing_corrupt_and_truncated_files_name_the_file(tmp_path):
    model = tiny_model()
    with pytest.raises(WeightsError, match=r"absent\.h5 does not exist"):
        load_weights(model, tmp_path / "absent.h5")
    (tmp_path / "junk.h5").write_bytes(b"not an hdf5 file at all" * 10)
    with pytest.raises(WeightsError, match=r"junk\.h5 is not a readable HDF5 file"):
        load_weights(model, tmp_path / "junk.h5")
    save_weights(model, tmp_path / "full.weights.h5")
    data = (tmp_path / "full.weights.h5").read_bytes()
    (tmp_path / "cut.weights.h5").write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError, match=r"cut\.weights\.h5"):
        load_weights(model, tmp_path / "cut.weights.h5")
