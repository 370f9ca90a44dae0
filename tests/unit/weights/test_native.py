"""Native checkpoints: round trip, flat layout, atomic writes, metadata, conversion; model holders save too."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from maskkit.errors import WeightsError
from maskkit.weights import (convert_weights, dataset_class_metadata, inspect_weights, load_weights, read_metadata,
                             save_weights)
from tests.helpers_weights import assert_same, matterport_groups, tiny_model, values, write_keras2


def test_round_trip_restores_every_weight(tmp_path):
    source, target = tiny_model(seed=1), tiny_model(seed=2)
    save_weights(source, tmp_path / "ckpt.weights.h5")
    report = load_weights(target, tmp_path / "ckpt.weights.h5")
    assert_same(values(source), values(target))
    assert set(report.loaded) >= {"conv1", "bn_conv1", "rpn_conv_shared", "rpn_class_raw", "mrcnn_mask"}
    assert report.missing_in_file == report.unused_in_file == report.excluded == ()
    assert str(report).startswith(f"Loaded {len(report.loaded)} layers from")


def test_native_layout_is_flat_groups_with_weight_names(tmp_path):
    save_weights(tiny_model(), tmp_path / "ckpt.weights.h5")
    with h5py.File(tmp_path / "ckpt.weights.h5") as handle:
        assert handle.attrs["format"] == "maskkit" and handle.attrs["format_version"] == 1
        names = [name.decode() for name in handle.attrs["layer_names"]]
        assert "rpn_conv_shared" in names and "rpn_model" not in names
        assert [n.decode() for n in handle["bn_conv1"].attrs["weight_names"]] == [
            "gamma", "beta", "moving_mean", "moving_variance"]
        assert handle["mrcnn_mask/kernel"].shape == (1, 1, 4, 4)


def test_failed_write_keeps_previous_file_and_leaves_no_temp_files(tmp_path, monkeypatch):
    first, second = tiny_model(seed=1), tiny_model(seed=2)
    target = tmp_path / "ckpt.weights.h5"
    save_weights(first, target, metadata={"epoch": 1})
    calls = []

    def failing_create_dataset(self, *args, **kwargs):
        calls.append(args)
        if len(calls) > 2:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    original = h5py.Group.create_dataset
    monkeypatch.setattr(h5py.Group, "create_dataset", failing_create_dataset)
    with pytest.raises(WeightsError, match=r"could not write weights file .*ckpt\.weights\.h5: disk full"):
        save_weights(second, target, metadata={"epoch": 2})
    monkeypatch.undo()
    assert [path.name for path in tmp_path.iterdir()] == ["ckpt.weights.h5"]
    assert read_metadata(target)["epoch"] == 1
    fresh = tiny_model(seed=3)
    load_weights(fresh, target)
    assert_same(values(first), values(fresh))


def test_metadata_round_trip_and_bad_metadata(tmp_path):
    class Shapes:
        class_names = ["BG", "square", "circle", "triangle"]
        class_info = [{"source": "", "id": 0}] + [{"source": "shapes", "id": i} for i in (1, 2, 3)]

    metadata = {"epoch": np.int64(3), "config": {"NAME": "shapes", "MEAN_PIXEL": np.array([1.5, 2.0, 3.0]),
                                                 "RPN_ANCHOR_SCALES": (8, 16)},
                "backbone": "resnet50", **dataset_class_metadata(Shapes())}
    save_weights(tiny_model(), tmp_path / "ckpt.weights.h5", metadata=metadata)
    stored = read_metadata(tmp_path / "ckpt.weights.h5")
    assert stored["epoch"] == 3 and stored["config"]["MEAN_PIXEL"] == [1.5, 2.0, 3.0]
    assert stored["class_names"] == Shapes.class_names and stored["class_sources"][1] == ["shapes", 1]
    assert stored["maskkit_version"]
    with pytest.raises(WeightsError, match=r"bad\.weights\.h5 is not JSON-serialisable: object value"):
        save_weights(tiny_model(), tmp_path / "bad.weights.h5", metadata={"x": object()})
    assert not (tmp_path / "bad.weights.h5").exists()


def test_convert_matterport_file_to_native_without_a_model(tmp_path):
    source = tiny_model(seed=1)
    write_keras2(tmp_path / "mp.h5", matterport_groups(source), full_model=True)
    convert_weights(tmp_path / "mp.h5", tmp_path / "mp.weights.h5", metadata={"class_names": ["BG", "a", "b", "c"]})
    metadata = read_metadata(tmp_path / "mp.weights.h5")
    assert metadata["source_format"] == "keras2" and metadata["converted_from"] == "mp.h5"
    assert metadata["class_names"] == ["BG", "a", "b", "c"]
    assert "rpn_class_raw" in dict(inspect_weights(tmp_path / "mp.weights.h5"))
    target = tiny_model(seed=2)
    load_weights(target, tmp_path / "mp.weights.h5", strict=True)
    assert_same(values(source), values(target))


class Holder:
    """Stands in for MaskRCNN, whose Keras model is ``self.keras_model``."""

    def __init__(self, seed: int) -> None:
        self.keras_model = tiny_model(seed=seed)


def test_a_model_holder_saves_and_loads_like_its_keras_model(tmp_path):
    source, target = Holder(seed=0), Holder(seed=1)
    save_weights(source, tmp_path / "w.weights.h5")
    before = values(target.keras_model)
    report = load_weights(target, tmp_path / "w.weights.h5")
    after = values(target.keras_model)
    assert report.loaded and any(not np.array_equal(before[k], after[k]) for k in before)
    expected = values(source.keras_model)
    assert all(np.array_equal(expected[k], after[k]) for k in expected)


def test_other_objects_are_still_refused(tmp_path):
    with pytest.raises(WeightsError, match="expected a Keras model, got object"):
        save_weights(object(), tmp_path / "w.weights.h5")
