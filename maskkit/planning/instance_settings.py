"""Instance limits and sampling sizes for how crowded the images are, and the mini-mask size.

Rules (each function's docstring has its own): MAX_GT_INSTANCES and DETECTION_MAX_INSTANCES hold
the most crowded image with 10% headroom; crowded images (many objects in the median image) get
more RPN anchors and positive ROIs per image, and proposal counts to feed them. Sampling sizes are
only ever raised from the base config, so sparse datasets keep their preset's values.
"""

from __future__ import annotations

import math

import numpy as np

from maskkit.config import Config
from maskkit.planning.sizing import round_up

HEADROOM = 1.1
INSTANCE_CAP = 1000
ANCHORS_PER_OBJECT = 4
POSITIVE_ROIS_PER_OBJECT = 1.5
CROWDED_POSITIVE_RATIO = 0.5
SAMPLE_CAP = 1024
#: On a CPU the ROI heads cost most of a step: past this many positive ROIs per image a
#: 15-minute run gains more from the extra steps than from the extra samples (measured on the
#: nanoparticles set, docs/benchmarks.md).
CPU_POSITIVE_ROI_CAP = 64
#: On a CPU, sparse images sample only the ROIs and proposals they need (fewer ROIs, cheaper
#: steps), but keep this many proposals so early, poor proposals still hold some positives.
CPU_MIN_PROPOSALS = 500
PROPOSALS_PER_ROI = 5
PRE_NMS_PER_PROPOSAL = 3
INFERENCE_PROPOSALS_PER_DETECTION = 2
BIG_OBJECT_SIDE = 224
#: Objects with a median side below this (molded pixels) get 14x14 predicted masks.
FINE_MASK_SIDE = 64

Planned = dict[str, tuple[object, str]]


def plan_instance_limits(instances_per_image: np.ndarray) -> Planned:
    """MAX_GT_INSTANCES and DETECTION_MAX_INSTANCES: the largest count + 10%, rounded up to 10, at
    least 10 and at most 1000 (an image with more keeps the first 1000, and detection returns at most that).

    Args:
        instances_per_image: int [I], instances (crowd regions included) of each image.
    """
    largest = int(np.max(instances_per_image)) if len(instances_per_image) else 0
    limit = min(max(round_up(largest * HEADROOM, 10), 10), INSTANCE_CAP)
    why = f"largest image has {largest} instances, +10%"
    if largest > INSTANCE_CAP:
        why += f" (capped at {INSTANCE_CAP}: the rest of those images are dropped)"
    return {"MAX_GT_INSTANCES": (limit, why),
            "DETECTION_MAX_INSTANCES": (limit, f"detect as many as the most crowded image holds ({largest}), +10%")}


