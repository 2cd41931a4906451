"""One model run: simulate a scenario and read its results as DataFrames."""

from __future__ import annotations

import html
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._core import ConfigError
from .graph import to_csr
from .scenario import PathLike, Scenario, as_scenario
from .schema import EVENT_KINDS, INT_COLUMNS, RUNGS
from .seeds import SeedLike, check_seed, seed_bytes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["simulate", "Run", "RUNGS", "EVENT_KINDS"]



def simulate(
    scenario: Scenario | Mapping[str, Any] | PathLike | None = None,
    seed: SeedLike = 0,
    graph: Any = None,
    snapshots: Sequence[int] | None = None,
    reporters: Mapping[str, Callable[[Any], float]] | None = None,
    every: int = 1,
) -> "Run":
    """Run the model once and return a `Run`.

    scenario: a Scenario, a dict of overrides, a .toml/.json path, or None
        for the 2026 baseline.
    seed: a non-negative integer (or a numpy SeedSequence). The same seed
        gives the same run on any machine and any number of threads.
    graph: optional social network over the voters (scipy.sparse matrix,
        networkx graph, or (src, dst) edge arrays); see `acsa.graph`.
        Giving one sets network.kind to "user".
    snapshots: weeks after which every voter's state is copied, into
        `Run.snapshots` (week, voter, district, party, grievance, ...).
    reporters: {name: f(world) -> number}, called with the `acsa.World`
        after weeks 0, every, 2*every, ...; into `Run.reporters`.
    The run is the same with or without snapshots and reporters.
    """
    if snapshots is not None or reporters is not None:
        from .world import World

        world = World(scenario, seed, graph)
        shots, table = world.observe(snapshots, reporters, every)
        run = world.run()
        run.snapshots, run.reporters = shots, table
        return run
    sc = as_scenario(scenario)
    check_seed(seed)
    sc, indptr, indices = prepare_graph(sc, graph)
    handle = _core.simulate(sc.to_json(indent=None), seed_bytes(seed), indptr, indices)
    return Run(handle, sc, seed)


def prepare_graph(sc: Scenario, graph: Any) -> tuple[Scenario, np.ndarray | None, np.ndarray | None]:
    """Convert a user graph to CSR and make the scenario use it."""
    if graph is None:
        if sc["network.kind"] == "user":
            raise ConfigError('network.kind: "user" needs a graph; pass graph= to simulate() or sweep()')
        return sc, None, None
    if sc["network.kind"] != "user":
        sc = sc.replace({"network.kind": "user"})
    indptr, indices = to_csr(graph, int(sc["voters.n"]))
    return sc, indptr, indices


class Run:
    """The result of one simulation.

    Attributes: `series` (one row per week), `events`, `outcome`,
    `scenario`, `seed`, and `snapshots` and `reporters` when `simulate`
    was asked for them (else None). Use `plot()` for an overview figure.
    """

    def __init__(self, handle: Any, scenario: Scenario, seed: SeedLike):
        self._handle = handle
        self.scenario = scenario
        self.seed = seed
        self.snapshots: pd.DataFrame | None = None
        self.reporters: pd.DataFrame | None = None

    @property
    def series(self) -> pd.DataFrame:
        """Weekly aggregates: one row per recorded week, with `week` and `date`."""
        return self._series.copy()

    @property
    def events(self) -> pd.DataFrame:
        """Everything that happened: week, date, kind, magnitude, rung, outcome."""
        return self._events.copy()

    @property
    def outcome(self) -> dict[str, Any]:
        """Summary of the run: viable, week_viable, max_rung, counts of events..."""
        return dict(self._outcome)

    # The tables are built once; the properties hand out copies so that a
    # user's edits never change the run.

    @cached_property
    def _series(self) -> pd.DataFrame:
        raw = self._handle.series()
        cols: dict[str, Any] = {}
        for name, arr in raw.items():
            arr = np.asarray(arr)
            # The arrays are views on the core's memory; nobody may write to them.
            arr.flags.writeable = False
            cols[name] = arr.astype(np.int64) if name in INT_COLUMNS else arr
        week = cols.pop("week")
        return pd.DataFrame({"week": week, "date": self._dates(week), **cols})

    @cached_property
    def _events(self) -> pd.DataFrame:
        raw = self._handle.events()
        week = np.asarray(raw["week"], dtype=np.int64)
        kinds = list(raw["kind"])
        categories = list(EVENT_KINDS) + sorted(set(kinds) - set(EVENT_KINDS))
        return pd.DataFrame(
            {
                "week": week,
                "date": self._dates(week),
                "kind": pd.Categorical(kinds, categories=categories),
                "magnitude": np.asarray(raw["magnitude"], dtype=np.float64),
                "rung": np.asarray(raw["rung"], dtype=np.int64),
                "outcome": pd.Series(list(raw["outcome"]), dtype=object),
            }
        )

    @cached_property
    def _outcome(self) -> dict[str, Any]:
        return dict(self._handle.outcome())

    def _dates(self, week: np.ndarray) -> pd.DatetimeIndex:
        start = pd.Timestamp(self.scenario["start_date"])
        return start + pd.to_timedelta(np.asarray(week, dtype=np.int64) * 7, unit="D")

    def plot(self) -> "Figure":
        """Approval, support, salience and the ladder over time, with events marked."""
        from .plots import plot_run

        return plot_run(self)

    def _summary(self) -> list[tuple[str, str]]:
        o = self.outcome
        rows = [("seed", str(self.seed)), ("weeks", str(len(self.series)))]
        if o.get("viable"):
            week = o.get("week_viable")
            date = self._dates(np.array([week]))[0].date() if week is not None else "?"
            rows.append(("viable", f"yes, ACSA signed in week {week} ({date})"))
        else:
            rows.append(("viable", "no"))
        max_rung = o.get("max_rung")
        if isinstance(max_rung, int) and 0 <= max_rung < len(RUNGS):
            rows.append(("highest rung", f"{max_rung} ({RUNGS[max_rung]})"))
        for key in ("n_proposals", "n_trial_balloons", "n_retreats", "n_collapses", "n_signed", "n_terminations"):
            if key in o:
                rows.append((key[2:].replace("_", " "), str(o[key])))
        if "final_approval" in o:
            rows.append(("final approval", f"{o['final_approval']:.2f}"))
        changed = Scenario.default().diff(self.scenario)
        if changed:
            rows.append(("scenario", ", ".join(f"{p}={v!r}" for p, (_, v) in changed.items())))
        return rows

    def __repr__(self) -> str:
        o = self.outcome
        viable = f"viable in week {o.get('week_viable')}" if o.get("viable") else "not viable"
        return f"<acsa.Run seed={self.seed}: {viable}, max rung {o.get('max_rung')}, {o.get('n_proposals')} proposals>"

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self._summary()
        )
        return f"<b>acsa.Run</b><table>{body}</table>"
