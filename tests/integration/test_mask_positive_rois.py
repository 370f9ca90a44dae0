"""The training graph runs the mask head on the leading, positive ROIs only: same mask loss, fewer ROIs."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from maskkit.data.feed import epoch_input  # noqa: E402
from maskkit.model import graph  # noqa: E402
from maskkit.model.detection_target import positive_roi_limit  # noqa: E402
from maskkit.model.losses import compute_losses  # noqa: E402
from maskkit.model.maskrcnn import MaskRCNN  # noqa: E402
from maskkit.model.molding import molded_inputs  # noqa: E402
from tests.helpers import shapes_dataset, tiny_config  # noqa: E402


def training_model(config, log_dir, all_rois: bool):
    """The training Keras model; ``all_rois`` rebuilds the former graph (mask head on every ROI)."""
    limit = (lambda c: c.TRAIN_ROIS_PER_IMAGE) if all_rois else positive_roi_limit
    with mock.patch.object(graph, "positive_roi_limit", limit):
        return MaskRCNN("training", config, str(log_dir)).keras_model


def test_mask_loss_on_the_positive_slice_equals_the_loss_over_all_rois(tmp_path) -> None:
    # Moving-average batch norm (TRAIN_BN false): every ROI's mask is then computed on its own, so the
    # slice must give exactly the masks, and the loss, of the positive ROIs in the full set.
    config = tiny_config(TRAIN_BN=False, ROI_POSITIVE_RATIO=0.33)
    sliced = training_model(config, tmp_path / "sliced", all_rois=False)
    full = training_model(config, tmp_path / "full", all_rois=True)
    full.set_weights(sliced.get_weights())
    batch = molded_inputs(next(epoch_input(shapes_dataset(count=4, size=64), config, 1)(1)), config.MEAN_PIXEL)

    new, old = sliced(batch, training=True), full(batch, training=True)
    limit = positive_roi_limit(config)
    assert limit == 10 and new["mrcnn_mask"].shape[1] == limit and old["mrcnn_mask"].shape[1] == 32
    class_ids = old["target_class_ids"].numpy()
    assert class_ids[:, limit:].max() == 0 and class_ids.max() > 0  # every positive ROI is in the slice
    new_losses, old_losses = compute_losses(new, batch), compute_losses(old, batch)
    assert float(old_losses["mrcnn_mask_loss"]) > 0.0
    for name, value in old_losses.items():
        np.testing.assert_allclose(float(new_losses[name]), float(value), rtol=1e-6, err_msg=name)
    np.testing.assert_allclose(new["mrcnn_mask"].numpy(), old["mrcnn_mask"].numpy()[:, :limit], atol=1e-6)


def test_matterport_layer_names_and_the_inference_outputs_are_unchanged(tmp_path) -> None:
    config = tiny_config()
    sliced = training_model(config, tmp_path / "sliced", all_rois=False)
    full = training_model(config, tmp_path / "full", all_rois=True)
    weighted = {layer.name for layer in sliced.layers if layer.weights}
    assert weighted == {layer.name for layer in full.layers if layer.weights}
    assert {f"mrcnn_mask_conv{i}" for i in range(1, 5)} | {"mrcnn_mask_deconv", "mrcnn_mask"} <= weighted

    # Detection runs the mask head on the detections, whatever the training graph's slice.
    models = []
    for name, all_rois in (("sliced", False), ("full", True)):
        limit = (lambda c: c.TRAIN_ROIS_PER_IMAGE) if all_rois else positive_roi_limit
        with mock.patch.object(graph, "positive_roi_limit", limit):
            models.append(MaskRCNN("inference", config.replace(DETECTION_MIN_CONFIDENCE=0.0), str(tmp_path / name)))
    models[1].keras_model.set_weights(models[0].keras_model.get_weights())
    image = shapes_dataset(count=1, size=64).load_image(0)
    first, second = (model.detect([image])[0] for model in models)
    assert len(first["rois"]) > 0
    for key in ("rois", "class_ids", "scores", "masks"):
        np.testing.assert_array_equal(first[key], second[key])
