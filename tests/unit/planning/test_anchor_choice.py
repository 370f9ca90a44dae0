"""Anchor candidates: doubling ladders x ratio sets, measured, best coverage then fewest ratios."""

from __future__ import annotations

from maskkit.planning.anchor_choice import (RATIO_SETS, AnchorCandidate, candidate_anchors, choose_anchors,
                                            evaluate_candidates, scale_ladder)
from maskkit.planning.coverage import Coverage, dataset_coverage
from maskkit.presets import cpu_config
from tests.helpers_planning import synthetic_annotations


def candidate(at50, at70, ratios=(0.5, 1, 2), current=False, base=8):
    return AnchorCandidate(scale_ladder(base, 5), ratios, Coverage(at50, at70, 100), current)


def test_ladders_double_per_level_and_the_current_pair_comes_first():
    assert scale_ladder(12, 5) == (12, 24, 48, 96, 192) and scale_ladder(1.5, 3) == (1.5, 3, 6)
    pairs = candidate_anchors(5, (16, 32, 64, 128, 256), (0.5, 1, 2))
    assert pairs[0] == ((16, 32, 64, 128, 256), (0.5, 1, 2), True)
    assert sum(1 for scales, ratios, _ in pairs if (scales, ratios) == pairs[0][:2]) == 1
    assert len(pairs) == 7 * len(RATIO_SETS)


def test_choose_prefers_iou50_then_iou70_then_fewer_ratios():
    best50 = candidate(0.95, 0.40, base=12)
    assert choose_anchors([candidate(0.90, 0.80), best50]) is best50
    better70 = candidate(0.945, 0.60, base=16)
    assert choose_anchors([best50, better70]) is better70
    fewer = candidate(0.95, 0.60, base=24)
    assert choose_anchors([candidate(0.955, 0.605, ratios=(0.33, 0.5, 1, 2, 3)), fewer]) is fewer
    current = candidate(0.95, 0.60, current=True, base=32)
    assert choose_anchors([candidate(0.951, 0.601, base=8), current]) is current


def test_small_objects_get_smaller_anchors_than_the_preset_and_better_coverage():
    table = synthetic_annotations(image_hw=(512, 512), sides=(6, 9), images=6, per_image=40)
    preset = cpu_config()
    boxes, index = table.boxes, table.image_index
    candidates = evaluate_candidates(table.image_hw, boxes, index, preset)
    chosen = choose_anchors(candidates)
    assert chosen.scales[0] < preset.RPN_ANCHOR_SCALES[0]
    current = dataset_coverage(table.image_hw, boxes, index, preset)
    assert candidates[0].current and candidates[0].coverage == current
    assert chosen.coverage.at50 > current.at50 + 0.3


def test_candidates_are_measured_with_the_config_resizing():
    table = synthetic_annotations(image_hw=(256, 256), sides=(44, 46), images=2, per_image=5)
    base = cpu_config(RPN_ANCHOR_SCALES=(10, 20, 40, 80, 160))
    chosen = {size: choose_anchors(evaluate_candidates(table.image_hw, table.boxes, table.image_index,
                                                       base.replace(IMAGE_MIN_DIM=size, IMAGE_MAX_DIM=size)))
              for size in (256, 384)}
    assert 48 in chosen[256].scales and 64 in chosen[384].scales
    assert candidate(1, 1).describe() == "scales 8-128, ratios 0.5/1/2"
