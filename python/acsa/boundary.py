"""The viability boundary, sampled adaptively: where does P(viable) cross a level?

    b = acsa.boundary.sample(sc, {"voters.cohort_shift": (0, 0.1), "shocks.intensity": (0.5, 3)},
                             level=0.5, accuracy=0.05, store="results/boundary")
    b.estimate        # P(viable) on a fine lattice, with its interval and side of the level
    b.history         # per round: points, runs so far, share of the box still uncertain
    acsa.plots.boundary(b)

A grid spends most of its runs far from the boundary, where one look says
P(viable) is well above or well below the level. This sampler starts from a
coarse grid and then, round by round, runs new points where it is least sure
which side of the level P(viable) lies on, until the region it cannot
classify covers at most `accuracy` of the parameter box.

The estimate at any point is a kernel-weighted share of viable runs (a
Gaussian kernel of width `bandwidth` in units of each parameter's range),
with a Wilson 95% interval at the kernel's effective number of runs. A
point is *above* the level when the whole interval is, *below* when it is
below, and *uncertain* otherwise. Each round picks `batch` points of the
uncertain band around the level, at least a bandwidth apart: first those
nearest to being settled, where the estimate's distance from the level is
largest against the interval's half-width, so the band narrows from its
edges onto the boundary. (Picking the points nearest the level instead,
the straddle rule of Bryan et al. 2005, spends the runs where P(viable) is
so close to the level that no number of runs settles it:
benchmarks/boundary.py and BENCHMARKS.md compare.) Each point is run
`replicates` times.

Every round is an ordinary sweep (a table design) in ``store/round-NNN``,
seeded from `seed` and the round number, on any executor. Running the same
call again resumes: finished rounds are read back, the same points follow
from them, and only the runs not yet done are run.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ._core import ConfigError
from .scenario import Scenario, as_scenario
from .stats import wilson

__all__ = ["sample", "Boundary", "estimate"]

# Lattice points per parameter on which the estimate is judged, by number of parameters.
LATTICE = {1: 201, 2: 41, 3: 15}
SETTINGS = "boundary.json"


@dataclass
class Boundary:
    """An adaptive sampling of the boundary where P(viable) crosses `level`."""

    names: list[str]
    bounds: list[tuple[float, float]]
    level: float
    accuracy: float
    bandwidth: float
    runs: pd.DataFrame
    history: pd.DataFrame
    estimate: pd.DataFrame
    converged: bool
    complete: bool

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    @property
    def points(self) -> pd.DataFrame:
        """Each point run: its parameters, round, n, viable and P(viable) with its Wilson interval."""
        ok = self.runs[self.runs["error"].isna()]
        g = ok.groupby(["round", "point"], sort=True)
        table = g[self.names].first()
        table["n"] = g.size()
        table["viable"] = g["viable"].sum().astype(int)
        table["p"] = table["viable"] / table["n"]
        table["lo"], table["hi"] = wilson(table["viable"].to_numpy(), table["n"].to_numpy())
        return table.reset_index()

    @property
    def uncertain_share(self) -> float:
        return float((self.estimate["side"] == "uncertain").mean())

    def __repr__(self) -> str:
        state = "converged" if self.converged else "not converged" if self.complete else "interrupted"
        return (
            f"<acsa.Boundary P(viable) = {self.level:g} over {', '.join(self.names)}: {len(self.history)} rounds, "
            f"{self.n_runs} runs, {self.uncertain_share:.1%} of the box uncertain (target {self.accuracy:.1%}); {state}>"
        )


def sample(
    scenario: Scenario | Mapping[str, Any] | str | os.PathLike[str] | None,
    bounds: Mapping[str, tuple[float, float]],
    level: float = 0.5,
    accuracy: float = 0.05,
    replicates: int = 4,
    initial: int = 5,
    batch: int = 8,
    max_runs: int = 2000,
    bandwidth: float | None = None,
    seed: int = 0,
    store: str | os.PathLike[str] | None = None,
    executor: Any = None,
    progress: bool = True,
) -> Boundary:
    """Sample the boundary P(viable) = `level` over 1 to 3 numeric parameters.

    bounds: {path: (low, high)} of each parameter.
    accuracy: stop when the share of the box whose side of the level is uncertain is at most this.
    replicates: runs per point; initial: points per parameter of the first, coarse grid;
    batch: points added per round; max_runs: stop after this many runs even if not converged.
    bandwidth: the kernel's width in units of each parameter's range (default: half the
        initial grid's spacing).
    store: a directory; the rounds are sweeps in store/round-000, round-001, ... and running
        the same call again resumes. executor: as in `acsa.sweep`.
    """
    from . import designs
    from .sweep import sweep

    sc = as_scenario(scenario)
    problem = designs.as_problem(dict(bounds))
    names, box = problem["names"], [tuple(b) for b in problem["bounds"]]
    d = len(names)
    if d not in LATTICE:
        raise ConfigError(f"bounds: the boundary sampler works on 1 to 3 parameters, got {d}")
    if not 0.0 < level < 1.0:
        raise ConfigError(f"level: must be between 0 and 1, got {level!r}")
    if not 0.0 < accuracy < 1.0:
        raise ConfigError(f"accuracy: must be a share between 0 and 1, got {accuracy!r}")
    for name, value, low in (("replicates", replicates, 1), ("initial", initial, 2), ("batch", batch, 1),
                             ("max_runs", max_runs, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"{name}: must be an integer >= {low}, got {value!r}")
    if bandwidth is None:
        bandwidth = 0.5 / (initial - 1)
    if not 0.0 < bandwidth <= 1.0:
        raise ConfigError(f"bandwidth: must be in (0, 1], a share of each parameter's range, got {bandwidth!r}")
    root = Path(store) if store is not None else None
    settings = {
        "scenario": sc.to_dict(), "names": names, "bounds": box, "level": level, "accuracy": accuracy,
        "replicates": replicates, "initial": initial, "batch": batch, "max_runs": max_runs,
        "bandwidth": bandwidth, "seed": seed,
    }
    if root is not None:
        _check_settings(root, settings)

    # Whole-number parameters (seats, weeks) are rounded to the values actually run.
    kinds = {n: "int" if isinstance(sc[n], int) and not isinstance(sc[n], bool) else "float" for n in names}
    lattice = _lattice(d)
    unit = _grid(initial, d)
    frames: list[pd.DataFrame] = []
    history = []
    converged = complete = False
    rnd = 0
    while True:
        points = _to_values(unit, box, names, kinds)
        design = designs.table(points, replicates=replicates)
        round_store = root / f"round-{rnd:03d}" if root is not None else None
        sw = sweep(sc, design, seed=_round_seed(seed, rnd), store=round_store, executor=executor, progress=progress)
        runs = sw.runs
        runs.insert(0, "round", rnd)
        frames.append(runs)
        if not sw.complete:
            break
        all_runs = pd.concat(frames, ignore_index=True)
        est = estimate(all_runs, names, box, level, bandwidth, lattice)
        share = float((est["side"] == "uncertain").mean())
        history.append({"round": rnd, "points": len(points), "runs": len(all_runs), "uncertain_share": share})
        converged = share <= accuracy
        if converged or len(all_runs) + batch * replicates > max_runs:
            complete = True
            break
        unit = _next_points(est, names, box, level, bandwidth, batch)
        if not len(unit):
            complete = True
            break
        rnd += 1
    all_runs = pd.concat(frames, ignore_index=True)
    est = estimate(all_runs, names, box, level, bandwidth, lattice)
    if complete and not converged:
        warnings.warn(
            f"boundary: stopped at max_runs = {max_runs} with {(est['side'] == 'uncertain').mean():.1%} of the box "
            f"uncertain (target {accuracy:.1%}); raise max_runs or replicates, or loosen accuracy",
            RuntimeWarning,
            stacklevel=2,
        )
    return Boundary(names, box, level, accuracy, bandwidth, all_runs, pd.DataFrame(history), est, converged, complete)


def estimate(
    runs: pd.DataFrame,
    names: list[str],
    bounds: list[tuple[float, float]],
    level: float,
    bandwidth: float,
    lattice: np.ndarray | None = None,
) -> pd.DataFrame:
    """Kernel-smoothed P(viable) on the lattice, with Wilson 95% intervals and the side of `level`.

    Returns one row per lattice point: the parameters, p, lo, hi, n_eff (the kernel's
    effective number of runs) and side ("above", "below" or "uncertain").
    """
    if lattice is None:
        lattice = _lattice(len(names))
    ok = runs[runs["error"].isna()]
    g = ok.groupby([ok[n] for n in names], sort=False)["viable"]
    k = g.sum().to_numpy(dtype=float)
    n = g.size().to_numpy(dtype=float)
    at = np.array(g.size().index.to_list(), dtype=float).reshape(len(n), len(names))
    u = _to_unit(at, bounds)
    dist2 = ((lattice[:, None, :] - u[None, :, :]) ** 2).sum(axis=2)
    w = np.exp(-dist2 / (2.0 * bandwidth**2))
    wn = w @ n
    p = (w @ k) / wn
    n_eff = wn**2 / (w**2 @ n)
    lo, hi = wilson(p * n_eff, n_eff)
    side = np.where(lo > level, "above", np.where(hi < level, "below", "uncertain"))
    values = _to_values(lattice, bounds, names, None)
    frame = pd.DataFrame(values)
    frame["p"], frame["lo"], frame["hi"], frame["n_eff"], frame["side"] = p, lo, hi, n_eff, side
    return frame


def _next_points(est: pd.DataFrame, names: list[str], bounds: list[tuple[float, float]], level: float,
                 bandwidth: float, batch: int) -> np.ndarray:
    """`batch` uncertain lattice points nearest to being settled, at least a bandwidth apart."""
    u = _to_unit(est[names].to_numpy(dtype=float), bounds)
    half = np.maximum((est["hi"] - est["lo"]).to_numpy() / 2.0, 1e-12)
    score = np.abs(est["p"].to_numpy() - level) / half
    score = np.where(est["side"].to_numpy() == "uncertain", score, -np.inf)
    chosen: list[np.ndarray] = []
    for i in np.argsort(-score, kind="stable"):
        if not np.isfinite(score[i]) or len(chosen) == batch:
            break
        if all(np.sqrt(((u[i] - c) ** 2).sum()) >= bandwidth for c in chosen):
            chosen.append(u[i])
    return np.array(chosen).reshape(len(chosen), len(names))


def _grid(m: int, d: int) -> np.ndarray:
    axes = np.meshgrid(*[np.linspace(0.0, 1.0, m)] * d, indexing="ij")
    return np.stack([a.ravel() for a in axes], axis=1)


def _lattice(d: int) -> np.ndarray:
    return _grid(LATTICE[d], d)


def _to_unit(x: np.ndarray, bounds: list[tuple[float, float]]) -> np.ndarray:
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    return (x - lo) / (hi - lo)


def _to_values(u: np.ndarray, bounds: list[tuple[float, float]], names: list[str],
               kinds: Mapping[str, str] | None) -> list[dict[str, Any]]:
    lo = np.array([b[0] for b in bounds])
    hi = np.array([b[1] for b in bounds])
    x = lo + u * (hi - lo)
    out = []
    for row in x:
        point = {}
        for j, name in enumerate(names):
            v = float(row[j])
            point[name] = int(round(v)) if kinds is not None and kinds.get(name) == "int" else round(v, 12)
        out.append(point)
    return out


def _round_seed(seed: int, rnd: int) -> int:
    """A root seed for round `rnd`, derived from `seed` (below 2**63, as sweeps need)."""
    return int(np.random.SeedSequence([int(seed), rnd]).generate_state(1, np.uint64)[0] >> np.uint64(1))


def _check_settings(root: Path, settings: dict[str, Any]) -> None:
    path = root / SETTINGS
    text = json.dumps(settings, sort_keys=True, indent=1)
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        for key in settings:
            if json.dumps(old.get(key), sort_keys=True) != json.dumps(json.loads(text)[key], sort_keys=True):
                raise ConfigError(
                    f"store: {root} holds a boundary sampling with another {key}; use a new store to change it"
                )
        return
    root.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{SETTINGS}.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)

