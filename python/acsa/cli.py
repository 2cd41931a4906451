"""The `acsa` command line: viability study, single runs, sweeps and merging, parameter table."""

from __future__ import annotations

import argparse
import json
import os
import signal
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

def _viability_help() -> str:
    from .study import AXES, LEVERS, REPLICATES, VOTERS

    axes = "\n".join(f"  {path}: {', '.join(f'{v:g}' for v in values)}" for path, values in AXES.items())
    levers = ", ".join(LEVERS)
    return f"""\
The study of when an ACSA becomes viable. Sweeps the 2026 baseline over the two
pathways that could open a window (rows, then columns):
{axes}
({REPLICATES} runs per cell, voters.n = {VOTERS} by default), and screens the main
levers ({levers}) with a Morris design.
Prints P(viable ACSA within the horizon) with Wilson 95% intervals and what the
runs show; writes viability.csv, runs.csv, sensitivity.csv, viability_heatmap,
survival and sensitivity figures (.png, .pdf, .svg) and summary.pdf to --out.
"""


# Exit codes: 0 done, 1 runs missing or failed, 2 bad input or an unusable file,
# 130 interrupted by Ctrl-C, 143 stopped by SIGTERM (a Slurm time limit, say).
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


class Terminated(BaseException):
    """SIGTERM, raised where the program stands once finished runs are safe."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return args.func(args)
    except ConfigError as e:
        print(f"acsa: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (acsa params | head): stop quietly, as a command killed by SIGPIPE would.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as e:  # a file that is missing, unreadable, or a full disk
        print(f"acsa: error: {e}", file=sys.stderr)
        return 2
    except SimulationError as e:
        print(f"acsa: simulation failed: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("acsa: interrupted", file=sys.stderr)
        return EXIT_SIGINT
    except Terminated:
        print("acsa: stopped by SIGTERM", file=sys.stderr)
        return EXIT_SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, frame: Any) -> None:
    raise Terminated


def _add_set(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="PATH=VALUE", help=text)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="acsa", description="When does a Seoul-Tokyo ACSA become politically viable?")
    p.add_argument("--version", action="version", version=f"acsa {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    v = sub.add_parser(
        "viability",
        help="the study: P(viable ACSA) over the two pathways, survival, sensitivity, summary.pdf",
        description=_viability_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("--out", required=True, type=Path, help="output directory")
    v.add_argument("--replicates", type=int, default=None, help="runs per grid cell (default 24)")
    v.add_argument("--seed", type=int, default=2026, help="root seed (default 2026)")
    v.add_argument("--voters", type=int, default=None, help="voters.n (default 5000)")
    v.add_argument("--level", type=float, default=None, help="P(viable) level of the contour (default 0.5)")
    v.add_argument("--scenario", type=Path, default=None, help="start from this .toml/.json scenario")
    v.add_argument("--quick", action="store_true", help="smoke test: 3 replicates, 2000 voters, a small screening")
    v.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    v.set_defaults(func=_cmd_viability)

    r = sub.add_parser("run", help="one run: series.csv, events.csv, outcome.json, run.png")
    r.add_argument("--scenario", type=Path, default=None, help=".toml or .json scenario (default: 2026 baseline)")
    r.add_argument("--history", action="store_true", help="start from the 2012-2026 replay instead")
    r.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    _add_set(r, "override a parameter, e.g. --set voters.n=5000 --set network.kind=sbm (repeatable)")
    r.add_argument("--out", required=True, type=Path, help="output directory")
    r.set_defaults(func=_cmd_run)

    s = sub.add_parser(
        "sweep",
        help="run a sweep given in a TOML spec into a store; --shard I/N for job arrays",
        description="Run the sweep described by SPEC.toml, writing each finished run to the store --out DIR "
        "(Parquet). SPEC holds seed, replicates, an optional [scenario] table of overrides (or "
        "scenario_file = 'path'), and either a [grid] table mapping dotted paths to lists or a [design] "
        "table (kind = latin_hypercube, sobol, morris or table); optionally [record]. See docs/sweeps.md "
        "and examples/*.toml. Without --shard, the sweep ends by merging: runs.csv and probability.csv.",
    )
    s.add_argument("spec", type=Path, help="sweep specification (.toml)")
    s.add_argument("--out", required=True, type=Path, help="store directory (shared by all shards)")
    s.add_argument("--shard", default=None, metavar="I/N", help="run only shard I of N (I = 0..N-1), e.g. a job array task")
    s.add_argument("--resume", action="store_true", help="continue a sweep already started in --out")
    s.add_argument("--retry-failed", action="store_true", help="run again the runs recorded as failed")
    _add_set(s, "override a parameter of the spec's scenario, e.g. --set voters.n=2000 (repeatable)")
    s.add_argument("--dry-run", action="store_true", help="print what would run, and stop")
    s.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    s.add_argument(
        "--flush-every",
        type=float,
        default=None,
        metavar="SECONDS",
        help="write finished runs to the store at least this often (default: the spec's flush_every, else 10)",
    )
    s.set_defaults(func=_cmd_sweep)

    m = sub.add_parser(
        "merge",
        help="merge a store's part files; write runs.csv and probability.csv",
        description="Fold the Parquet part files in DIR (written by acsa sweep, its shards, or acsa.sweep(store=DIR)) "
        "into one per kind, then write runs.csv and probability.csv. Exits 1 if runs are missing or failed.",
    )
    m.add_argument("dir", type=Path, help="store directory")
    m.add_argument("--wait", action="store_true", help="wait for sweeps still writing to the store, then fold")
    m.set_defaults(func=_cmd_merge)

    c = sub.add_parser(
        "check",
        help="verify a store: every run once, series complete; set aside what is damaged",
        description="Read every part of the store DIR in full: a part that cannot be read, belongs to another "
        "sweep, or whose series are incomplete is moved to DIR/damaged (its runs are done again when the sweep "
        "is resumed); with no sweep writing, leftovers of killed writers are removed. Prints what it found and "
        "repaired. Exits 0 if every planned run is there once with whole series, 1 if runs are missing or "
        "failed, 2 if DIR is not a usable store.",
    )
    c.add_argument("dir", type=Path, help="store directory")
    c.set_defaults(func=_cmd_check)

    h = sub.add_parser(
        "history",
        help="replay 2012-2026 and check the replicates against the record",
        description="Run Scenario.history() with seeds 0..N-1 and print, for each dated episode and stylized "
        "fact, in 2012-2017 and in 2018-2026, the share of replicates that reproduce it against its tolerance "
        "(docs/VALIDATION.md). With --out, write summary.csv and facts.csv (one row per replicate, fact and part).",
    )
    h.add_argument("--replicates", type=int, default=100, help="number of replays (default 100)")
    h.add_argument("--voters", type=int, default=None, help="voters.n (default: the scenario's, 20000)")
    h.add_argument("--out", type=Path, default=None, help="output directory")
    h.set_defaults(func=_cmd_history)

    pa = sub.add_parser("params", help="list every parameter with default, unit and range")
    pa.add_argument("--csv", action="store_true", help="print the table as CSV (path, default, unit, min, max, description)")
    pa.set_defaults(func=_cmd_params)
    return p


# ---- commands ---------------------------------------------------------------


def _cmd_viability(args: argparse.Namespace) -> int:
    from . import study
    from .scenario import Scenario

    sc = Scenario.from_file(args.scenario) if args.scenario else Scenario.default()
    size: dict[str, Any] = {}
    if args.quick:
        size = {"replicates": 3, "voters": 2000, "trajectories": 4, "morris_replicates": 1}
    if args.replicates is not None:
        size["replicates"] = args.replicates
    if args.voters is not None:
        size["voters"] = args.voters
    level = study.LEVEL if args.level is None else args.level
    if not 0.0 < level < 1.0:
        raise ConfigError(f"--level: must be between 0 and 1, got {level}")
    result = study.run(sc, out=args.out, seed=args.seed, level=level, progress=not args.no_progress, **size)

    table = result.table
    (y, _), (x, _) = study.AXES.items()
    reps = int(table["n"].max())
    print(f"P(viable ACSA within {result.scenario['horizon_weeks']} weeks), Wilson 95% CI; "
          f"{reps} runs per cell, voters.n = {result.scenario['voters.n']}")
    print(f"rows: {y}, columns: {x}")
    cells = table.assign(cell=[f"{p:.2f} [{lo:.2f}, {hi:.2f}]" for p, lo, hi in zip(table.p, table.lo, table.hi)])
    print(cells.pivot(index=y, columns=x, values="cell").to_string())
    print()
    for line in result.findings:
        print(f"- {line}")
    for text in result.ranking.attrs.get("warnings", []):
        print(f"  (screening: {text})")
    print(f"wrote {', '.join(str(f) for f in result.files)}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .run import simulate
    from .scenario import Scenario

    if args.scenario and args.history:
        raise ConfigError("give --scenario or --history, not both")
    sc = Scenario.from_file(args.scenario) if args.scenario else Scenario.history() if args.history else Scenario.default()
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
    from .sweep import Plan, check_shard, sweep

    kw = spec_sweep_args(args.spec)
    if args.sets:
        kw["scenario"] = kw["scenario"].replace(dict(_parse_set(s) for s in args.sets))
    shard = check_shard(args.shard)
    design = kw["design"]
    if args.dry_run:
        Plan(kw["scenario"], design, None, None).check(range(design.n_points))  # every point's scenario
        mine = len(range(shard[0], design.n_runs, shard[1])) if shard else design.n_runs
        print(f"{design!r}")
        print(f"seed {kw['seed']}; " + (f"shard {shard[0]}/{shard[1]} runs {mine} of them" if shard else f"{mine} runs"))
        print(f"store: {args.out}")
        return 0
    if args.flush_every is not None:
        kw["flush_every"] = args.flush_every
    planned = len(range(shard[0], design.n_runs, shard[1])) if shard else design.n_runs
    again = f"acsa sweep {args.spec} --out {args.out}" + (f" --shard {args.shard}" if shard else "") + " --resume"

    def kept_of(sw: Any) -> int:
        runs = sw.runs
        return len(runs if shard is None else runs[runs["run_index"] % shard[1] == shard[0]])

    try:
        sw = sweep(
            **kw,
            store=args.out,
            shard=shard,
            resume=args.resume,
            retry_failed=args.retry_failed,
            progress=not args.no_progress,
        )
    except Terminated:
        from .sweep import open_sweep

        kept = kept_of(open_sweep(args.out))
        print(f"acsa: stopped by SIGTERM: {kept} of {planned} runs are in {args.out}; to finish: {again}", file=sys.stderr)
        return EXIT_SIGTERM
    done = kept_of(sw)
    if done < planned and sw.interrupted:
        print(f"acsa: interrupted: {done} of {planned} runs are in {args.out}; to finish: {again}", file=sys.stderr)
        return EXIT_SIGINT
    if done < planned:
        print(f"acsa: {planned - done} of {planned} runs are missing from {args.out} (see the warnings above); "
              f"to finish: {again}", file=sys.stderr)
        return 1
    if shard is not None:
        print(f"shard {shard[0]}/{shard[1]}: its {planned} runs are in {args.out} ({len(sw.runs)} of {sw.n_runs} in all)")
        if sw.complete:
            print(f"all shards are done: acsa merge {args.out}")
        return 0
    return _merge(sw)


def _cmd_merge(args: argparse.Namespace) -> int:
    from .sweep import open_sweep

    return _merge(open_sweep(args.dir), wait=args.wait)


def _cmd_check(args: argparse.Namespace) -> int:
    from .sweep import open_sweep

    sw = open_sweep(args.dir)
    r = sw.check()
    for message in r["set_aside"]:
        print(f"repaired: {message}")
    for name in r["removed"]:
        print(f"repaired: removed {name}, left by a writer that was killed")
    if r["writers_running"]:
        print("note: sweeps are writing to this store; leftovers of killed writers were not looked for")
    if r["duplicates"]:
        print(f"{r['duplicates']} duplicate rows of runs collapse on reading (acsa merge folds them away)")
    series = "" if sw.store.manifest["record"] is None else ", each with its whole series"
    print(f"{r['done']} of {r['runs']} runs are in {args.dir} once{series}; {r['failed']} failed, {r['missing']} missing")
    if r["missing"] or r["failed"]:
        print("to finish: run the same sweep again with --resume (and --retry-failed for the failed ones)")
        return 1
    return 0


def _merge(sw: Any, wait: bool = False) -> int:
    import warnings

    import pandas as pd

    from .store import StoreBusy

    out = sw.path
    try:
        sw.store.compact(wait=wait)
    except StoreBusy:
        print(f"acsa: sweeps are still writing to {out}; its parts were left as they are "
              "(acsa merge --wait waits for them)", file=sys.stderr)
    runs = sw.runs
    runs.to_csv(out / "runs.csv", index=False)
    failed = int(runs["error"].notna().sum())
    written = ["runs.csv"]
    if len(runs) > failed:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # failures are reported below
            table = sw.probability()
        table.to_csv(out / "probability.csv", index=False)
        written.append("probability.csv")
        weeks = sw.scenario["horizon_weeks"] if sw.scenario is not None else "?"
        print(f"P(viable ACSA within {weeks} weeks) by point, Wilson 95% CI")
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(table.head(30).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if len(table) > 30:
            print(f"... {len(table)} points in all")
    print(f"wrote {out}/{', '.join(written)}")
    code = 0
    missing = sw.n_runs - len(runs)
    if missing:
        print(f"acsa: {missing} of {sw.n_runs} runs are not done yet (shards still running, or interrupted)", file=sys.stderr)
        code = 1
    if failed:
        print(
            f"acsa: {failed} runs failed (their error text is in runs.csv, column error); "
            "retry them with acsa sweep SPEC --out DIR --resume --retry-failed",
            file=sys.stderr,
        )
        code = 1
    return code


def _cmd_history(args: argparse.Namespace) -> int:
    import pandas as pd

    from . import history
    from .scenario import Scenario

    sc = Scenario.history()
    if args.voters is not None:
        sc = sc.replace({"voters.n": args.voters})
    runs = history.replicates(args.replicates, scenario=sc)
    table = history.summary(runs)
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        print(table[["cases", "share", "tolerance", "verdict"]].to_string(float_format="%.2f"))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out / "summary.csv")
        facts = pd.DataFrame(
            [(seed, fact, sample, ok) for seed, r in enumerate(runs) for (fact, sample), ok in history.facts(r).items()],
            columns=["seed", "fact", "sample", "reproduced"],
        )
        facts.to_csv(args.out / "facts.csv", index=False)
        print(f"wrote {args.out}/summary.csv, facts.csv")
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    import pandas as pd

    from .parameters import parameters

    table = parameters()
    if args.csv:
        table.to_csv(sys.stdout)
        return 0
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
    from .scenario import read_text

    text = read_text(path)
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as e:
        raise ConfigError(f"{path}: malformed TOML: {e}") from None


SPEC_KEYS = {"seed", "replicates", "scenario", "scenario_file", "grid", "design", "record", "batch_size", "flush_every"}
DESIGN_KEYS = {"kind", "n", "seed", "bounds", "calc_second_order", "levels", "file"}


def spec_sweep_args(path: Path) -> dict[str, Any]:
    """The arguments of acsa.sweep that a SPEC.toml file describes (see docs/sweeps.md)."""
    from . import designs
    from .scenario import Scenario, flatten

    spec = _read_spec(path)
    for key in spec:
        if key not in SPEC_KEYS:
            raise ConfigError(f"{path}: unknown key '{key}' (expected {', '.join(sorted(SPEC_KEYS))})")
    if "scenario" in spec and "scenario_file" in spec:
        raise ConfigError(f"{path}: give either [scenario] or scenario_file, not both")
    if "grid" in spec and "design" in spec:
        raise ConfigError(f"{path}: give either [grid] or [design], not both")
    sc = Scenario.from_file(_file_key(spec, "scenario_file", path)) if "scenario_file" in spec else Scenario.default()
    overrides = _table(spec, "scenario", path)
    sc = sc.replace(flatten(overrides))
    replicates = spec.get("replicates", 1)

    if "design" in spec:
        d = _table(spec, "design", path)
        for key in d:
            if key not in DESIGN_KEYS:
                raise ConfigError(f"{path}: unknown key 'design.{key}' (expected {', '.join(sorted(DESIGN_KEYS))})")
        kind = d.get("kind")
        if kind == "table":
            if "file" not in d:
                raise ConfigError(f"{path}: a table design needs file = 'points.csv'")
            design = designs.table(_file_key(d, "file", path, "design."), replicates)
        elif kind in ("latin_hypercube", "lhs", "sobol", "saltelli", "morris"):
            if "n" not in d or "bounds" not in d:
                raise ConfigError(f"{path}: a {kind} design needs n and a [design.bounds] table")
            bounds = flatten(_table(d, "bounds", path))
            seed = d.get("seed", 0)
            if kind in ("latin_hypercube", "lhs"):
                design = designs.latin_hypercube(bounds, d["n"], replicates, seed=seed)
            elif kind in ("sobol", "saltelli"):
                design = designs.sobol(bounds, d["n"], replicates, d.get("calc_second_order", True), seed=seed)
            else:
                design = designs.morris(bounds, d["n"], replicates, d.get("levels", 4), seed=seed)
        else:
            raise ConfigError(
                f"{path}: design.kind must be latin_hypercube, sobol, morris or table, got {kind!r} "
                "(a full grid goes in [grid])"
            )
    else:
        # Both "voters.n" = [...] and [grid.voters] n = [...] mean the same path.
        design = designs.grid(flatten(_table(spec, "grid", path)), replicates)

    record = _table(spec, "record", path)
    for key in record:
        if key not in ("columns", "every"):
            raise ConfigError(f"{path}: unknown key 'record.{key}' (expected columns, every)")
    return {
        "scenario": sc,
        "design": design,
        "seed": spec.get("seed", 0),
        "record": record.get("columns") if record else None,
        "every": record.get("every", 1),
        "batch_size": spec.get("batch_size"),
        "flush_every": spec.get("flush_every", 10.0),
    }


def _file_key(spec: dict[str, Any], key: str, path: Path, prefix: str = "") -> Path:
    """A file named in the spec, relative to the spec's folder."""
    value = spec[key]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: {prefix}{key} must be a file name, got {value!r}")
    return path.parent / value


def _table(spec: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = spec.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{key}] must be a table")
    return value


if __name__ == "__main__":
    sys.exit(main())
