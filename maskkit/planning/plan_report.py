"""The plan as readable text: dataset statistics, anchor coverage current vs proposed, the fields."""

from __future__ import annotations

from maskkit.config import Config
from maskkit.planning.anchor_choice import AnchorCandidate
from maskkit.planning.plan import Plan
from maskkit.planning.stats import PERCENTILES, DataStats

SHOWN_CANDIDATES = 5


def format_plan(plan: Plan, dataset: str) -> str:
    """The summary ``maskkit data plan`` prints.

    Args:
        plan: the Plan to show.
        dataset: the dataset's name, for the heading.
    """
    return "\n".join([*stats_lines(plan.stats, dataset), "", *coverage_lines(plan), "",
                      *field_lines(plan)]) + "\n"


def stats_lines(stats: DataStats, dataset: str) -> list[str]:
    """Images, instances, classes, image sizes, object side percentiles and objects per image.

    Args:
        stats: the plan's DataStats.
        dataset: the dataset's name, for the first line.
    """
    crowds = f" (+{stats.crowds} crowd regions)" if stats.crowds else ""
    lines = [f"dataset {dataset}: {stats.images} images, {stats.objects} instances{crowds}, "
             f"{len(stats.class_counts)} classes"]
    lines.append("  per class: " + ", ".join(f"{name} {count}" for name, count in stats.class_counts))
    sizes = ", ".join(f"{w}x{h} ({n})" for h, w, n in stats.common_sizes)
    more = f", {stats.distinct_sizes - len(stats.common_sizes)} more sizes" if stats.distinct_sizes > len(
        stats.common_sizes) else ""
    lines.append(f"  image sizes (WxH): {sizes}{more}")
    if stats.objects:
        header = "  ".join(f"p{p}" for p in PERCENTILES)
        lines.append(f"  object size in px ({header}):")
        for key in ("height", "width", "side"):
            label = "side (sqrt area)" if key == "side" else key
            lines.append(f"    {label:17}" + "".join(f"{v:8.1f}" for v in stats.side_percentiles[key]))
    low, median, p90, high = stats.per_image
    empty = f"; {stats.images_without_objects} images without any" if stats.images_without_objects else ""
    lines.append(f"  instances per image: min {low}, median {median:g}, p90 {p90:g}, max {high}{empty}")
    return lines


def coverage_lines(plan: Plan) -> list[str]:
    """Current vs proposed coverage, then the best candidates measured.

    Args:
        plan: the Plan whose configs, coverages and candidates are shown.
    """
    current, proposed = _anchors(plan.current), _anchors(plan.proposed)
    width = max(len(current), len(proposed))
    lines = ["anchor coverage: share of ground-truth boxes whose best anchor reaches the IoU",
             f"  current  {current:{width}}  {plan.current_coverage.line()}",
             f"  proposed {proposed:{width}}  {plan.proposed_coverage.line()}"]
    ranked = sorted(plan.candidates, key=lambda c: (-c.coverage.at50, -c.coverage.at70))[:SHOWN_CANDIDATES]
    lines.append(f"  best candidates of {len(plan.candidates)} at {plan.proposed.IMAGE_MAX_DIM} px:")
    lines += [f"    {_mark(c, plan.chosen)} {c.describe():40} {c.coverage.line()}" for c in ranked]
    return lines


def field_lines(plan: Plan) -> list[str]:
    """Each proposed field with its value and reason.

    Args:
        plan: the Plan whose fields (at least one) are listed.
    """
    lines = [f"proposed config (base preset {plan.preset}; {plan.machine.describe()}):"]
    values = [", ".join(map(str, f.value)) if isinstance(f.value, list) else str(f.value) for f in plan.fields]
    name_width, value_width = max(len(f.name) for f in plan.fields), max(map(len, values))
    for field, value in zip(plan.fields, values):
        lines.append(f"  {field.name:{name_width}}  {value:{value_width}}  {field.reason}")
    if plan.kept_settings:
        lines.append("  kept from the current config: " + ", ".join(sorted(plan.kept_settings)))
    return lines


def _anchors(config: Config) -> str:
    scales = config.RPN_ANCHOR_SCALES
    ratios = "/".join(f"{r:g}" for r in config.RPN_ANCHOR_RATIOS)
    return (f"{config.IMAGE_MAX_DIM} px {config.IMAGE_RESIZE_MODE}, scales {scales[0]:g}-{scales[-1]:g}, "
            f"ratios {ratios}")


def _mark(candidate: AnchorCandidate, chosen: AnchorCandidate) -> str:
    return "*" if candidate is chosen else ("c" if candidate.current else " ")
