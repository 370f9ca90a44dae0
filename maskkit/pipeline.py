"""Pipeline: assemble a run from registered names or objects in a few lines, then train, detect, evaluate.

Training is assembled here in one direction: dataset -> input (maskkit.data.feed's per-epoch
batches, anchors included) -> model (MaskRCNN.fit) -> loop (maskkit.model.training).
The CLI's train, detect and evaluate commands are thin layers over this class. Checkpoints carry
the config, the class names and the dataset's name and arguments, so a pipeline rebuilt from a
checkpoint alone detects with named classes and evaluates on the same data.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

import maskkit
from maskkit.checkpoints import clear_failed_mark, resolve_weights, run_folder_line
from maskkit.config import Config
from maskkit.config_assembly import ConfigRequest, assemble_config, pipeline_request, plan_request
from maskkit.dataset import Dataset
from maskkit.errors import ConfigError, MaskkitError
from maskkit.output_paths import check_writable_dir
from maskkit.training_run import (UNCAPPED_EPOCHS, budget_monitor, checked_learning_rate, load_start_weights,
                                  settle_failed_training, validation_monitor)
from maskkit.weights.classes import CLASS_HEAD_LAYERS, check_class_names


CHECKPOINT_CLASSES_ADVICE = (
    "A checkpoint detects and evaluates only the classes it was trained on: use a dataset with those "
    "classes, or first fine-tune on this one (maskkit train --weights CHECKPOINT --exclude "
    + " --exclude ".join(CLASS_HEAD_LAYERS) + ").")


class Pipeline:
    """A dataset, a config, a backbone and augmenters, ready to train, detect and evaluate.

    ``dataset``/``val_dataset`` are registered names (created with ``dataset_args``/``val_args``;
    the validation split gets ``subset="val"``) or Dataset objects. ``config`` is a Config or a
    ConfigRequest (preset, config file and labelled overrides, as the CLI builds it), or ``preset``
    names one (default: the dataset's recommended preset, else a config planned from the training
    data for this machine, as ``maskkit data plan`` proposes it); ``overrides`` changes
    fields; ``backbone`` and ``augmenters`` set BACKBONE and AUGMENTERS. maskkit.config_assembly
    builds the effective config (``config_sources`` says where each field came from): NUM_CLASSES
    follows the dataset and BACKBONE_STRIDES the backbone, and an explicit override that
    contradicts either is a ConfigError.

    Args:
        dataset: the training dataset, a registered name or a Dataset; None for none.
        dataset_args: keyword arguments of a named ``dataset`` (``subset="train"`` added).
        val_dataset: the validation dataset, a registered name or a Dataset; default the named
            ``dataset`` again, with ``subset="val"``.
        val_args: keyword arguments of a named validation dataset (default ``dataset_args``).
        config: a Config or a ConfigRequest; None to start from ``preset`` (or a data plan, above).
        preset: a preset name (maskkit.presets); not together with a ConfigRequest.
        overrides: field values by name, applied last.
        backbone: a registered backbone name, set as BACKBONE.
        augmenters: registered augmenter names (a list or one comma-separated string), set as AUGMENTERS.
        log_dir: the log folder run folders are created in (default ``runs``).
        class_names: class names, background first, used when there is no dataset (e.g. a checkpoint's).
    """

    def __init__(self, dataset: str | Dataset | None = None, *, dataset_args: dict[str, Any] | None = None,
                 val_dataset: str | Dataset | None = None, val_args: dict[str, Any] | None = None,
                 config: Config | ConfigRequest | None = None, preset: str | None = None,
                 overrides: dict[str, Any] | None = None, backbone: str | None = None,
                 augmenters: Iterable[str] | str | None = None, log_dir: str | os.PathLike = "runs",
                 class_names: Sequence[str] | None = None) -> None:
        self._request = pipeline_request(config, preset, overrides, backbone, augmenters)
        self.dataset_name = dataset if isinstance(dataset, str) else None
        self.dataset_args = dict(dataset_args or {})
        self.val_args = dict(val_args if val_args is not None else self.dataset_args)
        self.dataset = self._create(dataset, self.dataset_args, "train")
        val_source = val_dataset if val_dataset is not None else (dataset if isinstance(dataset, str) else None)
        self.val_dataset = self._create(val_source, self.val_args, "val")
        reference = self.dataset or self.val_dataset
        self._request = plan_request(self._request, self.dataset_name, self.dataset)
        self._assemble()
        self.class_names = list(reference.class_names) if reference is not None else list(class_names or [])
        self.log_dir = Path(log_dir)
        self.weights_path: Path | None = None
        self.checkpoint_metadata: dict[str, Any] = {}
        self._model: Any = None

    def _assemble(self, backbone: Any = None) -> None:
        """Set ``config`` and ``config_sources`` from the request, the datasets and (once built) the backbone."""
        assembled = assemble_config(self._request, dataset_name=self.dataset_name,
                                    dataset=self.dataset or self.val_dataset, backbone=backbone)
        self.config, self.config_sources = assembled.config, dict(assembled.sources)

    @staticmethod
    def _create(source: str | Dataset | None, args: dict[str, Any], subset: str) -> Dataset | None:
        if source is None or isinstance(source, Dataset):
            return source
        return maskkit.datasets.create(source, **{"subset": subset, **args})

    # ----- model --------------------------------------------------------------------------
    @property
    def model(self) -> Any:
        """The MaskRCNN (training mode: its inference graph shares the weights), built on first use."""
        if self._model is None:
            from maskkit.model.maskrcnn import MaskRCNN

            backbone = maskkit.backbones.create(self.config.BACKBONE)
            self._assemble(backbone)
            self._model = MaskRCNN("training", self.config, self.log_dir, backbone=backbone)
            self.config = self._model.config  # PRECISION="auto" resolved for this machine
            self._model.metadata.update(self._metadata())
        return self._model

    def _metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"class_names": self.class_names}
        if self.dataset is not None:
            from maskkit.weights import dataset_class_metadata

            meta.update(dataset_class_metadata(self.dataset))
        if self.dataset_name is not None:
            meta["dataset"] = {"name": self.dataset_name, "args": self.dataset_args, "val_args": self.val_args}
        return meta

    def load_weights(self, path: str | os.PathLike, exclude: Sequence[str] = ()) -> Any:
        """Load a checkpoint (file or run folder) by layer name; the class lists must agree unless
        the class heads are excluded (transfer learning, as in the seed).

        Args:
            path: a checkpoint file, a run folder or a log folder (see maskkit.checkpoints.resolve_weights).
            exclude: layer names or regexes not to load (e.g. the class heads, CLASS_HEAD_LAYERS).

        Returns:
            maskkit.weights' LoadReport of the loaded, excluded, missing and unused layers.
        """
        from maskkit.weights import read_metadata

        self.weights_path = resolve_weights(path)
        self.checkpoint_metadata = read_metadata(self.weights_path)
        return self.model.load_weights(self.weights_path, by_name=True, exclude=exclude,
                                       class_names=self.class_names or None)

    @classmethod
    def from_checkpoint(cls, path: str | os.PathLike, *, dataset: str | Dataset | None = None,
                        dataset_args: dict[str, Any] | None = None, overrides: dict[str, Any] | None = None,
                        log_dir: str | os.PathLike | None = None, use_stored_dataset: bool = True) -> "Pipeline":
        """Rebuild a pipeline from a checkpoint alone: its config, class names and (unless another is
        given, or ``use_stored_dataset`` is false) the validation split of the dataset it was trained on.

        Args:
            path: a checkpoint file, a run folder or a log folder; it must hold a maskkit config.
            dataset: the validation dataset to use instead of the stored one (a registered name or a Dataset).
            dataset_args: keyword arguments of a named ``dataset``.
            overrides: config field values changed on top of the stored config.
            log_dir: the log folder for new runs (default: the one holding the checkpoint's run folder).
            use_stored_dataset: whether to recreate the stored dataset when ``dataset`` is None.

        Returns:
            The pipeline with the checkpoint's weights loaded; its class names must match the dataset's.
        """
        from maskkit.weights import read_metadata

        weights = resolve_weights(path)
        meta = read_metadata(weights)
        if "config" not in meta:
            raise MaskkitError(f"{weights} holds no maskkit config; build a Pipeline with a config and call "
                               f"load_weights() instead")
        stored = meta.get("dataset") or {}
        if dataset is None and use_stored_dataset and stored.get("name"):
            dataset, dataset_args = stored["name"], stored.get("val_args", stored.get("args"))
        request = ConfigRequest(config=Config.from_dict(meta["config"]), config_source=f"checkpoint {weights.name}")
        pipe = cls(val_dataset=dataset, val_args=dataset_args or {}, config=request, overrides=overrides,
                   log_dir=log_dir or weights.parent.parent, class_names=meta.get("class_names"))
        pipe.dataset_name = stored.get("name")
        check_class_names(meta.get("class_names"), pipe.class_names, excluded_heads=False,
                          source=f"weights file {weights}", advice=CHECKPOINT_CLASSES_ADVICE)
        pipe.load_weights(weights)
        return pipe

    # ----- actions ------------------------------------------------------------------------
    def train(self, epochs: int | None = None, layers: str = "all", learning_rate: float | None = None,
              weights: str | os.PathLike | None = None, exclude: Sequence[str] = (),
              resume: bool = False, imagenet: str | os.PathLike | None = None,
              verbose: int = 1, eval_every: int | None = None, keep_best: str | None = None,
              patience: int | None = None, eval_limit: int | None = None,
              minutes: float | None = None) -> dict[str, list[float]]:
        """Train up to absolute epoch ``epochs``, or for ``minutes`` of wall time; returns the history.

        Loads the starting weights, sets up validation and the time budget, then delegates to
        MaskRCNN.train, the one training entry.

        Args:
            epochs: the absolute epoch to train to; with ``minutes``, a cap (None: none).
            learning_rate: a positive learning rate (default: the config's LEARNING_RATE).
            layers: the layers to train (see MaskRCNN.train): ``all`` by default, as a model from
                random weights needs; ``heads`` to fine-tune only the heads of loaded weights.
            minutes: a time budget: the epoch count is planned from measured epoch times
                (maskkit.model.budget); with a validation set the run then evaluates halfway
                and at its last epoch, and keeps the best checkpoint by ``keep_best``
                (default segm_ap).
            weights: initialise from a checkpoint; ``exclude`` names layers not to load from it.
            imagenet: initialise a ResNet backbone from a local Keras ImageNet weights file.
            resume: continue the newest run of this config's NAME under log_dir.
            eval_every: evaluate (the first ``eval_limit``) validation images every K epochs into
                history's val_map50/val_segm_ap/val_bbox_ap.
            keep_best: map50, segm_ap, bbox_ap or val_loss: keep the run's best checkpoint as
                mask_rcnn_<name>_best.weights.h5.
            patience: stop after that many evaluations without a better ``keep_best``.
            eval_limit: evaluate only the first that many validation images (None: all).
            verbose: 0 silent, 1 progress bars and messages.

        Returns:
            The training history: each loss (and validation metric) per epoch.
        """
        if self.dataset is None:
            raise MaskkitError("this pipeline has no training dataset")
        from maskkit.memory_estimate import check_training_memory

        check_training_memory(self.config)  # refuses a batch that cannot fit before the run folder exists
        from maskkit.data_check.leakage import warn_split_overlap

        warn_split_overlap(self.dataset, self.val_dataset)
        if epochs is None and minutes is None:
            raise ConfigError("epochs", "give epochs, minutes, or both (minutes with epochs as a cap)",
                              kind="argument")
        rate = checked_learning_rate(self.config.LEARNING_RATE if learning_rate is None else learning_rate)
        check_writable_dir(self.log_dir, "log folder")
        load_start_weights(self, resume, weights, exclude, imagenet, verbose)
        if epochs is not None and self.model.epoch >= epochs:
            if verbose:
                print(f"Already trained to epoch {self.model.epoch}; nothing to do")
            return self.model.history
        plan, has_val = None, self.val_dataset is not None
        if minutes is None:
            monitor = validation_monitor(self.evaluate, self.config.NAME, has_val, eval_every or 0, keep_best,
                                         patience, eval_limit)
        else:
            plan, monitor = budget_monitor(minutes, epochs, self.evaluate, self.config.NAME, has_val, eval_every,
                                           keep_best, patience, eval_limit, verbose)
        cap = epochs if epochs is not None else self.model.epoch + UNCAPPED_EPOCHS
        existing_folder = self.model.log_dir if self.model.log_dir.is_dir() else None
        try:
            history = self.model.train(self.dataset, self.val_dataset, rate, cap, layers=layers, verbose=verbose,
                                       monitor=monitor, plan=plan)
        except BaseException as exc:
            settle_failed_training(self.model, exc, created=self.model.log_dir != existing_folder)
            raise
        clear_failed_mark(self.model.log_dir)
        if verbose and monitor is not None:
            from maskkit.model.validation_metrics import validation_summary

            print(validation_summary(history, self.model.log_dir, self.config.NAME))
        return history

    def run_folder_line(self) -> str:
        """Where this process's training writes: the run folder, or on a worker of a multi-worker run
        that is not the chief, that it writes nothing (see maskkit.checkpoints.run_folder_line)."""
        from maskkit.model.distribute import worker_index

        return run_folder_line(worker_index(self.model.strategy), self.model.log_dir, self.log_dir,
                               resumed=self.model.log_dir.is_dir())

    def detect(self, images: Sequence[np.ndarray]) -> list[dict[str, np.ndarray]]:
        """Detections per image: rois, class_ids, scores, masks (matterport's contract).

        Args:
            images: RGB uint8 [H, W, 3] arrays of any sizes, unmolded.
        """
        return self.model.detect(list(images))

    def detect_dataset(self, dataset: Dataset | None = None, limit: int | None = None,
                       ) -> tuple[Dataset, list[int], list[dict[str, np.ndarray]]]:
        """Run detection over (the first ``limit``) images of a dataset (default: the validation set).

        Args:
            dataset: the dataset to run on (default: the validation set, else the training set).
            limit: only the first that many images (None or 0: all).

        Returns:
            (the dataset used, its image ids run on, detections per image as :meth:`detect` returns them).
        """
        dataset = dataset or self.val_dataset or self.dataset
        if dataset is None:
            raise MaskkitError("no dataset to run on: pass one, or build the pipeline with a dataset")
        image_ids = [int(i) for i in dataset.image_ids[: limit or None]]
        results = []
        for start in range(0, len(image_ids), 8):
            chunk = image_ids[start:start + 8]
            results.extend(self.detect([dataset.load_image(i) for i in chunk]))
        return dataset, image_ids, results

    def evaluate(self, dataset: Dataset | None = None, limit: int | None = None,
                 iou_types: Sequence[str] = ("bbox", "segm"), report: str | os.PathLike | None = None,
                 ) -> dict[str, Any]:
        """COCO metrics (pycocotools COCOeval) plus matterport's mAP@0.5 on the validation set; with
        ``report`` also a browsable HTML report in that folder (``metrics["report"]`` is its page).

        Args:
            dataset: the dataset to evaluate on (default: the validation set, else the training set).
            limit: evaluate only the first that many images (None: all).
            iou_types: the COCO evaluations to run, ``"bbox"`` and/or ``"segm"``.
            report: a folder for the HTML report, created if missing; None for no report.

        Returns:
            The metrics: COCO's per IoU type, ``reference`` (matterport's), ``map50``, ``coco_results``
            and, with ``report``, ``report``.
        """
        from maskkit.evaluation import detections_to_coco_results, evaluate_coco, evaluate_map

        if report is not None:
            check_writable_dir(report, "report folder")  # a read-only or occupied path fails before detection
        dataset, image_ids, results = self.detect_dataset(dataset, limit)
        metrics = evaluate_coco(dataset, image_ids, results, iou_types=tuple(iou_types))
        metrics["reference"] = evaluate_map(dataset, image_ids, results)
        metrics["map50"] = metrics["reference"]["mAP"]
        metrics["coco_results"] = detections_to_coco_results(dataset, image_ids, results)
        if report is not None:
            from maskkit.report import write_report
            from maskkit.report.run_info import pipeline_run_info

            run, run_dir = pipeline_run_info(self, dataset)
            metrics["report"] = str(write_report(report, dataset, image_ids, results, run=run, run_dir=run_dir,
                                                 score_threshold=self.report_score_threshold(),
                                                 detections=metrics["coco_results"]))
        return metrics

    def report_score_threshold(self) -> float:
        """The report's starting score cut: the config's detection threshold, at least 0.5."""
        return max(0.5, float(self.config.DETECTION_MIN_CONFIDENCE))

