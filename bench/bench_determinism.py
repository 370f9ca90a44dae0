"""What repeatability costs on this machine: shapes training steps with TensorFlow op determinism
on (the CPU default) and off (MASKKIT_DETERMINISTIC=0), each in its own process, alternating.

Run: python bench/bench_determinism.py [--steps 12] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

CHILD = """
import resource, sys, time
from maskkit.pipeline import Pipeline
from maskkit.presets import shapes_config
steps = int(sys.argv[2])
pipe = Pipeline("shapes", dataset_args={"count": 32}, config=shapes_config(STEPS_PER_EPOCH=steps,
                VALIDATION_STEPS=0), log_dir=sys.argv[1])
pipe.train(1, verbose=0)  # traces the step
usage, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
pipe.train(2, verbose=0)
after = resource.getrusage(resource.RUSAGE_SELF)
cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
print(f"{(time.perf_counter() - wall) / steps:.3f} {cpu / steps:.3f}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
    for _ in range(args.rounds):
        for mode, flag in (("on", "1"), ("off", "0")):
            with tempfile.TemporaryDirectory() as log_dir:
                out = subprocess.run([sys.executable, "-c", CHILD, log_dir, str(args.steps)], text=True,
                                     capture_output=True, check=True,
                                     env={**os.environ, "MASKKIT_DETERMINISTIC": flag})
            wall, cpu = (float(v) for v in out.stdout.split())
            results[mode].append((wall, cpu))
    print(f"shapes config, batch 8, 128x128, all layers, {args.steps} steps per process, {args.rounds} rounds")
    for mode, runs in results.items():
        walls = ", ".join(f"{w:.3f}" for w, _ in runs)
        cpus = ", ".join(f"{c:.3f}" for _, c in runs)
        print(f"  op determinism {mode:3}: wall s/step {walls}   CPU s/step {cpus}")
    ratio = sum(w for w, _ in results["on"]) / sum(w for w, _ in results["off"])
    print(f"  wall-time ratio on/off: {ratio:.2f}x")


if __name__ == "__main__":
    main()
