"""Built-in plugin: any COCO-format instance annotation file plus an image folder, via pycocotools.

The factory is registered by import string, so importing this plugin loads neither pycocotools
nor the annotation file; both happen when the dataset is created.
"""

from __future__ import annotations

from typing import Callable

from maskkit.hookspecs import hookimpl


@hookimpl
def maskkit_register_datasets(register: Callable[..., None]) -> None:
    """Register dataset ``coco``."""
    register("coco", "maskkit_coco.dataset:make_coco",
             description="COCO-format instances: annotations=FILE.json images=DIR, or root=DIR (a Roboflow "
                         "export or split folder); [class_ids=[...]] (polygons, RLE, crowds as negative ids)")
