"""Anchor scales and ratios chosen by measuring candidates against the dataset's boxes.

Candidates are matterport-style ladders, one scale per pyramid level doubling from a base
(BASE_SCALES), crossed with a few ratio sets (RATIO_SETS), plus the current config's own anchors.
Each is scored by exact coverage (maskkit.planning.coverage) at the planned image size. The
winner has the best share at IoU >= 0.5, then at IoU >= 0.7, where shares within TOLERANCE of the
best count as equal; among equals, fewer ratios (fewer anchors to score and sample) win, then the
current anchors, then the higher shares.
"""

from __future__ import annotations

from typing import Sequence

import attrs
import numpy as np

from maskkit.config import Config
from maskkit.planning.coverage import Coverage, dataset_coverage

BASE_SCALES = (8, 12, 16, 24, 32, 48, 64)
RATIO_SETS: tuple[tuple[float, ...], ...] = ((0.5, 1, 2), (0.33, 0.5, 1, 2, 3), (0.25, 0.5, 1, 2, 4))
TOLERANCE = 0.01


@attrs.frozen
class AnchorCandidate:
    """One (scales, ratios) pair, its coverage, and whether it is the current config's."""

    scales: tuple
    ratios: tuple
    coverage: Coverage
    current: bool = False

    def describe(self) -> str:
        """``scales 12-192, ratios 0.5/1/2``."""
        ratios = "/".join(f"{r:g}" for r in self.ratios)
        return f"scales {_number(self.scales[0])}-{_number(self.scales[-1])}, ratios {ratios}"


def scale_ladder(base: float, levels: int) -> tuple:
    """``levels`` scales doubling from ``base``: one per pyramid level (BACKBONE_STRIDES)."""
    return tuple(_number(base * 2 ** level) for level in range(levels))


def candidate_anchors(levels: int, current_scales: Sequence[float],
                      current_ratios: Sequence[float]) -> list[tuple[tuple, tuple, bool]]:
    """(scales, ratios, is_current) to evaluate: the current pair first, then every ladder x ratio set.

    Args:
        levels: pyramid levels, one scale each (len(BACKBONE_STRIDES)).
        current_scales, current_ratios: the config's RPN_ANCHOR_SCALES and RPN_ANCHOR_RATIOS.
    """
    current = (tuple(current_scales), tuple(current_ratios))
    pairs = [(scale_ladder(base, levels), tuple(ratios)) for base in BASE_SCALES for ratios in RATIO_SETS]
    return [(*current, True)] + [(s, r, False) for s, r in pairs if (s, r) != current]


def evaluate_candidates(image_hw: np.ndarray, boxes: np.ndarray, image_index: np.ndarray,
                        config: Config) -> list[AnchorCandidate]:
    """Every candidate's coverage of ``boxes`` with ``config``'s resizing.

    Args:
        image_hw: int [I, 2] original image sizes.
        boxes: [N, 4] object boxes in original pixels.
        image_index: int [N], the image of each box.
        config: the resizing (and current anchors) to evaluate with.
    """
    levels = len(config.BACKBONE_STRIDES)
    out = []
    for scales, ratios, current in candidate_anchors(levels, config.RPN_ANCHOR_SCALES, config.RPN_ANCHOR_RATIOS):
        trial = config.replace(RPN_ANCHOR_SCALES=scales, RPN_ANCHOR_RATIOS=ratios)
        out.append(AnchorCandidate(scales, ratios, dataset_coverage(image_hw, boxes, image_index, trial), current))
    return out


def choose_anchors(candidates: Sequence[AnchorCandidate]) -> AnchorCandidate:
    """The winner by the module's rule (best IoU 0.5 share, then 0.7, within TOLERANCE; then fewer ratios).

    Args:
        candidates: the evaluated candidates (evaluate_candidates); at least one.
    """
    best50 = max(c.coverage.at50 for c in candidates)
    pool = [c for c in candidates if c.coverage.at50 >= best50 - TOLERANCE]
    best70 = max(c.coverage.at70 for c in pool)
    pool = [c for c in pool if c.coverage.at70 >= best70 - TOLERANCE]
    return min(pool, key=lambda c: (len(c.ratios), not c.current, -c.coverage.at50, -c.coverage.at70))


def _number(value: float) -> float | int:
    """An int when the value is whole (config files then read 16, not 16.0)."""
    return int(value) if float(value).is_integer() else float(value)
