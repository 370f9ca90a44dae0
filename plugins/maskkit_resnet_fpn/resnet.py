"""ResNet backbones with matterport's layer names, topped by the FPN of ``fpn.py``.

Bottleneck ResNets (50, 101) reproduce matterport's ``resnet_graph`` so Mask_RCNN weights load by
layer name; basic-block ResNets (18 and the slim ``tiny``) reuse the same naming scheme, so the
``layers="3+"`` style training shortcuts work for every backbone here.
"""

from __future__ import annotations

from typing import Any, Sequence

import keras

from maskkit.backbone import Backbone
from maskkit.model.batchnorm import BatchNorm
from maskkit_resnet_fpn.fpn import build_fpn

STAGE_REGEX = {
    "3+": r"(res3.*)|(bn3.*)|(res4.*)|(bn4.*)|(res5.*)|(bn5.*)|(fpn\_.*)",
    "4+": r"(res4.*)|(bn4.*)|(res5.*)|(bn5.*)|(fpn\_.*)",
    "5+": r"(res5.*)|(bn5.*)|(fpn\_.*)",
    "all": r".*",
}


def _block_name(index: int) -> str:
    return chr(ord("a") + index)


class ResNetFPN(Backbone):
    """A ResNet (bottleneck or basic blocks) with an FPN of ``config.TOP_DOWN_PYRAMID_SIZE`` channels."""

    def __init__(self, name: str, blocks: Sequence[int], widths: Sequence[int], bottleneck: bool,
                 stem_width: int = 64) -> None:
        self.name = name
        self.blocks = tuple(blocks)
        self.widths = tuple(widths)
        self.bottleneck = bottleneck
        self.stem_width = stem_width

    def trainable_layer_regex(self) -> dict[str, str]:
        """Stage shortcuts over res<stage>* / bn<stage>* names (plus the FPN)."""
        return dict(STAGE_REGEX)

    def build(self, images: Any, config: Any) -> dict[str, Any]:
        """Return the levels P2..P6 by name for a Keras image tensor."""
        learn = bool(config.TRAIN_BN)
        x = keras.layers.ZeroPadding2D((3, 3), name="conv1_pad")(images)
        x = keras.layers.Conv2D(self.stem_width, 7, strides=2, name="conv1")(x)
        x = BatchNorm(learn, name="bn_conv1")(x)
        x = keras.layers.Activation("relu", name="conv1_relu")(x)
        x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
        features = []
        for stage, (count, width) in enumerate(zip(self.blocks, self.widths), start=2):
            for index in range(count):
                strides = 2 if index == 0 and stage > 2 else 1
                block = _bottleneck if self.bottleneck else _basic
                x = block(x, width, stage, _block_name(index), strides, index == 0, learn)
            features.append(x)
        return dict(zip(self.outputs, build_fpn(*features, width=config.TOP_DOWN_PYRAMID_SIZE)))


def _bottleneck(x: Any, width: int, stage: int, block: str, strides: int, project: bool, learn: bool) -> Any:
    """matterport's conv_block (project=True) / identity_block: 1x1, 3x3, 1x1 (4x width)."""
    conv, bn = f"res{stage}{block}_branch", f"bn{stage}{block}_branch"
    y = keras.layers.Conv2D(width, 1, strides=strides, name=conv + "2a")(x)
    y = BatchNorm(learn, name=bn + "2a")(y)
    y = keras.layers.Activation("relu")(y)
    y = keras.layers.Conv2D(width, 3, padding="same", name=conv + "2b")(y)
    y = BatchNorm(learn, name=bn + "2b")(y)
    y = keras.layers.Activation("relu")(y)
    y = keras.layers.Conv2D(4 * width, 1, name=conv + "2c")(y)
    y = BatchNorm(learn, name=bn + "2c")(y)
    shortcut = x
    if project:
        shortcut = keras.layers.Conv2D(4 * width, 1, strides=strides, name=conv + "1")(x)
        shortcut = BatchNorm(learn, name=bn + "1")(shortcut)
    y = keras.layers.Add()([y, shortcut])
    return keras.layers.Activation("relu", name=f"res{stage}{block}_out")(y)


def _basic(x: Any, width: int, stage: int, block: str, strides: int, project: bool, learn: bool) -> Any:
    """Two 3x3 convs with a (projected, when the shape changes) shortcut."""
    conv, bn = f"res{stage}{block}_branch", f"bn{stage}{block}_branch"
    y = keras.layers.Conv2D(width, 3, strides=strides, padding="same", name=conv + "2a")(x)
    y = BatchNorm(learn, name=bn + "2a")(y)
    y = keras.layers.Activation("relu")(y)
    y = keras.layers.Conv2D(width, 3, padding="same", name=conv + "2b")(y)
    y = BatchNorm(learn, name=bn + "2b")(y)
    shortcut = x
    if project and (strides != 1 or x.shape[-1] != width):
        shortcut = keras.layers.Conv2D(width, 1, strides=strides, name=conv + "1")(x)
        shortcut = BatchNorm(learn, name=bn + "1")(shortcut)
    y = keras.layers.Add()([y, shortcut])
    return keras.layers.Activation("relu", name=f"res{stage}{block}_out")(y)


def make_resnet50() -> ResNetFPN:
    """ResNet-50 + FPN (3, 4, 6, 3 bottleneck blocks)."""
    return ResNetFPN("resnet50", (3, 4, 6, 3), (64, 128, 256, 512), bottleneck=True)


def make_resnet101() -> ResNetFPN:
    """ResNet-101 + FPN (3, 4, 23, 3 bottleneck blocks)."""
    return ResNetFPN("resnet101", (3, 4, 23, 3), (64, 128, 256, 512), bottleneck=True)


def make_resnet18() -> ResNetFPN:
    """ResNet-18 + FPN (2, 2, 2, 2 basic blocks)."""
    return ResNetFPN("resnet18", (2, 2, 2, 2), (64, 128, 256, 512), bottleneck=False)


def make_tiny(widths: Sequence[int] = (16, 32, 64, 128), blocks: Sequence[int] = (1, 1, 1, 1)) -> ResNetFPN:
    """A slim basic-block ResNet-FPN for tests and quick CPU training."""
    return ResNetFPN("tiny", blocks, widths, bottleneck=False, stem_width=widths[0])
