"""Built-in plugin: ResNet-FPN backbones (matterport layer names) and small CPU variants.

Factories are import strings, so registering them does not import TensorFlow.
"""

from __future__ import annotations

from typing import Callable

from maskkit.hookspecs import hookimpl


@hookimpl
def maskkit_register_backbones(register: Callable[..., None]) -> None:
    """Register backbones ``resnet50``, ``resnet101``, ``resnet18`` and ``tiny``."""
    register("resnet50", "maskkit_resnet_fpn.resnet:make_resnet50",
             description="ResNet-50 + FPN with matterport's layer names (loads Mask_RCNN weights by name)")
    register("resnet101", "maskkit_resnet_fpn.resnet:make_resnet101",
             description="ResNet-101 + FPN with matterport's layer names (loads Mask_RCNN weights by name)")
    register("resnet18", "maskkit_resnet_fpn.resnet:make_resnet18",
             description="ResNet-18 (basic blocks) + FPN for CPU work")
    register("tiny", "maskkit_resnet_fpn.resnet:make_tiny",
             description="slim ResNet-FPN (one basic block per stage, few channels) for tests and CPU training")
