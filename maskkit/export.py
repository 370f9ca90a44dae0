"""Export a Mask R-CNN as a self-contained TensorFlow SavedModel for serving without maskkit.

The serving signature takes a uint8 image batch [B, H, W, 3] of any size and does everything
``MaskRCNN.detect`` does inside the graph: "square" resizing and molding, image_meta, anchors
(a constant for the molded IMAGE_MAX_DIM square), the inference model, and unmolding of boxes
and full-size masks to the original resolution. Class names and the config travel along, as
functions of the SavedModel and as ``assets.extra/maskkit.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Sequence

import tensorflow as tf

import maskkit
from maskkit.config import Config
from maskkit.data.anchor_grid import normalised_anchors
from maskkit.errors import ConfigError, MaskkitError
from maskkit.image_meta import compose_image_meta_tf
from maskkit.output_paths import check_empty_or_absent

FORMAT = "maskkit-savedmodel"
FORMAT_VERSION = 1
METADATA_FILE = Path("assets.extra") / "maskkit.json"
OUTPUTS = ("boxes", "class_ids", "scores", "masks", "num_detections")


class ServingModule(tf.Module):
    """The inference graph wrapped with in-graph pre- and post-processing; see the module docstring.

    Args:
        keras_model: the inference Keras model (``MaskRCNN.graph.inference_model``).
        config: the model's Config; only IMAGE_RESIZE_MODE "square" is exported (else ConfigError).
        class_names: the class names, background first, served by the ``class_names`` function.
    """

    def __init__(self, keras_model: Any, config: Config, class_names: Sequence[str]) -> None:
        super().__init__(name="maskkit_serving")
        if config.IMAGE_RESIZE_MODE != "square":
            raise ConfigError("IMAGE_RESIZE_MODE", f"export supports the 'square' mode only, got "
                              f"{config.IMAGE_RESIZE_MODE!r}")
        self.model = keras_model
        self._config = config
        side = int(config.IMAGE_MAX_DIM)
        self._anchors = tf.constant(normalised_anchors(config, (side, side)), tf.float32)
        self.serve = tf.function(self._serve, input_signature=[
            tf.TensorSpec([None, None, None, config.IMAGE_CHANNEL_COUNT], tf.uint8, name="images")])
        self.class_names = constant_function(list(class_names))

    def _serve(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        config = self._config
        shape = tf.shape(images)
        batch, height, width = shape[0], shape[1], shape[2]
        molded, image_meta, window = mold_in_graph(images, config)
        anchors = tf.broadcast_to(self._anchors, tf.concat([[batch], tf.shape(self._anchors)], 0))
        outputs = self.model({"images": molded, "image_meta": image_meta, "anchors": anchors}, training=False)
        detections = outputs["detections"]
        class_ids = tf.cast(detections[..., 4], tf.int32)
        masks = tf.gather(tf.transpose(outputs["mrcnn_mask"], [0, 1, 4, 2, 3]), class_ids, batch_dims=2)
        return unmold_in_graph(detections, masks, window, height, width, config)


def constant_function(value: Any) -> Any:
    """A tf.function without inputs returning ``value`` as a tensor: saved with the model, read without maskkit."""
    tensor = tf.constant(value)
    return tf.function(lambda: tensor, input_signature=[])


def mold_in_graph(images: tf.Tensor, config: Config) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """resize_image "square" + mold_image on a uint8 batch: (molded, image_meta, window [4] pixels).

    Args:
        images: uint8 [B, H, W, C], all images of one size.
        config: the model's Config (IMAGE_MIN_DIM, IMAGE_MAX_DIM, IMAGE_MIN_SCALE, MEAN_PIXEL, NUM_CLASSES).

    Returns:
        (molded float32 [B, side, side, C] with side IMAGE_MAX_DIM, image_meta [B, meta size] alike
        for every image, window int32 [(y1, x1, y2, x2)] of the image inside the square, in pixels).
    """
    side = int(config.IMAGE_MAX_DIM)
    shape = tf.shape(images)
    batch, height, width = shape[0], shape[1], shape[2]
    h, w = tf.cast(height, tf.float64), tf.cast(width, tf.float64)
    scale = tf.constant(1.0, tf.float64)
    if config.IMAGE_MIN_DIM:
        scale = tf.maximum(scale, config.IMAGE_MIN_DIM / tf.minimum(h, w))
    if config.IMAGE_MIN_SCALE:
        scale = tf.maximum(scale, float(config.IMAGE_MIN_SCALE))
    longest = tf.maximum(h, w)
    scale = tf.where(tf.round(longest * scale) > side, side / longest, scale)
    new_h = tf.cast(tf.round(h * scale), tf.int32)
    new_w = tf.cast(tf.round(w * scale), tf.int32)
    resized = tf.cast(resize_like_opencv(images, new_h, new_w), tf.float32)
    top, left = (side - new_h) // 2, (side - new_w) // 2
    padded = tf.pad(resized, [[0, 0], [top, side - new_h - top], [left, side - new_w - left], [0, 0]])
    molded = padded - tf.constant(config.MEAN_PIXEL, tf.float32)
    molded = tf.ensure_shape(molded, [None, side, side, config.IMAGE_CHANNEL_COUNT])
    window = tf.stack([top, left, top + new_h, left + new_w])
    channels = float(config.IMAGE_CHANNEL_COUNT)
    meta = compose_image_meta_tf(0, tf.stack([tf.cast(height, tf.float32), tf.cast(width, tf.float32), channels]),
                                 [float(side), float(side), channels], window, scale,
                                 tf.zeros([config.NUM_CLASSES], tf.float32))
    return molded, tf.tile(meta[None], [batch, 1]), window


def resize_like_opencv(images: tf.Tensor, new_h: tf.Tensor, new_w: tf.Tensor) -> tf.Tensor:
    """uint8 [B, H, W, C] -> int32 [B, new_h, new_w, C], bit-exact with ``cv2.resize(INTER_LINEAR)``.

    OpenCV resizes uint8 images in 11-bit fixed point, which tf.image.resize does not reproduce
    (pixels would differ by one); resize_image uses OpenCV, so the export mirrors its arithmetic.
    """
    shift = tf.bitwise.right_shift
    x0, x1, a0, a1 = _linear_taps(tf.shape(images)[2], new_w, clamp_weights=True)
    y0, y1, b0, b1 = _linear_taps(tf.shape(images)[1], new_h, clamp_weights=False)
    source = tf.cast(images, tf.int32)
    rows = tf.gather(source, x0, axis=2) * a0[:, None] + tf.gather(source, x1, axis=2) * a1[:, None]
    top = shift(tf.gather(rows, y0, axis=1), 4) * b0[:, None, None]
    bottom = shift(tf.gather(rows, y1, axis=1), 4) * b1[:, None, None]
    return shift(shift(top, 16) + shift(bottom, 16) + 2, 2)


def _linear_taps(source: tf.Tensor, size: tf.Tensor, clamp_weights: bool) -> tuple[tf.Tensor, ...]:
    """OpenCV's INTER_LINEAR source indices and 2048-scaled weights along one axis.

    Like OpenCV, columns past the edge take the edge pixel with weight one, rows past the edge
    keep their fractional weights on the (repeated) edge row.
    """
    scale = tf.cast(source, tf.float64) / tf.cast(size, tf.float64)
    position = tf.cast((tf.cast(tf.range(size), tf.float64) + 0.5) * scale - 0.5, tf.float32)
    lower = tf.floor(position)
    fraction = position - lower
    lower = tf.cast(lower, tf.int32)
    if clamp_weights:
        fraction = tf.where((lower < 0) | (lower >= source - 1), 0.0, fraction)
    upper = tf.clip_by_value(lower + 1, 0, source - 1)
    lower = tf.clip_by_value(lower, 0, source - 1)
    weights = [tf.cast(tf.round(w * 2048.0), tf.int32) for w in (1.0 - fraction, fraction)]
    return (lower, upper, *weights)


def unmold_in_graph(detections: tf.Tensor, masks: tf.Tensor, window: tf.Tensor, height: tf.Tensor,
                    width: tf.Tensor, config: Config) -> dict[str, tf.Tensor]:
    """unmold_detections for a batch: boxes in original pixels, full-size masks, valid ones first.

    Args:
        detections: [B, N, (y1, x1, y2, x2, class_id, score)], boxes normalised to the molded square.
        masks: soft masks [B, N, mh, mw] of each detection's class.
        window: [(y1, x1, y2, x2)] of the image inside the molded square, in pixels (from mold_in_graph).
        height, width: the original image size in pixels (scalar tensors).
        config: the model's Config (IMAGE_MAX_DIM, the molded square's side).

    Returns:
        The serving outputs by name (OUTPUTS): boxes float32 [B, N, 4] in original pixels, class_ids
        int32 [B, N], scores [B, N], masks uint8 [B, N, H, W], num_detections int32 [B]; invalid slots zero.
    """
    side = float(config.IMAGE_MAX_DIM)
    window = tf.cast(window, tf.float32)
    wy1, wx1 = window[0] / (side - 1), window[1] / (side - 1)
    wy2, wx2 = (window[2] - 1) / (side - 1), (window[3] - 1) / (side - 1)
    shift = tf.stack([wy1, wx1, wy1, wx1])
    span = tf.stack([wy2 - wy1, wx2 - wx1, wy2 - wy1, wx2 - wx1])
    h, w = tf.cast(height, tf.float64), tf.cast(width, tf.float64)
    boxes = tf.cast((detections[..., :4] - shift) / span, tf.float64)
    boxes = tf.round(boxes * tf.stack([h - 1, w - 1, h - 1, w - 1]) + tf.constant([0, 0, 1, 1], tf.float64))
    boxes = tf.cast(boxes, tf.float32)
    class_ids = tf.cast(detections[..., 4], tf.int32)
    area = (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
    valid = (class_ids > 0) & (area > 0)
    order = tf.argsort(tf.cast(tf.logical_not(valid), tf.int32), axis=1, stable=True)
    valid = tf.gather(valid, order, batch_dims=1)
    keep = tf.cast(valid, tf.float32)
    boxes = tf.gather(boxes, order, batch_dims=1) * keep[..., None]
    scores = tf.gather(detections[..., 5], order, batch_dims=1) * keep
    class_ids = tf.gather(class_ids, order, batch_dims=1) * tf.cast(valid, tf.int32)
    masks = tf.gather(masks, order, batch_dims=1)
    full = paste_masks(masks, boxes, height, width) & valid[..., None, None]
    return {"boxes": boxes, "class_ids": class_ids, "scores": scores, "masks": tf.cast(full, tf.uint8),
            "num_detections": tf.reduce_sum(tf.cast(valid, tf.int32), axis=1)}


def paste_masks(masks: tf.Tensor, boxes: tf.Tensor, height: tf.Tensor, width: tf.Tensor) -> tf.Tensor:
    """Soft masks [B, N, mh, mw] resized into their integer pixel boxes of an image -> bool [B, N, H, W].

    Bilinear with half-pixel centres and edge clamping (as OpenCV's resize in unmold_mask), written
    as two interpolation matrices per mask so the whole batch pastes in two matmuls.

    Args:
        masks: soft masks [B, N, mh, mw], thresholded at 0.5 after resizing.
        boxes: [B, N, (y1, x1, y2, x2)] in image pixels, y2/x2 exclusive.
        height, width: the image size in pixels (scalar tensors).
    """
    rows = _interpolation(boxes[..., 0], boxes[..., 2], height, tf.shape(masks)[2])
    cols = _interpolation(boxes[..., 1], boxes[..., 3], width, tf.shape(masks)[3])
    return tf.matmul(tf.matmul(rows, masks), cols, transpose_b=True) >= 0.5


def _interpolation(start: tf.Tensor, stop: tf.Tensor, size: tf.Tensor, source: tf.Tensor) -> tf.Tensor:
    """[B, N, size, source] weights mapping ``source`` mask cells onto pixels [start, stop) of an axis."""
    pixels = tf.cast(tf.range(size), tf.float32)[None, None, :]
    start, stop = start[..., None], stop[..., None]
    extent = tf.maximum(stop - start, 1.0)
    last = tf.cast(source - 1, tf.float32)
    position = tf.clip_by_value((pixels - start + 0.5) * (tf.cast(source, tf.float32) / extent) - 0.5, 0.0, last)
    lower = tf.floor(position)
    fraction = position - lower
    upper = tf.minimum(lower + 1, last)
    weights = (tf.one_hot(tf.cast(lower, tf.int32), source) * (1 - fraction)[..., None]
               + tf.one_hot(tf.cast(upper, tf.int32), source) * fraction[..., None])
    inside = tf.cast((pixels >= start) & (pixels < stop), tf.float32)
    return weights * inside[..., None]


def export_saved_model(model_or_pipeline: Any, out_dir: str | os.PathLike, *,
                       class_names: Sequence[str] | None = None) -> Path:
    """Write a SavedModel of a MaskRCNN or Pipeline to ``out_dir`` atomically; returns ``out_dir``.

    Args:
        model_or_pipeline: a MaskRCNN or a Pipeline; anything else is a MaskkitError.
        out_dir: the export folder; absent, empty or holding an earlier export (which is replaced).
        class_names: class names, background first; default the pipeline's or the model's stored names.
    """
    out = Path(out_dir)
    _check_target(out)
    model, names, extra = _unpack(model_or_pipeline, class_names)
    config = model.config
    metadata = {"format": FORMAT, "format_version": FORMAT_VERSION, "maskkit_version": maskkit.__version__,
                "class_names": names, "config": config.to_dict(), **extra}
    module = ServingModule(model.graph.inference_model, config, names)
    serve = module.serve.get_concrete_function()
    metadata["signature"] = signature_description(serve)
    module.metadata = constant_function(json.dumps(metadata))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        tf.saved_model.save(module, str(tmp), signatures={
            "serving_default": serve,
            "class_names": tf.function(lambda: {"class_names": module.class_names()}).get_concrete_function()})
        (tmp / METADATA_FILE).parent.mkdir(parents=True, exist_ok=True)
        (tmp / METADATA_FILE).write_text(json.dumps(metadata, indent=2))
        _replace_dir(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return out


def _unpack(source: Any, class_names: Sequence[str] | None) -> tuple[Any, list[str], dict[str, Any]]:
    """(MaskRCNN, class names, extra metadata) of a MaskRCNN or a Pipeline."""
    from maskkit.model.maskrcnn import MaskRCNN
    from maskkit.pipeline import Pipeline

    if isinstance(source, Pipeline):
        model, stored = source.model, {**getattr(source.model, "metadata", {}), **source.checkpoint_metadata}
        names = list(class_names or source.class_names or stored.get("class_names") or [])
    elif isinstance(source, MaskRCNN):
        model, stored = source, dict(getattr(source, "metadata", {}))
        names = list(class_names or stored.get("class_names") or [])
    else:
        raise MaskkitError(f"export needs a MaskRCNN or a Pipeline, got {type(source).__name__}")
    if not names:
        raise MaskkitError("export: no class names known for this model; pass class_names=[...] "
                           "(background first), or export a pipeline or checkpoint that stores them")
    if len(names) != model.config.NUM_CLASSES:
        raise ConfigError("NUM_CLASSES", f"is {model.config.NUM_CLASSES} but {len(names)} class names were "
                          f"given ({', '.join(map(repr, names))})")
    extra = {key: stored[key] for key in ("class_sources", "epoch") if key in stored}
    return model, [str(name) for name in names], extra


def signature_description(function: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """{"inputs"|"outputs": {name: {"dtype", "shape"}}} of a concrete serving function."""
    def describe(spec: Any) -> dict[str, Any]:
        return {"dtype": spec.dtype.name, "shape": [None if d is None else int(d) for d in spec.shape.as_list()]}

    inputs = {spec.name: describe(spec) for spec in function.structured_input_signature[0]}
    outputs = {name: describe(tensor) for name, tensor in function.structured_outputs.items()}
    return {"inputs": inputs, "outputs": {name: outputs[name] for name in OUTPUTS}}


def read_export_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The maskkit.json stored beside an exported SavedModel (class names, config, signature).

    Args:
        path: the export folder; one without ``assets.extra/maskkit.json`` is a MaskkitError.
    """
    file = Path(path) / METADATA_FILE
    if not file.is_file():
        raise MaskkitError(f"{path} is not a SavedModel exported by maskkit (no {METADATA_FILE})")
    return json.loads(file.read_text())


def format_signature(metadata: dict[str, Any]) -> str:
    """Readable summary of an export: the serving signature's tensors and the class names.

    Args:
        metadata: an export's metadata, as :func:`read_export_metadata` returns it.
    """
    lines = ["signature serving_default:"]
    for kind in ("inputs", "outputs"):
        for name, spec in metadata["signature"][kind].items():
            shape = ", ".join("?" if d is None else str(d) for d in spec["shape"])
            lines.append(f"  {kind[:-1]:6} {name:15} {spec['dtype']:8} [{shape}]")
    lines.append(f"class names ({len(metadata['class_names'])}): {', '.join(metadata['class_names'])}")
    return "\n".join(lines)


def _check_target(target: Path) -> None:
    """Refuse a folder that cannot be written or holds anything but an earlier export."""
    check_empty_or_absent(target, "export folder", replaceable="saved_model.pb")


def _replace_dir(new: Path, target: Path) -> None:
    """Move the finished export into place in one rename; an earlier export there is replaced."""
    _check_target(target)
    if not target.exists():
        os.replace(new, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    os.replace(target, old / target.name)
    os.replace(new, target)
    shutil.rmtree(old)
