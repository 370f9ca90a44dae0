"""A config planned from a dataset's annotations: each proposed field with a one-line reason.

Order of decisions: classes; the machine (size cap, backbone, batch, precision); the image size
(maskkit.planning.sizing); anchors measured at that size (maskkit.planning.anchor_choice);
instance limits, sampling and mini masks (maskkit.planning.instance_settings). The result is validated
as a Config, and its coverage is reported beside the current config's.
"""

from __future__ import annotations

from typing import Any

import attrs

from maskkit.config import Config
from maskkit.planning.anchor_choice import AnchorCandidate, choose_anchors, evaluate_candidates
from maskkit.planning.annotations import Annotations
from maskkit.planning.coverage import Coverage, dataset_coverage
from maskkit.planning.geometry import config_geometry, place_boxes
from maskkit.planning.instance_settings import plan_instance_limits, plan_mini_mask, plan_sampling
from maskkit.planning.machine import Machine, plan_machine, size_cap
from maskkit.planning.sizing import plan_image_size
from maskkit.planning.stats import DataStats, box_sides, data_stats


@attrs.frozen
class PlannedField:
    """One proposed config field, its value and why."""

    name: str
    value: Any
    reason: str


@attrs.frozen
class Plan:
    """The proposal for a dataset, against the config it starts from (``current``, based on ``preset``)."""

    preset: str
    current: Config
    proposed: Config
    fields: tuple[PlannedField, ...]
    kept_settings: dict[str, Any]
    stats: DataStats
    current_coverage: Coverage
    candidates: tuple[AnchorCandidate, ...]
    chosen: AnchorCandidate
    machine: Machine

    @property
    def proposed_coverage(self) -> Coverage:
        """The chosen anchors' coverage at the proposed image size."""
        return self.chosen.coverage

    def file_values(self) -> dict[str, Any]:
        """What the plan file holds: the preset's name, the current config's own settings, the plan."""
        return {"preset": self.preset, **self.kept_settings, **{f.name: f.value for f in self.fields}}


def make_plan(annotations: Annotations, current: Config, machine: Machine, preset: str,
              preset_defaults: Config) -> Plan:
    """Propose a config for ``annotations`` on ``machine``, starting from ``current``.

    Args:
        annotations: the training data's boxes and image sizes.
        current: the config as training would use it now (preset, config file, --set).
        machine: where training will run.
        preset: the name of the preset ``current`` starts from; the plan file names it.
        preset_defaults: that preset's own config: fields where ``current`` differs from it (and the
            plan does not set) are kept in the plan file.
    """
    objects = annotations.objects
    boxes, index, image_hw = annotations.boxes[objects], annotations.image_index[objects], annotations.image_hw
    planned: dict[str, tuple[Any, str]] = {}
    names = annotations.class_names[1:]
    planned["NUM_CLASSES"] = (len(annotations.class_names),
                              f"{len(names)} classes + BG from the dataset: {', '.join(names)}")
    cap = size_cap(machine)
    size, size_reason = plan_image_size(image_hw, boxes, index, cap, smallest_first=not machine.gpu)
    planned["IMAGE_RESIZE_MODE"] = ("square", "every image padded to one square (fixed anchors, fixed batch shape)")
    planned["IMAGE_MIN_DIM"] = (size, "the longer side fills the square")
    planned["IMAGE_MAX_DIM"] = (size, size_reason)
    planned.update(plan_machine(machine, size, current.BACKBONE))
    sized = current.replace(IMAGE_RESIZE_MODE="square", IMAGE_MIN_DIM=size, IMAGE_MAX_DIM=size)
    candidates = evaluate_candidates(image_hw, boxes, index, sized)
    chosen = choose_anchors(candidates)
    measured = f"{len(candidates)} candidates measured at {size} px"
    planned["RPN_ANCHOR_SCALES"] = (list(chosen.scales), f"the current anchors cover as well as any of {measured}"
                                    if chosen.current else f"best coverage of {measured}")
    planned["RPN_ANCHOR_RATIOS"] = (list(chosen.ratios), "width/height; the fewest ratios within 1 point of the best")
    limits = plan_instance_limits(annotations.instances_per_image)
    planned.update(limits)
    planned.update(plan_sampling(annotations.objects_per_image, current, limits["DETECTION_MAX_INSTANCES"][0],
                                 gpu=machine.gpu))
    resized = place_boxes(boxes, index, config_geometry(image_hw, sized))
    planned.update(plan_mini_mask(box_sides(resized)))
    planned = {name: (list(value) if isinstance(value, tuple) else value, reason)
               for name, (value, reason) in planned.items()}
    values = {name: value for name, (value, _) in planned.items()}
    proposed = current.replace(**values)
    defaults = preset_defaults.to_dict()
    kept = {name: value for name, value in current.to_dict().items()
            if name not in planned and value != defaults[name]}
    return Plan(preset=preset, current=current, proposed=proposed,
                fields=tuple(PlannedField(name, value, reason) for name, (value, reason) in planned.items()),
                kept_settings=kept, stats=data_stats(annotations),
                current_coverage=dataset_coverage(image_hw, boxes, index, current),
                candidates=tuple(candidates), chosen=chosen, machine=machine)