def plan_sampling(objects_per_image: np.ndarray, base: Config, detection_max: int, gpu: bool = True) -> Planned:
    """Anchor and ROI sampling for the median image's object count ``m``, never below ``base``:

    RPN_TRAIN_ANCHORS_PER_IMAGE >= 4m (rounded up to 64; half may be positives, so two per object);
    when base TRAIN_ROIS_PER_IMAGE x ROI_POSITIVE_RATIO gives fewer than 1.5m positive ROIs,
    ROI_POSITIVE_RATIO 0.5 and TRAIN_ROIS_PER_IMAGE = 1.5m / 0.5 (rounded up to 32; without a
    ``gpu`` at most CPU_POSITIVE_ROI_CAP positives, since more ROIs cost steps); without a ``gpu``,
    sparse images lower TRAIN_ROIS_PER_IMAGE to what 1.5m positives need (at least 32) and then
    POST_NMS_ROIS_TRAINING to 5x that (at least 500); otherwise proposals
    POST_NMS_ROIS_TRAINING >= 5x the ROIs, PRE_NMS_LIMIT >= 3x the proposals, and
    POST_NMS_ROIS_INFERENCE >= 2x DETECTION_MAX_INSTANCES. Sample sizes stop at 1024.

    Args:
        objects_per_image: int [I], objects (crowds left out) of each image.
        base: the config whose values are the floor.
        detection_max: the planned DETECTION_MAX_INSTANCES.
        gpu: whether training runs on a GPU (else the CPU limits above apply).
    """
    median = float(np.median(objects_per_image)) if len(objects_per_image) else 0.0
    planned: Planned = {}
    anchors = min(round_up(ANCHORS_PER_OBJECT * median, 64), SAMPLE_CAP)
    planned["RPN_TRAIN_ANCHORS_PER_IMAGE"] = _raised(base.RPN_TRAIN_ANCHORS_PER_IMAGE, anchors,
                                                     f"half may be positives: 2 per object of the median image "
                                                     f"({median:g})")
    wanted = math.ceil(POSITIVE_ROIS_PER_OBJECT * median)
    if not gpu:
        wanted = min(wanted, max(CPU_POSITIVE_ROI_CAP, int(base.TRAIN_ROIS_PER_IMAGE * base.ROI_POSITIVE_RATIO)))
    have = int(base.TRAIN_ROIS_PER_IMAGE * base.ROI_POSITIVE_RATIO)
    if wanted <= have:
        ratio = base.ROI_POSITIVE_RATIO
        rois = base.TRAIN_ROIS_PER_IMAGE if gpu else min(max(round_up(wanted / ratio, 32), 32),
                                                         base.TRAIN_ROIS_PER_IMAGE)
        if rois < base.TRAIN_ROIS_PER_IMAGE:
            planned["TRAIN_ROIS_PER_IMAGE"] = (rois, f"on a CPU fewer ROIs make cheaper steps: {int(rois * ratio)} "
                                                     f"positives cover 1.5 per object of the median image "
                                                     f"({median:g})")
        else:
            planned["TRAIN_ROIS_PER_IMAGE"] = (rois, f"kept: its {have} positive ROIs cover 1.5 per object of the "
                                                     f"median image ({median:g})")
        planned["ROI_POSITIVE_RATIO"] = (ratio, "kept")
    else:
        ratio = max(base.ROI_POSITIVE_RATIO, CROWDED_POSITIVE_RATIO)
        rois = max(min(round_up(wanted / ratio, 32), SAMPLE_CAP), base.TRAIN_ROIS_PER_IMAGE)
        cause = (f"1.5 per object of the median image ({median:g})" if wanted >= POSITIVE_ROIS_PER_OBJECT * median
                 else f"for the median image's {median:g} objects, at most {wanted} on a CPU")
        planned["TRAIN_ROIS_PER_IMAGE"] = (rois, f"{int(rois * ratio)} positive ROIs, {cause}, instead of {have}")
        planned["ROI_POSITIVE_RATIO"] = (ratio, "crowded images have objects almost everywhere")
    proposals = round_up(PROPOSALS_PER_ROI * rois, 100)
    why = f"{PROPOSALS_PER_ROI}x the {rois} ROIs sampled from them"
    if rois < base.TRAIN_ROIS_PER_IMAGE:
        lowered = min(max(proposals, CPU_MIN_PROPOSALS), base.POST_NMS_ROIS_TRAINING)
        planned["POST_NMS_ROIS_TRAINING"] = (lowered, f"on a CPU no more than needed: {why}, at least "
                                                      f"{CPU_MIN_PROPOSALS}")
    else:
        planned["POST_NMS_ROIS_TRAINING"] = _raised(base.POST_NMS_ROIS_TRAINING, proposals, why)
    post = planned["POST_NMS_ROIS_TRAINING"][0]
    planned["PRE_NMS_LIMIT"] = _raised(base.PRE_NMS_LIMIT, PRE_NMS_PER_PROPOSAL * post,
                                       f"{PRE_NMS_PER_PROPOSAL}x the {post} proposals kept after NMS")
    planned["POST_NMS_ROIS_INFERENCE"] = _raised(
        base.POST_NMS_ROIS_INFERENCE, round_up(INFERENCE_PROPOSALS_PER_DETECTION * detection_max, 100),
        f"{INFERENCE_PROPOSALS_PER_DETECTION}x the {detection_max} detections kept")
    return planned


def plan_mini_mask(resized_sides: np.ndarray) -> Planned:
    """MINI_MASK_SHAPE: 56x56, or 112x112 when the median object side after resizing reaches 224 px
    (a mini mask then keeps a quarter of the detail or less); the predicted masks (MASK_POOL_SIZE,
    MASK_SHAPE) 14x14 for objects of a median side under 64 px, 28x28 (matterport's) above.

    Args:
        resized_sides: float [N], object sides (sqrt of box area) in molded-image pixels.
    """
    median = float(np.median(resized_sides)) if len(resized_sides) else 0.0
    if median >= BIG_OBJECT_SIDE:
        planned: Planned = {"MINI_MASK_SHAPE": ((112, 112), f"median object side {median:.0f} px: big objects "
                                                            f"keep detail")}
    else:
        planned = {"MINI_MASK_SHAPE": ((56, 56), f"median object side {median:.0f} px fits 56x56")}
    if median < FINE_MASK_SIDE:
        planned["MASK_POOL_SIZE"] = (7, f"14x14 masks: finer than the median object's {median:.0f} px needs "
                                        f"only costs steps")
        planned["MASK_SHAPE"] = ((14, 14), "twice MASK_POOL_SIZE")
    else:
        planned["MASK_POOL_SIZE"] = (14, f"28x28 masks for objects of a median side of {median:.0f} px")
        planned["MASK_SHAPE"] = ((28, 28), "twice MASK_POOL_SIZE")
    return planned


def _raised(current: int, wanted: int, why: str) -> tuple[int, str]:
    """``wanted`` with its reason when it exceeds ``current``, else ``current`` kept."""
    return (wanted, why) if wanted > current else (current, f"kept; {wanted} would do: {why}")
