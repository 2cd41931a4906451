"""Outcomes that respect censoring: every run has a value, viable or not.

A run that never reaches a viable ACSA has no `week_viable`: its time to
viability is *censored* at the end of its horizon (the outcome field
`weeks`). Averaging `week_viable` over the runs that have one, or handing
the NaNs to a sensitivity method, answers the wrong question. These
outcomes are defined for every finished run:

==================  ==========================================================
``viable``          1 if an ACSA was signed and proved viable within the
                    horizon, else 0. Its mean over replicates is P(viable).
``viable_by_K``     1 if viable by week K (e.g. ``viable_by_260``), else 0.
                    Its mean is P(viable by week K), one point of the
                    cumulative incidence curve. Undefined (NaN) for a run
                    whose horizon ends before week K without a viable ACSA.
``rmst``            The week of viability, or the horizon for runs never
                    viable: min(T, horizon). Its mean over replicates is the
                    restricted mean time to viability (RMST), the area under
                    the survival curve up to the horizon; lower is sooner.
``max_rung``        The highest rung of the ladder reached (0 none ... 5
                    full ACSA), recorded by the core for every run.
==================  ==========================================================

`week_viable` itself stays NaN for runs never viable; sensitivity methods
refuse it and name these outcomes instead.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ._core import ConfigError
from .stats import Z95

__all__ = ["CENSORED", "finished", "values", "viable_by", "rmst", "first_election_week", "horizon_warnings", "kaplan_meier"]

# Outcomes computed here from `viable`, `week_viable` and `weeks` (the run's horizon).
CENSORED = ("viable_by_K", "rmst")

_VIABLE_BY = re.compile(r"^viable_by_(\d+)$")


def finished(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs that finished (failed runs have an `error` and no outcome)."""
    return runs[runs["error"].isna()] if "error" in runs else runs


def viable_by(runs: pd.DataFrame, week: int) -> pd.Series:
    """1.0 if the run was viable by `week`, 0.0 if not, NaN if its horizon ended before `week` unresolved."""
    viable = runs["viable"].astype(bool).to_numpy()
    when = _weeks(runs["week_viable"])
    horizon = _weeks(runs["weeks"])
    out = np.where(viable & (when <= week), 1.0, 0.0)
    out[~(viable & (when <= week)) & (horizon < week)] = np.nan
    return pd.Series(out, index=runs.index, name=f"viable_by_{week}")


def rmst(runs: pd.DataFrame) -> pd.Series:
    """min(week viable, horizon) per run: its mean is the restricted mean time to viability."""
    viable = runs["viable"].astype(bool).to_numpy()
    when = _weeks(runs["week_viable"])
    horizon = _weeks(runs["weeks"])
    return pd.Series(np.where(viable, np.minimum(when, horizon), horizon), index=runs.index, name="rmst")


def values(runs: pd.DataFrame, outcome: str) -> pd.Series:
    """One float per run for `outcome`: a recorded outcome field or one of `CENSORED`."""
    m = _VIABLE_BY.match(outcome)
    if m:
        return viable_by(runs, int(m.group(1)))
    if outcome == "rmst":
        return rmst(runs)
    if outcome not in runs.columns:
        raise ConfigError(f"outcome: '{outcome}' is not an outcome (see acsa.outcomes)")
    col = runs[outcome]
    return pd.Series(pd.to_numeric(col.astype("Float64"), errors="coerce").to_numpy(dtype=float, na_value=np.nan),
                     index=runs.index, name=outcome)


