"""The feature pyramid on top of C2..C5 with matterport's layer names (fpn_c5p5 ... fpn_p6)."""

from __future__ import annotations

from typing import Any

import keras


def build_fpn(c2: Any, c3: Any, c4: Any, c5: Any, width: int) -> list[Any]:
    """Top-down pathway with lateral 1x1 convs, 3x3 smoothing, and P6 by stride-2 subsampling of P5."""
    p5 = keras.layers.Conv2D(width, 1, name="fpn_c5p5")(c5)
    p4 = keras.layers.Add(name="fpn_p4add")([
        keras.layers.UpSampling2D(2, name="fpn_p5upsampled")(p5),
        keras.layers.Conv2D(width, 1, name="fpn_c4p4")(c4)])
    p3 = keras.layers.Add(name="fpn_p3add")([
        keras.layers.UpSampling2D(2, name="fpn_p4upsampled")(p4),
        keras.layers.Conv2D(width, 1, name="fpn_c3p3")(c3)])
    p2 = keras.layers.Add(name="fpn_p2add")([
        keras.layers.UpSampling2D(2, name="fpn_p3upsampled")(p3),
        keras.layers.Conv2D(width, 1, name="fpn_c2p2")(c2)])
    p2 = keras.layers.Conv2D(width, 3, padding="same", name="fpn_p2")(p2)
    p3 = keras.layers.Conv2D(width, 3, padding="same", name="fpn_p3")(p3)
    p4 = keras.layers.Conv2D(width, 3, padding="same", name="fpn_p4")(p4)
    p5 = keras.layers.Conv2D(width, 3, padding="same", name="fpn_p5")(p5)
    p6 = keras.layers.MaxPooling2D(pool_size=1, strides=2, name="fpn_p6")(p5)
    return [p2, p3, p4, p5, p6]
