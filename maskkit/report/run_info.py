"""What the report says about the run: checkpoint, its epoch, dataset and arguments, config, classes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from maskkit.dataset import Dataset
    from maskkit.pipeline import Pipeline


def pipeline_run_info(pipe: "Pipeline", dataset: "Dataset") -> tuple[dict[str, Any], Path | None]:
    """(run description, run folder with training history or None) of a Pipeline evaluating ``dataset``."""
    weights = Path(pipe.weights_path) if pipe.weights_path else None
    stored = dataset is pipe.val_dataset
    args = ", ".join(f"{k}={v}" for k, v in sorted(pipe.val_args.items())) if stored else ""
    name = (pipe.dataset_name if stored else None) or dataset.name
    run = {"checkpoint": str(weights) if weights else None,
           "epoch": pipe.checkpoint_metadata.get("epoch", "—"),
           "dataset": f"{name} ({args})" if args else name,
           "config": pipe.config.to_dict(), "class_names": list(pipe.class_names[1:] or [])}
    run_dir = weights.parent if weights and any(weights.parent.glob("events.out.tfevents.*")) else None
    return run, run_dir
