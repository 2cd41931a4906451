"""The `acsa` command line: viability study, single runs, sweeps, parameter table."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

# Figures are only ever written to files here, so no display is needed.
import matplotlib

matplotlib.use("Agg")

from . import __version__  # noqa: E402
from ._core import ConfigError, SimulationError  # noqa: E402

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# The two pathways of DESIGN section 1: generational perception shift x security shocks.
COHORT_SHIFTS = [0.0, 0.025, 0.05, 0.075, 0.1]
INTENSITIES = [0.5, 1.0, 1.5, 2.0, 3.0]

VIABILITY_HELP = f"""\
Sweep the 2026 baseline over the two pathways that could make an ACSA viable:
  voters.cohort_shift (per year): {', '.join(f'{v:g}' for v in COHORT_SHIFTS)}
      how much less grievance each new adult cohort carries, per simulated year;
  shocks.intensity (multiplier): {', '.join(f'{v:g}' for v in INTENSITIES)}
      scale of external security shocks (1 = historical).
Prints P(viable ACSA within the horizon) with Wilson 95% intervals and writes
viability.csv, runs.csv, viability_heatmap.png and survival.png to --out.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except (ConfigError, FileNotFoundError, IsADirectoryError) as e:
        print(f"acsa: error: {e}", file=sys.stderr)
        return 2
    except SimulationError as e:
        print(f"acsa: simulation failed: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("acsa: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="acsa", description="When does a Seoul-Tokyo ACSA become politically viable?")
    p.add_argument("--version", action="version", version=f"acsa {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    v = sub.add_parser(
        "viability",
        help="P(viable ACSA) over perception shift x shock intensity",
        description=VIABILITY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("--out", required=True, type=Path, help="output directory")
    v.add_argument("--replicates", type=int, default=40, help="runs per grid point (default 40)")
    v.add_argument("--seed", type=int, default=2026, help="root seed (default 2026)")
    v.add_argument("--voters", type=int, default=None, help="voters.n (default: the scenario's, 20000)")
    v.add_argument("--scenario", type=Path, default=None, help="start from this .toml/.json scenario")
    v.add_argument("--quick", action="store_true", help="smoke test: 3 replicates, 2000 voters")
    v.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    v.set_defaults(func=_cmd_viability)

    r = sub.add_parser("run", help="one run: series.csv, events.csv, outcome.json, run.png")
    r.add_argument("--scenario", type=Path, default=None, help=".toml or .json scenario (default: 2026 baseline)")
    r.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    r.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter, e.g. --set voters.n=5000 --set network.kind=sbm (repeatable)",
    )
    r.add_argument("--out", required=True, type=Path, help="output directory")
    r.set_defaults(func=_cmd_run)

    s = sub.add_parser(
        "sweep",
        help="sweep a grid given in a TOML spec; writes runs.csv and probability.csv",
        description="SPEC.toml holds seed, replicates, an optional [scenario] table of overrides "
        "(or scenario_file = 'path'), and a [grid] table mapping dotted paths to lists. "
        "See examples/sweep.toml.",
    )
    s.add_argument("spec", type=Path, help="sweep specification (.toml)")
    s.add_argument("--out", required=True, type=Path, help="output directory")
    s.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    s.set_defaults(func=_cmd_sweep)

    pa = sub.add_parser("params", help="list every parameter with default, unit and range")
    pa.set_defaults(func=_cmd_params)
    return p


# ---- commands ---------------------------------------------------------------


