"""detect() on a briefly trained slim model honours matterport's output contract."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import maskkit  # noqa: E402
from maskkit.config import Config  # noqa: E402
from maskkit.model.maskrcnn import MaskRCNN  # noqa: E402

pytestmark = pytest.mark.slow

CONFIG = dict(NAME="tinydetect", BACKBONE="tiny", NUM_CLASSES=4, IMAGE_MIN_DIM=64, IMAGE_MAX_DIM=64,
              IMAGES_PER_GPU=2, TOP_DOWN_PYRAMID_SIZE=32, FPN_CLASSIF_FC_LAYERS_SIZE=64,
              RPN_ANCHOR_SCALES=(8, 16, 32, 64, 128), TRAIN_ROIS_PER_IMAGE=32, POST_NMS_ROIS_TRAINING=1000,
              POST_NMS_ROIS_INFERENCE=100, MAX_GT_INSTANCES=4, MASK_POOL_SIZE=7, MASK_SHAPE=(14, 14),
              MINI_MASK_SHAPE=(28, 28), RPN_TRAIN_ANCHORS_PER_IMAGE=64, STEPS_PER_EPOCH=30, TRAIN_BN=True,
              LEARNING_RATE=0.01, NUM_WORKERS=1, SEED=0, DETECTION_MIN_CONFIDENCE=0.1)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    keras.utils.set_random_seed(0)
    config = Config(**CONFIG)
    train = maskkit.datasets.create("shapes", count=4, height=64, width=64, seed=0, subset="train")
    model = MaskRCNN("training", config, tmp_path_factory.mktemp("logs"))
    model.train(train, None, config.LEARNING_RATE, epochs=2, layers="all", verbose=0)
    return model, train


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
    config = Config(**{**CONFIG, "IMAGE_RESIZE_MODE": "pad64", "IMAGE_MIN_DIM": 64, "IMAGE_MAX_DIM": 128,
                       "IMAGES_PER_GPU": 1})
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
