"""What ``maskkit plugins`` says about each registered name: its description, and for
``--details NAME`` the factory's arguments with their defaults (read with inspect.signature).

The caller hands in the registries to describe (the CLI passes every kind, its commands included),
so this module knows no registry of a higher layer.
"""

from __future__ import annotations

import inspect
from typing import Any, Sequence

from maskkit.plugins import Registration, is_builtin
from maskkit.registry import Registry


def description_lines(registries: Sequence[Registry]) -> list[str]:
    """Per kind, one line per name a plugin registered: name, description, recommended preset.

    Args:
        registries: the registries to describe, in display order; maskkit's own entries are left out.

    Returns:
        The lines, a ``<kind>s:`` header before each kind that has any.
    """
    lines: list[str] = []
    for registry in registries:
        entries = {name: entry for name, entry in registry.entries().items() if not is_builtin(entry.plugin)}
        if not entries:
            continue
        lines.append(f"{registry.kind}s:")
        width = max(len(name) for name in entries)
        for name in sorted(entries):
            entry = entries[name]
            text = entry.description or "(no description)"
            if entry.preset:
                text += f" [preset: {entry.preset}]"
            lines.append(f"  {name.ljust(width)}  {text}")
    return lines


def find_entries(name: str, registries: Sequence[Registry]) -> list[tuple[Registry, Registration]]:
    """Every registry of ``registries`` that knows ``name``, with its entry."""
    return [(registry, registry.entries()[name]) for registry in registries if name in registry]


def factory_arguments(factory: Any) -> list[tuple[str, str]]:
    """``[(argument, "default" or "required")]`` of a factory (a class's ``__init__``); ``**kwargs``
    shows as ``**name``."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return []
    rows = []
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            rows.append((f"**{parameter.name}", "any further keyword arguments"))
        elif parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        elif parameter.default is inspect.Parameter.empty:
            rows.append((parameter.name, "required"))
        else:
            rows.append((parameter.name, f"default {parameter.default!r}"))
    return rows


def details(name: str, registries: Sequence[Registry]) -> str:
    """A readable account of ``name``: kind, plugin, description, preset, docstring and arguments.

    Args:
        name: a registered name of any kind.
        registries: where to look for it; an unknown name raises UnknownNameError listing their names.

    Returns:
        One block of lines per registry that knows ``name``.
    """
    from maskkit.errors import UnknownNameError

    found = find_entries(name, registries)
    if not found:
        known = sorted({n for registry in registries for n in registry.names()})
        raise UnknownNameError(f"no plugin registers {name!r}; registered names: {', '.join(known)}")
    blocks = []
    for registry, entry in found:
        factory = registry.get(name)
        lines = [f"{registry.kind} {name!r} from plugin {entry.plugin!r}"]
        if entry.description:
            lines.append(f"  {entry.description}")
        if entry.preset:
            lines.append(f"  recommended preset: {entry.preset} (used unless --preset or a config file names one)")
        doc = inspect.getdoc(factory)
        if doc:
            lines.append("  " + doc.split("\n\n")[0].replace("\n", "\n  "))
        arguments = factory_arguments(factory)
        if arguments:
            width = max(len(argument) for argument, _ in arguments)
            lines.append("  arguments (--data KEY=VALUE):" if registry.kind == "dataset" else "  arguments:")
            lines += [f"    {argument.ljust(width)}  {what}" for argument, what in arguments]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
