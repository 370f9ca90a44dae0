"""MaskRCNN: matterport's model class on Keras 3 -- train, detect, load weights, find checkpoints.

Both modes build the training and the inference graph on one set of layers; ``mode`` picks which
one is ``keras_model`` and whether ``train`` is allowed.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import tensorflow as tf

import maskkit
from maskkit.checkpoints import (create_run_folder, last_checkpoints, remove_temp_files, run_folder_line,
                                 run_of_checkpoint)
from maskkit.config import Config
from maskkit.data.anchor_grid import normalised_anchors
from maskkit.data.mean_pixel import mold_image
from maskkit.dataset import Dataset
from maskkit.errors import ConfigError, MaskkitError
from maskkit.image_meta import compose_image_meta
from maskkit.model.distribute import (DistributedSteps, is_chief, make_steps, strategy_for, worker_index,
                                      worker_shard)
from maskkit.model.graph import build_graph
from maskkit.model.precision import precision_line, resolve_precision
from maskkit.model.schedules import schedule_for
from maskkit.model.seeding import make_repeatable, seeded_initialisers
from maskkit.model.training import EpochInput, EpochMonitor, StepFunctions, release_frames, run_epochs
from maskkit.model.unmolding import unmold_detections
from maskkit.utils.resize import resize_image

MODES = ("training", "inference")


class MaskRCNN:
    """Mask R-CNN on the backbone named by ``config.BACKBONE`` (or a Backbone instance).

    Variables live under ``strategy`` (default: maskkit.model.distribute.strategy_for(config)), so
    GPU_COUNT > 1 or a multi-worker TF_CONFIG trains on every replica. ``PRECISION="auto"`` is
    resolved here for this machine (``precision_choice`` says why): ``self.config`` and the
    checkpoints hold the precision that actually runs. The starting weights follow config.SEED
    without touching the process's random generators; the first ``fit`` seeds them (see
    maskkit.model.seeding), so the same SEED repeats a run.

    Args:
        mode: ``training`` (``train``/``fit`` allowed) or ``inference``.
        config: the model's Config.
        model_dir: the folder that holds this config's run folders.
        backbone: a Backbone instance instead of the one config.BACKBONE names.
        strategy: the tf.distribute strategy to build and train under.
    """

    def __init__(self, mode: str, config: Config, model_dir: str | os.PathLike, backbone: Any = None,
                 strategy: tf.distribute.Strategy | None = None) -> None:
        if mode not in MODES:
            raise ConfigError("mode", f"must be one of {', '.join(MODES)}, got {mode!r}", kind="argument")
        self.mode = mode
        self.precision_choice = resolve_precision(config.PRECISION)
        if config.PRECISION != self.precision_choice.precision:
            config = config.replace(PRECISION=self.precision_choice.precision)
        self.config = config
        self.model_dir = Path(model_dir)
        self.backbone = backbone if backbone is not None else maskkit.backbones.create(config.BACKBONE)
        self.strategy = strategy if strategy is not None else strategy_for(config)
        with self.strategy.scope(), seeded_initialisers(config.SEED):
            self.graph = build_graph(config, self.backbone)
        self.keras_model = self.graph.training_model if mode == "training" else self.graph.inference_model
        self.history: dict[str, list[float]] = {}
        self.metadata: dict[str, Any] = {}
        self.epoch = 0
        self.log_dir = self.model_dir
        self.checkpoint_path = ""
        self.set_log_dir()
        self._predict = tf.function(self._predict_batch, reduce_retracing=True)
        self._features = tf.function(self.graph.feature_model, jit_compile=True) if config.XLA else None
        self._steps: dict[tuple[str, float], StepFunctions | DistributedSteps] = {}
        self._active_steps: StepFunctions | DistributedSteps | None = None
        self._optimizer_state: list[tuple[str, np.ndarray]] = []

    # ----- checkpoints ----------------------------------------------------------------------
    def set_log_dir(self, model_path: str | os.PathLike | None = None) -> None:
        """Pick the run folder: the one of ``model_path`` (resuming its epoch), else a new one that
        train() creates exclusively (maskkit.checkpoints.create_run_folder) when it first writes."""
        self.epoch = 0
        found = run_of_checkpoint(model_path, self.config.NAME) if model_path is not None else None
        if found is not None:
            self.log_dir, self.epoch = found
            self._new_run = False
        else:
            self.log_dir = self.model_dir / f"{self.config.NAME.lower()}{datetime.datetime.now():%Y%m%dT%H%M%S}"
            self._new_run = True
        self._set_checkpoint_path()

    def _set_checkpoint_path(self) -> None:
        self.checkpoint_path = str(self.log_dir / f"mask_rcnn_{self.config.NAME.lower()}_{{epoch:04d}}.weights.h5")

    def _claim_log_dir(self) -> None:
        """Create this run's folder (a new, unique one for a new run); clean killed writes' temp files."""
        if self._new_run:
            self.log_dir = create_run_folder(self.model_dir, self.config.NAME)
            self._new_run = False
            self._set_checkpoint_path()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        remove_temp_files(self.log_dir)

    def find_last(self) -> Path:
        """The newest checkpoint of the newest run folder of this config's NAME that has one."""
        return last_checkpoints(self.model_dir, self.config.NAME)[0]

    def load_weights(self, path: str | os.PathLike, by_name: bool = True, exclude: Sequence[str] = (),
                     class_names: Sequence[str] | None = None) -> Any:
        """Load weights by layer name (see maskkit.weights.load_weights); resume the run if a checkpoint.

        Args:
            path: the weights file: a maskkit checkpoint or a Keras 2 / matterport HDF5 file.
            by_name: match layers by name; False matches them by order (same architecture only).
            exclude: layer names or regexes to leave untouched; any exclusion also starts a fresh optimizer.
            class_names: the model's class list, BG first; a checkpoint that stores a different one is an
                error unless the class heads are excluded. None skips the check.

        Returns:
            maskkit.weights' LoadReport of the loaded, excluded, missing and unused layers.
        """
        from maskkit.weights import load_weights
        from maskkit.weights.native import read_optimizer_state

        report = load_weights(self.keras_model, path, by_name=by_name, exclude=exclude, class_names=class_names)
        self.set_log_dir(path)
        # Resuming a run of this model continues its SGD momentum; other weights start a fresh optimizer.
        self._optimizer_state = read_optimizer_state(path) if not self._new_run and not exclude else []
        return report

    def save_checkpoint(self, epoch: int, class_names: Sequence[str] = ()) -> Path:
        """Write ``<log_dir>/mask_rcnn_<name>_<epoch>.weights.h5`` atomically with epoch, config, classes.

        Args:
            epoch: the absolute epoch the weights are after.
            class_names: the training classes, BG first; () stores none.

        Returns:
            The checkpoint's path.
        """
        from maskkit.weights import save_weights

        path = Path(self.checkpoint_path.format(epoch=epoch))
        path.parent.mkdir(parents=True, exist_ok=True)
        metadata = {**self.metadata, "epoch": epoch, "config": self.config.to_dict()}
        if class_names:
            metadata["class_names"] = list(class_names)
        optimizer = self._active_steps.optimizer if self._active_steps is not None else None
        save_weights(self.keras_model, path, metadata=metadata, optimizer=optimizer)
        return path

    # ----- training -------------------------------------------------------------------------
    def train(self, train_dataset: Dataset, val_dataset: Dataset | None, learning_rate: float, epochs: int,
              layers: str = "all", augmenters: Any = None, verbose: int = 1,
              monitor: EpochMonitor | None = None, plan: Any = None) -> dict[str, list[float]]:
        """Train up to absolute epoch ``epochs`` on Datasets (matterport's call); returns ``history``.

        The training entry Pipeline.train and ``maskkit train`` delegate to: the input side
        (maskkit.data.feed.training_inputs) turns the datasets into per-epoch inputs, sharded for
        this worker of a multi-worker run, and ``fit`` trains on them.

        Args:
            train_dataset: the training Dataset; its class names go into every checkpoint.
            val_dataset: the validation Dataset, or None for no validation losses.
            learning_rate: the base rate (config.LR_SCHEDULE shapes it).
            epochs: the absolute epoch to train to.
            layers: ``all`` (the default: a model from random weights needs every layer trained;
                matterport's samples passed it explicitly), ``heads``, ``3+``, ``4+``, ``5+`` or a
                regex over layer names.
            augmenters: an Augmenter or spec; defaults to config.AUGMENTERS.
            verbose: 0 for silence, 1 for a progress bar and a summary per epoch.
            monitor: measures validation metrics per epoch (maskkit.model.validation_metrics).
            plan: a maskkit.model.budget.TrainingBudget for a time-budgeted run (see ``fit``).
        """
        from maskkit.data.feed import training_inputs

        self._check_can_train(epochs)
        train_input, val_input = training_inputs(train_dataset, val_dataset, self.config, self.epoch + 1,
                                                 augmenters=augmenters, shard=worker_shard(self.strategy))
        return self.fit(train_input, val_input, learning_rate, epochs, layers=layers, verbose=verbose,
                        monitor=monitor, class_names=train_dataset.class_names, plan=plan)

    def fit(self, train_input: EpochInput, val_input: EpochInput | None, learning_rate: float, epochs: int,
            layers: str = "all", verbose: int = 1, monitor: EpochMonitor | None = None,
            class_names: Sequence[str] = (), plan: Any = None) -> dict[str, list[float]]:
        """Train epochs ``self.epoch + 1 .. epochs`` (absolute numbers) on ready batches; returns ``history``.

        Args:
            train_input: ``train_input(epoch)`` iterates over that epoch's batches holding every model
                input, anchors included (maskkit.data.feed.training_inputs makes them from Datasets);
                in a multi-worker run each worker passes its own shard.
            val_input: the same for validation losses, or None for none.
            learning_rate: the base rate; it follows config.LR_SCHEDULE/LR_WARMUP_STEPS over epochs
                1..``epochs``.
            epochs: the absolute epoch to train to.
            layers: ``heads``, ``3+``, ``4+``, ``5+``, ``all`` or a regex over layer names.
            verbose: 0 for silence, 1 for progress and a summary per epoch.
            monitor: measures validation metrics per epoch (see maskkit.model.validation_metrics).
            class_names: go into every checkpoint.
            plan: a maskkit.model.budget.TrainingBudget that sizes a time-budgeted run: the schedule then
                spans its ``planned_epochs``, re-read every step, and ``epochs`` is only a cap.
        """
        from maskkit.weights.native import restore_optimizer_state

        self._check_can_train(epochs)
        config = self.config
        if not self._steps:
            make_repeatable(config.SEED)  # a run starts: seeds and op determinism reach the whole process
        key = (self.graph.layer_regex(layers), float(learning_rate))
        if key not in self._steps:
            self._steps[key] = make_steps(self.strategy, self.graph.training_model, config, key[0], key[1])
        steps = self._active_steps = self._steps[key]
        if self._optimizer_state:
            if not restore_optimizer_state(steps.optimizer, self._optimizer_state):
                print(f"Warning: the optimizer state stored in {self.checkpoint_path.format(epoch=self.epoch)} does "
                      f"not fit the layers trained now ({layers}); momentum starts from zero", file=sys.stderr)
            self._optimizer_state = []
        if is_chief(self.strategy):
            self._claim_log_dir()
        class_names = list(class_names)
        if verbose:
            print(precision_line(self.precision_choice))
            where = (f"log_dir={self.log_dir}" if is_chief(self.strategy) else
                     run_folder_line(worker_index(self.strategy), self.log_dir, self.model_dir, not self._new_run))
            print(f"Starting at epoch {self.epoch}. LR={learning_rate}  layers={layers}  {where}")
        scheduled = config.LR_SCHEDULE != "constant" or config.LR_WARMUP_STEPS > 0
        if plan is not None:
            plan.start(self.epoch)
            rates = (lambda step: schedule_for(config, learning_rate, plan.planned_epochs)(step)) if scheduled else None
        else:
            rates = schedule_for(config, learning_rate, epochs) if scheduled else None
        try:
            run_epochs(steps, config, train_input, val_input, self.epoch, epochs,
                       lambda epoch: self._end_epoch(epoch, class_names),
                       self.log_dir if is_chief(self.strategy) else None, self.history, verbose,
                       rates, monitor, planned=(lambda: plan.planned_epochs) if plan is not None else None)
        except BaseException as exc:
            # The inputs' tf.data iterators live in the loop's frames: let go of them now (see release_frames).
            release_frames(exc)
            raise
        return self.history

    def _check_can_train(self, epochs: int) -> None:
        """MaskkitError unless this model is in training mode and ``epochs`` lies beyond its epoch."""
        if self.mode != "training":
            raise MaskkitError("train() needs a MaskRCNN built with mode='training'")
        if epochs <= self.epoch:
            raise ConfigError("epochs", f"already at epoch {self.epoch}; pass a larger total to train more",
                              kind="argument")

    def _end_epoch(self, epoch: int, class_names: Sequence[str]) -> Path:
        """Record a finished epoch (so an interrupted train() leaves ``epoch`` right) and checkpoint it;
        in a multi-worker run only the chief writes, the others return the chief's path."""
        self.epoch = epoch
        if not is_chief(self.strategy):
            return Path(self.checkpoint_path.format(epoch=epoch))
        return self.save_checkpoint(epoch, class_names)

    # ----- detection ------------------------------------------------------------------------
    def mold_inputs(self, images: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Resize and mold images as in training: (molded [N,H,W,3], image_metas, windows)."""
        config = self.config
        molded, metas, windows = [], [], []
        for image in images:
            resized, window, scale, _, _ = resize_image(
                image, min_dim=config.IMAGE_MIN_DIM, min_scale=config.IMAGE_MIN_SCALE,
                max_dim=config.IMAGE_MAX_DIM, mode=config.IMAGE_RESIZE_MODE)
            molded.append(mold_image(resized, config))
            metas.append(compose_image_meta(0, image.shape, resized.shape, window, scale,
                                            np.zeros(config.NUM_CLASSES, dtype=np.int32)))
            windows.append(window)
        return np.stack(molded), np.stack(metas), np.asarray(windows)

    def _predict_batch(self, images: tf.Tensor, image_meta: tf.Tensor, anchors: tf.Tensor) -> tuple[tf.Tensor, ...]:
        if self._features is None:
            outputs = self.graph.inference_model({"images": images, "image_meta": image_meta, "anchors": anchors},
                                                 training=False)
        else:
            features = self._features(images, training=False)
            outputs = self.graph.head_model([*features, image_meta, anchors], training=False)
        detections = outputs["detections"]
        class_ids = tf.cast(detections[..., 4], tf.int32)
        masks = tf.gather(tf.transpose(outputs["mrcnn_mask"], [0, 1, 4, 2, 3]), class_ids, batch_dims=2)
        return detections, masks

    def detect(self, images: Sequence[np.ndarray], verbose: int = 0) -> list[dict[str, np.ndarray]]:
        """Per image a dict: rois int32 [N, 4] (original pixels), class_ids int32 [N], scores float32 [N],
        masks bool [H, W, N]. Images of different sizes may be mixed; they are run in batches of
        config.BATCH_SIZE images of equal molded size.

        Args:
            images: [H, W, IMAGE_CHANNEL_COUNT] arrays, unmolded.
            verbose: nonzero prints how many images are processed.
        """
        if verbose:
            print(f"Processing {len(images)} images")
        images = [np.asarray(image) for image in images]
        for index, image in enumerate(images):
            if image.ndim != 3 or image.shape[2] != self.config.IMAGE_CHANNEL_COUNT:
                raise MaskkitError(f"detect: image {index} has shape {image.shape}, expected "
                                   f"[H, W, {self.config.IMAGE_CHANNEL_COUNT}]")
        molded = [self.mold_inputs([image]) for image in images]
        results: list[dict[str, np.ndarray] | None] = [None] * len(images)
        groups: dict[tuple[int, ...], list[int]] = {}
        for index, (array, _, _) in enumerate(molded):
            groups.setdefault(array.shape[1:], []).append(index)
        for shape, members in groups.items():
            anchors = normalised_anchors(self.config, shape)
            for start in range(0, len(members), self.config.BATCH_SIZE):
                chunk = members[start:start + self.config.BATCH_SIZE]
                batch = np.concatenate([molded[i][0] for i in chunk])
                metas = np.concatenate([molded[i][1] for i in chunk])
                batch_anchors = np.broadcast_to(anchors, (len(chunk), *anchors.shape))
                detections, masks = self._predict(tf.constant(batch), tf.constant(metas), tf.constant(batch_anchors))
                detections, masks = detections.numpy(), masks.numpy()
                for row, i in enumerate(chunk):
                    results[i] = unmold_detections(detections[row], masks[row], images[i].shape, shape,
                                                   molded[i][2][0])
        return results

