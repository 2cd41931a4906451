"""Experimental designs: which parameter points a sweep runs, and how often.

A design is a list of points (each a dict of dotted parameter paths to
values) and a number of replicates. Run i of a sweep is point
``i // replicates``, replicate ``i % replicates``, and is seeded with
numpy's ``SeedSequence(seed, spawn_key=(i,))``.

Latin hypercube, Sobol (Saltelli's scheme) and Morris designs use SALib's
samplers and its problem dict, ``{"num_vars", "names", "bounds"}``, so the
design's ``problem`` and the sweep's outputs go straight into SALib's
analysers::

    from SALib.analyze import sobol
    d = acsa.designs.sobol({"voters.cohort_shift": (0, 0.1), "shocks.intensity": (0.5, 3)}, 64)
    sw = acsa.sweep(sc, d, replicates=4)
    sobol.analyze(d.problem, sw.y("final_approval"))
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import math
import numbers
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._core import ConfigError
from .scenario import check_path, plain_value, read_text

__all__ = ["Design", "grid", "latin_hypercube", "sobol", "saltelli", "morris", "table", "levels", "as_design", "check_values"]

KINDS = ("grid", "latin_hypercube", "sobol", "morris", "table")
# The largest designs: beyond these a typo (replicates = 10**12) would only fill memory.
MAX_POINTS = 10**7
MAX_REPLICATES = 10**6
MAX_RUNS = 10**9


class Design:
    """Parameter points, each run `replicates` times.

    `points` is a list of dicts (dotted path -> value), `names` the paths,
    `problem` SALib's problem dict (None for grids and tables) and `X` the
    sample matrix, one row per point, in the order SALib expects.
    """

    def __init__(
        self,
        kind: str,
        names: Sequence[str],
        points: Sequence[Mapping[str, Any]],
        replicates: int = 1,
        problem: Mapping[str, Any] | None = None,
        grid: Mapping[str, Sequence[Any]] | None = None,
        options: Mapping[str, Any] | None = None,
    ):
        if kind not in KINDS:
            raise ConfigError(f"design: unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
        self.kind = kind
        self.names = list(names)
        self.points = [dict(p) for p in points]
        self.replicates = _check_replicates(replicates)
        self.problem = dict(problem) if problem is not None else None
        self.grid = {k: list(v) for k, v in grid.items()} if grid is not None else None
        self.options = dict(options or {})
        if not self.points:
            raise ConfigError("design: has no points")
        _check_size(len(self.points), self.replicates)

    @property
    def n_points(self) -> int:
        return len(self.points)

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replicates

    @property
    def X(self) -> np.ndarray:
        """The points as a float matrix (points x names), for SALib's analysers.

        A categorical parameter (see `levels`) is the middle of its level's share of [0, 1].
        """
        cats = (self.problem or {}).get("levels", {})
        try:
            return np.array(
                [[_unit(p[n], cats[n]) if n in cats else float(p[n]) for n in self.names] for p in self.points],
                dtype=float,
            ).reshape(len(self.points), len(self.names))
        except (TypeError, ValueError):
            raise ConfigError("design: X needs every parameter value to be a number") from None

    def with_replicates(self, replicates: int) -> "Design":
        return Design(self.kind, self.names, self.points, replicates, self.problem, self.grid, self.options)

    def to_frame(self) -> pd.DataFrame:
        """One row per point: the point number and its parameter values."""
        cols = {n: [p[n] for p in self.points] for n in self.names}
        return pd.DataFrame({"point": np.arange(len(self.points), dtype=np.int64), **cols})

    def column_types(self) -> dict[str, str]:
        """How each parameter column is stored: bool, int, float, str, or json."""
        return {n: _column_type([p[n] for p in self.points]) for n in self.names}

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-able) that `Design.from_dict` turns back into this design."""
        return {
            "kind": self.kind,
            "names": self.names,
            "points": [[p[n] for n in self.names] for p in self.points],
            "replicates": self.replicates,
            "problem": self.problem,
            "grid": self.grid,
            "options": self.options,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Design":
        names = list(d["names"])
        points = [dict(zip(names, row)) for row in d["points"]]
        return cls(d["kind"], names, points, d["replicates"], d.get("problem"), d.get("grid"), d.get("options"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Design):
            return NotImplemented
        return json.dumps(self.to_dict(), sort_keys=True) == json.dumps(other.to_dict(), sort_keys=True)

    def __repr__(self) -> str:
        return (
            f"<acsa.Design {self.kind}: {self.n_points} points x {self.replicates} replicates "
            f"= {self.n_runs} runs over {', '.join(self.names) or 'no parameters'}>"
        )


# ---- the designs ------------------------------------------------------------


def grid(values: Mapping[str, Sequence[Any]], replicates: int = 1) -> Design:
    """Every combination of the values (full factorial); the last path varies fastest.

    ``grid({"voters.cohort_shift": [0, 0.05], "shocks.intensity": [1, 2, 3]})``
    has 6 points. An empty dict is one point: the scenario as it is.
    """
    values = _check_grid(values)
    _check_size(math.prod(len(v) for v in values.values()), _check_replicates(replicates))
    points = [dict(zip(values, combo)) for combo in itertools.product(*values.values())]
    return Design("grid", list(values), points, replicates, grid=values)


def latin_hypercube(problem: Mapping[str, Any], n: int, replicates: int = 1, seed: int = 0) -> Design:
    """`n` points by Latin hypercube sampling within the bounds (SALib's sampler).

    problem: SALib's ``{"num_vars", "names", "bounds"}`` or simply
    ``{"path": (low, high), ...}``. seed makes the sample reproducible.
    """
    problem = as_problem(problem)
    n = _check_count(n, "n", MAX_POINTS)
    _require_salib()
    from SALib.sample import latin

    X = latin.sample(copy.deepcopy(problem), n, seed=_check_design_seed(seed))
    return _sampled("latin_hypercube", problem, X, replicates, {"n": n, "seed": seed})


def sobol(
    problem: Mapping[str, Any],
    n: int,
    replicates: int = 1,
    calc_second_order: bool = True,
    seed: int = 0,
) -> Design:
    """Saltelli's sampling scheme for Sobol indices (SALib's sobol sampler).

    Gives n * (2D + 2) points, or n * (D + 2) with calc_second_order=False,
    for D parameters; n should be a power of 2. Pass the same
    calc_second_order to ``SALib.analyze.sobol.analyze``.
    """
    problem = as_problem(problem)
    d = problem["num_vars"]
    n = _check_count(n, "n", MAX_POINTS // (2 * d + 2 if calc_second_order else d + 2))
    _require_salib()
    from SALib.sample import sobol as sobol_sampler

    X = sobol_sampler.sample(copy.deepcopy(problem), n, calc_second_order=bool(calc_second_order), seed=_check_design_seed(seed))
    options = {"n": n, "calc_second_order": bool(calc_second_order), "seed": seed}
    return _sampled("sobol", problem, X, replicates, options)


saltelli = sobol


def morris(
    problem: Mapping[str, Any],
    trajectories: int,
    replicates: int = 1,
    levels: int = 4,
    seed: int = 0,
) -> Design:
    """Morris elementary-effects design: trajectories * (D + 1) points (SALib's sampler).

    Analyse with ``SALib.analyze.morris.analyze(d.problem, d.X, sw.y(...), num_levels=levels)``.
    """
    problem = as_problem(problem)
    trajectories = _check_count(trajectories, "trajectories", MAX_POINTS // (problem["num_vars"] + 1))
    levels = _check_count(levels, "levels", 1000, minimum=2)
    _require_salib()
    from SALib.sample import morris as morris_sampler

    X = morris_sampler.sample(copy.deepcopy(problem), trajectories, num_levels=levels, seed=_check_design_seed(seed))
    options = {"trajectories": trajectories, "levels": levels, "seed": seed}
    return _sampled("morris", problem, X, replicates, options)


def table(points: Any, replicates: int = 1) -> Design:
    """Your own points: a DataFrame (one column per parameter path), a list of dicts, or a CSV path."""
    if isinstance(points, str) or hasattr(points, "__fspath__"):
        points = _read_csv(Path(points))
    if isinstance(points, pd.DataFrame):
        frame = points
    elif isinstance(points, Mapping):
        frame = pd.DataFrame(points)
    elif isinstance(points, Sequence) and all(isinstance(p, Mapping) for p in points):
        frame = pd.DataFrame(list(points))
    else:
        raise ConfigError(f"table: expected a DataFrame, a list of dicts or a CSV path, got {type(points).__name__}")
    names = [str(c) for c in frame.columns]
    for name in names:
        check_path(name)
    rows = []
    for i, values in enumerate(frame.itertuples(index=False, name=None)):
        row = {}
        for name, value in zip(names, values):
            if _is_missing(value):
                raise ConfigError(f"{name}: table row {i} has no value")
            row[name] = plain_value(value, name)
        rows.append(row)
    if not rows:
        raise ConfigError("table: has no rows")
    return Design("table", names, rows, replicates)


class levels(tuple):
    """The values of a categorical parameter in a sampled design: each point takes one, equally likely.

    ``acsa.designs.sobol({"shocks.intensity": (0.5, 3), "network.kind": levels("watts_strogatz", "sbm")}, 64)``.
    A plain list does the same for a parameter that is not a number (``"ladder.drills": [True,
    False]``); a numeric parameter needs `levels` (a pair of numbers is its bounds). The sampler
    draws a number u in [0, 1) as for any parameter and takes level floor(u k) of the k levels,
    so Sobol and Morris indices of the categorical parameter stay valid.
    """

    def __new__(cls, *values: Any) -> "levels":
        if len(values) == 1 and isinstance(values[0], (list, tuple)) and not isinstance(values[0], levels):
            values = tuple(values[0])
        return super().__new__(cls, values)


def as_design(design: Any, replicates: int | None = None) -> Design:
    """A Design from a Design, a grid dict, a DataFrame of points, or None (one point)."""
    if design is None:
        design = grid({})
    elif isinstance(design, pd.DataFrame):
        design = table(design)
    elif isinstance(design, Mapping):
        design = grid(design)
    elif not isinstance(design, Design):
        raise ConfigError(
            f"design: expected a grid dict, an acsa.designs design or a DataFrame of points, got {type(design).__name__}"
        )
    if replicates is not None:
        replicates = _check_replicates(replicates)
        if design.replicates not in (1, replicates):
            raise ConfigError(
                f"replicates: the design already has {design.replicates} replicates; give replicates once"
            )
        design = design.with_replicates(replicates)
    return design


# ---- problems and checks ------------------------------------------------------


def as_problem(problem: Mapping[str, Any]) -> dict[str, Any]:
    """SALib's problem dict from itself or from {path: (low, high)}; checks the paths."""
    if not isinstance(problem, Mapping):
        raise ConfigError(f"problem: expected a dict, got {type(problem).__name__}")
    if "names" in problem or "bounds" in problem:
        out = {k: v for k, v in problem.items()}
        names = [str(n) for n in out.get("names", [])]
        bounds = [list(b) for b in out.get("bounds", [])]
    else:
        names = [str(n) for n in problem]
        bounds = [list(b) if isinstance(b, (list, tuple, np.ndarray)) else b for b in problem.values()]
        out = {}
    if not names:
        raise ConfigError("problem: names no parameters")
    if len(bounds) != len(names):
        raise ConfigError(f"problem: {len(names)} names but {len(bounds)} bounds")
    if "num_vars" in out and out["num_vars"] != len(names):
        raise ConfigError(f"problem: num_vars is {out['num_vars']} but there are {len(names)} names")
    if len(set(names)) != len(names):
        raise ConfigError("problem: a parameter is named twice")
    kinds = _parameter_kinds()
    categories = dict(out.get("levels", {}))
    ranges = _parameter_ranges()
    for j, (name, b) in enumerate(zip(names, bounds)):
        check_path(name)
        given = problem.get(name) if "names" not in problem else None
        if isinstance(given, levels) or (kinds.get(name) not in ("int", "float") and isinstance(given, list)):
            values = [plain_value(v, name) for v in b]
            if not values:
                raise ConfigError(f"{name}: levels must name at least one value")
            if len({json.dumps(v, sort_keys=True) for v in values}) != len(values):
                raise ConfigError(f"{name}: a level is given twice")
            from .scenario import Scenario

            base = Scenario.default()
            for v in values:
                base.replace({name: v})  # a level the parameter cannot take fails here, naming it
            categories[name] = values
            bounds[j] = [0.0, 1.0]
            continue
        if name in categories:
            bounds[j] = [0.0, 1.0]
            continue
        if kinds.get(name) not in ("int", "float"):
            raise ConfigError(
                f"{name}: only numeric parameters take (low, high); give a list of levels for it, "
                "or use a grid or a table"
            )
        if not isinstance(b, list) or len(b) != 2:
            raise ConfigError(f"{name}: bounds must be (low, high), got {b!r}")
        lo, hi = (plain_value(v, name) for v in b)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lo, hi)):
            raise ConfigError(f"{name}: bounds must be finite numbers, got {b!r}")
        if not (out.get("dists") or lo < hi):
            raise ConfigError(f"{name}: low bound {lo} must be below high bound {hi}")
        pmin, pmax = ranges[name]
        if not out.get("dists"):
            if lo < pmin:
                raise ConfigError(f"{name}: low bound {lo} is below the parameter's minimum {pmin:g}")
            if hi > pmax:
                raise ConfigError(f"{name}: high bound {hi} is above the parameter's maximum {pmax:g}")
    out["num_vars"] = len(names)
    out["names"] = names
    out["bounds"] = [[float(v) for v in b] for b in bounds]
    if categories:
        out["levels"] = categories
    return out


def _sampled(kind: str, problem: dict[str, Any], X: np.ndarray, replicates: int, options: dict[str, Any]) -> Design:
    names = problem["names"]
    kinds = _parameter_kinds()
    cats = problem.get("levels", {})
    X = np.array(X, dtype=float)
    # Whole-number parameters (voters.n, weeks, seats) are rounded; X keeps the values run.
    ints = [j for j, n in enumerate(names) if kinds[n] == "int" and n not in cats]
    X[:, ints] = np.rint(X[:, ints])
    columns: list[list[Any]] = []
    for j, n in enumerate(names):
        if n in cats:
            k = len(cats[n])
            columns.append([cats[n][i] for i in np.minimum((X[:, j] * k).astype(np.int64), k - 1)])
        else:
            columns.append(X[:, j].astype(np.int64).tolist() if j in ints else X[:, j].tolist())
    points = [dict(zip(names, row)) for row in zip(*columns)]
    return Design(kind, names, points, replicates, problem=problem, options=options)


def _unit(value: Any, values: list[Any]) -> float:
    """A categorical value's place in [0, 1]: the middle of its level's share."""
    key = json.dumps(value, sort_keys=True)
    i = [json.dumps(v, sort_keys=True) for v in values].index(key)
    return (i + 0.5) / len(values)


@lru_cache(maxsize=1)
def _parameter_ranges() -> dict[str, tuple[float, float]]:
    """Each numeric parameter's valid range, as the core states it."""
    return {r["path"]: (r["min"], r["max"]) for r in _core.parameters() if r["min"] is not None}


@lru_cache(maxsize=1)
def _parameter_kinds() -> dict[str, str]:
    out = {}
    for row in _core.parameters():
        d = row["default"]
        out[row["path"]] = (
            "bool" if isinstance(d, bool) else "int" if isinstance(d, int) else "float" if isinstance(d, float) else "other"
        )
    return out


def check_values(name: str, values: Sequence[Any]) -> None:
    """Each value of a design's column against its parameter's range, without the other parameters.

    A number outside the range is a ConfigError naming the first point that
    has it. Rules across parameters (and names, dates, lists) are checked
    when a point's scenario is made.
    """
    lo, hi = _parameter_ranges().get(name, (-math.inf, math.inf))
    try:
        x = np.asarray(values)
    except ValueError:  # lists of different lengths: not numbers
        return
    if x.ndim != 1 or x.dtype.kind not in "iuf":
        return  # not all numbers (or booleans): their rules are checked with each point
    bad = np.flatnonzero(~((x >= lo) & (x <= hi)))
    if len(bad):
        k = int(bad[0])
        raise ConfigError(f"{name}: must be between {lo:g} and {hi:g}, got {values[k]!r} (design point {k})")


def _check_grid(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    if not isinstance(values, Mapping):
        raise ConfigError(
            f"grid: expected a dict of parameter path -> list of values, got {type(values).__name__}"
        )
    out: dict[str, list[Any]] = {}
    for path, vals in values.items():
        check_path(path)
        if isinstance(vals, (str, bytes, Mapping)) or not hasattr(vals, "__iter__"):
            raise ConfigError(f"{path}: grid values must be a list, got {vals!r}")
        vals = [plain_value(v, path) for v in vals]
        if not vals:
            raise ConfigError(f"{path}: grid has no values")
        out[path] = vals
    return out


def _column_type(values: list[Any]) -> str:
    types = set(map(type, values))
    if types == {bool}:
        return "bool"
    if types == {int}:
        return "int"
    if types and types <= {int, float}:
        return "float"
    if types == {str}:
        return "str"
    return "json"


def _check_replicates(replicates: Any) -> int:
    return _check_count(replicates, "replicates", MAX_REPLICATES)


def _check_count(n: Any, name: str, maximum: int, minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not minimum <= int(n) <= maximum:
        raise ConfigError(f"{name}: must be an integer from {minimum} to {maximum:,}, got {n!r}")
    return int(n)


def _check_size(points: int, replicates: int) -> None:
    if points > MAX_POINTS:
        raise ConfigError(f"design: has {points:,} points, more than the {MAX_POINTS:,} a design may have")
    if points * replicates > MAX_RUNS:
        raise ConfigError(
            f"replicates: {points:,} points x {replicates:,} replicates is {points * replicates:,} runs, "
            f"more than the {MAX_RUNS:,} a sweep may have"
        )


def _check_design_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ConfigError(f"seed: must be a non-negative integer, got {seed!r}")
    return int(seed)


def _read_csv(path: Path) -> pd.DataFrame:
    """A table of points from a CSV file; a file that cannot be read as one is a ConfigError."""
    text = read_text(path)
    try:
        return pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        raise ConfigError(f"{path}: not a table of points ({str(e).strip().splitlines()[0] if str(e).strip() else e})") from None


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _require_salib() -> None:
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise ImportError(
            "Latin hypercube, Sobol and Morris designs need SALib: pip install 'acsa[sweeps]' (or pip install SALib)"
        ) from None
