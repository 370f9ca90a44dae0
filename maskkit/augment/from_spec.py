"""Turn an augmentation spec (``"fliplr,rot90"``, names, objects) into one Compose via the registry."""

from __future__ import annotations

from typing import Any

from maskkit.augment.base import Augmenter, augmenters
from maskkit.augment.combinators import Compose, Sometimes
from maskkit.errors import ConfigError


def build_augmenters(spec: Any) -> Compose:
    """One Compose from ``spec``: a comma-separated string, an Augmenter, or a sequence of names/objects.

    A name may end in ``@p`` (``"gaussian_blur@0.3"``) to apply it with probability ``p``.
    ``None`` or an empty spec gives an empty Compose, which changes nothing.
    """
    if spec is None:
        return Compose([])
    if isinstance(spec, Compose):
        return spec
    if isinstance(spec, Augmenter):
        return Compose([spec])
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    return Compose([_one(item) for item in items if not (isinstance(item, str) and not item.strip())])


def _one(item: Any) -> Augmenter:
    if isinstance(item, Augmenter):
        return item
    if not isinstance(item, str):
        raise ConfigError("AUGMENTERS", f"expected augmenter names or Augmenter objects, got {item!r}")
    name, _, prob = item.strip().partition("@")
    aug = augmenters.create(name.strip())
    if not prob:
        return aug
    try:
        p = float(prob)
    except ValueError:
        raise ConfigError("AUGMENTERS", f"{item!r}: the part after '@' must be a probability") from None
    if not 0.0 <= p <= 1.0:
        raise ConfigError("AUGMENTERS", f"{item!r}: probability must be within [0, 1]")
    return Sometimes(p, aug)