def _weeks(col: pd.Series) -> np.ndarray:
    return pd.to_numeric(col.astype("Float64"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


# ---- the short-horizon trap ---------------------------------------------------


def first_election_week(scenario: Any) -> float | None:
    """Week of the first presidential or Assembly election after the start, or None if elections are off."""
    if not scenario["elections.enabled"]:
        return None
    start = pd.Timestamp(scenario["start_date"])
    term_end = pd.Timestamp(scenario["executive.term_start"]) + pd.Timedelta(
        days=365.2425 * float(scenario["executive.term_years"])
    )
    assembly = pd.Timestamp(scenario["elections.assembly_date"])
    years = float(scenario["elections.assembly_years"])
    while assembly < start:
        assembly += pd.Timedelta(days=365.2425 * years)
    while term_end < start:
        term_end += pd.Timedelta(days=365.2425 * float(scenario["executive.term_years"]))
    return min(term_end - start, assembly - start).days / 7.0


def horizon_warnings(scenario: Any, p_viable: np.ndarray) -> list[str]:
    """Why a sweep's result may be empty: every point at P(viable) = 0, or a horizon shorter than the calendar.

    scenario: the sweep's base scenario (its horizon and election calendar).
    p_viable: P(viable) per point.
    """
    out = []
    p = np.asarray(p_viable, dtype=float)
    weeks = int(scenario["horizon_weeks"])
    if len(p) and np.all(np.nan_to_num(p) == 0.0):
        hint = (f"horizon_weeks = {weeks}: under the defaults an ACSA is rarely viable in its first years; "
                "try 520 or more" if weeks < 520 else "try wider ranges, stronger shocks or more replicates")
        out.append(f"no run of this sweep reached a viable ACSA: P(viable) = 0 at every point ({hint})")
    first = first_election_week(scenario)
    if first is not None and weeks < first:
        out.append(
            f"horizon_weeks = {weeks} ends before the first election (week {first:.0f}): no new government, "
            "and so few of the paths to a viable ACSA, fit in the horizon"
        )
    return out


# ---- the survival curve ---------------------------------------------------------


def kaplan_meier(runs: pd.DataFrame, horizon: int | None = None, z: float = Z95) -> pd.DataFrame:
    """Kaplan-Meier estimate of S(t) = P(no viable ACSA by week t), with a 95% band.

    The event is the week viability was reached (`week_viable`); a run never
    viable is censored at its horizon (the outcome field `weeks`, else
    `horizon`). Failed runs are left out. The band is Greenwood's variance on
    the log-log scale (Kalbfleisch and Prentice), which stays inside [0, 1].
    With every run censored at the same horizon, S(t) is simply the share of
    runs not yet viable at t.

    Returns one row per step, from week 0 to the horizon: week, at_risk,
    events, survival, lo, hi. ``1 - survival`` is P(viable by week t).
    """
    runs = finished(runs)
    viable = runs["viable"].astype(bool).to_numpy()
    when = _weeks(runs["week_viable"])
    if "weeks" in runs:
        censor = _weeks(runs["weeks"])
    else:
        censor = np.full(len(runs), np.nan)
    if horizon is None:
        horizon = int(np.nanmax(np.concatenate([censor, when[viable], [1.0]])))
    censor = np.where(np.isnan(censor), float(horizon), censor)
    time = np.where(viable, when, censor)
    event = viable
    rows = [{"week": 0.0, "at_risk": len(runs), "events": 0, "survival": 1.0, "lo": 1.0, "hi": 1.0}]
    surv, greenwood = 1.0, 0.0
    for week in np.unique(time[event]):
        at_risk = int(np.sum(time >= week))
        d = int(np.sum((time == week) & event))
        surv *= 1.0 - d / at_risk
        greenwood += d / (at_risk * (at_risk - d)) if at_risk > d else np.inf
        rows.append({"week": float(week), "at_risk": at_risk, "events": d, "survival": surv,
                     **dict(zip(("lo", "hi"), _loglog(surv, greenwood, z)))})
    last = dict(rows[-1])
    last.update(week=float(horizon), at_risk=int(np.sum(time >= horizon)), events=0)
    rows.append(last)
    return pd.DataFrame(rows)


def _loglog(surv: float, greenwood: float, z: float) -> tuple[float, float]:
    if surv <= 0.0 or not np.isfinite(greenwood):
        return 0.0, 0.0 if surv <= 0.0 else surv
    if surv >= 1.0:
        return 1.0, 1.0
    se = np.sqrt(greenwood) / abs(np.log(surv))
    return float(surv ** np.exp(z * se)), float(surv ** np.exp(-z * se))
