"""DetectionTargetLayer: samples proposals and gives each its class, box-delta and mask targets."""

from __future__ import annotations

from typing import Any, Callable

import keras
import tensorflow as tf

from maskkit.model.box_graph_ops import box_refinement, overlaps

# Images per replica batch above this would share sampler seeds with the next replica's images.
MAX_IMAGES_PER_REPLICA = 1 << 12


def _trim_zero_rows(boxes: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Drop all-zero padding rows; return the kept boxes and the keep flags."""
    keep = tf.reduce_any(tf.not_equal(boxes, 0.0), axis=1)
    return tf.boolean_mask(boxes, keep), keep


def positive_roi_limit(config: Any) -> int:
    """The most positive ROIs ``detection_targets`` samples per image; they fill the first slots, so
    the mask head and mask loss need only this many leading ROIs (at least one, for a static shape).

    Args:
        config: the model's Config (TRAIN_ROIS_PER_IMAGE x ROI_POSITIVE_RATIO).
    """
    return max(int(config.TRAIN_ROIS_PER_IMAGE * config.ROI_POSITIVE_RATIO), 1)


def sampler_seeds(step: tf.Tensor, image: tf.Tensor, config: Any) -> tuple[tf.Tensor, tf.Tensor]:
    """Stateless seeds of one image's positive and negative samplers at a training step.

    A pure function of (SEED, step, image's place in the global batch), so a resumed run (whose
    optimizer step count is restored) draws exactly the samples of an uninterrupted one.

    Args:
        step: the training step (the optimizer's step count).
        image: the image's index in the global batch (replica offset included).
        config: the model's Config (SEED).

    Returns:
        (positive seed, negative seed), each an int64 [2] tensor for the stateless ops.
    """
    stream = tf.cast(config.SEED, tf.int64) * (1 << 32) + 2 * tf.cast(image, tf.int64)
    step = tf.cast(step, tf.int64)
    return tf.stack([step, stream]), tf.stack([step, stream + 1])


def detection_targets(proposals: tf.Tensor, gt_class_ids: tf.Tensor, gt_boxes: tf.Tensor,
                      gt_masks: tf.Tensor, config: Any,
                      seeds: tuple[tf.Tensor, tf.Tensor] | None = None) -> tuple[tf.Tensor, ...]:
    """Targets for one image, matterport semantics.

    Args:
        proposals: [P, 4] normalised, zero-padded.
        gt_class_ids: [G] (negative = crowd).
        gt_boxes: [G, 4] normalised, zero-padded.
        gt_masks: [h, w, G] (mini masks when config.USE_MINI_MASK).
        config: the model's Config (TRAIN_ROIS_PER_IMAGE, ROI_POSITIVE_RATIO, BBOX_STD_DEV,
            USE_MINI_MASK, MASK_SHAPE, SEED).
        seeds: the (positive, negative) sampler seeds from ``sampler_seeds`` that fix the random choice
            of ROIs; None: those of step 0, image 0.

    Returns:
        rois [T, 4], class_ids [T], deltas [T, 4] (divided by BBOX_STD_DEV) and masks
        [T, MASK_H, MASK_W], positives first, zero-padded to T = TRAIN_ROIS_PER_IMAGE.
    """
    rois_per_image = config.TRAIN_ROIS_PER_IMAGE
    proposals, _ = _trim_zero_rows(proposals)
    gt_boxes, gt_keep = _trim_zero_rows(gt_boxes)
    gt_class_ids = tf.boolean_mask(gt_class_ids, gt_keep)
    gt_masks = tf.boolean_mask(tf.transpose(gt_masks, [2, 0, 1]), gt_keep)

    crowd = gt_class_ids < 0
    crowd_boxes = tf.boolean_mask(gt_boxes, crowd)
    gt_class_ids = tf.boolean_mask(gt_class_ids, ~crowd)
    gt_boxes = tf.boolean_mask(gt_boxes, ~crowd)
    gt_masks = tf.boolean_mask(gt_masks, ~crowd)

    iou = overlaps(proposals, gt_boxes)
    crowd_iou = tf.reduce_max(overlaps(proposals, crowd_boxes), axis=1)
    roi_iou_max = tf.reduce_max(iou, axis=1)
    positive = tf.where(roi_iou_max >= 0.5)[:, 0]
    negative = tf.where((roi_iou_max < 0.5) & (crowd_iou < 0.001))[:, 0]

    positive_count = int(rois_per_image * config.ROI_POSITIVE_RATIO)
    positive_seed, negative_seed = seeds if seeds is not None else sampler_seeds(0, 0, config)
    positive = tf.random.experimental.stateless_shuffle(positive, positive_seed)[:positive_count]
    positive_count = tf.shape(positive)[0]
    ratio = 1.0 / config.ROI_POSITIVE_RATIO
    negative_count = tf.cast(ratio * tf.cast(positive_count, tf.float32), tf.int32) - positive_count
    negative = tf.random.experimental.stateless_shuffle(negative, negative_seed)[:negative_count]

    positive_rois = tf.gather(proposals, positive)
    negative_rois = tf.gather(proposals, negative)
    positive_iou = tf.gather(iou, positive)
    assignment = tf.cond(tf.shape(positive_iou)[1] > 0,
                         lambda: tf.argmax(positive_iou, axis=1),
                         lambda: tf.zeros([0], dtype=tf.int64))
    roi_gt_boxes = tf.gather(gt_boxes, assignment)
    roi_gt_class_ids = tf.gather(gt_class_ids, assignment)
    deltas = box_refinement(positive_rois, roi_gt_boxes) / tf.constant(config.BBOX_STD_DEV, tf.float32)

    roi_masks = tf.cast(tf.gather(gt_masks, assignment), tf.float32)[..., None]
    crop_boxes = positive_rois
    if config.USE_MINI_MASK:
        gy1, gx1, gy2, gx2 = tf.unstack(roi_gt_boxes, axis=1)
        y1, x1, y2, x2 = tf.unstack(positive_rois, axis=1)
        gh, gw = gy2 - gy1, gx2 - gx1
        crop_boxes = tf.stack([(y1 - gy1) / gh, (x1 - gx1) / gw, (y2 - gy1) / gh, (x2 - gx1) / gw], axis=1)
    masks = tf.image.crop_and_resize(roi_masks, crop_boxes, tf.range(tf.shape(roi_masks)[0]),
                                     config.MASK_SHAPE)
    masks = tf.round(tf.squeeze(masks, axis=3))

    rois = tf.concat([positive_rois, negative_rois], axis=0)
    padding = tf.maximum(rois_per_image - tf.shape(rois)[0], 0)
    extra = padding + tf.shape(negative_rois)[0]
    rois = tf.pad(rois, [[0, padding], [0, 0]])
    class_ids = tf.pad(roi_gt_class_ids, [[0, extra]])
    deltas = tf.pad(deltas, [[0, extra], [0, 0]])
    masks = tf.pad(masks, [[0, extra], [0, 0], [0, 0]])
    return rois, class_ids, deltas, masks


class DetectionTargetLayer(keras.layers.Layer):
    """Batched ``detection_targets``: inputs proposals, gt_class_ids, gt_boxes (normalised), gt_masks.

    Args:
        config: the model's Config, as ``detection_targets`` reads it.
        kwargs: passed to keras.layers.Layer.
    """

    def __init__(self, config: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config
        self._step_count: Callable[[], Any] | None = None

    def follow_steps(self, counter: Any) -> None:
        """Seed the samplers from ``counter`` (the optimizer's step count, saved with checkpoints).

        Held behind a function so Keras does not track the optimizer's variable as this layer's weight.
        """
        self._step_count = lambda: counter

    def call(self, inputs: list[tf.Tensor]) -> tuple[tf.Tensor, ...]:
        """Targets for every image of the batch, each sampled with its own seeds.

        Args:
            inputs: [proposals, gt_class_ids, gt_boxes, gt_masks] tensors, batched versions of
                ``detection_targets``' arguments.

        Returns:
            rois [B, T, 4], class_ids [B, T], deltas [B, T, 4], masks [B, T, MASK_H, MASK_W].
        """
        proposals, gt_class_ids, gt_boxes, gt_masks = inputs
        count = self.config.TRAIN_ROIS_PER_IMAGE
        step = tf.cast(self._step_count(), tf.int64) if self._step_count else tf.constant(0, tf.int64)
        batch = tf.shape(proposals, out_type=tf.int64)[0]
        replica = tf.cast(tf.distribute.get_replica_context().replica_id_in_sync_group, tf.int64)
        images = replica * MAX_IMAGES_PER_REPLICA + tf.range(batch)
        rois, class_ids, deltas, masks = tf.map_fn(
            lambda args: detection_targets(*args[:4], config=self.config,
                                           seeds=sampler_seeds(step, args[4], self.config)),
            (proposals, tf.cast(gt_class_ids, tf.int32), gt_boxes, gt_masks, images),
            fn_output_signature=(tf.float32, tf.int32, tf.float32, tf.float32))
        return (tf.ensure_shape(rois, [None, count, 4]), tf.ensure_shape(class_ids, [None, count]),
                tf.ensure_shape(deltas, [None, count, 4]),
                tf.ensure_shape(masks, [None, count, *self.config.MASK_SHAPE]))

    def compute_output_spec(self, inputs: list[Any]) -> tuple[keras.KerasTensor, ...]:
        """KerasTensors of the four outputs of ``call``.

        Args:
            inputs: [proposals, gt_class_ids, gt_boxes, gt_masks] symbolic tensors.
        """
        batch, count = inputs[0].shape[0], self.config.TRAIN_ROIS_PER_IMAGE
        return (keras.KerasTensor((batch, count, 4)), keras.KerasTensor((batch, count), dtype="int32"),
                keras.KerasTensor((batch, count, 4)), keras.KerasTensor((batch, count, *self.config.MASK_SHAPE)))


def follow_optimizer_steps(model: keras.Model, optimizer: keras.optimizers.Optimizer) -> None:
    """Make the model's ROI samplers draw from ``optimizer``'s step count (see ``follow_steps``)."""
    for layer in model.layers:
        if isinstance(layer, DetectionTargetLayer):
            layer.follow_steps(optimizer.iterations)
