"""The one plugin manager: finds entry points of group ``maskkit`` lazily and isolates failures.

``MASKKIT_PLUGINS=a,b`` loads only those entry points; ``MASKKIT_DISABLE_PLUGINS=c`` (or
:func:`disable`) skips some. A plugin that fails to import is reported with a warning naming it
and its distribution, and every other plugin keeps working.
"""

from __future__ import annotations

import importlib
import os
import threading
import warnings
from importlib import metadata
from typing import Any, Iterable

import attrs
import pluggy

from maskkit import hookspecs
from maskkit.errors import PluginError

ENTRY_POINT_GROUP = "maskkit"


class PluginWarning(UserWarning):
    """A plugin could not be loaded or its hook raised; it was skipped."""


@attrs.define
class PluginInfo:
    """What ``maskkit plugins`` reports about one plugin."""

    name: str
    distribution: str
    version: str
    module: str
    error: str | None = None
    registered: dict[str, list[str]] = attrs.field(factory=dict)


@attrs.define(frozen=True)
class Registration:
    """One ``register(name, factory, *, description="", **metadata)`` call made by a plugin's hook.

    The registries keep these records as their entries; ``metadata`` holds the extra keywords.
    """

    plugin: str
    name: str
    factory: Any
    description: str = ""
    metadata: dict[str, Any] = attrs.field(factory=dict)

    @property
    def preset(self) -> str:
        """A dataset's recommended preset (maskkit.presets), used when the user names none."""
        return str(self.metadata.get("preset", ""))


_lock = threading.RLock()
_manager: pluggy.PluginManager | None = None
_infos: dict[str, PluginInfo] = {}
_disabled: set[str] = set()
_builtins: dict[str, Any] = {}
_generation = 0
_collected: dict[str, list[Registration]] = {}


