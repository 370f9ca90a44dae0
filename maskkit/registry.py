"""Name -> factory registries for datasets, augmenters, backbones and CLI commands.

Each registry is filled from the plugin hooks on first use. A name registered by two plugins is
reported naming both, and only asking for that name fails; unknown names list what is known.
"""

from __future__ import annotations

import inspect
import threading
import warnings
from typing import Any, Callable

import attrs

from maskkit import hookspecs
from maskkit.errors import PluginError, UnknownNameError


@attrs.define
class Entry:
    """One registered name."""

    name: str
    factory: Any
    plugin: str
    description: str = ""
    preset: str = ""  # a dataset's recommended preset (maskkit.presets), used when none is given


class Registry:
    """Registered factories of one kind (``dataset``, ``augmenter``, ``backbone``, ``command``)."""

    def __init__(self, kind: str, validate: Callable[[str, Any], None] | None = None) -> None:
        self.kind = kind
        self.hook_name = hookspecs.hook_names()[kind]
        self._validate = validate
        self._entries: dict[str, Entry] | None = None
        self._conflicts: dict[str, list[str]] = {}
        self._lock = threading.RLock()

    def invalidate(self) -> None:
        """Forget the collected entries; the next use asks the plugins again."""
        with self._lock:
            self._entries = None
            self._conflicts = {}

    def entries(self) -> dict[str, Entry]:
        """All entries, collecting them from the plugins on first use."""
        from maskkit import plugins

        with self._lock:
            if self._entries is not None:
                return self._entries
            manager = plugins.get_plugin_manager()
            entries: dict[str, Entry] = {}
            conflicts: dict[str, list[str]] = {}
            hook = getattr(manager.hook, self.hook_name)
            for impl in reversed(hook.get_hookimpls()):
                plugin_name = impl.plugin_name
                info = plugins.plugin_info(plugin_name)
                collected: list[Entry] = []

                def register(name: str, factory: Any, *, description: str = "", preset: str = "",
                             _plugin: str = plugin_name, _out: list = collected) -> None:
                    if not isinstance(name, str) or not name:
                        raise PluginError(f"{self.kind} names must be non-empty strings, got {name!r}")
                    if not (callable(factory) or isinstance(factory, str)):
                        raise PluginError(f"{self.kind} {name!r}: factory must be callable or an "
                                          f"import string 'module:attr', got {factory!r}")
                    _out.append(Entry(name, factory, _plugin, description, preset))

                try:
                    impl.function(register=register)
                except Exception as exc:
                    plugins._warn(info, f"raised in {self.hook_name}", exc)
                    continue
                for entry in collected:
                    if entry.name in entries:
                        conflicts.setdefault(entry.name, [entries[entry.name].plugin]).append(entry.plugin)
                        warnings.warn(self._conflict_message(entry.name, conflicts[entry.name]),
                                      plugins.PluginWarning, stacklevel=2)
                        continue
                    entries[entry.name] = entry
                    info.registered.setdefault(self.kind, []).append(entry.name)
            self._entries = entries
            self._conflicts = conflicts
            return entries

    def _conflict_message(self, name: str, owners: list[str]) -> str:
        return (f"{self.kind} name {name!r} is registered by more than one plugin: "
                f"{' and '.join(repr(o) for o in owners)}; disable one (MASKKIT_DISABLE_PLUGINS) "
                f"or rename it")

    def conflicts(self) -> dict[str, list[str]]:
        """Names registered by more than one plugin -> those plugins; such a name cannot be used."""
        self.entries()
        return {name: list(owners) for name, owners in self._conflicts.items()}

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self.entries())

    def __contains__(self, name: object) -> bool:
        return name in self.entries()

    def get(self, name: str) -> Any:
        """The factory registered as ``name`` (import strings resolved)."""
        from maskkit import plugins

        entries = self.entries()
        if name in self._conflicts:
            raise PluginError(self._conflict_message(name, self._conflicts[name]))
        if name not in entries:
            known = ", ".join(sorted(entries)) or "none (is the plugin installed?)"
            raise UnknownNameError(f"unknown {self.kind} {name!r}; known {self.kind}s: {known}")
        entry = entries[name]
        try:
            factory = plugins.resolve(entry.factory)
        except Exception as exc:
            raise PluginError(f"{self.kind} {name!r} from plugin {entry.plugin!r} cannot be loaded: "
                              f"{type(exc).__name__}: {exc}") from exc
        return factory

    def create(self, name: str, **kwargs: Any) -> Any:
        """Call the factory registered as ``name`` with ``kwargs`` and check what it returns."""
        factory = self.get(name)
        kwargs = accepted_kwargs(factory, kwargs, optional=("subset",))
        try:
            obj = factory(**kwargs)
        except TypeError as exc:
            raise PluginError(f"{self.kind} {name!r} rejected its arguments {sorted(kwargs)}: {exc}") from exc
        if self._validate is not None:
            self._validate(name, obj)
        return obj


def accepted_kwargs(func: Callable, kwargs: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """Drop the ``optional`` keywords ``func`` does not accept; keep everything else."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return kwargs
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return kwargs
    return {k: v for k, v in kwargs.items() if k in params or k not in optional}


def _check_dataset(name: str, obj: Any) -> None:
    from maskkit.dataset import Dataset

    if not isinstance(obj, Dataset):
        raise PluginError(f"dataset {name!r}: factory returned {type(obj).__name__}, not a maskkit.Dataset")
    if not obj.is_prepared:
        obj.prepare()


def _check_augmenter(name: str, obj: Any) -> None:
    from maskkit.augment.base import check_augmenter_contract

    check_augmenter_contract(obj, where=f"augmenter {name!r}")


def _check_backbone(name: str, obj: Any) -> None:
    from maskkit.backbone import Backbone

    if not isinstance(obj, Backbone):
        raise PluginError(f"backbone {name!r}: factory returned {type(obj).__name__}, not a maskkit.Backbone")


datasets = Registry("dataset", _check_dataset)
augmenters = Registry("augmenter", _check_augmenter)
backbones = Registry("backbone", _check_backbone)
commands = Registry("command")


def all_registries() -> tuple[Registry, ...]:
    """Every registry, in display order."""
    return (datasets, augmenters, backbones, commands)
