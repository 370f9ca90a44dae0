"""What a dataset plugin recommends for runs that name nothing else, declared where it registers.

A dataset plugin passes any of these keywords to ``register`` beside its factory (maskkit.hookspecs);
they are kept as the registry entry's metadata and read here, so the core never names a dataset:

- ``preset="cpu"``: the preset (maskkit.presets) a run starts from when neither ``--preset`` nor a
  config file names one;
- ``train_args={"count": 2000}`` / ``val_args={"count": 50}``: factory arguments ``maskkit train``
  passes for the training / validation split unless ``--data`` / ``--val-data`` give the same key;
- ``epochs=8``: the epoch count of ``maskkit train`` without ``--epochs`` or ``--minutes`` (else 1);
- ``default_dataset=True``: ``maskkit train`` without ``--dataset`` trains on this dataset (one
  registered dataset may say so).
"""

from __future__ import annotations

from typing import Any

import attrs

from maskkit.dataset import datasets
from maskkit.errors import ConfigError, PluginError

#: ``maskkit train``'s epoch count when neither the user nor the dataset names one.
DEFAULT_EPOCHS = 1


@attrs.frozen
class DatasetRecommendation:
    """A dataset's recommended preset, factory arguments per split and epoch count (empty: none)."""

    preset: str = ""
    train_args: dict[str, Any] = attrs.field(factory=dict)
    val_args: dict[str, Any] = attrs.field(factory=dict)
    epochs: int | None = None


def recommendation(name: str | None) -> DatasetRecommendation:
    """What the plugin that registered dataset ``name`` recommends.

    Args:
        name: a registered dataset name; None or an unknown name recommends nothing.

    Returns:
        The recommendation; PluginError names the dataset and plugin when a keyword has the wrong type.
    """
    entries = datasets.entries() if name else {}
    if name not in entries:
        return DatasetRecommendation()
    entry = entries[name]
    meta = entry.metadata

    def checked(key: str, kind: type, empty: Any) -> Any:
        value = meta.get(key, empty)
        if value is not empty and (not isinstance(value, kind) or isinstance(value, bool)):
            raise PluginError(f"dataset {name!r} from plugin {entry.plugin!r}: register's {key}= must be a "
                              f"{kind.__name__}, got {value!r}")
        return value

    epochs = checked("epochs", int, None)
    if epochs is not None and epochs < 1:
        raise PluginError(f"dataset {name!r} from plugin {entry.plugin!r}: register's epochs= must be at "
                          f"least 1, got {epochs}")
    return DatasetRecommendation(checked("preset", str, ""), dict(checked("train_args", dict, {})),
                                 dict(checked("val_args", dict, {})), epochs)


def default_dataset() -> str:
    """The registered dataset declared with ``default_dataset=True``, trained on when none is named.

    Returns:
        Its name; ConfigError (about the ``dataset`` argument) when no dataset or several declare it.
    """
    entries = datasets.entries()
    chosen = sorted(name for name, entry in entries.items() if entry.metadata.get("default_dataset") is True)
    if len(chosen) == 1:
        return chosen[0]
    if not chosen:
        known = ", ".join(sorted(entries)) or "none (is a dataset plugin installed?)"
        raise ConfigError("dataset", f"no registered dataset is the default; name one (known: {known})",
                          kind="argument")
    owners = ", ".join(f"{name!r} (plugin {entries[name].plugin!r})" for name in chosen)
    raise ConfigError("dataset", f"several datasets declare default_dataset=True: {owners}; name one",
                      kind="argument")
