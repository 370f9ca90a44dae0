"""Exception types with readable messages; the CLI prints them without a traceback."""

from __future__ import annotations


class MaskkitError(Exception):
    """Base of every error maskkit raises on purpose: one readable message naming the culprit."""


class ConfigError(MaskkitError, ValueError):
    """A configuration value is missing, of the wrong type or impossible.

    ``ConfigError("IMAGE_MAX_DIM", "...")`` names a config field; ``kind="argument"`` names a function
    or CLI argument instead (``epochs``, ``layers``); ``field=None`` is for problems that belong to no
    one name (a config file that cannot be read), whose message names the culprit itself.
    """

    def __init__(self, field: str | None, message: str, *, kind: str = "config field") -> None:
        super().__init__(f"{kind} {field}: {message}" if field else message)
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


class TrainingDivergedError(MaskkitError):
    """A training loss became NaN or infinite; the epoch was not checkpointed."""

    def __init__(self, epoch: int, step: int, losses: dict[str, float], phase: str = "training") -> None:
        """Compose the message from where training diverged and which losses did.

        Args:
            epoch: the epoch that diverged, counting from 1 (its checkpoint is not written).
            step: the step within the epoch at which the losses became non-finite.
            losses: the NaN or infinite losses by name.
            phase: which loop the step belongs to, ``"training"`` or ``"validation"``.
        """
        bad = ", ".join(f"{name}={value}" for name, value in losses.items())
        kept = f"the last good checkpoint is epoch {epoch - 1}'s" if epoch > 1 else "no checkpoint was written"
        super().__init__(f"training diverged at epoch {epoch}, {phase} step {step}: {bad}; epoch {epoch} was "
                         f"not saved and {kept} (try a lower LEARNING_RATE or GRADIENT_CLIP_NORM, or check "
                         f"the data)")
        self.epoch, self.step, self.losses, self.phase = epoch, step, dict(losses), phase