def _env_list(name: str) -> set[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return {item.strip() for item in raw.split(",") if item.strip()}


def _warn(info: PluginInfo, what: str, exc: BaseException) -> None:
    info.error = f"{what}: {type(exc).__name__}: {exc}"
    warnings.warn(
        f"maskkit plugin {info.name!r} (distribution {info.distribution} {info.version}) "
        f"{what} and was skipped: {type(exc).__name__}: {exc}",
        PluginWarning,
        stacklevel=3,
    )


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    only = _env_list("MASKKIT_PLUGINS")
    skip = (_env_list("MASKKIT_DISABLE_PLUGINS") or set()) | _disabled
    seen: set[str] = set()
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in seen or (only is not None and ep.name not in only) or ep.name in skip:
            continue
        seen.add(ep.name)
        dist = getattr(ep, "dist", None)
        info = PluginInfo(
            name=ep.name,
            distribution=dist.metadata["Name"] if dist is not None else "?",
            version=dist.version if dist is not None else "?",
            module=ep.value,
        )
        _infos[ep.name] = info
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken third-party plugin must not take maskkit down
            _warn(info, "failed to import", exc)
            continue
        try:
            manager.register(plugin, name=ep.name)
        except Exception as exc:
            _warn(info, "could not be registered", exc)


def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager, created and filled on first use."""
    global _manager
    with _lock:
        if _manager is None:
            manager = pluggy.PluginManager(hookspecs.PROJECT)
            manager.add_hookspecs(hookspecs)
            _load_entry_points(manager)
            for name, plugin in _builtins.items():
                manager.register(plugin, name=name)
            _manager = manager
        return _manager


def register_builtin(plugin: Any, name: str) -> None:
    """Register one of maskkit's own plugins: always loaded, kept across :func:`reset`, not listed.

    A registry given ``builtin=`` (maskkit's CLI commands) calls this when its entries are first read,
    so maskkit's own names come through the same hooks a third party implements.

    Args:
        plugin: the object or module implementing maskkit's hooks.
        name: the plugin's name; registering the same object again under it is a no-op.
    """
    with _lock:
        if _builtins.get(name) is plugin:
            return
        _builtins[name] = plugin
        if _manager is not None:
            if _manager.get_plugin(name) is not None:
                _manager.unregister(name=name)
            _manager.register(plugin, name=name)
        _changed()


def is_builtin(name: str) -> bool:
    """Whether ``name`` is one of maskkit's own plugins (see :func:`register_builtin`)."""
    return name in _builtins


def register_plugin(plugin: Any, name: str, distribution: str = "(in-process)", version: str = "") -> None:
    """Register a plugin object or module directly, without an entry point (tests, notebooks).

    Such a plugin lives only in this process; spawned workers see entry-point plugins only.

    Args:
        plugin: the object or module implementing the hooks; it replaces a plugin of the same name.
        name: the plugin's name, as ``maskkit plugins`` lists it.
        distribution, version: what ``maskkit plugins`` reports as its distribution and version.
    """
    manager = get_plugin_manager()
    with _lock:
        if manager.get_plugin(name) is not None:
            manager.unregister(name=name)
        manager.register(plugin, name=name)
        _infos[name] = PluginInfo(name=name, distribution=distribution, version=version,
                                  module=getattr(plugin, "__name__", type(plugin).__name__))
        _changed()


def unregister_plugin(name: str) -> None:
    """Remove a plugin registered earlier (by entry point or :func:`register_plugin`).

    Args:
        name: the plugin's name; an unknown name is ignored.
    """
    manager = get_plugin_manager()
    with _lock:
        if manager.get_plugin(name) is not None:
            manager.unregister(name=name)
        _infos.pop(name, None)
        _changed()


def disable(names: Iterable[str]) -> None:
    """Skip these entry-point plugins from now on (reloads the manager).

    Args:
        names: entry-point names, added to those already disabled.
    """
    _disabled.update(names)
    reset()


def enable_all() -> None:
    """Undo :func:`disable`."""
    _disabled.clear()
    reset()


def reset() -> None:
    """Forget every loaded plugin; the next use discovers entry points again."""
    global _manager
    with _lock:
        _manager = None
        _infos.clear()
        _changed()


def plugin_infos() -> list[PluginInfo]:
    """Every plugin seen, loaded or failed, with what it registered (maskkit's own built-ins left out)."""
    with _lock:
        for kind in hookspecs.hook_names():
            registrations(kind)
        return sorted((info for name, info in _infos.items() if name not in _builtins),
                      key=lambda info: info.name)


def plugin_info(name: str) -> PluginInfo:
    """The info record of one plugin (created for plugins registered without metadata).

    Args:
        name: the plugin's name.
    """
    with _lock:
        if name not in _infos:
            _infos[name] = PluginInfo(name=name, distribution="?", version="?", module="?")
        return _infos[name]


def resolve(factory: Any) -> Any:
    """Turn an import string ``"pkg.mod:attr"`` into the object; pass callables through.

    Args:
        factory: an import string (``attr`` may be dotted, or empty for the module) or any other object.
    """
    if not isinstance(factory, str):
        return factory
    module_name, _, attribute = factory.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in filter(None, attribute.split(".")):
        obj = getattr(obj, part)
    return obj


def generation() -> int:
    """A number that changes whenever the set of plugins changes; registries rebuild when it does."""
    return _generation


def _changed() -> None:
    global _generation
    _generation += 1
    _collected.clear()
    for info in _infos.values():
        info.registered.clear()


def registrations(kind: str) -> list[Registration]:
    """Every name registered through the hook of ``kind``, in plugin load order.

    A hook that raises (or registers a malformed entry) is reported with a PluginWarning naming the
    plugin; its names of that kind are skipped and every other plugin keeps working.
    """
    hook_name = hookspecs.hook_names()[kind]
    with _lock:
        if kind in _collected:
            return _collected[kind]
        hook = getattr(get_plugin_manager().hook, hook_name)
        found: list[Registration] = []
        for impl in reversed(hook.get_hookimpls()):
            info = plugin_info(impl.plugin_name)
            calls: list[Registration] = []

            def register(name: str, factory: Any, *, description: str = "", _plugin: str = impl.plugin_name,
                         _out: list[Registration] = calls, **metadata: Any) -> None:
                if not isinstance(name, str) or not name:
                    raise PluginError(f"{kind} names must be non-empty strings, got {name!r}")
                if not (callable(factory) or isinstance(factory, str)):
                    raise PluginError(f"{kind} {name!r}: factory must be callable or an "
                                      f"import string 'module:attr', got {factory!r}")
                _out.append(Registration(_plugin, name, factory, description, metadata))

            try:
                impl.function(register=register)
            except Exception as exc:  # one plugin's broken hook must not hide the others' names
                _warn(info, f"raised in {hook_name}", exc)
                continue
            found.extend(calls)
            if calls:
                info.registered[kind] = [call.name for call in calls]
        _collected[kind] = found
        return found
