"""detect() on the session's briefly trained slim model honours matterport's output contract."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from maskkit.model.maskrcnn import MaskRCNN  # noqa: E402
from tests.helpers import tiny_config  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(trained_tiny):
    """The session's trained tiny model, rebuilt for inference with a low confidence threshold."""
    model = MaskRCNN("inference", tiny_config(DETECTION_MIN_CONFIDENCE=0.1), trained_tiny.model_dir)
    model.load_weights(trained_tiny.model.find_last())
    return model, trained_tiny.train


def check_contract(result: dict, shape: tuple[int, int], min_score: float) -> int:
    assert set(result) == {"rois", "class_ids", "scores", "masks"}
    rois, class_ids, scores, masks = result["rois"], result["class_ids"], result["scores"], result["masks"]
    n = rois.shape[0]
    assert rois.dtype == np.int32 and rois.shape == (n, 4)
    assert class_ids.dtype == np.int32 and class_ids.shape == (n,)
    assert scores.dtype == np.float32 and scores.shape == (n,)
    assert masks.dtype == bool and masks.shape == (*shape, n)
    assert np.all((class_ids >= 1) & (class_ids <= 3))
    assert np.all(scores >= min_score) and np.all(np.diff(scores) <= 1e-6)
    assert np.all(rois[:, 2] > rois[:, 0]) and np.all(rois[:, 3] > rois[:, 1])
    assert np.all(rois[:, :2] >= 0) and np.all(rois[:, 2] <= shape[0]) and np.all(rois[:, 3] <= shape[1])
    return n


def test_detect_returns_the_contract_for_images_of_different_sizes(trained) -> None:
    model, train = trained
    image = train.load_image(0)
    wide = np.ascontiguousarray(np.repeat(image, 2, axis=1))  # 64 x 128: resized to 32 x 64, padded
    results = model.detect([image, wide, image[:50, :40]])
    assert len(results) == 3
    found = check_contract(results[0], (64, 64), 0.1)
    check_contract(results[1], (64, 128), 0.1)
    check_contract(results[2], (50, 40), 0.1)
    assert found >= 1, "a model overfitted on this image should find something in it"
    assert results[0]["masks"].any(axis=(0, 1)).all()


def test_inference_model_with_varying_molded_sizes_uses_the_checkpoint(trained) -> None:
    model, train = trained
    config = tiny_config(DETECTION_MIN_CONFIDENCE=0.1, IMAGE_RESIZE_MODE="pad64",
                         IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=128, IMAGES_PER_GPU=1)
    inference = MaskRCNN("inference", config, model.model_dir)
    inference.load_weights(model.find_last())
    image = train.load_image(1)
    tall = np.zeros((100, 64, 3), dtype=np.uint8)
    results = inference.detect([image, tall])
    check_contract(results[0], (64, 64), 0.1)
    check_contract(results[1], (100, 64), 0.1)
    for name in ("conv1", "fpn_p2", "mrcnn_class_logits", "mrcnn_mask"):
        for ours, theirs in zip(inference.keras_model.get_layer(name).weights, model.keras_model.get_layer(name).weights):
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
