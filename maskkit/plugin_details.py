"""What ``maskkit plugins`` says about each registered name: its description, and for
``--details NAME`` the factory's arguments with their defaults (read with inspect.signature)."""

from __future__ import annotations

import inspect
from typing import Any

from maskkit.registry import Entry, Registry, all_registries


def description_lines(registries: tuple[Registry, ...] | None = None) -> list[str]:
    """Per kind, one line per registered name: name, description, recommended preset."""
    lines: list[str] = []
    for registry in registries or all_registries():
        entries = registry.entries()
        if not entries:
            continue
        lines.append(f"{registry.kind}s:")
        width = max(len(name) for name in entries)
        for name in sorted(entries):
            entry = entries[name]
            text = entry.description or "(no description)"
            if getattr(entry, "preset", ""):
                text += f" [preset: {entry.preset}]"
            lines.append(f"  {name.ljust(width)}  {text}")
    return lines


def find_entries(name: str) -> list[tuple[Registry, Entry]]:
    """Every registry that knows ``name``, with its entry."""
    return [(registry, registry.entries()[name]) for registry in all_registries() if name in registry]


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


def details(name: str) -> str:
    """A readable account of ``name``: kind, plugin, description, preset, docstring and arguments."""
    from maskkit.errors import UnknownNameError

    found = find_entries(name)
    if not found:
        known = sorted({n for registry in all_registries() for n in registry.names()})
        raise UnknownNameError(f"no plugin registers {name!r}; registered names: {', '.join(known)}")
    blocks = []
    for registry, entry in found:
        factory = registry.get(name)
        lines = [f"{registry.kind} {name!r} from plugin {entry.plugin!r}"]
        if entry.description:
            lines.append(f"  {entry.description}")
        if getattr(entry, "preset", ""):
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
