"""A Keras 3 model's weighted layers flattened to unique names, the unit of by-name loading and saving.

Nested models are walked into: their layers keep their own names (like matterport's ``rpn_model``
whose convs are ``rpn_conv_shared`` ...) and get ``outer/inner`` only when a name would repeat.
Wrappers such as TimeDistributed are one layer under the wrapper's name, as in Keras 2 files.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs

from maskkit.errors import WeightsError


@attrs.frozen
class ModelLayer:
    """A layer that owns weights, with the unique ``name`` it is stored under."""

    name: str
    path: tuple[str, ...]
    layer: Any = attrs.field(eq=False, repr=False)

    @property
    def variables(self) -> list[Any]:
        return list(self.layer.weights)


def flatten_model(model: Any) -> list[ModelLayer]:
    """Every layer of ``model`` (nested models included) that has weights, in model order.

    ``model`` is a Keras model or anything holding one as ``keras_model`` (a maskkit MaskRCNN).
    """
    import keras

    if not isinstance(model, keras.Model) and isinstance(getattr(model, "keras_model", None), keras.Model):
        model = model.keras_model
    if not isinstance(model, keras.Model):
        raise WeightsError(f"expected a Keras model, got {type(model).__name__}")
    found: list[tuple[tuple[str, ...], Any]] = []
    seen: set[int] = set()

    def walk(container: Any, prefix: tuple[str, ...]) -> None:
        for layer in container.layers:
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            if isinstance(layer, keras.Model):
                walk(layer, prefix + (layer.name,))
            elif layer.weights:
                found.append((prefix + (layer.name,), layer))

    walk(model, ())
    if not found:
        raise WeightsError(f"model {model.name!r} has no weights yet: build it (call it on an input) first")
    counts = Counter(path[-1] for path, _ in found)
    layers = [
        ModelLayer(name=path[-1] if counts[path[-1]] == 1 else "/".join(path), path=path, layer=layer)
        for path, layer in found
    ]
    duplicates = sorted(name for name, count in Counter(layer.name for layer in layers).items() if count > 1)
    if duplicates:
        raise WeightsError(f"model {model.name!r} has several layers named {', '.join(duplicates)}")
    return layers
