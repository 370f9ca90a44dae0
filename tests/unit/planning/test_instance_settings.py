"""Instance limits, sampling sizes for crowded images, mini masks."""

from __future__ import annotations

import numpy as np

from maskkit.planning.instance_settings import plan_instance_limits, plan_mini_mask, plan_sampling
from maskkit.presets import cpu_config


def values(planned):
    return {name: value for name, (value, _) in planned.items()}


def test_instance_limits_hold_the_most_crowded_image_with_headroom():
    assert values(plan_instance_limits(np.array([3, 510, 90]))) == {"MAX_GT_INSTANCES": 570,
                                                                     "DETECTION_MAX_INSTANCES": 570}
    assert values(plan_instance_limits(np.array([1, 4])))["MAX_GT_INSTANCES"] == 10
    capped = plan_instance_limits(np.array([5000]))
    assert capped["MAX_GT_INSTANCES"][0] == 1000 and "capped" in capped["MAX_GT_INSTANCES"][1]


def test_crowded_images_raise_anchor_and_roi_counts():
    base = cpu_config()
    planned = values(plan_sampling(np.array([80, 90, 95, 100, 510]), base, detection_max=570))
    positives = planned["TRAIN_ROIS_PER_IMAGE"] * planned["ROI_POSITIVE_RATIO"]
    assert positives >= 1.5 * 95 > base.TRAIN_ROIS_PER_IMAGE * base.ROI_POSITIVE_RATIO
    assert planned["RPN_TRAIN_ANCHORS_PER_IMAGE"] >= 4 * 95 > base.RPN_TRAIN_ANCHORS_PER_IMAGE
    assert planned["POST_NMS_ROIS_TRAINING"] >= 5 * planned["TRAIN_ROIS_PER_IMAGE"]
    assert planned["PRE_NMS_LIMIT"] >= 3 * planned["POST_NMS_ROIS_TRAINING"]
    assert planned["POST_NMS_ROIS_INFERENCE"] >= 2 * 570


def test_sparse_images_keep_the_base_sampling_on_a_gpu():
    base = cpu_config()
    planned = plan_sampling(np.array([1, 2, 3]), base, detection_max=10)
    assert values(planned) == {"RPN_TRAIN_ANCHORS_PER_IMAGE": 256, "TRAIN_ROIS_PER_IMAGE": 100,
                               "ROI_POSITIVE_RATIO": 0.33, "POST_NMS_ROIS_TRAINING": 1000, "PRE_NMS_LIMIT": 3000,
                               "POST_NMS_ROIS_INFERENCE": 500}
    assert all(reason.startswith("kept") for _, reason in planned.values())


def test_sample_sizes_stop_at_the_cap():
    planned = values(plan_sampling(np.array([3000]), cpu_config(), detection_max=1000))
    assert planned["TRAIN_ROIS_PER_IMAGE"] == 1024 and planned["RPN_TRAIN_ANCHORS_PER_IMAGE"] == 1024


def test_mini_masks_grow_only_for_big_objects_and_masks_follow_the_object_size():
    assert values(plan_mini_mask(np.array([20.0, 30, 40]))) == {
        "MINI_MASK_SHAPE": (56, 56), "MASK_POOL_SIZE": 7, "MASK_SHAPE": (14, 14)}
    assert values(plan_mini_mask(np.array([300.0, 250, 400]))) == {
        "MINI_MASK_SHAPE": (112, 112), "MASK_POOL_SIZE": 14, "MASK_SHAPE": (28, 28)}
    assert values(plan_mini_mask(np.array([64.0])))["MASK_SHAPE"] == (28, 28)
    assert values(plan_mini_mask(np.zeros(0)))["MINI_MASK_SHAPE"] == (56, 56)


def test_a_cpu_caps_positive_rois_to_keep_steps_cheap():
    planned = values(plan_sampling(np.array([80, 90, 95, 100, 510]), cpu_config(), detection_max=570, gpu=False))
    assert planned["TRAIN_ROIS_PER_IMAGE"] == 128 and planned["ROI_POSITIVE_RATIO"] == 0.5


def test_a_cpu_samples_only_the_rois_and_proposals_sparse_images_need():
    planned = plan_sampling(np.array([1, 2, 3]), cpu_config(), detection_max=10, gpu=False)
    assert values(planned)["TRAIN_ROIS_PER_IMAGE"] == 32 and values(planned)["ROI_POSITIVE_RATIO"] == 0.33
    assert values(planned)["POST_NMS_ROIS_TRAINING"] == 500
    assert "on a CPU" in planned["TRAIN_ROIS_PER_IMAGE"][1]
    crowded = values(plan_sampling(np.array([80, 90, 95, 100, 510]), cpu_config(), detection_max=570, gpu=False))
    assert crowded["POST_NMS_ROIS_TRAINING"] == 1000
