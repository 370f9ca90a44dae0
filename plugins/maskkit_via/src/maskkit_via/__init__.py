"""maskkit plugin ``via``: hand-labelled VIA polygon datasets and a hue-shift augmenter.

This module is imported whenever maskkit discovers plugins, so it stays light: it imports only
``maskkit.hookspecs`` and names its factories by import string, loaded on first use.
"""

from __future__ import annotations

from typing import Callable

from maskkit.hookspecs import hookimpl

__version__ = "0.1.0"


@hookimpl
def maskkit_register_datasets(register: Callable[..., None]) -> None:
    """Register dataset ``via``."""
    register("via", "maskkit_via.dataset:make_via",
             description="folder of images with VIA polygon annotations (<root>/<subset>/via_region_data.json)")


@hookimpl
def maskkit_register_augmenters(register: Callable[..., None]) -> None:
    """Register augmenter ``via_hue_shift``."""
    register("via_hue_shift", "maskkit_via.augment:HueShift",
             description="rotate hue by up to +-max_degrees (default 20; colour only)")
