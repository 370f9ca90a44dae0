"""What the report says about the run: checkpoint, its epoch, dataset and arguments, config, classes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from maskkit.dataset import Dataset


def pipeline_run_info(pipe: Any, dataset: "Dataset") -> tuple[dict[str, Any], Path | None]:
    """(run description, run folder with training history or None) of a ``maskkit.Pipeline`` evaluating
    ``dataset`` (typed loosely: the report layer sits below the pipeline and never imports it).

    The checkpoint is the one holding the model's current weights: the model's own checkpoint at its
    epoch when there is one (a loaded run checkpoint, or training in this process), else the file loaded.

    Args:
        pipe: the pipeline whose model, weights, config and class names describe the run.
        dataset: the dataset evaluated; when it is ``pipe.val_dataset`` its name carries the pipeline's
            validation arguments.
    """
    model = pipe.model
    own = Path(model.checkpoint_path.format(epoch=model.epoch)) if model.epoch else None
    weights = own if own is not None and own.is_file() else pipe.weights_path
    epoch = model.epoch if weights == own else pipe.checkpoint_metadata.get("epoch", "—")
    folder = Path(weights).parent if weights else Path(model.log_dir)
    stored = dataset is pipe.val_dataset
    args = ", ".join(f"{k}={v}" for k, v in sorted(pipe.val_args.items())) if stored else ""
    name = (pipe.dataset_name if stored else None) or dataset.name
    run = {"checkpoint": str(weights) if weights else "weights in memory (not saved)", "epoch": epoch,
           "dataset": f"{name} ({args})" if args else name,
           "config": pipe.config.to_dict(), "class_names": list(pipe.class_names[1:])}
    return run, folder if any(folder.glob("events.out.tfevents.*")) else None