def _cmd_viability(args: argparse.Namespace) -> int:
    import matplotlib.pyplot as plt

    from .plots import STYLE, heatmap, survival
    from .scenario import Scenario
    from .sweep import sweep

    sc = Scenario.from_file(args.scenario) if args.scenario else Scenario.default()
    replicates, voters = args.replicates, args.voters
    if args.quick:
        replicates, voters = 3, voters or 2000
    if voters is not None:
        sc = sc.replace({"voters.n": voters})
    x, y = "shocks.intensity", "voters.cohort_shift"
    grid = {y: COHORT_SHIFTS, x: INTENSITIES}
    args.out.mkdir(parents=True, exist_ok=True)

    sw = sweep(sc, grid, replicates=replicates, seed=args.seed, progress=not args.no_progress)
    table = sw.probability()
    table.to_csv(args.out / "viability.csv", index=False)
    sw.runs.to_csv(args.out / "runs.csv", index=False)

    weeks = int(sc["horizon_weeks"])
    print(f"P(viable ACSA within {weeks} weeks), Wilson 95% CI; {replicates} runs per cell, voters.n = {sc['voters.n']}")
    print(f"rows: {y}, columns: {x}")
    cells = table.assign(cell=[f"{p:.2f} [{lo:.2f}, {hi:.2f}]" for p, lo, hi in zip(table.p, table.lo, table.hi)])
    print(cells.pivot(index=y, columns=x, values="cell").to_string())
    if not sw.complete:
        print(f"(interrupted: {len(sw.runs)} of {sw.n_runs} runs finished)")

    title = f"P(viable ACSA within {weeks} weeks), {replicates} runs per cell, 95% Wilson CI"
    fig = heatmap(table, x=x, y=y, title=title)
    fig.savefig(args.out / "viability_heatmap.png", dpi=200)
    plt.close(fig)

    # One panel per pathway, each pooling over the other.
    with plt.rc_context(STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained", sharey=True)
    survival(sw, by=y, ax=left, title="By perception shift")
    survival(sw, by=x, ax=right, title="By shock intensity")
    fig.suptitle(f"Time to a viable ACSA (Kaplan-Meier, censored at week {weeks})")
    fig.savefig(args.out / "survival.png", dpi=200)
    plt.close(fig)
    print(f"wrote {args.out}/viability.csv, runs.csv, viability_heatmap.png, survival.png")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .run import simulate
    from .scenario import Scenario

    sc = Scenario.from_file(args.scenario) if args.scenario else Scenario.default()
    sc = sc.replace(dict(_parse_set(s) for s in args.sets))
    run = simulate(sc, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    run.series.to_csv(args.out / "series.csv", index=False)
    run.events.to_csv(args.out / "events.csv", index=False)
    (args.out / "outcome.json").write_text(json.dumps(run.outcome, indent=2) + "\n", encoding="utf-8")
    sc.save(args.out / "scenario.toml")
    import matplotlib.pyplot as plt

    fig = run.plot()
    fig.savefig(args.out / "run.png", dpi=150)
    plt.close(fig)
    for key, value in run.outcome.items():
        print(f"{key:>20}: {value}")
    print(f"wrote {args.out}/series.csv, events.csv, outcome.json, scenario.toml, run.png")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from .scenario import Scenario, flatten
    from .sweep import sweep

    spec = _read_spec(args.spec)
    known = {"seed", "replicates", "scenario", "scenario_file", "grid", "batch_size"}
    for key in spec:
        if key not in known:
            raise ConfigError(f"{args.spec}: unknown key '{key}' (expected {', '.join(sorted(known))})")
    if "scenario" in spec and "scenario_file" in spec:
        raise ConfigError(f"{args.spec}: give either [scenario] or scenario_file, not both")
    if "scenario_file" in spec:
        sc = Scenario.from_file(args.spec.parent / spec["scenario_file"])
    else:
        sc = Scenario.default()
    overrides = spec.get("scenario", {})
    if not isinstance(overrides, dict):
        raise ConfigError(f"{args.spec}: [scenario] must be a table")
    sc = sc.replace(flatten(overrides))
    grid = spec.get("grid", {})
    if not isinstance(grid, dict):
        raise ConfigError(f"{args.spec}: [grid] must be a table")
    # Both "voters.n" = [...] and [grid.voters] n = [...] mean the same path.
    grid = flatten(grid)

    sw = sweep(
        sc,
        grid,
        replicates=spec.get("replicates", 1),
        seed=spec.get("seed", 0),
        progress=not args.no_progress,
        batch_size=spec.get("batch_size"),
    )
    args.out.mkdir(parents=True, exist_ok=True)
    sw.runs.to_csv(args.out / "runs.csv", index=False)
    table = sw.probability()
    table.to_csv(args.out / "probability.csv", index=False)
    print(f"P(viable ACSA within {sc['horizon_weeks']} weeks) by grid point, Wilson 95% CI")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"wrote {args.out}/runs.csv, probability.csv")
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    import pandas as pd

    from .parameters import parameters

    table = parameters()
    with pd.option_context("display.max_rows", None, "display.max_colwidth", 70, "display.width", 200):
        print(table[["default", "unit", "min", "max", "description"]].to_string())
    return 0


# ---- helpers ----------------------------------------------------------------


def _parse_set(text: str) -> tuple[str, Any]:
    """'voters.n=5000' -> ('voters.n', 5000); values are JSON, else plain strings."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ConfigError(f"--set: expected PATH=VALUE, got '{text}'")
    raw = raw.strip()
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw  # e.g. network.kind=sbm
    return path, value


def _read_spec(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: malformed TOML: {e}") from None


if __name__ == "__main__":
    sys.exit(main())
