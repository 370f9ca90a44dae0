"""ImageNet backbones: a local file is needed, both Keras ResNet namings load, matterport's names."""

from __future__ import annotations

import numpy as np
import pytest

from maskkit.errors import WeightsError
from maskkit.weights import load_imagenet_backbone, matterport_resnet_name
from tests.helpers_weights import assert_same, matterport_groups, tiny_model, values, write_keras2


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
