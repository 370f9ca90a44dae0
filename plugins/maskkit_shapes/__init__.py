"""Built-in plugin: the synthetic shapes dataset (squares, circles, triangles) of the seed example.

Registered through the same entry-point mechanism a third-party plugin uses. Its registration also
says what `maskkit train` does with no arguments (maskkit.dataset_recommendation): train on this
dataset with the shapes preset, 2000 training and 50 validation images, for 8 epochs.
"""

from __future__ import annotations

from typing import Callable

from maskkit.hookspecs import hookimpl


@hookimpl
def maskkit_register_datasets(register: Callable[..., None]) -> None:
    """Register dataset ``shapes``."""
    register("shapes", "maskkit_shapes.dataset:make_shapes",
             description="synthetic squares, circles and triangles drawn on the fly (seeded)",
             preset="shapes", train_args={"count": 2000}, val_args={"count": 50}, epochs=8,
             default_dataset=True)
