"""The hooks a maskkit plugin implements, each documented where it is declared.

A plugin is any importable module (or object) named by an entry point in the group
``maskkit``; it implements one or more of the hooks below with ``@maskkit.hookimpl``.
Every hook receives a ``register`` callback::

    register(name: str, factory, *, description: str = "", preset: str = "", **metadata)

``preset`` (datasets only) names the ready-made config (see maskkit.presets) used for this
dataset when the user gives neither ``--preset`` nor a config file naming one. A dataset may also
recommend ``train_args``, ``val_args``, ``epochs`` and ``default_dataset`` for ``maskkit train``
(see maskkit.dataset_recommendation).

``factory`` is either a callable or an import string ``"package.module:attribute"``; extra keywords
are kept as the registry entry's ``metadata``.
Import strings are resolved only when the name is first used, so a plugin can register
TensorFlow-backed components without importing TensorFlow at start-up: keep the plugin's
top-level module light and point at the heavy module by string.
"""

from __future__ import annotations

from typing import Callable

import pluggy

PROJECT = "maskkit"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

Register = Callable[..., None]


@hookspec
def maskkit_register_datasets(register: Register) -> None:
    """Register dataset factories by name.

    A dataset factory is called with keyword arguments only (the user's ``--set key=value``
    options, plus ``subset="train"`` or ``"val"`` when the caller wants a split) and returns a
    *prepared* :class:`maskkit.Dataset`. Factories that take no ``subset`` simply ignore it when
    declared as ``**kwargs``; maskkit only passes ``subset`` to factories that accept it.

    Args:
        register: ``register(name, factory, *, description="", preset="", **metadata)``; ``preset`` and
            the other recommendations as in the module docstring.
    """


@hookspec
def maskkit_register_augmenters(register: Register) -> None:
    """Register augmenter factories by name.

    A factory is called with keyword arguments and returns a :class:`maskkit.Augmenter`.
    The registry enforces the contract when the augmenter is built: it must subclass
    ``Augmenter``, declare ``targets`` (``"image"`` for colour transforms that leave masks
    untouched, ``"both"`` for geometric transforms that move masks with the pixels) and carry a
    docstring saying what it reads and changes.

    Args:
        register: ``register(name, factory, *, description="", **metadata)`` (see the module docstring).
    """


@hookspec
def maskkit_register_backbones(register: Register) -> None:
    """Register backbone factories by name.

    A factory is called with keyword arguments and returns a :class:`maskkit.Backbone`, whose
    ``outputs`` declares the pyramid levels by name with their strides (``{"P2": 4, ...}``) and
    whose ``build(images, config)`` turns a Keras image tensor into those levels.

    Args:
        register: ``register(name, factory, *, description="", **metadata)`` (see the module docstring).
    """


@hookspec
def maskkit_register_commands(register: Register) -> None:
    """Register extra ``maskkit`` CLI commands by name.

    The factory is (or resolves to) a ``click.Command`` and is added to the ``maskkit`` group.

    Args:
        register: ``register(name, factory, *, description="", **metadata)`` (see the module docstring).
    """


def hook_names() -> dict[str, str]:
    """Map each registry kind to the hook that fills it, read from the hook specs declared above."""
    prefix = "maskkit_register_"
    return {name[len(prefix):-1]: name for name, obj in globals().items()
            if name.startswith(prefix) and hasattr(obj, f"{PROJECT}_spec")}
