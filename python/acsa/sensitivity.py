"""Global sensitivity of a sweep's outcome: Sobol indices and Morris screening, through SALib.

    d = acsa.designs.sobol({"voters.cohort_shift": (0, 0.1), "shocks.intensity": (0.5, 3)}, 256,
                           calc_second_order=False)
    sw = acsa.sweep(sc, d, replicates=4)
    sw.sobol("viable")                 # S1, ST with 95% intervals, one row per parameter
    sw.sobol("viable", by_year=True)   # the same for P(viable by the end of each year)
    sw.morris("rmst")                  # on a Morris design: mu*, sigma

The outcome is averaged over each point's replicates (`Sweep.y`). Every
outcome of `acsa.outcomes` has a value for runs never viable; `week_viable`
does not, and is refused. The results are tidy DataFrames; when an index
cannot be trusted a `SensitivityWarning` names the cause (a total index
above 1, too few samples, replicate noise swamping the signal, an outcome
that never varies), and the frame's ``attrs["warnings"]`` keeps the text.
"""

from __future__ import annotations

import copy
import os
import sys
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import outcomes
from ._core import ConfigError

if TYPE_CHECKING:
    from .sweep import Sweep

__all__ = ["sobol", "morris", "SensitivityWarning"]

# Fewer base samples than this give Sobol intervals too wide to rank parameters.
MIN_SOBOL_N = 64
# Fewer trajectories than this make Morris's mu* intervals unreliable.
MIN_MORRIS_TRAJECTORIES = 10
# Above this share of the outcome's variance coming from replicates, indices mostly measure noise.
MAX_NOISE_SHARE = 0.5
# The bootstrap of SALib's intervals is seeded, so the same sweep gives the same table
# (not 0: SALib's Sobol analyser takes a seed of 0 as no seed).
RESAMPLE_SEED = 2026

SOBOL_COLUMNS = ("S1", "S1_conf", "S1_lo", "S1_hi", "ST", "ST_conf", "ST_lo", "ST_hi")
MORRIS_COLUMNS = ("mu", "mu_star", "mu_star_conf", "mu_star_lo", "mu_star_hi", "sigma")


class SensitivityWarning(UserWarning):
    """An index that cannot be trusted as it stands; the message names the cause and the remedy."""


def sobol(
    sw: "Sweep", outcome: str = "viable",
    by_year: bool = False, num_resamples: int = 100, conf_level: float = 0.95,
) -> pd.DataFrame:
    """Sobol first-order (S1) and total (ST) indices of `outcome`, with bootstrap intervals.

    sw: a finished sweep of an `acsa.designs.sobol` design.
    outcome: a recorded outcome or one of `acsa.outcomes` (viable, viable_by_K, rmst, max_rung, ...).
    by_year: if True, the indices of P(viable by the end of year 1, 2, ...) of the horizon, one
        block of rows per year (column `week`), instead of `outcome`.

    Returns one row per parameter (and year): parameter, S1, S1_conf, S1_lo, S1_hi, ST, ST_conf,
    ST_lo, ST_hi; and S2 rows in ``attrs["S2"]`` when the design has second-order points.
    """
    _require(sw, "sobol")
    from SALib.analyze import sobol as sobol_analyzer

    second = bool(sw.design.options.get("calc_second_order", True))
    n_base = int(sw.design.options.get("n", 0))

    def one(name: str) -> tuple[pd.DataFrame, list[str]]:
        y, notes = _point_values(sw, name)
        if notes is None:
            return _empty(sw, SOBOL_COLUMNS), [f"{name} is the same at every point: it has no variance to apportion"]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            si = sobol_analyzer.analyze(
                copy.deepcopy(sw.problem), y, calc_second_order=second, num_resamples=num_resamples,
                conf_level=conf_level, seed=RESAMPLE_SEED,
            )
        frame = pd.DataFrame({"parameter": sw.design.names})
        for key in ("S1", "ST"):
            frame[key] = np.asarray(si[key], dtype=float)
            frame[f"{key}_conf"] = np.asarray(si[f"{key}_conf"], dtype=float)
            frame[f"{key}_lo"] = frame[key] - frame[f"{key}_conf"]
            frame[f"{key}_hi"] = frame[key] + frame[f"{key}_conf"]
        if second:
            names = sw.design.names
            rows = [
                {"parameter": names[i], "other": names[j], "S2": si["S2"][i, j], "S2_conf": si["S2_conf"][i, j]}
                for i in range(len(names)) for j in range(i + 1, len(names))
            ]
            frame.attrs["S2"] = pd.DataFrame(rows)
        for row in frame.itertuples():
            if row.ST > 1.0:
                notes.append(f"ST of {row.parameter} is {row.ST:.2f} > 1, which no valid total index can be")
        if n_base < MIN_SOBOL_N:
            notes.append(f"too few samples: the design has n = {n_base} base samples; use at least {MIN_SOBOL_N}")
        wide = frame.loc[frame["ST_conf"] > 0.25, "parameter"].tolist()
        if wide:
            notes.append(f"ST intervals wider than +/-0.25 for {', '.join(wide)}: more samples or replicates")
        return frame, notes

    return _run(sw, "Sobol", outcome, by_year, one)


