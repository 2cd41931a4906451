"""Figures for runs and sweeps, sized and labelled for papers.

Every function returns a matplotlib Figure. In a notebook the figure is
shown once when it is the last value of a cell; in a script, save it with
``fig.savefig("name.png", dpi=200)``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import _core

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .run import Run
    from .sweep import Sweep

__all__ = ["plot_run", "heatmap", "survival", "label"]

# Font sizes and spines for every figure of the package (usable with plt.rc_context).
STYLE: dict[Any, Any] = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

# Markers for what the executive did, drawn on the ladder panel.
_EXEC_MARKERS = {
    "trial_balloon": ("o", "#7f7f7f", "trial balloon"),
    "proposal": ("^", "#1f77b4", "proposal"),
    "retreat": ("v", "#ff7f0e", "retreat"),
    "collapse": ("X", "#d62728", "collapse"),
    "signed": ("*", "#2ca02c", "signed"),
    "termination_notice": ("D", "#9467bd", "termination notice"),
    "suspension": ("d", "#8c564b", "suspension"),
    "terminated": ("x", "#000000", "terminated"),
}

# Colours for external shocks, drawn as ticks on the public-opinion panel.
_SHOCK_COLOURS = {
    "missile_test": "#9e9ac8",
    "nuclear_test": "#54278f",
    "maritime_clash": "#3182bd",
    "chinese_coercion": "#e6550d",
    "us_abandonment": "#636363",
    "japan_trigger": "#d62728",
    "military_friction": "#8c6d31",
    "disaster": "#31a354",
    "us_pressure": "#969696",
    "korean_dispute": "#fd8d3c",
}


# Legends to the right of each panel, clear of the data.
_OUTSIDE = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0.0}


def _new_figure(**kwargs: Any) -> "Figure":
    with plt.rc_context(STYLE):
        fig = plt.figure(**kwargs)
    # Under the notebook's inline backend the returned figure is displayed by
    # the cell; closing it here stops a second copy being drawn.
    if "inline" in matplotlib.get_backend():
        plt.close(fig)
    return fig


@lru_cache(maxsize=1)
def _units() -> dict[str, str]:
    return {p["path"]: p.get("unit") or "" for p in _core.parameters()}


def label(path: str) -> str:
    """Axis label for a parameter: its dotted path and unit."""
    unit = _units().get(path, "")
    if unit and unit not in ("-", "1", "dimensionless", "bool", "flag"):
        return f"{path} ({unit})"
    return path


def plot_run(run: "Run") -> "Figure":
    """Five panels sharing the date axis: executive, opinion, history, shocks, ladder."""
    from .run import RUNGS

    s, ev = run.series, run.events
    fig = _new_figure(figsize=(11, 10.5), layout="constrained")
    with plt.rc_context(STYLE):
        axes = fig.subplots(5, 1, sharex=True, height_ratios=[1, 1, 1, 0.9, 1.1])
        ax = axes[0]
        ax.plot(s["date"], s["approval"], color="#1f77b4", label="presidential approval")
        ax.plot(s["date"], s["capital"], color="#1f77b4", ls="--", lw=1, label="political capital")
        ax.set_ylabel("share / index")
        ax.set_title("Executive")
        ax.legend(**_OUTSIDE)

        ax = axes[1]
        ax.plot(s["date"], s["support_mean"], color="#2ca02c", label="support for security cooperation")
        ax.plot(s["date"], s["favourability"], color="#9467bd", label="favourability toward Japan")
        ax.plot(s["date"], s["threat_mean"], color="#7f7f7f", lw=1, label="threat perception")
        ax.set_ylabel("mean (0-1)")
        ax.set_title("Public opinion")
        ax.legend(**_OUTSIDE)

        ax = axes[2]
        ax.plot(s["date"], s["salience_mean"], color="#d62728", label="history salience")
        ax.plot(s["date"], s["grievance_mean"], color="#8c564b", lw=1, label="historical grievance")
        ax.plot(s["date"], s["politicisation"], color="#17becf", lw=1, label="politicisation")
        ax.set_ylabel("mean (0-1)")
        ax.set_title("History issue")
        ax.legend(**_OUTSIDE)

        _shock_raster(axes[3], ev)

        ax = axes[4]
        ax.step(s["date"], s["rung"], where="post", color="black", label="rung in force")
        pending = s["pending"].where(s["pending"] > 0)
        ax.step(s["date"], pending, where="post", color="#1f77b4", ls=":", label="pending proposal")
        for kind, (marker, colour, name) in _EXEC_MARKERS.items():
            sel = ev[ev["kind"] == kind]
            if len(sel):
                ax.scatter(sel["date"], sel["rung"], marker=marker, color=colour, s=45, zorder=3, label=name)
        ax.set_yticks(range(len(RUNGS)), [f"{i} {r}" for i, r in enumerate(RUNGS)])
        ax.set_ylim(-0.4, len(RUNGS) - 0.6)
        ax.set_title("Cooperation ladder")
        ax.legend(**_OUTSIDE)
        ax.set_xlabel("date")

        o = run.outcome
        if o.get("viable"):
            verdict = f"ACSA viable, signed in week {o.get('week_viable')}"
        else:
            verdict = f"no viable ACSA within {len(s)} weeks"
        fig.suptitle(f"acsa run (seed {run.seed}): {verdict}", fontsize=12)
    return fig


def _shock_raster(ax: "Axes", ev: pd.DataFrame) -> None:
    """One row per kind of external shock; tick length grows with magnitude."""
    kinds = list(_SHOCK_COLOURS)
    for row, kind in enumerate(kinds):
        sel = ev[ev["kind"] == kind]
        if len(sel):
            size = 30 + 60 * np.clip(sel["magnitude"].to_numpy(), 0, 4)
            ax.scatter(sel["date"], np.full(len(sel), row), marker="|", s=size, color=_SHOCK_COLOURS[kind])
    ax.set_yticks(range(len(kinds)), [k.replace("_", " ") for k in kinds], fontsize=8)
    ax.set_ylim(len(kinds) - 0.5, -0.5)
    ax.set_title("External shocks")


def heatmap(
    table: "pd.DataFrame | Sweep",
    x: str,
    y: str,
    value: str = "p",
    ax: "Axes | None" = None,
    title: str | None = None,
) -> "Figure":
    """Heat map of `value` (default P(viable)) over two grid parameters.

    table: a tidy table such as `Sweep.probability()` (or a Sweep). Cells
    are annotated with the value and, when the table has `lo`/`hi`
    columns, the 95% interval.
    """
    from .sweep import Sweep

    if isinstance(table, Sweep):
        table = table.probability(by=[y, x])
    for col in (x, y, value):
        if col not in table.columns:
            raise KeyError(f"column '{col}' not in table (columns: {list(table.columns)})")
    grid = table.pivot_table(index=y, columns=x, values=value, aggfunc="mean", sort=True)
    has_ci = value == "p" and {"lo", "hi"} <= set(table.columns)
    if has_ci:
        lo = table.pivot_table(index=y, columns=x, values="lo", aggfunc="mean", sort=True)
        hi = table.pivot_table(index=y, columns=x, values="hi", aggfunc="mean", sort=True)

    fig: Any
    if ax is None:
        fig = _new_figure(figsize=(1.3 * grid.shape[1] + 2.5, 0.9 * grid.shape[0] + 1.8), layout="constrained")
        ax = fig.subplots()
    else:
        fig = ax.figure
    with plt.rc_context(STYLE):
        is_p = value == "p"
        im = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis",
                       vmin=0.0 if is_p else None, vmax=1.0 if is_p else None)
        cbar = fig.colorbar(im, ax=ax)
        cbar.set_label("P(viable ACSA)" if is_p else value)
        ax.set_xticks(range(grid.shape[1]), [_fmt(v) for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [_fmt(v) for v in grid.index])
        ax.set_xlabel(label(x))
        ax.set_ylabel(label(y))
        ax.spines[:].set_visible(False)
        vmin, vmax = im.get_clim()
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                v = grid.iat[i, j]
                if not np.isfinite(v):
                    continue
                text = f"{v:.2f}"
                if has_ci:
                    text += f"\n[{lo.iat[i, j]:.2f}, {hi.iat[i, j]:.2f}]"
                # Dark text on the bright end of viridis, white elsewhere.
                bright = (v - vmin) / ((vmax - vmin) or 1.0) > 0.6
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="black" if bright else "white")
        if title is None:
            title = "P(viable ACSA within the horizon), 95% Wilson CI" if has_ci else value
        ax.set_title(title)
    return fig


def survival(
    runs: "pd.DataFrame | Sweep",
    by: str | None = None,
    horizon: int | None = None,
    ax: "Axes | None" = None,
    title: str | None = None,
) -> "Figure":
    """Kaplan-Meier curve of P(no viable ACSA yet) against week, per value of `by`.

    runs: `Sweep.runs` (or a Sweep). The event is the week an ACSA that
    proved viable was signed (`week_viable`); runs without one are censored
    at `horizon` (default: the sweep's horizon_weeks, else the largest week).
    """
    from .sweep import Sweep

    xlabel = "weeks since start"
    if isinstance(runs, Sweep):
        sc = runs.scenario  # None when the stored scenario does not load in this version
        if sc is not None:
            if horizon is None:
                horizon = int(sc["horizon_weeks"])
            xlabel = f"weeks since {sc['start_date']}"
        runs = runs.runs
    if horizon is None:
        if "horizon_weeks" in runs:
            horizon = int(runs["horizon_weeks"].max())
        else:
            last = pd.to_numeric(runs["week_viable"], errors="coerce").max()
            horizon = int(last) if pd.notna(last) else 1

    fig: Any
    if ax is None:
        fig = _new_figure(figsize=(7, 4.5), layout="constrained")
        ax = fig.subplots()
    else:
        fig = ax.figure
    groups = [(None, runs)] if by is None else list(runs.groupby(by, sort=True))
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, max(len(groups), 1)))
    with plt.rc_context(STYLE):
        for (key, g), colour in zip(groups, colours):
            t, s = kaplan_meier(g, horizon)
            name = "all runs" if by is None else _fmt(key)
            ax.step(t, s, where="post", color=colour, label=f"{name} (n={len(g)})")
        ax.set_xlim(0, horizon)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("P(no viable ACSA yet)")
        ax.set_title(title or "Time to a viable ACSA (Kaplan-Meier; censored at the horizon)")
        ax.grid(alpha=0.3)
        if by is not None:
            ax.legend(title=label(by), loc="best")
    return fig


def kaplan_meier(runs: pd.DataFrame, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Step points (t, S(t)) of the Kaplan-Meier estimate, from week 0 to the horizon.
    Failed runs (an `error` and no outcome) are left out."""
    if "error" in runs:
        runs = runs[runs["error"].isna()]
    viable = runs["viable"].astype(bool).to_numpy()
    weeks = pd.to_numeric(runs["week_viable"], errors="coerce").to_numpy(dtype=float)
    event_time = np.where(viable, weeks, np.inf)
    times = np.unique(event_time[np.isfinite(event_time)])
    t, s = [0.0], [1.0]
    surv = 1.0
    # Censored runs stay at risk until the horizon, after every event.
    for week in times:
        at_risk = int(np.sum(event_time >= week))
        d = int(np.sum(event_time == week))
        surv *= 1.0 - d / at_risk
        t.append(float(week))
        s.append(surv)
    t.append(float(horizon))
    s.append(surv)
    return np.array(t), np.array(s)


def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{v:g}"
    return str(v)
