"""Built-in plugin: the synthetic shapes dataset (squares, circles, triangles) of the seed example.

Registered through the same entry-point mechanism a third-party plugin uses.
"""

from __future__ import annotations

from typing import Callable

from maskkit.hookspecs import hookimpl


@hookimpl
def maskkit_register_datasets(register: Callable[..., None]) -> None:
    """Register dataset ``shapes``."""
    register("shapes", "maskkit_shapes.dataset:make_shapes",
             description="synthetic squares, circles and triangles drawn on the fly (seeded)",
             preset="shapes")
