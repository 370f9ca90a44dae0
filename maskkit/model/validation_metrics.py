"""Validation metrics during training: mAP@0.5 and COCO AP every K epochs, a ``best`` checkpoint kept
by one of them, and optional early stopping.

The monitor stores its best value in ``best.json`` beside the checkpoints, so a resumed run only
replaces the best checkpoint with a better one.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path
from typing import Any, Callable, Mapping

from maskkit.checkpoints import best_checkpoint_path
from maskkit.errors import ConfigError
from maskkit.atomic_files import atomic_write_text

EVALUATED = ("map50", "segm_ap", "bbox_ap")
MONITORED = (*EVALUATED, "val_loss")
LOWER_IS_BETTER = frozenset({"val_loss"})
BEST_RECORD = "best.json"


def history_key(metric: str) -> str:
    """The history/TensorBoard name of a metric: ``val_map50``, ``val_segm_ap``, ``val_loss``..."""
    return metric if metric.startswith("val_") else f"val_{metric}"


def metrics_from_evaluation(metrics: Mapping[str, Any]) -> dict[str, float]:
    """``map50``, ``segm_ap`` and ``bbox_ap`` out of Pipeline.evaluate's result (-1 where absent).

    Args:
        metrics: Pipeline.evaluate's result; ``map50`` is required, the COCO ``segm``/``bbox`` stats optional.
    """
    return {"map50": float(metrics["map50"]),
            "segm_ap": float(metrics.get("segm", {}).get("stats", {}).get("AP", -1.0)),
            "bbox_ap": float(metrics.get("bbox", {}).get("stats", {}).get("AP", -1.0))}


class ValidationMonitor:
    """Evaluates every ``every`` epochs (0: never), keeps the checkpoint with the best ``keep_best``
    metric as the ``best`` checkpoint of the run folder the checkpoints go to, and stops after
    ``patience`` evaluations without gain.

    Args:
        evaluate: runs an evaluation of the current weights and returns Pipeline.evaluate's result.
        name: the config NAME that names the best checkpoint's file.
        every: evaluate every this many epochs (0: never).
        keep_best: the MONITORED metric that picks the best checkpoint; None keeps none.
        patience: stop after this many evaluations without gain in ``keep_best``; None never stops early.
    """

    def __init__(self, evaluate: Callable[[], Mapping[str, float]], name: str, every: int = 1, keep_best: str | None = None, patience: int | None = None) -> None:
        if keep_best is not None and keep_best not in MONITORED:
            raise ConfigError("keep_best", f"unknown metric {keep_best!r}; choose from {', '.join(MONITORED)}")
        if every < 0:
            raise ConfigError("eval_every", f"must not be negative, got {every}")
        if patience is not None and patience < 1:
            raise ConfigError("patience", f"must be at least 1, got {patience}")
        if keep_best in EVALUATED and not every:
            raise ConfigError("eval_every", f"keeping the best {keep_best} needs evaluations: set eval_every >= 1")
        if patience is not None and keep_best is None:
            raise ConfigError("patience", "early stopping watches the keep_best metric: set keep_best too")
        self.evaluate = evaluate
        self.every = every
        self.keep_best = keep_best
        self.patience = patience
        self.name = name
        self.run_dir: Path | None = None
        self.best: dict[str, Any] | None = None
        self.waited = 0
        self.stop_reason = ""

    def _enter_run(self, run_dir: Path) -> None:
        """Follow the run folder the checkpoints go to, taking over the best of an earlier part of the
        run (when resuming) if it watched the same metric."""
        if run_dir == self.run_dir:
            return
        self.run_dir, self.best = run_dir, None
        record, best = run_dir / BEST_RECORD, best_checkpoint_path(run_dir, self.name)
        if record.is_file() and best.is_file():
            stored = json.loads(record.read_text())
            self.best = stored if stored.get("metric") == self.keep_best else None

    def measure(self, epoch: int, evaluate: bool | None = None) -> dict[str, float]:
        """``val_map50``, ``val_segm_ap``, ``val_bbox_ap`` after ``epoch`` (NaN between evaluations).

        ``evaluate`` overrides the every-K rule (a budgeted run evaluates its last epoch)."""
        if evaluate is None:
            if not self.every:
                return {}
            evaluate = epoch % self.every == 0
        if not evaluate:
            return {history_key(name): math.nan for name in EVALUATED}
        return {history_key(name): value for name, value in metrics_from_evaluation(self.evaluate()).items()}

    def improved(self, value: float) -> bool:
        """Whether ``value`` beats the best so far in the metric's direction."""
        if self.best is None:
            return True
        if self.keep_best in LOWER_IS_BETTER:
            return value < self.best["value"]
        return value > self.best["value"]

    def checkpointed(self, epoch: int, path: Path, history: Mapping[str, list[float]]) -> bool:
        """Copy ``path`` to the best checkpoint if its metric improved; True when patience ran out.

        Args:
            epoch: the absolute epoch whose checkpoint was just written.
            path: that checkpoint's file.
            history: the run's per-epoch records; ``keep_best``'s last value (NaN: not evaluated) is read.
        """
        if self.keep_best is None:
            return False
        values = history.get(history_key(self.keep_best)) or [math.nan]
        value = float(values[-1])
        if not math.isfinite(value):
            return False
        self._enter_run(Path(path).parent)
        if self.improved(value):
            best_path = best_checkpoint_path(Path(path).parent, self.name)
            temporary = best_path.with_name(best_path.name + ".tmp")
            shutil.copyfile(path, temporary)
            os.replace(temporary, best_path)
            self.best = {"metric": self.keep_best, "value": value, "epoch": epoch, "checkpoint": Path(path).name}
            atomic_write_text(Path(path).parent / BEST_RECORD, json.dumps(self.best, indent=2))
            self.waited = 0
            return False
        self.waited += 1
        if self.patience is not None and self.waited >= self.patience:
            self.stop_reason = (f"{self.keep_best} did not improve on {self.best['value']:.4f} (epoch "
                                f"{self.best['epoch']}) for {self.waited} evaluations")
            return True
        return False


def validation_summary(history: Mapping[str, list[float]], log_dir: str | os.PathLike, name: str) -> str:
    """Lines for the end of a run: the last evaluation's metrics and the best checkpoint kept, if any.

    Args:
        history: the run's per-epoch records.
        log_dir: the run folder that holds the checkpoints and ``best.json``.
        name: the config NAME that names the best checkpoint's file.
    """
    lines = []
    evaluated = [i for i, value in enumerate(history.get("val_map50", [])) if math.isfinite(value)]
    if evaluated:
        last = evaluated[-1]
        shown = ", ".join(f"{metric} {history[history_key(metric)][last]:.3f}" for metric in EVALUATED)
        lines.append(f"final validation ({len(evaluated)} evaluation(s) in this run): {shown}")
    record = Path(log_dir) / BEST_RECORD
    if record.is_file():
        best = json.loads(record.read_text())
        lines.append(f"best checkpoint ({best['metric']}): {best_checkpoint_path(log_dir, name)} "
                     f"({best['value']:.3f} at epoch {best['epoch']})")
    return "\n".join(lines) or "no validation metrics were measured"
