"""make_plan: every proposed field with a reason, a valid config, coverage current vs proposed."""

from __future__ import annotations

from maskkit.config import Config
from maskkit.planning.machine import GIB, Machine
from maskkit.planning.plan import make_plan
from maskkit.presets import cpu_config, preset_config
from tests.helpers_planning import synthetic_annotations

CPU = Machine(gpu=False, memory_bytes=16 * GIB)
FIELDS = {"NUM_CLASSES", "IMAGE_RESIZE_MODE", "IMAGE_MIN_DIM", "IMAGE_MAX_DIM", "PRECISION", "BACKBONE",
          "IMAGES_PER_GPU", "RPN_ANCHOR_SCALES", "RPN_ANCHOR_RATIOS", "MAX_GT_INSTANCES", "DETECTION_MAX_INSTANCES",
          "RPN_TRAIN_ANCHORS_PER_IMAGE", "TRAIN_ROIS_PER_IMAGE", "ROI_POSITIVE_RATIO", "POST_NMS_ROIS_TRAINING",
          "PRE_NMS_LIMIT", "POST_NMS_ROIS_INFERENCE", "MINI_MASK_SHAPE", "MASK_POOL_SIZE", "MASK_SHAPE"}


def test_every_field_is_proposed_with_a_reason_and_the_config_is_valid():
    table = synthetic_annotations(image_hw=(416, 416), sides=(10, 40), images=6, per_image=[90, 95, 100, 85, 92, 300])
    plan = make_plan(table, cpu_config("nano"), CPU, "cpu", preset_config("cpu", "nano"))
    assert {f.name for f in plan.fields} == FIELDS and all(f.reason for f in plan.fields)
    proposed = plan.proposed
    assert isinstance(proposed, Config) and proposed.NUM_CLASSES == 3
    assert proposed.IMAGE_MAX_DIM == proposed.IMAGE_MIN_DIM == 512 and proposed.IMAGE_MAX_DIM % 64 == 0
    assert proposed.MAX_GT_INSTANCES == 330 > plan.current.MAX_GT_INSTANCES
    assert proposed.TRAIN_ROIS_PER_IMAGE * proposed.ROI_POSITIVE_RATIO == 64, "crowded, capped on a CPU"
    assert plan.proposed_coverage.at50 >= plan.current_coverage.at50
    assert plan.proposed_coverage == plan.chosen.coverage and plan.stats.objects == 762
    assert plan.kept_settings == {}


def test_plan_file_values_keep_the_current_configs_own_settings():
    table = synthetic_annotations()
    current = preset_config("default").replace(LEARNING_RATE=0.005, MAX_GT_INSTANCES=7)
    plan = make_plan(table, current, CPU, "default", preset_config("default"))
    values = plan.file_values()
    assert list(values)[:2] == ["preset", "LEARNING_RATE"] and values["preset"] == "default"
    assert plan.kept_settings == {"LEARNING_RATE": 0.005} and values["MAX_GT_INSTANCES"] == 10
    assert values["BACKBONE"] == "tiny" and values["MINI_MASK_SHAPE"] == [56, 56]


def test_anchor_ladders_have_one_scale_per_backbone_stride():
    table = synthetic_annotations(image_hw=(416, 416))
    current = cpu_config().replace(BACKBONE_STRIDES=(4, 8, 16, 32, 64, 128), RPN_ANCHOR_SCALES=(1, 2, 4, 8, 16, 32))
    plan = make_plan(table, current, CPU, "cpu", preset_config("cpu"))
    scales = plan.proposed.RPN_ANCHOR_SCALES
    assert len(scales) == 6 and all(b == 2 * a for a, b in zip(scales, scales[1:]))
