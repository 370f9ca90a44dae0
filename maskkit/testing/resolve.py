"""Turn what a test passes (a registered name, a factory or a ready object) into the object to check."""

from __future__ import annotations

from typing import Any, Callable

from maskkit.errors import MaskkitError
from maskkit.registry import Registry, accepted_kwargs
from maskkit.testing.conformance_error import ConformanceError


def describe(kind: str, target: Any, registry: Registry) -> str:
    """How messages name the plugin under test: ``dataset 'shapes' (plugin 'shapes')`` or the factory.

    Args:
        kind: the plugin kind, e.g. "dataset".
        target: a registered name, a factory or an object.
        registry: the registry a name is looked up in, for the plugin that registered it.
    """
    if isinstance(target, str):
        entry = registry.entries().get(target)
        return f"{kind} {target!r}" + (f" (plugin {entry.plugin!r})" if entry is not None else "")
    if isinstance(target, type) or (callable(target) and hasattr(target, "__qualname__")):
        return f"{kind} factory {getattr(target, '__module__', '?')}.{target.__qualname__}"
    return f"{kind} {type(target).__name__}"


def build(kind: str, target: Any, registry: Registry, is_product: Callable[[Any], bool],
          kwargs: dict[str, Any]) -> tuple[str, Any]:
    """(subject, object): look a name up in ``registry`` or call a factory with ``kwargs``.

    Objects for which ``is_product`` is true are used as they are. Failures become a
    ConformanceError naming the plugin.

    Args:
        kind: the plugin kind, e.g. "dataset", for messages.
        target: a registered name, a factory or a ready object.
        registry: the registry names are looked up in.
        is_product: true for a ready object, which is returned without calling anything.
        kwargs: factory arguments; only those the factory accepts are passed.
    """
    subject = describe(kind, target, registry)
    if is_product(target):
        return subject, target
    try:
        factory = registry.get(target) if isinstance(target, str) else target
    except MaskkitError as exc:
        raise ConformanceError(subject, [f"cannot be looked up: {exc}"]) from exc
    if not callable(factory):
        raise ConformanceError(subject, [f"expected a registered name, a factory or a {kind} object, "
                                         f"got {type(factory).__name__}"])
    try:
        return subject, factory(**accepted_kwargs(factory, kwargs, optional=("subset",)))
    except Exception as exc:
        raise ConformanceError(subject, [f"factory raised {type(exc).__name__}: {exc} "
                                         f"(arguments: {sorted(kwargs)})"]) from exc