def morris(
    sw: "Sweep", outcome: str = "viable",
    by_year: bool = False, num_resamples: int = 100, conf_level: float = 0.95,
) -> pd.DataFrame:
    """Morris elementary effects of `outcome`: mu, mu_star (with its interval) and sigma.

    sw: a finished sweep of an `acsa.designs.morris` design. Parameters with a large
    mu_star matter; a large sigma against mu_star means interactions or non-linearity.
    by_year: as in `sobol`.

    Returns one row per parameter (and year): parameter, mu, mu_star, mu_star_conf,
    mu_star_lo, mu_star_hi, sigma.
    """
    _require(sw, "morris")
    from SALib.analyze import morris as morris_analyzer

    levels = int(sw.design.options.get("levels", 4))
    trajectories = int(sw.design.options.get("trajectories", 0))

    def one(name: str) -> tuple[pd.DataFrame, list[str]]:
        y, notes = _point_values(sw, name)
        if notes is None:
            return _empty(sw, MORRIS_COLUMNS), [
                f"{name} is the same at every point: it has no elementary effects"
            ]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            si = morris_analyzer.analyze(
                copy.deepcopy(sw.problem), sw.X, y, num_resamples=num_resamples, conf_level=conf_level,
                num_levels=levels, seed=RESAMPLE_SEED,
            )
        frame = pd.DataFrame({
            "parameter": sw.design.names,
            "mu": np.asarray(si["mu"], dtype=float),
            "mu_star": np.asarray(si["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(si["mu_star_conf"], dtype=float),
            "sigma": np.asarray(si["sigma"], dtype=float),
        })
        frame["mu_star_lo"] = frame["mu_star"] - frame["mu_star_conf"]
        frame["mu_star_hi"] = frame["mu_star"] + frame["mu_star_conf"]
        frame = frame[["parameter", *MORRIS_COLUMNS]]
        if trajectories < MIN_MORRIS_TRAJECTORIES:
            notes.append(
                f"too few samples: the design has {trajectories} trajectories; use at least {MIN_MORRIS_TRAJECTORIES}"
            )
        return frame, notes

    return _run(sw, "Morris", outcome, by_year, one)


# ---- shared -------------------------------------------------------------------


def _require(sw: "Sweep", kind: str) -> None:
    if sw.design.kind != kind:
        raise ConfigError(
            f"design: {kind} indices need a {kind} design (acsa.designs.{kind}), but this sweep ran a "
            f"{sw.design.kind} design"
        )
    done = len(sw.runs)
    if done < sw.n_runs:
        raise ConfigError(f"{kind}: only {done} of {sw.n_runs} runs are done; finish the sweep first")
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise ImportError("sensitivity analysis needs SALib: pip install SALib") from None


def _run(sw: "Sweep", method: str, outcome: str, by_year: bool, one: Any) -> pd.DataFrame:
    if outcome == "week_viable":
        raise ConfigError(
            "outcome: week_viable has no value for runs never viable (censored at the horizon); use rmst "
            "(restricted mean time to viability), viable_by_K or viable (see acsa.outcomes)"
        )
    if not by_year:
        frame, notes = one(outcome)
        frame.insert(0, "outcome", outcome)
    else:
        horizon = int(np.nanmin(outcomes.values(sw.runs, "weeks")))
        weeks = [int(round(52.1775 * y)) for y in range(1, int(horizon / 52.1775) + 1)] or [horizon]
        frames, notes = [], []
        for week in weeks:
            frame, more = one(f"viable_by_{week}")
            frame.insert(0, "week", week)
            frame.insert(0, "outcome", f"viable_by_{week}")
            frames.append(frame)
            notes += [f"week {week}: {m}" for m in more]
        frame = pd.concat(frames, ignore_index=True)
    for note in notes:
        warnings.warn(f"{method} indices of {outcome}: {note}", SensitivityWarning, stacklevel=_outside())
    frame.attrs["warnings"] = list(notes)
    return frame


def _outside() -> int:
    """The stack level of the first caller outside acsa, so a warning points at the user's line."""
    here = os.path.dirname(__file__)
    frame: Any = sys._getframe(2)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(here):
        frame, level = frame.f_back, level + 1
    return level


def _point_values(sw: "Sweep", outcome: str) -> tuple[np.ndarray, list[str] | None]:
    """Mean of `outcome` per point in design order, and notes on it (None if it never varies)."""
    runs = outcomes.finished(sw.runs)
    if outcome in sw.design.names or outcome in ("run_index", "point", "replicate", "seed", "error", "run_id"):
        raise ConfigError(f"outcome: '{outcome}' is a column of the runs table, not an outcome")
    values = outcomes.values(runs, outcome)
    missing = values.isna()
    if missing.any():
        raise ConfigError(
            f"outcome: {outcome} has no value for {int(missing.sum())} of {len(values)} runs "
            "(runs never viable, or horizons shorter than its week); use rmst or viable (see acsa.outcomes)"
        )
    by_point = values.groupby(runs["point"])
    y = by_point.mean().reindex(range(len(sw.points))).to_numpy(dtype=float)
    if np.isnan(y).any():
        raise ConfigError(f"{outcome}: every run of point {int(np.flatnonzero(np.isnan(y))[0])} failed; see .failures")
    if np.ptp(y) == 0.0:
        return y, None
    notes = []
    # Replicate noise: the variance of a point's mean from its replicates alone, against the spread of means.
    within = by_point.var(ddof=1).mean() / sw.replicates if sw.replicates > 1 else 0.0
    share = within / np.var(y, ddof=1) if np.var(y, ddof=1) > 0 else 0.0
    if share > MAX_NOISE_SHARE:
        notes.append(
            f"replicate noise is {share:.0%} of the variance of the point means; run more replicates per point"
        )
    return y, notes


def _empty(sw: "Sweep", columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({"parameter": sw.design.names, **{c: np.nan for c in columns}})
