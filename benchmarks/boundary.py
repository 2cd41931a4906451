"""How many runs does the adaptive boundary sampler save against a grid, for the same accuracy?

    python benchmarks/boundary.py                      # the published figures (BENCHMARKS.md)
    python benchmarks/boundary.py --voters 500 --max-replicates 16 --target 0.5   # a quick look

Both designs are judged by the same yardstick: the share of the parameter box where the
kernel estimate of P(viable) (`acsa.boundary.estimate`, the same bandwidth for both)
cannot tell, at 95%, whether P(viable) is above or below the level. The grid is run once
with the most replicates; a grid with fewer replicates is read as the first R replicates of
each point (replicates are independent draws), so its curve costs no extra runs. The
adaptive sampler runs until it reaches the target. The table gives, for each, the runs
needed to bring the uncertain share down to the target, and their ratio.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import acsa
from acsa import boundary

BOUNDS = {"shocks.intensity": (0.5, 3.0), "executive.risk_tolerance": (0.1, 0.9)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--voters", type=int, default=1000, help="voters.n of every run (default 1000)")
    p.add_argument("--grid", type=int, default=5, help="grid points per parameter (default 5)")
    p.add_argument("--max-replicates", type=int, default=128, help="most replicates per grid point (default 128)")
    p.add_argument("--target", type=float, default=0.25, help="uncertain share of the box to reach (default 0.25)")
    p.add_argument("--level", type=float, default=0.5, help="P(viable) level of the boundary (default 0.5)")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()

    sc = acsa.Scenario.default().replace({"voters.n": args.voters})
    names = list(BOUNDS)
    box = [BOUNDS[n] for n in names]
    bandwidth = 0.5 / (args.grid - 1)

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        b = boundary.sample(sc, BOUNDS, level=args.level, accuracy=args.target, replicates=4, initial=args.grid, batch=8,
                            bandwidth=bandwidth, max_runs=args.max_replicates * args.grid**2, seed=args.seed,
                            progress=False)
    t_adaptive = time.perf_counter() - t0
    reached = b.history[b.history["uncertain_share"] <= args.target]
    adaptive_runs = int(reached["runs"].iloc[0]) if len(reached) else None

    t0 = time.perf_counter()
    values = {n: list(np.linspace(lo, hi, args.grid)) for n, (lo, hi) in BOUNDS.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        grid = acsa.sweep(sc, values, replicates=args.max_replicates, seed=args.seed, progress=False)
    t_grid = time.perf_counter() - t0
    runs = grid.runs
    curve = []
    r = 1
    while r <= args.max_replicates:
        sub = runs[runs["replicate"] < r]
        est = boundary.estimate(sub, names, box, args.level, bandwidth)
        curve.append({"replicates": r, "runs": len(sub), "uncertain_share": float((est["side"] == "uncertain").mean())})
        r *= 2
    curve = pd.DataFrame(curve)
    ok = curve[curve["uncertain_share"] <= args.target]
    grid_runs = int(ok["runs"].iloc[0]) if len(ok) else None

    # The two estimates agree on which side of the level each lattice point lies, where both are sure.
    full = boundary.estimate(runs, names, box, args.level, bandwidth)
    sure = (full["side"] != "uncertain") & (b.estimate["side"] != "uncertain")
    disagree = float((full["side"][sure] != b.estimate["side"][sure]).mean()) if sure.any() else float("nan")

    print(f"boundary P(viable) = {args.level:g} over {', '.join(names)}; voters.n = {args.voters}; "
          f"bandwidth {bandwidth:.3f} of each range; target: at most {args.target:.0%} of the box uncertain")
    print()
    print(f"grid {args.grid}x{args.grid}, replicates doubled ({t_grid:.0f} s for the largest):")
    print(curve.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print()
    print(f"adaptive ({args.grid}x{args.grid} start, 8 points x 4 replicates a round; {t_adaptive:.0f} s):")
    print(b.history.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print()
    print(f"runs to reach the target: grid {grid_runs if grid_runs else 'not reached'}, "
          f"adaptive {adaptive_runs if adaptive_runs else 'not reached'}")
    if grid_runs and adaptive_runs:
        print(f"the adaptive sampler needs {adaptive_runs / grid_runs:.2f} of the grid's runs "
              f"({grid_runs - adaptive_runs} runs saved)")
    print(f"lattice points classified on opposite sides by the two, where both are sure: {disagree:.1%}")


if __name__ == "__main__":
    main()
