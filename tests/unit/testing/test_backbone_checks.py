"""check_backbone: the tiny ResNet-FPN passes and builds a model; wrong strides and static sizes fail."""

from __future__ import annotations

from maskkit.testing import check_backbone
from tests import broken_plugins
from tests.helpers import conformance_failure


def test_tiny_resnet_fpn_backbone_conforms():
    backbone = check_backbone("tiny", widths=(8, 8, 16, 16), image_size=64, pyramid_size=16)
    assert backbone.output_strides() == (4, 8, 16, 32, 64)


def test_broken_backbone_fails_naming_the_strides(broken):
    message = conformance_failure(check_backbone, "broken_strides")
    assert message.startswith("backbone 'broken_strides' (plugin 'broken') fails 5 conformance checks")
    assert "P2 has shape (1, 32, 32, 32) for a 64x64 input; stride 4" in message


def test_a_tiny_mask_rcnn_builds_on_the_tiny_backbone():
    check_backbone("tiny", widths=(8, 8, 16, 16), pyramid_size=16, build_model=True)


class StaticOnlyBackbone(broken_plugins.WrongStrideBackbone):
    """Broken: reshapes with the input's static size, which the model leaves unknown."""

    def build(self, images, config):
        import keras

        side = images.shape[1]
        x = keras.layers.Reshape((side * side * 3,))(images)
        return [x] * 5


def test_backbone_that_needs_a_static_input_size_fails():
    assert "build(images, config) raised" in conformance_failure(check_backbone, StaticOnlyBackbone())


class CoarseBackbone(broken_plugins.WrongStrideBackbone):
    """Broken: declares P2..P6 at twice the strides the ROI heads' level rule assumes."""

    name = "coarse"
    outputs = {"P2": 8, "P3": 16, "P4": 32, "P5": 64, "P6": 128}


def test_a_backbone_declaring_another_pyramid_fails_saying_why():
    message = conformance_failure(check_backbone, CoarseBackbone())
    assert "declares levels {'P2': 8, 'P3': 16, 'P4': 32, 'P5': 64, 'P6': 128}" in message
    assert "Mask R-CNN requires {'P2': 4, 'P3': 8, 'P4': 16, 'P5': 32, 'P6': 64}" in message
    assert "assuming P_k has stride 2**k" in message
