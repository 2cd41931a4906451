"""Large designs: building a 100 000-point Latin hypercube, setting up a sweep over it, and
resuming it, as a Slurm job array does in every task.

    pip install ".[test]" && python benchmarks/designs.py

Each step sweeps one shard of one run (small runs: voters.n = 300, 48 weeks), so the
figures are the set-up a sweep repeats on every start, not the runs.
"""

from __future__ import annotations

import tempfile
import time
import warnings

import acsa
from acsa import designs

N_POINTS = 100_000
BASE = {"voters": {"n": 300}, "horizon_weeks": 48}
BOUNDS = {
    "voters.cohort_shift": (0.0, 0.02),
    "shocks.intensity": (0.5, 3.0),
    "voters.stubbornness": (0.05, 0.5),
    "japan.willingness": (0.2, 0.8),
}


def main() -> None:
    warnings.simplefilter("ignore", RuntimeWarning)  # one run of 48 weeks is never viable
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        design = designs.latin_hypercube(BOUNDS, n=N_POINTS, seed=1)
        t1 = time.perf_counter()
        steps = [("build the design", t1 - t0)]
        for what, shard in [("start a sweep (shard 0, one run)", 0), ("resume it", 0), ("start another shard", 1)]:
            t = time.perf_counter()
            acsa.sweep(BASE, design, store=f"{tmp}/s", shard=(shard, N_POINTS), progress=False)
            steps.append((what, time.perf_counter() - t))
    for what, seconds in steps:
        print(f"{N_POINTS:,} points: {what}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
