"""The Registry class: name -> factory for one kind of component, filled from the plugin hooks.

Each kind keeps its registry beside its base class (``maskkit.dataset.datasets``,
``maskkit.augment.base.augmenters``, ``maskkit.backbone.backbones``, ``maskkit.cli.commands.commands``)
with its own validator. Its entries are the plugins' :class:`maskkit.plugins.Registration` records.
A name registered by two plugins is reported naming both, and only asking for that name fails;
unknown names list what is known.
"""

from __future__ import annotations

import inspect
import threading
import warnings
from typing import Any, Callable

from maskkit import hookspecs, plugins
from maskkit.errors import PluginError, UnknownNameError


class Registry:
    """Registered factories of one kind (``dataset``, ``augmenter``, ``backbone``, ``command``).

    Args:
        kind: the registry kind; its hook is ``maskkit_register_<kind>s`` (maskkit.hookspecs).
        validate: ``validate(name, obj)`` checks what a factory returned and raises PluginError naming ``name``.
        builtin: maskkit's own plugin for this kind (an object implementing the kind's hook), registered
            as plugin ``maskkit.<kind>s`` when the entries are first read rather than when a module is imported.
    """

    def __init__(self, kind: str, validate: Callable[[str, Any], None] | None = None, builtin: Any = None) -> None:
        self.kind = kind
        self.hook_name = hookspecs.hook_names()[kind]
        self._validate = validate
        self._builtin = builtin
        self._entries: dict[str, plugins.Registration] = {}
        self._conflicts: dict[str, list[str]] = {}
        self._generation: int | None = None
        self._lock = threading.RLock()

    def entries(self) -> dict[str, plugins.Registration]:
        """All entries by name, collected from the plugins again whenever the set of plugins changed."""
        with self._lock:
            if self._builtin is not None:
                plugins.register_builtin(self._builtin, name=f"maskkit.{self.kind}s")
            generation = plugins.generation()
            if self._generation == generation:
                return self._entries
            registrations = plugins.registrations(self.kind)
            entries: dict[str, plugins.Registration] = {}
            conflicts: dict[str, list[str]] = {}
            for reg in registrations:
                if reg.name in entries:
                    conflicts.setdefault(reg.name, [entries[reg.name].plugin]).append(reg.plugin)
                    warnings.warn(self._conflict_message(reg.name, conflicts[reg.name]),
                                  plugins.PluginWarning, stacklevel=2)
                    continue
                entries[reg.name] = reg
            self._entries, self._conflicts = entries, conflicts
            self._generation = generation
            return entries

    def _conflict_message(self, name: str, owners: list[str]) -> str:
        return (f"{self.kind} name {name!r} is registered by more than one plugin: "
                f"{' and '.join(repr(o) for o in owners)}; disable one (MASKKIT_DISABLE_PLUGINS) "
                f"or rename it")

    def conflicts(self) -> dict[str, list[str]]:
        """Names registered by more than one plugin -> those plugins, in the order consulted; such a name fails."""
        self.entries()
        return {name: list(owners) for name, owners in self._conflicts.items()}

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self.entries())

    def __contains__(self, name: object) -> bool:
        return name in self.entries()

    def get(self, name: str) -> Any:
        """The factory registered as ``name`` (import strings resolved)."""
        entries = self.entries()
        if name in self._conflicts:
            raise PluginError(self._conflict_message(name, self._conflicts[name]))
        if name not in entries:
            known = ", ".join(sorted(entries)) or "none (is the plugin installed?)"
            raise UnknownNameError(f"unknown {self.kind} {name!r}; known {self.kind}s: {known}")
        entry = entries[name]
        try:
            return plugins.resolve(entry.factory)
        except Exception as exc:
            raise PluginError(f"{self.kind} {name!r} from plugin {entry.plugin!r} cannot be loaded: "
                              f"{type(exc).__name__}: {exc}") from exc

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
    """Drop the ``optional`` keywords ``func`` does not accept; keep everything else.

    Args:
        func: the callable the keywords are meant for; one without a readable signature, or taking
            ``**kwargs``, gets them all.
        kwargs: the keyword arguments to pass.
        optional: names to drop when ``func`` does not declare them (e.g. ``subset``).
    """
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return kwargs
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return kwargs
    return {k: v for k, v in kwargs.items() if k in params or k not in optional}
