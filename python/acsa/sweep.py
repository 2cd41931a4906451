"""Parameter sweeps: many runs over a design of scenarios, in parallel."""

from __future__ import annotations

import html
import json
import math
import numbers
import os
import signal
import warnings
from collections.abc import Hashable
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core, engines, outcomes
from ._core import ConfigError
from .designs import Design, as_design, check_values
from .run import Run, prepare_graph, simulate
from .scenario import PathLike, Scenario, as_scenario
from .schema import OUTCOME_FIELDS, SERIES_COLUMNS
from .seeds import check_seed, child_sequence, seed_bytes
from .stats import wilson
from .world import VOTER_COLUMNS, check_reporters
from .store import (
    FORMAT,
    DirStore,
    MemoryStore,
    build_tables,
    graph_digest,
    point_digest,
    run_id,
    to_frame,
)

__all__ = ["sweep", "Sweep", "open_sweep"]

_RUN_COLUMNS = ("run_index", "point", "replicate", "seed", "error", "run_id")


def sweep(
    scenario: Scenario | Mapping[str, Any] | PathLike | None = None,
    design: Design | Mapping[str, Sequence[Any]] | pd.DataFrame | None = None,
    *,
    replicates: int | None = None,
    seed: int = 0,
    graph: Any = None,
    store: str | os.PathLike[str] | None = None,
    record: str | Sequence[str] | None = None,
    every: int = 1,
    reporters: Mapping[str, Callable[[Any], float]] | None = None,
    executor: Any = None,
    shard: tuple[int, int] | str | None = None,
    progress: bool = True,
    retry_failed: bool = False,
    resume: bool = True,
    batch_size: int | None = None,
    worker_threads: int = 1,
    flush_every: float = 10.0,
) -> "Sweep":
    """Run every point of a design, `replicates` times each.

    design: a grid dict mapping dotted paths to lists of values, e.g.
        ``{"voters.cohort_shift": [0, 0.01, 0.02], "shocks.intensity": [1, 2]}``
        (6 points, every combination), a design from `acsa.designs`
        (Latin hypercube, Sobol, Morris, table), or a DataFrame of points.
    replicates: runs per point (default: the design's, else 1).
    seed: root seed. Run i (point * replicates + replicate) is seeded with
        numpy's SeedSequence(seed, spawn_key=(i,)), so results do not depend
        on batch sizes, cores, machines or how the sweep was split up.
    store: a directory. Finished runs are written there as Parquet as the
        sweep goes; running the same sweep again skips the runs already
        there (resume). `acsa.open_sweep(store)` reads it back.
    record: weekly series to keep per run (names from `Run.series`, or
        "all"), every `every` weeks; read them with `.series` or `.to_xarray()`.
    reporters: {name: f(world) -> number}, called with each run's
        `acsa.World` after weeks 0, every, 2*every, ... (as `acsa.simulate`);
        stored beside the series and read with `.reporters`. Runs with
        reporters step through the World in the workers; on a process pool
        the functions must be picklable (defined at module level). A
        reporter that raises fails its run, with the error in `.failures`.
        Resume with the same reporter names.
    executor: any concurrent.futures.Executor (a process pool, dask's
        ``Client.get_executor()``); by default all cores of this process.
        Each worker process runs the core on `worker_threads` threads.
    shard: (i, n) runs only runs i, i+n, i+2n, ... : one job of n.
    retry_failed: run again the runs that the store records as failed.
    resume: if False, refuse a store that already holds runs of this call.
    batch_size: runs per batch or task (default: chosen from run times).
    flush_every: seconds between writes to the store, at most.

    Press Ctrl-C (or interrupt the kernel) to stop early: the runs in
    progress stop at their next week, the runs finished so far are kept
    (and stored), and the returned Sweep has ``complete == False``.
    SIGTERM stops the same way, then ends the process as SIGTERM asks
    once the finished runs are stored.
    """
    base = as_scenario(scenario)
    design = as_design(design, replicates)
    seed = _check_root_seed(seed)
    record_spec = _check_record(record, every, reporters)
    shard = check_shard(shard)
    _check_int(worker_threads, "worker_threads")
    if batch_size is not None:
        _check_int(batch_size, "batch_size")
    if not isinstance(flush_every, (int, float)) or isinstance(flush_every, bool) or not 0 <= flush_every < math.inf:
        raise ConfigError(f"flush_every: must be a number of seconds >= 0, got {flush_every!r}")
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise ConfigError(f"executor: expected a concurrent.futures.Executor, got {type(executor).__name__}")

    base, indptr, indices = prepare_graph(base, graph)
    plan = Plan(base, design, indptr, indices)
    manifest = {
        "format": FORMAT,
        "model_version": _core.MODEL_VERSION,
        "seed": seed,
        "scenario": base.to_dict(),
        "design": design.to_dict(),
        "record": record_spec,
        "graph": plan.graph,
        "columns": design.column_types(),
        "outcomes": [list(f) for f in OUTCOME_FIELDS],
    }
    _check_column_names(manifest)
    st: DirStore | MemoryStore = DirStore.create(store, manifest) if store is not None else MemoryStore(manifest)
    manifest = st.manifest
    reps = design.replicates
    columns = ["week"] + record_spec["columns"] if record_spec else None
    r_every = record_spec["every"] if record_spec else 1

    def build(batch: np.ndarray) -> dict:
        index = [int(i) for i in batch]
        seeds = [seed_bytes(seed, i) for i in index]
        return engines.make_task(
            index, seeds, plan, reps, indptr, indices, columns, r_every, worker_threads, reporters
        )

    failed = finished_now = 0

    def done(task: dict, results: list) -> None:
        nonlocal failed, finished_now
        items = [(i, run_id(plan.digest(i // reps), s)) for i, s in zip(task["run_index"], task["seeds"])]
        runs, series = build_tables(manifest, design.points, items, results)
        st.add(runs, series)
        failed += sum(1 for r in results if r.outcome is None)
        finished_now += len(items)
        bar.update(len(items))
        if st.due(flush_every):
            st.flush()

    with st.writing(shard):
        todo = engines.Todo(design.n_runs, shard, st.keys().done(retry_failed))
        if todo.done and not resume:
            raise ConfigError(
                f"store: {store} already holds {todo.done} runs of this sweep; resume to run only the rest "
                "(resume=True, or --resume on the command line), or use a new store"
            )
        plan.check(np.fromiter(todo.points(reps), dtype=np.int64).tolist())
        bar = _progress_bar(todo.done + len(todo), todo.done, progress)
        with engines.stop_on_signals() as stop:
            try:
                try:
                    if executor is None:
                        engines.run_in_process(todo, build, done, stop, batch_size)
                    else:
                        engines.run_on_executor(executor, todo, build, done, stop, batch_size)
                except KeyboardInterrupt:
                    pass  # Ctrl-C past the polite stop: stop at once, keeping what is done
            finally:
                bar.close()
                st.finish()
    interrupted = finished_now < len(todo)

    result = Sweep(base, design, seed, st, graph)
    result.interrupted = interrupted
    if interrupted:
        kept = len(result.runs)
        why = " by SIGTERM" if stop.signal == signal.SIGTERM else ""
        warnings.warn(
            f"sweep interrupted{why}: keeping the {kept} of {design.n_runs} runs that finished"
            + (f" (in {store}; run the same sweep again to resume)" if store is not None else ""),
            RuntimeWarning,
            stacklevel=2,
        )
    _warn_empty(result)
    if failed:
        warnings.warn(
            f"{failed} runs failed; their error text is in sw.failures"
            + (" (retry them with retry_failed=True)" if store is not None else ""),
            RuntimeWarning,
            stacklevel=2,
        )
    if stop.signal == signal.SIGTERM:
        # Finished runs are safe: now end as SIGTERM asked (or as the caller's own handler says).
        signal.raise_signal(signal.SIGTERM)
    return result


def open_sweep(path: str | os.PathLike[str], graph: Any = None) -> "Sweep":
    """Open a sweep store; nothing is read until you ask for `.runs` or `.series`."""
    st = DirStore.open(path)
    m = st.manifest
    try:
        scenario = Scenario.from_dict(m["scenario"])
    except ConfigError as e:
        warnings.warn(f"{path}: the stored scenario does not load in this version of acsa ({e})", RuntimeWarning, stacklevel=2)
        scenario = None
    if graph is not None and scenario is not None:
        scenario, indptr, indices = prepare_graph(scenario, graph)
        if graph_digest(indptr, indices) != m["graph"]:
            raise ConfigError("graph: not the graph this sweep was run on")
    return Sweep(scenario, Design.from_dict(m["design"]), m["seed"], st, graph)


class Plan:
    """Each point's scenario and the hash it adds to its runs' ids, made when first needed.

    A design may have 100 000 points: only recent ones are kept. Before a
    sweep starts, `check` makes every point's scenario (so a bad one is a
    ConfigError naming it) if there are at most FULL_CHECK points, else
    checks each value against its parameter's range; a point that then
    breaks a rule across parameters fails, with its error, as its runs
    come up, and the sweep goes on.
    """

    FULL_CHECK = 2000

    def __init__(self, base: Scenario, design: Design, indptr: np.ndarray | None, indices: np.ndarray | None):
        self.base = base
        self.design = design
        self.indptr = indptr
        self.graph = graph_digest(indptr, indices)
        self._recent: dict[int, tuple[str | None, bytes, str | None]] = {}

    def check(self, points: Sequence[int] | None = None) -> None:
        """Check the design's points (or these ones) before running them; see the class docstring."""
        points = range(self.design.n_points) if points is None else points
        if len(points) <= self.FULL_CHECK:
            for k in points:
                error = self._point(int(k))[2]
                if error is not None:
                    raise ConfigError(error)
            return
        for name in self.design.names:
            check_values(name, [p[name] for p in self.design.points])

    def scenario_json(self, k: int) -> str | None:
        """The point's scenario as JSON; None if it breaks a rule (see `error`)."""
        return self._point(k)[0]

    def error(self, k: int) -> str | None:
        return self._point(k)[2]

    def digest(self, k: int) -> bytes:
        return self._point(k)[1]

    def _point(self, k: int) -> tuple[str | None, bytes, str | None]:
        got = self._recent.get(k)
        if got is None:
            label = "grid point" if self.design.kind == "grid" else f"design point {k}"
            point = self.design.points[k]
            try:
                text = _point_scenario(self.base, point, self.indptr, label).to_json(indent=None)
                got = (text, point_digest(text, point, self.graph), None)
            except ConfigError as e:
                # Its runs fail with this error; their ids hash the base scenario and the point.
                got = (None, point_digest(self.base.to_json(indent=None), point, self.graph), str(e))
            if len(self._recent) >= 256:
                self._recent.clear()
            self._recent[k] = got
        return got


class Sweep:
    """Results of a sweep, in memory or in a store.

    `runs` has one row per finished run (failed runs have their `error`
    text and empty outcomes); `probability()` gives P(viable) per point
    with Wilson 95% intervals; `y()` gives outputs in design order for
    SALib; `series` and `to_xarray()` give recorded weekly series;
    `run(i)` re-runs run i with its full series and events.
    """

    def __init__(
        self,
        scenario: Scenario | None,
        design: Design,
        seed: int,
        store: DirStore | MemoryStore,
        graph: Any = None,
    ):
        self.scenario = scenario
        self.design = design
        self.seed = seed
        self.store = store
        self._graph = graph
        self._cache: tuple[Any, pd.DataFrame] | None = None
        # Set by acsa.sweep when Ctrl-C or SIGTERM stopped it before every run was done.
        self.interrupted = False

    # ---- what was planned ----

    @property
    def path(self) -> Any:
        """The store directory, or None for a sweep kept in memory."""
        return self.store.path

    @property
    def points(self) -> list[dict[str, Any]]:
        return self.design.points

    @property
    def grid(self) -> dict[str, list[Any]] | None:
        """The grid's values for a grid design, else None."""
        return self.design.grid

    @property
    def replicates(self) -> int:
        return self.design.replicates

    @property
    def problem(self) -> dict[str, Any] | None:
        """SALib's problem dict for sampled designs."""
        return self.design.problem

    @property
    def X(self) -> np.ndarray:
        return self.design.X

    @property
    def n_runs(self) -> int:
        """Runs planned: points x replicates (see `len(sw.runs)` for runs done)."""
        return self.design.n_runs

    @property
    def complete(self) -> bool:
        """Is every planned run finished (or recorded as failed)?"""
        return len(self._runs()) == self.n_runs

    # ---- results ----

    @property
    def runs(self) -> pd.DataFrame:
        """One row per finished run: run_index, point, replicate, seed, parameters, outcome, error, run_id."""
        return self._runs().copy()

    def _runs(self) -> pd.DataFrame:
        sig = self.store.signature()
        if self._cache is None or self._cache[0] != sig:
            self._cache = (sig, to_frame(self.store.read_runs(), self.store.manifest))
        return self._cache[1]

    @property
    def failures(self) -> pd.DataFrame:
        """The runs that failed, with their parameters and error text."""
        runs = self._runs()
        names = list(self.design.names)
        return runs.loc[runs["error"].notna(), ["run_index", "point", "replicate", "seed", *names, "error", "run_id"]].reset_index(drop=True)

    @property
    def series(self) -> pd.DataFrame:
        """Recorded weekly series in long format: one row per run and recorded week."""
        record = self.store.manifest["record"]
        if record is None or not record["columns"]:
            raise ConfigError("this sweep recorded no series; pass record=[...] to acsa.sweep")
        return self._long(self.store.read_series(record["columns"]))

    @property
    def reporters(self) -> pd.DataFrame:
        """The reporters' values: one row per run and reported week (run_index, point, replicate, week, names)."""
        record = self.store.manifest["record"]
        if record is None or not record.get("reporters"):
            raise ConfigError("this sweep has no reporters; pass reporters={name: f} to acsa.sweep")
        return self._long(self.store.read_series(record["reporters"]))

    def _long(self, table: Any) -> pd.DataFrame:
        df = to_frame(table, {"columns": {}})
        reps = self.replicates
        df.insert(2, "point", df["run_index"] // reps)
        df.insert(3, "replicate", df["run_index"] % reps)
        return df

    def probability(
        self,
        by: str | Sequence[str] | None = None,
        bins: int | Sequence[float] | Mapping[str, Any] | None = None,
        outcome: str = "viable",
    ) -> pd.DataFrame:
        """P(viable ACSA within the horizon) per point, with n and a Wilson 95% CI.

        by: the parameter paths to group by (default: the design's points,
        one row each). Grouping by fewer paths pools the runs over the
        others. Failed runs are left out (with a warning).
        bins: for sampled designs, group a continuous `by` parameter into
        bins: a number of equal-width bins, a list of edges, or a dict of
        either per path. A binned column holds each bin's midpoint.
        outcome: another 0/1 outcome, e.g. ``viable_by_260`` (see `acsa.outcomes`).
        """
        runs = self._ok_runs()
        values = outcomes.values(runs, outcome)
        if values.isna().any() or not set(values.unique()) <= {0.0, 1.0}:
            raise ConfigError(f"outcome: probability needs a 0/1 outcome defined for every run, not {outcome}")
        viable = values.astype(bool)
        names = list(self.design.names)
        if by is None:
            if bins is not None:
                raise ConfigError("bins: give by= too: the parameters to bin and group by")
            g = viable.groupby(runs["point"], sort=True)
            n, k = g.size(), g.sum()
            table = pd.DataFrame([self.points[p] for p in n.index], columns=names)
        else:
            by = [by] if isinstance(by, str) else list(by)
            for path in by:
                if path not in runs.columns:
                    raise ConfigError(f"by: '{path}' is not a column of the runs table")
            keys = [binned(runs[p], bin_edges(runs[p], bins_for(bins, p))) if bins_for(bins, p) is not None
                    else _groupable(runs[p]) for p in by]
            g = viable.groupby(keys, sort=True)
            n, k = g.size(), g.sum()
            table = n.index.to_frame(index=False)
            table.columns = by
        table["n"] = n.to_numpy(dtype=np.int64)
        table["viable"] = k.to_numpy(dtype=np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            table["p"] = table["viable"] / table["n"]
        lo, hi = wilson(table["viable"].to_numpy(), table["n"].to_numpy())
        table["lo"] = lo
        table["hi"] = hi
        return table

    def y(self, outcome: str = "viable", agg: str = "mean") -> np.ndarray:
        """One value per point, in design order: the outcome aggregated over replicates.

        outcome: a recorded outcome field, or one of `acsa.outcomes` that
        respects censoring (``viable_by_K``, ``rmst``). For `viable`, the
        mean is the share of viable runs. This is the Y that SALib's
        analysers take with the design's problem; `sobol` and `morris` do
        that for you, with guard rails.
        """
        done = len(self._runs())
        if done < self.n_runs:
            raise ConfigError(f"y: only {done} of {self.n_runs} runs are done; finish the sweep first")
        runs = self._ok_runs()
        derived = outcome == "rmst" or outcome.startswith("viable_by_")
        if not derived and (outcome not in runs.columns or outcome in _RUN_COLUMNS or outcome in self.design.names):
            names = [n for n, _ in self.store.manifest["outcomes"]]
            raise ConfigError(
                f"outcome: '{outcome}' is not an outcome (one of {', '.join(names)}, rmst, viable_by_K)"
            )
        values = outcomes.values(runs, outcome)
        per_point = values.groupby(runs["point"]).agg(agg)
        missing = np.setdiff1d(np.arange(len(self.points)), per_point.index.to_numpy())
        if len(missing):
            raise ConfigError(f"y: every run of point {missing[0]} failed; see .failures")
        return per_point.sort_index().to_numpy(dtype=float)

    # ---- analysis (see acsa.sensitivity and acsa.discovery) ----

    def sobol(self, outcome: str = "viable", by_year: bool = False, **kwargs: Any) -> pd.DataFrame:
        """Sobol indices (S1, ST with intervals) of `outcome` on a Sobol design; see `acsa.sensitivity.sobol`."""
        from . import sensitivity

        return sensitivity.sobol(self, outcome, by_year=by_year, **kwargs)

    def morris(self, outcome: str = "viable", by_year: bool = False, **kwargs: Any) -> pd.DataFrame:
        """Morris screening (mu*, sigma) of `outcome` on a Morris design; see `acsa.sensitivity.morris`."""
        from . import sensitivity

        return sensitivity.morris(self, outcome, by_year=by_year, **kwargs)

    def prim(self, outcome: str = "viable", **kwargs: Any) -> Any:
        """PRIM boxes where `outcome` is most often 1; see `acsa.discovery.prim`."""
        from . import discovery

        return discovery.prim(self, outcome, **kwargs)

    def cart(self, outcome: str = "viable", **kwargs: Any) -> pd.DataFrame:
        """A classification tree's leaves as rules for `outcome`; see `acsa.discovery.cart`."""
        from . import discovery

        return discovery.cart(self, outcome, **kwargs)

    def to_xarray(self) -> Any:
        """An xarray Dataset: outcomes on (point, replicate), recorded series on (point, replicate, week).

        Parameter values are coordinates along `point`. Runs not done (or
        failed) are NaN here; `runs` says which and why.
        """
        try:
            import xarray as xr
        except ImportError:
            raise ImportError("to_xarray needs xarray: pip install 'acsa[sweeps]' (or pip install xarray)") from None
        runs = self._runs()
        ok = runs["error"].isna().to_numpy()
        P, R = len(self.points), self.replicates
        p = runs["point"].to_numpy()[ok]
        r = runs["replicate"].to_numpy()[ok]
        full = ok.all() and len(runs) == P * R
        data: dict[str, Any] = {}
        for name, kind in self.store.manifest["outcomes"]:
            col = runs[name][ok]
            if full and kind in ("bool", "int") and not col.isna().any():
                arr = np.zeros((P, R), dtype=bool if kind == "bool" else np.int64)
                arr[p, r] = col.to_numpy(dtype=arr.dtype)
            else:
                arr = np.full((P, R), np.nan)
                arr[p, r] = pd.to_numeric(col.astype("Float64"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            data[name] = (("point", "replicate"), arr)
        coords: dict[str, Any] = {"point": np.arange(P), "replicate": np.arange(R)}
        for name in self.design.names:
            values = [pt[name] for pt in self.points]
            if self.store.manifest["columns"][name] == "json":
                values = [json.dumps(v) for v in values]  # lists of events, as text
            coords[name] = ("point", np.asarray(values))
        record = self.store.manifest["record"]
        if record is not None:
            table = self.store.read_series()
            weeks = np.unique(table.column("week").to_numpy())
            coords["week"] = weeks
            idx = table.column("run_index").to_numpy()
            sp, sr = idx // R, idx % R
            sw = np.searchsorted(weeks, table.column("week").to_numpy())
            for c in record["columns"] + record.get("reporters", []):
                arr = np.full((P, R, len(weeks)), np.nan)
                arr[sp, sr, sw] = table.column(c).to_numpy().astype(float)
                data[c] = (("point", "replicate", "week"), arr)
        attrs = {
            "model_version": self.store.manifest["model_version"],
            "seed": self.seed,
            "design": self.design.kind,
            "scenario": json.dumps(self.store.manifest["scenario"]),
        }
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def _ok_runs(self) -> pd.DataFrame:
        runs = self._runs()
        bad = runs["error"].notna()
        if bad.any():
            warnings.warn(
                f"{int(bad.sum())} failed runs are left out; see .failures", RuntimeWarning, stacklevel=3
            )
            runs = runs[~bad]
        return runs

    def check(self) -> dict[str, Any]:
        """Verify the store in full, and set aside what is damaged; a report of what was found.

        Every part is read: one that cannot be read, belongs to another
        sweep, or whose series are not exactly its runs' weeks is moved to
        the store's `damaged/` folder (resume the sweep to redo its runs).
        With no sweep writing, files left by killed writers are removed.
        The report gives `runs` (planned), `done`, `failed`, `missing`,
        `duplicates` (rows that collapse on reading), `set_aside` and
        `removed` (what was repaired) and `writers_running`.
        """
        if not isinstance(self.store, DirStore):
            raise ConfigError("check: this sweep has no store")
        record = self.store.manifest["record"]
        every = record["every"] if record else 1
        if "horizon_weeks" in self.design.names:
            weeks = np.array([p["horizon_weeks"] for p in self.points], dtype=np.int64)
        else:
            weeks = np.full(len(self.points), self.store.manifest["scenario"]["horizon_weeks"], dtype=np.int64)
        report = self.store.check(-(-weeks // every), self.n_runs)
        self._cache = None
        return report

    # ---- single runs ----

    def scenario_at(self, point: int) -> Scenario:
        """The scenario used for point `point`."""
        if self.scenario is None:
            raise ConfigError("the stored scenario does not load in this version of acsa")
        return self.scenario.replace(self.points[point])

    def run(self, run_index: int, snapshots: Sequence[int] | None = None) -> Run:
        """Re-run one run of the sweep, with its full series and events (and `snapshots`, as `simulate`)."""
        if not 0 <= run_index < self.n_runs:
            raise IndexError(f"run_index must be in 0..{self.n_runs - 1}, got {run_index}")
        if self.store.manifest["graph"] is not None and self._graph is None:
            raise ConfigError("this sweep ran on a user graph; pass graph= to acsa.open_sweep to re-run its runs")
        sc = self.scenario_at(run_index // self.replicates)
        return simulate(sc, seed=child_sequence(self.seed, run_index), graph=self._graph, snapshots=snapshots)

    def snapshots(self, weeks: Sequence[int], runs: Iterable[int] | None = None) -> pd.DataFrame:
        """Every voter's state after the given weeks in the given runs (default: all finished runs).

        One row per run, week and voter: run_index, point, replicate, then
        `Run.snapshots`' columns. The runs are run again (a run is the same
        every time), so a sweep stores no per-voter data: ask for the runs
        you need. A run whose outcome no longer matches the stored one
        (another model version) is an error.
        """
        done = self._runs()
        ok = done[done["error"].isna()].set_index("run_index")
        chosen = ok.index.to_list() if runs is None else [int(i) for i in runs]
        tables = []
        for i in chosen:
            if i not in ok.index:
                raise ConfigError(f"runs: run {i} is not a finished run of this sweep")
            run = self.run(i, snapshots=weeks)
            if run.outcome["viable"] != bool(ok.at[i, "viable"]) or run.outcome["max_rung"] != ok.at[i, "max_rung"]:
                raise ConfigError(f"runs: run {i} does not run again as stored (another model version?)")
            assert run.snapshots is not None
            head = pd.DataFrame({"run_index": i, "point": i // self.replicates, "replicate": i % self.replicates},
                                index=run.snapshots.index)
            tables.append(pd.concat([head, run.snapshots], axis=1))
        if not tables:
            return pd.DataFrame(columns=["run_index", "point", "replicate", "week", "voter", "district", *VOTER_COLUMNS])
        return pd.concat(tables, ignore_index=True)

    # ---- display ----

    def __repr__(self) -> str:
        done = len(self._runs())
        state = "complete" if done == self.n_runs else f"{done} done"
        failed = int(self._runs()["error"].notna().sum())
        if failed:
            state += f", {failed} failed"
        kind = "" if self.design.kind == "grid" else f" {self.design.kind}"
        where = f" in {self.path}" if self.path is not None else ""
        return (
            f"<acsa.Sweep{kind}: {len(self.points)} points x {self.replicates} replicates = "
            f"{self.n_runs} runs ({state}){where}>"
        )

    def _repr_html_(self) -> str:
        head = f"<p>{html.escape(repr(self))}</p>"
        if not len(self._runs()):
            return head
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            table = self.probability()
        more = f"<p>first 20 of {len(table)} points</p>" if len(table) > 20 else ""
        return head + table.head(20).to_html(index=False, float_format="{:.3f}".format) + more


def bins_for(bins: Any, path: str) -> Any:
    """The bins given for `path`: the same for every path, or from a dict of path -> bins."""
    if isinstance(bins, Mapping):
        return bins.get(path)
    return bins


def bin_edges(col: pd.Series, bins: int | Sequence[float]) -> np.ndarray:
    """Edges of `bins` (a count of equal-width bins over the column's range, or the edges themselves)."""
    if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        raise ConfigError(f"bins: {col.name} is not a numeric parameter; only numbers can be binned")
    values = col.to_numpy(dtype=float)
    if isinstance(bins, numbers.Integral) and not isinstance(bins, bool):
        if bins < 1:
            raise ConfigError(f"bins: must be at least 1, got {bins}")
        lo, hi = float(np.min(values)), float(np.max(values))
        return np.linspace(lo, hi if hi > lo else lo + 1.0, int(bins) + 1)
    edges = np.asarray(bins, dtype=float)
    if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise ConfigError(f"bins: edges must be an increasing list of at least two numbers, got {bins!r}")
    if values.min() < edges[0] or values.max() > edges[-1]:
        raise ConfigError(
            f"bins: {col.name} ranges over [{values.min():g}, {values.max():g}], outside the edges "
            f"[{edges[0]:g}, {edges[-1]:g}]"
        )
    return edges


def binned(col: pd.Series, edges: np.ndarray) -> pd.Series:
    """Each value replaced by the midpoint of its bin (the last bin includes its upper edge)."""
    idx = np.clip(np.searchsorted(edges, col.to_numpy(dtype=float), side="right") - 1, 0, len(edges) - 2)
    mids = (edges[:-1] + edges[1:]) / 2.0
    return pd.Series(mids[idx], index=col.index, name=col.name)


def _warn_empty(sw: "Sweep") -> None:
    """Warn when the result says nothing: no viable run anywhere, or a horizon too short for an election."""
    runs = sw._runs()
    runs = runs[runs["error"].isna()]
    if not len(runs) or sw.scenario is None:
        return
    p = runs["viable"].astype(bool).groupby(runs["point"]).mean().to_numpy()
    horizons = [pt.get("horizon_weeks", sw.scenario["horizon_weeks"]) for pt in sw.points]
    longest = sw.scenario.replace({"horizon_weeks": max(horizons)})
    for text in outcomes.horizon_warnings(longest, p):
        warnings.warn(text, RuntimeWarning, stacklevel=3)


def _groupable(col: pd.Series) -> pd.Series:
    """Lists (e.g. a grid over `events`) cannot be group keys; use their JSON text."""
    if all(isinstance(v, Hashable) for v in col):
        return col
    return col.map(lambda v: v if isinstance(v, Hashable) else json.dumps(v, sort_keys=True))


def _progress_bar(total: int, initial: int, show: bool) -> Any:
    from tqdm.std import tqdm

    if show:
        try:
            import ipywidgets  # noqa: F401  # without it, notebook bars fall back with a warning
        except ImportError:
            pass
        else:
            from tqdm.auto import tqdm
    return tqdm(total=total, initial=initial, disable=not show, unit="run", desc="acsa sweep")


def _point_scenario(base: Scenario, point: dict[str, Any], indptr: np.ndarray | None, label: str) -> Scenario:
    try:
        sc = base.replace(point)
    except ConfigError as e:
        where = ", ".join(f"{p}={v!r}" for p, v in point.items())
        raise ConfigError(f"{e} ({label}{':' if label[-1].isdigit() else ''} {where})") from None
    if indptr is not None:
        n = len(indptr) - 1
        if sc["voters.n"] != n:
            raise ConfigError(f"voters.n: the graph has {n} nodes but {label} sets voters.n={sc['voters.n']}")
        if sc["network.kind"] != "user":
            raise ConfigError(f"network.kind: a graph was given, so it must be \"user\", not {sc['network.kind']!r}")
    return sc


def _check_root_seed(seed: Any) -> int:
    if isinstance(seed, np.random.SeedSequence):
        raise ConfigError("seed: sweeps take an integer root seed")
    check_seed(seed)
    if int(seed) >= 2**63:
        raise ConfigError(f"seed: sweeps take a root seed below 2**63, got {seed}")
    return int(seed)


def _check_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ConfigError(f"{name}: must be an integer >= 1, got {value!r}")
    return int(value)


def check_shard(shard: Any) -> tuple[int, int] | None:
    if shard is None:
        return None
    if isinstance(shard, str):
        head, sep, tail = shard.partition("/")
        if not sep or not head.strip().isdigit() or not tail.strip().isdigit():
            raise ConfigError(f"shard: expected I/N such as 0/10, got {shard!r}")
        shard = (int(head), int(tail))
    if (
        not isinstance(shard, (tuple, list))
        or len(shard) != 2
        or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in shard)
    ):
        raise ConfigError(f"shard: expected (i, n), got {shard!r}")
    i, n = int(shard[0]), int(shard[1])
    if n < 1 or not 0 <= i < n:
        raise ConfigError(f"shard: need 0 <= i < n, got ({i}, {n})")
    return (i, n)


def _check_record(record: Any, every: Any, reporters: Any = None) -> dict[str, Any] | None:
    names = list(check_reporters(reporters))
    if (record is None or record is False) and not names:
        return None
    _check_int(every, "every")
    known = [c for c in SERIES_COLUMNS if c != "week"]
    if record is None or record is False:
        cols = []
    elif record == "all" or record is True:
        cols = known
    elif isinstance(record, str):
        cols = [record]
    elif isinstance(record, Sequence) and all(isinstance(c, str) for c in record):
        cols = list(dict.fromkeys(c for c in record if c != "week"))
    else:
        raise ConfigError(f"record: expected a list of series names or \"all\", got {record!r}")
    for c in cols:
        if c not in known:
            raise ConfigError(f"record: no series column '{c}' (see acsa.simulate(...).series.columns)")
    if not cols and not names:
        raise ConfigError("record: names no series column")
    for name in names:
        if name in known or name in ("run_id", "point", "replicate"):
            raise ConfigError(f"reporters: {name!r} is taken by a column of the series; name it otherwise")
    spec: dict[str, Any] = {"columns": cols, "every": int(every)}
    if names:
        spec["reporters"] = names
    return spec


def _check_column_names(manifest: Mapping[str, Any]) -> None:
    taken = set(_RUN_COLUMNS) | {n for n, _ in manifest["outcomes"]}
    for name in manifest["columns"]:
        if name in taken:
            raise ConfigError(f"design: parameter '{name}' clashes with a column of the runs table")
