"""Training-step time of the shapes preset with the mask head on all sampled ROIs (the old graph) or
on the leading positive slice only, at 14x14 and 28x28 masks, interleaved in one process.

    python bench/mask_step_time.py --steps 20 --rounds 3

The old graph is rebuilt by letting the positive slice cover all TRAIN_ROIS_PER_IMAGE ROIs (the
slice then is the whole set). Extra settings (e.g. a lighter mask head) are given as
``--variant NAME KEY=VALUE ...``; every variant trains on the same prepared batches.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any
from unittest import mock

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

COARSE = {"MASK_POOL_SIZE": 7, "MASK_SHAPE": [14, 14]}
FINE = {"MASK_POOL_SIZE": 14, "MASK_SHAPE": [28, 28]}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per variant per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; variants take turns within each round")
    parser.add_argument("--variant", nargs="+", action="append", default=[], metavar="NAME KEY=VALUE",
                        help="an extra variant: a name and overrides of the shapes preset with 28x28 masks "
                             "(values parsed as YAML)")
    return parser.parse_args()


def build_step(overrides: dict[str, Any], all_rois: bool) -> Any:
    """A compiled train step of the shapes preset with ``overrides``; ``all_rois`` runs the mask head
    on every sampled ROI as before the positive slice."""
    from maskkit.model import graph
    from maskkit.model.maskrcnn import MaskRCNN
    from maskkit.presets import shapes_config
    from maskkit.model.training import StepFunctions

    config = shapes_config(**overrides)
    limit = (lambda c: c.TRAIN_ROIS_PER_IMAGE) if all_rois else graph.positive_roi_limit
    with mock.patch.object(graph, "positive_roi_limit", limit):
        model = MaskRCNN("training", config, "/tmp/maskkit_bench_logs")
    return config, StepFunctions(model.graph.training_model, config, ".*", config.LEARNING_RATE).train_step


def main() -> None:
    args = parse_args()
    import maskkit
    from maskkit.config_files import parse_overrides
    from maskkit.data.feed import epoch_input

    variants = {"14x14 all ROIs": (COARSE, True), "14x14 positives": (COARSE, False),
                "28x28 all ROIs": (FINE, True), "28x28 positives": (FINE, False)}
    for name, *pairs in args.variant:
        variants[name] = ({**FINE, **parse_overrides(pairs)}, False)
    steps, batches = {}, {}
    for name, (overrides, all_rois) in variants.items():
        config, step = build_step(overrides, all_rois)
        key = tuple(config.MASK_SHAPE)
        if key not in batches:
            dataset = maskkit.datasets.create("shapes", count=64, height=128, width=128, seed=0)
            stream = epoch_input(dataset, config, 1)(1)
            batches[key] = [next(stream) for _ in range(args.steps)]
        float(step(batches[key][0])["loss"])  # trace
        steps[name] = (step, batches[key])
    totals = dict.fromkeys(steps, 0.0)
    for _ in range(args.rounds):
        for name, (step, prepared) in steps.items():
            started = time.perf_counter()
            for batch in prepared:
                float(step(batch)["loss"])
            totals[name] += time.perf_counter() - started
    count = args.rounds * args.steps
    base = totals["14x14 all ROIs"]
    print(f"train step, shapes preset, batch 8, {args.rounds} rounds x {args.steps} steps, interleaved; "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, total in totals.items():
        print(f"  {name:24s} {1000 * total / count:7.1f} ms/step  ({total / base:4.2f}x)", flush=True)


if __name__ == "__main__":
    main()
