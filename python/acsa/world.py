"""Step by step and what-if: a run that Python advances, reads and steers.

    w = acsa.World(sc, seed=1)
    w.step(52)                                   # one year
    w.aggregates()                               # this week's row: approval, support_mean, rung...
    w.voters()["support"]                        # every voter's support, a view of the core's memory
    w.schedule("nuclear_test", week=60, magnitude=2.0)
    w.propose("gsomia")                          # the president proposes it at the next decision
    w.set("shocks.intensity", 2.0, from_week=104)
    run = w.finish()                             # the same acsa.Run as acsa.simulate

Stepping to the horizon without intervening gives, bit for bit, the run
`acsa.simulate` gives for the same scenario and seed. Agent-level
snapshots and user reporters ride on the same stepping:
``acsa.simulate(sc, seed, snapshots=[52, 104], reporters={"mean_support": f})``.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from . import _core
from ._core import ConfigError
from .run import Run, prepare_graph
from .schema import INT_COLUMNS, RUNGS
from .scenario import PathLike, Scenario, as_scenario
from .seeds import SeedLike, check_seed, seed_bytes

__all__ = ["World", "Reporter", "VOTER_COLUMNS", "LIVE_SECTIONS"]

# A reporter reads the world after a week and returns one number.
Reporter = Callable[["World"], float]

# The voters' state variables that `World.voters()` views, then the district each voter is in.
VOTER_COLUMNS = ("party", "grievance", "threat", "salience", "support", "approval", "opposition")

# Sections of the scenario a run reads afresh each week: the only ones `World.set` can change.
LIVE_SECTIONS: tuple[str, ...] = tuple(_core.LIVE_SECTIONS)


class World:
    """One run in progress: step it, read it, intervene on it.

    scenario, seed, graph: as for `acsa.simulate`.
    Attributes: `week` (weeks run so far: the next week to run), `date`
    (that week's date), `horizon`, `scenario` (the scenario in force now),
    `start_scenario` (the one the run started from, which `finish()`'s Run
    carries), `interventions` (what was done to the run, in order).
    """

    def __init__(
        self,
        scenario: Scenario | Mapping[str, Any] | PathLike | None = None,
        seed: SeedLike = 0,
        graph: Any = None,
    ):
        sc = as_scenario(scenario)
        check_seed(seed)
        sc, indptr, indices = prepare_graph(sc, graph)
        self._attach(_core.World(sc.to_json(indent=None), seed_bytes(seed), indptr, indices), sc, seed)

    def _attach(self, core: Any, sc: Scenario, seed: Any) -> None:
        self._core = core
        self.start_scenario = sc
        self.scenario = sc
        self.seed = seed
        self._pending: list[tuple[int, str, Any]] = []  # (week, path, value) of set() calls to come
        self._log: list[dict[str, Any]] = []
        self._district: np.ndarray | None = None

    # ---- where the run stands ----

    @property
    def week(self) -> int:
        """Weeks run so far, i.e. the next week to run (0 before the first step)."""
        return int(self._core.week)

    @property
    def horizon(self) -> int:
        return int(self.scenario["horizon_weeks"])

    @property
    def date(self) -> pd.Timestamp:
        """The date of week `week`, the next to run."""
        return pd.Timestamp(self.scenario["start_date"]) + pd.Timedelta(days=7 * self.week)

    @property
    def done(self) -> bool:
        """Has the run reached its horizon?"""
        return self.week >= self.horizon

    # ---- stepping ----

    def step(self, n: int = 1) -> "World":
        """Run `n` weeks (not past the horizon); changes set for a week take effect on it."""
        n = _whole(n, "n", 0)
        left = self.horizon - self.week
        if n > left:
            raise ConfigError(f"n: only {left} weeks are left of the horizon ({self.horizon} weeks); got {n}")
        target = self.week + n
        while True:
            self._apply_due()
            if self.week >= target:
                return self
            upcoming = [w for w, _, _ in self._pending if w < target]
            self._core.step(min(upcoming, default=target) - self.week)

    def finish(self) -> Run:
        """Run to the horizon and return the `acsa.Run`; reading the world stays possible."""
        self.step(self.horizon - self.week)
        return self.run()

    def run(self) -> Run:
        """The run so far as an `acsa.Run` (series, events and outcome up to `week`)."""
        return Run(self._core.run(), self.start_scenario, self.seed)

    # ---- reading ----

    def aggregates(self) -> dict[str, Any]:
        """The latest week's row of the series ({column: value}); ValueError before the first week."""
        row = self._core.latest()
        if row is None:
            raise ValueError("no week has been run yet: step() first")
        return {k: int(v) if k in INT_COLUMNS else float(v) for k, v in row.items()}

    @property
    def series(self) -> pd.DataFrame:
        """The weekly series so far (as `Run.series`)."""
        return self.run().series

    @property
    def events(self) -> pd.DataFrame:
        """The events so far (as `Run.events`)."""
        return self.run().events

    @property
    def outcome(self) -> dict[str, Any]:
        """The outcome of the weeks run so far (as `Run.outcome`)."""
        return self.run().outcome

    def voters(self) -> dict[str, np.ndarray]:
        """Every voter's state: {name: read-only array} viewing the core's memory, no copy.

        The arrays follow the run: after the next `step()` they hold the
        new week's values (copy them to keep a week's state, or use
        `snapshot()`). `party` is 0 progressive, 1 conservative, 2
        independent; `district` (0-252) is each voter's district.
        """
        views = dict(self._core.voters())
        starts = views.pop("district_start")
        if self._district is None:
            district = np.repeat(np.arange(len(starts) - 1), np.diff(starts.astype(np.int64)))
            district.flags.writeable = False
            self._district = district
        return {**views, "district": self._district}

    def snapshot(self) -> pd.DataFrame:
        """The voters' state after the last week run, as a tidy DataFrame: week, voter, district and VOTER_COLUMNS (a copy)."""
        if self.week == 0:
            raise ValueError("no week has been run yet: step() first (voters() shows the starting state)")
        v = self.voters()
        n = len(v["party"])
        return pd.DataFrame(
            {
                "week": np.full(n, self.week - 1, dtype=np.int64),
                "voter": np.arange(n, dtype=np.int64),
                "district": v["district"].astype(np.int64),
                **{c: np.array(v[c]) for c in VOTER_COLUMNS},
            }
        )

    # ---- intervening ----

    def schedule(self, kind: str, week: int | None = None, date: str | None = None, magnitude: float = 1.0) -> None:
        """Schedule a shock of `kind` on a week (or date) not yet run, as the scenario's `events` list.

        A shock scheduled before its week lands exactly as if the scenario
        had listed it from the start.
        """
        if week is not None:
            week = _whole(week, "week", 0)
            if week >= self.horizon:
                raise ConfigError(f"week: falls in week {week}, outside the horizon 0..{self.horizon}")
        self._core.schedule(kind, week, date, float(magnitude))
        self._log.append({"week": self.week, "action": "schedule", "what": kind,
                          "value": float(magnitude), "at": week if week is not None else date})

    def propose(self, rung: int | str) -> None:
        """Make the president openly propose `rung` (a number 1-5 or a name in `acsa.RUNGS`) this week.

        The proposal then runs its course like any other: it may be
        retreated from, collapse (Tokyo, a consent vote, the Diet) or be
        signed. Refused while a proposal or a termination notice is pending.
        """
        if isinstance(rung, str):
            if rung not in RUNGS[1:]:
                raise ConfigError(f"rung: no rung '{rung}'; expected one of {', '.join(RUNGS[1:])}")
            rung = RUNGS.index(rung)
        rung = _whole(rung, "rung", 0)
        if not 1 <= rung < len(RUNGS):
            raise ConfigError(f"rung: must be 1 to {len(RUNGS) - 1}, got {rung}")
        self._core.propose(rung)
        self._log.append({"week": self.week, "action": "propose", "what": RUNGS[rung],
                          "value": float(rung), "at": self.week})

    def set(self, path: str, value: Any, from_week: int | None = None) -> None:
        """Change a parameter from week `from_week` on (default: the next week to run).

        The change is checked now as a change of the scenario (a bad value
        is a ConfigError naming the path). Only the sections a run reads
        afresh each week can change (`LIVE_SECTIONS`: the shocks); the rest
        is fixed when the run starts.
        """
        start = self.week if from_week is None else _whole(from_week, "from_week", 0)
        if start < self.week:
            raise ConfigError(f"from_week: week {start} has been run (the world is at week {self.week})")
        if start >= self.horizon:
            raise ConfigError(f"from_week: week {start} is past the horizon ({self.horizon} weeks)")
        if not isinstance(path, str) or not any(path == s or path.startswith(s + ".") for s in LIVE_SECTIONS):
            raise ConfigError(
                f"{path}: fixed when the run starts; during a run only "
                + ", ".join(f"{s}.*" for s in LIVE_SECTIONS) + " can change (set it in the scenario)"
            )
        self._future_scenario(start).replace({path: value})  # checks the value now
        self._pending.append((start, path, value))
        self._pending.sort(key=lambda c: c[0])
        self._log.append({"week": self.week, "action": "set", "what": path, "value": value, "at": start})
        self._apply_due()

    @property
    def interventions(self) -> pd.DataFrame:
        """What was done to the run: the week it was asked (`week`), `action`, `what`, `value`, and `at` (when it acts)."""
        return pd.DataFrame(self._log, columns=["week", "action", "what", "value", "at"])

    def _future_scenario(self, week: int) -> Scenario:
        sc = self.scenario
        for w, path, value in self._pending:
            if w <= week:
                sc = sc.replace({path: value})
        return sc

    def _apply_due(self) -> None:
        due = [c for c in self._pending if c[0] <= self.week]
        if not due:
            return
        self._pending = [c for c in self._pending if c[0] > self.week]
        sc = self.scenario
        for _, path, value in due:
            sc = sc.replace({path: value})
        self._core.retune(sc.to_json(indent=None))
        self.scenario = sc

    # ---- observing a whole run ----

    def observe(
        self,
        snapshots: Iterable[int] | None = None,
        reporters: Mapping[str, Reporter] | None = None,
        every: int = 1,
    ) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
        """Run to the horizon, taking voter snapshots after the given weeks and calling reporters.

        snapshots: weeks after which to copy every voter's state (see `snapshot()`).
        reporters: {name: f(world) -> number}, called after weeks 0, every, 2*every, ...
        Returns (snapshots DataFrame or None, reporters DataFrame with `week` and one column per name, or None).
        """
        weeks = check_snapshots(snapshots, self.horizon)
        if weeks and weeks[0] < self.week:
            raise ConfigError(f"snapshots: week {weeks[0]} has been run (the world is at week {self.week})")
        reporters = check_reporters(reporters)
        every = _whole(every, "every", 1)
        due = set(weeks)
        if reporters:
            due |= set(range(0, self.horizon, every))
        due = {w for w in due if w >= self.week}
        shots: list[pd.DataFrame] = []
        rows: list[dict[str, Any]] = []
        for w in sorted(due):
            self.step(w + 1 - self.week)
            if w in weeks:
                shots.append(self.snapshot())
            if reporters and w % every == 0:
                rows.append({"week": w, **{name: _report(name, f, self) for name, f in reporters.items()}})
        self.step(self.horizon - self.week)
        snaps = pd.concat(shots, ignore_index=True) if weeks else None
        table = pd.DataFrame(rows, columns=["week", *reporters]) if reporters else None
        return snaps, table

    def __repr__(self) -> str:
        return f"<acsa.World seed={self.seed}: week {self.week} of {self.horizon} ({self.date.date()})>"


def observed(
    scenario_json: str,
    seed: bytes,
    indptr: np.ndarray | None,
    indices: np.ndarray | None,
    columns: list[str] | None,
    reporters: Mapping[str, Reporter],
    every: int,
) -> _core.RunResult:
    """One run of a sweep stepped through a World with reporters, as the core's batches give it.

    `series` holds the recorded `columns` and each reporter, every `every`
    weeks. An error (a reporter's or the core's) fails this run alone; a run a
    stop request cut short has neither outcome nor error, as in the core's batches.
    """
    try:
        world = World.__new__(World)
        world._attach(_core.World(scenario_json, seed, indptr, indices), Scenario.from_json(scenario_json), seed)
        _, reported = world.observe(reporters=reporters, every=every)
        run = world.run()
    except KeyboardInterrupt:
        return _core.RunResult()  # stopped by the sweep's Ctrl-C or SIGTERM: cut short, not failed
    except Exception as e:
        return _core.RunResult(error=f"{type(e).__name__}: {e}")
    assert reported is not None
    table = run.series
    series = {c: table[c].to_numpy()[::every] for c in columns or ["week"]}
    series.update({name: reported[name].to_numpy() for name in reporters})
    return _core.RunResult(outcome=run.outcome, series=series)


def check_snapshots(snapshots: Iterable[int] | None, horizon: int) -> list[int]:
    """The snapshot weeks, sorted and checked against the horizon."""
    if snapshots is None:
        return []
    if isinstance(snapshots, (str, bytes)) or not isinstance(snapshots, Iterable):
        raise ConfigError(f"snapshots: expected a list of weeks, got {snapshots!r}")
    weeks = sorted({_whole(w, "snapshots", 0) for w in snapshots})
    if weeks and weeks[-1] >= horizon:
        raise ConfigError(f"snapshots: week {weeks[-1]} is past the horizon (weeks 0..{horizon - 1})")
    return weeks


def check_reporters(reporters: Mapping[str, Reporter] | None) -> dict[str, Reporter]:
    """The reporters, each a callable under a name that is not `week`."""
    if reporters is None:
        return {}
    if not isinstance(reporters, Mapping):
        raise ConfigError(f"reporters: expected a dict of name -> function(world), got {type(reporters).__name__}")
    for name, f in reporters.items():
        if not isinstance(name, str) or not name or name in ("week", "run_index"):
            raise ConfigError(f"reporters: {name!r} cannot name a reporter")
        if not callable(f):
            raise ConfigError(f"reporters.{name}: expected a function of the world, got {type(f).__name__}")
    return dict(reporters)


def _report(name: str, f: Reporter, world: World) -> float:
    value = f(world)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        raise ConfigError(f"reporters.{name}: must return a number, returned {type(value).__name__}")
    return float(value)


def _whole(value: Any, name: str, least: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ConfigError(f"{name}: expected a whole number, got {value!r}")
    if int(value) < least:
        raise ConfigError(f"{name}: must be at least {least}, got {int(value)}")
    return int(value)
