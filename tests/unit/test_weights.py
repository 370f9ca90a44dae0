"""Weights import/export: native checkpoints, matterport Keras 2 files, ImageNet backbones, class names."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from maskkit.errors import WeightsError
from maskkit.weights import (
    check_class_names,
    convert_weights,
    dataset_class_metadata,
    format_inspection,
    inspect_weights,
    load_imagenet_backbone,
    load_weights,
    matterport_resnet_name,
    read_metadata,
    save_weights,
)

keras = pytest.importorskip("keras")

from tests.helpers_weights import assert_same, matterport_groups, tiny_model, values, write_keras2  # noqa: E402

HEADS = ["mrcnn_class_logits", "mrcnn_bbox_fc", "mrcnn_bbox", "mrcnn_mask"]


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


def test_nested_layer_names_that_repeat_get_prefixed(tmp_path):
    def model(seed):
        keras.utils.set_random_seed(seed)
        inner_in = keras.Input((3,))
        inner = keras.Model(inner_in, keras.layers.Dense(2, name="fc")(inner_in), name="branch")
        images = keras.Input((3,))
        return keras.Model(images, [inner(images), keras.layers.Dense(2, name="fc")(images)])

    source, target = model(1), model(2)
    save_weights(source, tmp_path / "n.weights.h5")
    assert sorted(load_weights(target, tmp_path / "n.weights.h5").loaded) == ["branch/fc", "fc"]
    assert_same(values(source), values(target))


def test_exclude_by_name_and_regex_skips_class_heads(tmp_path):
    source, target = tiny_model(num_classes=4, seed=1), tiny_model(num_classes=7, seed=2)
    save_weights(source, tmp_path / "coco.weights.h5")
    before = values(target)
    report = load_weights(target, tmp_path / "coco.weights.h5", exclude=["mrcnn_class_logits", r"mrcnn_(bbox|mask).*"])
    assert set(report.excluded) == {"mrcnn_class_logits", "mrcnn_bbox_fc", "mrcnn_mask"}
    assert report.unused_in_file == ()
    after = values(target)
    np.testing.assert_array_equal(after["mrcnn_class_logits/kernel"], before["mrcnn_class_logits/kernel"])
    np.testing.assert_array_equal(after["conv1/kernel"], values(source)["conv1/kernel"])
    assert "excluded (3)" in str(report)


def test_shape_mismatch_names_layer_and_both_shapes_and_loads_nothing(tmp_path):
    save_weights(tiny_model(num_classes=4, seed=1), tmp_path / "coco.weights.h5")
    target = tiny_model(num_classes=7, seed=2)
    before = values(target)
    with pytest.raises(WeightsError) as info:
        load_weights(target, tmp_path / "coco.weights.h5")
    message = str(info.value)
    assert "'mrcnn_class_logits'" in message and "(6, 4)" in message and "(6, 7)" in message
    assert "coco.weights.h5" in message
    assert "exclude=['mrcnn_mask', 'mrcnn_class_logits', 'mrcnn_bbox_fc']" in message
    assert_same(before, values(target))


def test_weight_count_mismatch_names_layer(tmp_path):
    groups = matterport_groups(tiny_model())
    groups["conv1"] = groups["conv1"][:1]
    write_keras2(tmp_path / "nobias.h5", groups)
    with pytest.raises(WeightsError, match=r"layer 'conv1' has 2 weights in the model \(kernel, bias\) but 1"):
        load_weights(tiny_model(), tmp_path / "nobias.h5")


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


def test_hdf5_that_is_not_a_weights_file_is_refused(tmp_path):
    with h5py.File(tmp_path / "data.h5", "w") as handle:
        handle.create_dataset("images", data=np.zeros(3))
    with pytest.raises(WeightsError, match=r"data\.h5 is HDF5 but has no 'layer_names'"):
        load_weights(tiny_model(), tmp_path / "data.h5")
    model = tiny_model()
    model.save_weights(tmp_path / "k3.weights.h5")
    with pytest.raises(WeightsError, match="Keras 3 file from model.save_weights"):
        load_weights(model, tmp_path / "k3.weights.h5")


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


@pytest.mark.parametrize("full_model, chunk_names", [(False, False), (True, False), (False, True)])
def test_matterport_keras2_file_loads_by_name(tmp_path, full_model, chunk_names):
    source = tiny_model(seed=1)
    write_keras2(tmp_path / "mask_rcnn_coco.h5", matterport_groups(source), full_model, chunk_names)
    target = tiny_model(seed=2)
    report = load_weights(target, tmp_path / "mask_rcnn_coco.h5")
    assert_same(values(source), values(target))
    assert "Keras 2" in str(report) and report.unused_in_file == ()
    assert read_metadata(tmp_path / "mask_rcnn_coco.h5") == {}


def test_keras1_style_weight_names_fall_back_to_order(tmp_path):
    source = tiny_model(seed=1)
    groups = matterport_groups(source)
    groups["bn_conv1"] = [(f"bn_conv1_{name}:0", array) for name, (_, array) in
                          zip(["gamma", "beta", "running_mean", "running_std"], groups["bn_conv1"])]
    write_keras2(tmp_path / "old.h5", groups)
    target = tiny_model(seed=2)
    load_weights(target, tmp_path / "old.h5")
    assert_same(values(source), values(target))


def test_named_weights_match_by_name_not_position(tmp_path):
    source = tiny_model(seed=1)
    keras.utils.set_random_seed(5)
    source.get_layer("bn_conv1").set_weights([np.random.rand(4).astype("float32") for _ in range(4)])
    groups = matterport_groups(source)
    groups["bn_conv1"] = groups["bn_conv1"][::-1]
    write_keras2(tmp_path / "shuffled.h5", groups)
    target = tiny_model(seed=2)
    load_weights(target, tmp_path / "shuffled.h5")
    assert_same(values(source), values(target))


def test_another_architecture_gives_a_clear_error(tmp_path):
    write_keras2(tmp_path / "vgg16.h5", {"block1_conv1": [("block1_conv1/kernel:0", np.zeros((3, 3, 3, 8)))]})
    with pytest.raises(WeightsError, match=r"vgg16\.h5 has no layer in common with the model \(another architecture"):
        load_weights(tiny_model(), tmp_path / "vgg16.h5")


def test_strict_and_by_order_loading(tmp_path):
    groups = matterport_groups(tiny_model(seed=1))
    del groups["mrcnn_class_fc"]
    write_keras2(tmp_path / "partial.h5", groups)
    report = load_weights(tiny_model(), tmp_path / "partial.h5")
    assert report.missing_in_file == ("mrcnn_class_fc",)
    with pytest.raises(WeightsError, match="strict=True.*missing in file: mrcnn_class_fc"):
        load_weights(tiny_model(), tmp_path / "partial.h5", strict=True)
    with pytest.raises(WeightsError, match="loading by order needs the same architecture"):
        load_weights(tiny_model(), tmp_path / "partial.h5", by_name=False)
    source, target = tiny_model(seed=1), tiny_model(seed=2)
    save_weights(source, tmp_path / "all.weights.h5")
    load_weights(target, tmp_path / "all.weights.h5", by_name=False, strict=True)
    assert_same(values(source), values(target))


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


def test_check_class_names_lists_the_difference():
    names = ["BG", "square", "circle", "triangle"]
    check_class_names(names, list(names), excluded_heads=False)
    check_class_names(None, names, excluded_heads=False)
    check_class_names(["BG", "person"], names, excluded_heads=True)
    with pytest.raises(WeightsError, match=r"missing from the weights: 'triangle'; in the weights but not expected: "
                                           r"'star'.*exclude the heads"):
        check_class_names(["BG", "square", "circle", "star"], names, excluded_heads=False)
    with pytest.raises(WeightsError, match=r"reordered: #1 is 'circle' in the weights but 'square' expected"):
        check_class_names(["BG", "circle", "square", "triangle"], names, excluded_heads=False)


def test_load_checks_stored_class_names_unless_heads_are_excluded(tmp_path):
    path = tmp_path / "shapes.weights.h5"
    save_weights(tiny_model(), path, metadata={"class_names": ["BG", "square", "circle", "triangle"]})
    with pytest.raises(WeightsError, match=r"shapes\.weights\.h5 differ .*missing from the weights: 'star'"):
        load_weights(tiny_model(), path, class_names=["BG", "square", "circle", "star"])
    report = load_weights(tiny_model(), path, class_names=["BG", "star", "moon", "sun"], exclude=HEADS)
    assert "conv1" in report.loaded


def test_inspect_and_format_any_file(tmp_path):
    write_keras2(tmp_path / "mp.h5", matterport_groups(tiny_model()))
    listing = dict(inspect_weights(tmp_path / "mp.h5"))
    assert "input_image" not in listing
    assert listing["conv1"] == [("conv1/kernel:0", (3, 3, 3, 4), "float32"), ("conv1/bias:0", (4,), "float32")]
    assert [name for name, _, _ in listing["rpn_model"]][0] == "rpn_conv_shared/kernel:0"
    text = format_inspection(inspect_weights(tmp_path / "mp.h5"))
    assert "conv1/kernel:0" in text and "3x3x3x4" in text
    total = sum(int(np.prod(v.shape)) for v in tiny_model().weights)
    weight_count = sum(map(len, listing.values()))
    assert text.splitlines()[-1] == f"{len(listing)} layers, {weight_count} weights, {total:,} parameters"


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


def test_imagenet_backbone_needs_a_local_file(tmp_path):
    with pytest.raises(WeightsError, match="never downloaded"):
        load_imagenet_backbone(tiny_model(), None)
    with pytest.raises(WeightsError, match=r"resnet50\.h5 does not exist\. ImageNet weights are never downloaded"):
        load_imagenet_backbone(tiny_model(), tmp_path / "resnet50.h5")


@pytest.mark.parametrize("naming", ["original", "applications"])
def test_imagenet_backbone_loads_both_keras_resnet_namings(tmp_path, naming):
    source = tiny_model(seed=1)
    groups = {name: weights for name, weights in matterport_groups(source).items()
              if name in ("conv1", "bn_conv1", "res2a_branch2a", "bn2a_branch2a")}
    if naming == "applications":
        renamed = {"conv1": "conv1_conv", "bn_conv1": "conv1_bn", "res2a_branch2a": "conv2_block1_1_conv",
                   "bn2a_branch2a": "conv2_block1_1_bn"}
        groups = {renamed[name]: [(w.replace(name, renamed[name]), a) for w, a in weights]
                  for name, weights in groups.items()}
    write_keras2(tmp_path / "resnet50_notop.h5", groups)
    target = tiny_model(seed=2)
    before = values(target)
    report = load_imagenet_backbone(target, tmp_path / "resnet50_notop.h5")
    assert sorted(report.loaded) == ["bn2a_branch2a", "bn_conv1", "conv1", "res2a_branch2a"]
    assert "mrcnn_class_logits" in report.missing_in_file
    after = values(target)
    assert_same(values(source), after, skip=r"(rpn|mrcnn)")
    np.testing.assert_array_equal(after["mrcnn_class_logits/kernel"], before["mrcnn_class_logits/kernel"])


def test_matterport_resnet_names():
    assert matterport_resnet_name("conv1_conv") == "conv1"
    assert matterport_resnet_name("conv1_bn") == "bn_conv1"
    assert matterport_resnet_name("conv2_block1_0_conv") == "res2a_branch1"
    assert matterport_resnet_name("conv3_block2_3_bn") == "bn3b_branch2c"
    assert matterport_resnet_name("conv4_block23_2_conv") == "res4w_branch2b"
    assert matterport_resnet_name("res2a_branch2a") == "res2a_branch2a"
