"""Parameter sweeps: many runs over a grid of scenarios, in parallel."""

from __future__ import annotations

import html
import itertools
import json
import numbers
import os
import warnings
from collections.abc import Hashable
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._core import ConfigError, SimulationError
from .run import Run, prepare_graph, simulate
from .scenario import PathLike, Scenario, as_scenario, check_path
from .seeds import check_seed, child_sequence, seed_bytes
from .stats import wilson

__all__ = ["sweep", "Sweep"]


def sweep(
    scenario: Scenario | Mapping[str, Any] | PathLike | None = None,
    grid: Mapping[str, Sequence[Any]] | None = None,
    replicates: int = 1,
    seed: int = 0,
    graph: Any = None,
    progress: bool = True,
    batch_size: int | None = None,
) -> "Sweep":
    """Run every combination of the grid values, `replicates` times each.

    grid maps dotted parameter paths to lists of values, e.g.
    ``{"voters.cohort_shift": [0, 0.01, 0.02], "shocks.intensity": [1, 2]}``
    gives 6 points. Run i (point * replicates + replicate) is seeded with
    numpy's SeedSequence(seed, spawn_key=(i,)), so results do not depend on
    batch size or the number of cores. All cores are used.

    Press Ctrl-C (or interrupt the kernel) to stop early: the runs finished
    so far are kept and the returned Sweep has ``complete == False``.
    """
    base = as_scenario(scenario)
    grid = _check_grid(grid or {})
    if isinstance(replicates, bool) or not isinstance(replicates, numbers.Integral) or replicates < 1:
        raise ConfigError(f"replicates: must be an integer >= 1, got {replicates!r}")
    if isinstance(seed, np.random.SeedSequence):
        raise ConfigError("seed: sweeps take an integer root seed")
    check_seed(seed)
    if batch_size is None:
        batch_size = 4 * (os.cpu_count() or 1)
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ConfigError(f"batch_size: must be an integer >= 1, got {batch_size!r}")

    base, indptr, indices = prepare_graph(base, graph)
    points = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    # Validate every point before running anything.
    jsons = [_point_scenario(base, point, indptr).to_json(indent=None) for point in points]

    n_runs = len(points) * int(replicates)
    outcomes: list[dict[str, Any]] = []
    complete = True
    with _progress_bar(n_runs, progress) as bar:
        try:
            for start in range(0, n_runs, batch_size):
                idx = range(start, min(start + batch_size, n_runs))
                batch = _core.run_batch(
                    [jsons[i // replicates] for i in idx],
                    [seed_bytes(seed, i) for i in idx],
                    indptr,
                    indices,
                )
                for outcome, error, _ in batch:
                    if error is not None:
                        raise SimulationError(error)
                    outcomes.append(dict(outcome))
                bar.update(len(idx))
        except KeyboardInterrupt:
            complete = False
            warnings.warn(
                f"sweep interrupted: keeping the {len(outcomes)} of {n_runs} runs that finished",
                RuntimeWarning,
                stacklevel=2,
            )
    return Sweep(base, grid, points, int(replicates), int(seed), outcomes, complete, graph)


class Sweep:
    """Results of a sweep.

    `runs` has one row per run; `probability()` gives P(viable) per grid
    point with Wilson 95% intervals. `run(i)` re-runs run i to get its
    full weekly series.
    """

    def __init__(
        self,
        scenario: Scenario,
        grid: dict[str, list[Any]],
        points: list[dict[str, Any]],
        replicates: int,
        seed: int,
        outcomes: list[dict[str, Any]],
        complete: bool,
        graph: Any = None,
    ):
        self.scenario = scenario
        self.grid = grid
        self.points = points
        self.replicates = replicates
        self.seed = seed
        self.complete = complete
        self._outcomes = outcomes
        self._graph = graph
        self._runs: pd.DataFrame | None = None

    @property
    def n_runs(self) -> int:
        """Runs planned: points x replicates (see `len(sw.runs)` for runs done)."""
        return len(self.points) * self.replicates

    @property
    def runs(self) -> pd.DataFrame:
        """One row per finished run: run_index, point, replicate, seed, grid values, outcome."""
        if self._runs is None:
            self._runs = self._build_runs()
        return self._runs.copy()

    def _build_runs(self) -> pd.DataFrame:
        n = len(self._outcomes)
        index = np.arange(n, dtype=np.int64)
        cols: dict[str, Any] = {
            "run_index": index,
            "point": index // self.replicates,
            "replicate": index % self.replicates,
            "seed": np.full(n, self.seed, dtype=np.int64),
        }
        for path in self.grid:
            cols[path] = [self.points[i // self.replicates][path] for i in range(n)]
        keys: list[str] = []
        for o in self._outcomes:
            keys.extend(k for k in o if k not in keys)
        for key in keys:
            if key in cols:
                raise RuntimeError(f"outcome key {key!r} clashes with a sweep column")
            values = [o.get(key) for o in self._outcomes]
            if key == "week_viable":
                # None where no ACSA became viable; a nullable integer keeps the weeks whole.
                cols[key] = pd.array(values, dtype="Int64")
            else:
                cols[key] = values
        return pd.DataFrame(cols)

    def probability(self, by: str | Sequence[str] | None = None) -> pd.DataFrame:
        """P(viable ACSA within the horizon) per grid point, with n and a Wilson 95% CI.

        by: the grid paths to group by (default: all of them, one row per
        grid point). Grouping by fewer paths pools the runs over the others.
        """
        runs = self.runs
        viable = runs["viable"].astype(bool)
        if by is None:
            g = viable.groupby(runs["point"], sort=True)
            n, k = g.size(), g.sum()
            table = pd.DataFrame([self.points[p] for p in n.index], columns=list(self.grid))
        else:
            by = [by] if isinstance(by, str) else list(by)
            for path in by:
                if path not in runs.columns:
                    raise ConfigError(f"by: '{path}' is not a column of the runs table")
            g = viable.groupby([_groupable(runs[p]) for p in by], sort=False)
            n, k = g.size(), g.sum()
            table = n.index.to_frame(index=False)
        table["n"] = n.to_numpy(dtype=np.int64)
        table["viable"] = k.to_numpy(dtype=np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            table["p"] = table["viable"] / table["n"]
        lo, hi = wilson(table["viable"].to_numpy(), table["n"].to_numpy())
        table["lo"] = lo
        table["hi"] = hi
        return table

    def scenario_at(self, point: int) -> Scenario:
        """The scenario used for grid point `point`."""
        return self.scenario.replace(self.points[point])

    def run(self, run_index: int) -> Run:
        """Re-run one run of the sweep, with its full series and events."""
        if not 0 <= run_index < self.n_runs:
            raise IndexError(f"run_index must be in 0..{self.n_runs - 1}, got {run_index}")
        sc = self.scenario_at(run_index // self.replicates)
        return simulate(sc, seed=child_sequence(self.seed, run_index), graph=self._graph)

    def __repr__(self) -> str:
        state = "complete" if self.complete else f"interrupted, {len(self._outcomes)} done"
        return (
            f"<acsa.Sweep: {len(self.points)} points x {self.replicates} replicates = "
            f"{self.n_runs} runs ({state})>"
        )

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + self.probability().to_html(index=False, float_format="{:.3f}".format)


def _groupable(col: pd.Series) -> pd.Series:
    """Lists (e.g. a grid over `events`) cannot be group keys; use their JSON text."""
    if all(isinstance(v, Hashable) for v in col):
        return col
    return col.map(lambda v: v if isinstance(v, Hashable) else json.dumps(v, sort_keys=True))


def _progress_bar(total: int, show: bool) -> Any:
    from tqdm.std import tqdm

    if show:
        try:
            import ipywidgets  # noqa: F401  # without it, notebook bars fall back with a warning
        except ImportError:
            pass
        else:
            from tqdm.auto import tqdm
    return tqdm(total=total, disable=not show, unit="run", desc="acsa sweep")


def _check_grid(grid: Mapping[str, Any]) -> dict[str, list[Any]]:
    if not isinstance(grid, Mapping):
        raise ConfigError(f"grid: expected a dict of parameter path -> list of values, got {type(grid).__name__}")
    out: dict[str, list[Any]] = {}
    for path, values in grid.items():
        check_path(path)
        if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
            raise ConfigError(f"{path}: grid values must be a list, got {values!r}")
        values = [v.item() if isinstance(v, np.generic) else v for v in values]
        if not values:
            raise ConfigError(f"{path}: grid has no values")
        out[path] = values
    return out


def _point_scenario(base: Scenario, point: dict[str, Any], indptr: np.ndarray | None) -> Scenario:
    try:
        sc = base.replace(point)
    except ConfigError as e:
        where = ", ".join(f"{p}={v!r}" for p, v in point.items())
        raise ConfigError(f"{e} (grid point {where})") from None
    if indptr is not None:
        n = len(indptr) - 1
        if sc["voters.n"] != n:
            raise ConfigError(f"voters.n: the graph has {n} nodes but grid point sets voters.n={sc['voters.n']}")
        if sc["network.kind"] != "user":
            raise ConfigError(f"network.kind: a graph was given, so it must be \"user\", not {sc['network.kind']!r}")
    return sc
