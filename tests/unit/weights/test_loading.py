"""load_weights: by name or order, excluded heads, shape and count mismatches, matterport Keras 2 files, class names."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from maskkit.errors import WeightsError  # noqa: E402
from maskkit.weights import load_weights, read_metadata, save_weights  # noqa: E402
from tests.helpers_weights import assert_same, matterport_groups, tiny_model, values, write_keras2  # noqa: E402


HEADS = ["mrcnn_class_logits", "mrcnn_bbox_fc", "mrcnn_bbox", "mrcnn_mask"]


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


def test_load_checks_stored_class_names_unless_heads_are_excluded(tmp_path):
    path = tmp_path / "shapes.weights.h5"
    save_weights(tiny_model(), path, metadata={"class_names": ["BG", "square", "circle", "triangle"]})
    with pytest.raises(WeightsError, match=r"shapes\.weights\.h5 differ .*missing from the weights: 'star'"):
        load_weights(tiny_model(), path, class_names=["BG", "square", "circle", "star"])
    report = load_weights(tiny_model(), path, class_names=["BG", "star", "moon", "sun"], exclude=HEADS)
    assert "conv1" in report.loaded
