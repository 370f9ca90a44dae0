"""Exception types with readable messages; the CLI prints them without a traceback."""

from __future__ import annotations


class MaskkitError(Exception):
    """Base of every error maskkit raises on purpose: one readable message naming the culprit."""


class ConfigError(MaskkitError, ValueError):
    """A configuration value is missing, of the wrong type or impossible."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"config field {field}: {message}")
        self.field = field


class UnknownNameError(MaskkitError, KeyError):
    """A registry was asked for a name nobody registered; the message lists what is known."""

    def __str__(self) -> str:
        return str(self.args[0])


class PluginError(MaskkitError):
    """A plugin broke the plugin contract (duplicate name, bad factory, failing hook)."""


class DatasetError(MaskkitError, ValueError):
    """A dataset returned data that breaks the Dataset contract; names dataset and image."""


class WeightsError(MaskkitError):
    """A weights file is missing, corrupt or does not fit the model."""
