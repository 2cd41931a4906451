"""Figures for runs and sweeps, sized and labelled for papers.

Every function takes an optional matplotlib `ax` to draw into and returns
the Figure. In a notebook the figure is shown once when it is the last value
of a cell; in a script, ``acsa.plots.save(fig, "name")`` writes name.png,
name.pdf and name.svg. Axis labels come from the parameter table: the
dotted path and its unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import _core
from ._core import ConfigError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .run import Run
    from .sweep import Sweep

__all__ = [
    "plot_run",
    "heatmap",
    "probability",
    "survival",
    "viable_by_date",
    "sobol",
    "sobol_by_year",
    "morris",
    "prim",
    "prim_box",
    "boundary",
    "save",
    "label",
]

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
    "gesture": "#74c476",
}


# Legends to the right of each panel, clear of the data.
_OUTSIDE: dict[str, Any] = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "borderaxespad": 0.0}


def _new_figure(**kwargs: Any) -> "Figure":
    with plt.rc_context(STYLE):
        fig = plt.figure(**kwargs)
    # Under the notebook's inline backend the returned figure is displayed by
    # the cell; closing it here stops a second copy being drawn.
    if "inline" in matplotlib.get_backend():
        plt.close(fig)
    return fig


@lru_cache(maxsize=1)
def _names() -> dict[str, tuple[str, str]]:
    return {p["path"]: (p.get("name") or p["path"], p.get("unit") or "") for p in _core.parameters()}


def label(path: str) -> str:
    """Axis label for a parameter from the parameter table: its name (the dotted path) and unit."""
    name, unit = _names().get(path, (path, ""))
    if unit and unit not in ("-", "1", "dimensionless", "bool", "flag", "choice", "list"):
        return f"{name} ({unit})"
    return name


def plot_run(run: "Run", axes: "Any | None" = None) -> "Figure":
    """Five panels sharing the date axis: executive, opinion, history, shocks, ladder.

    axes: five matplotlib Axes to draw into (default: a new figure).
    """
    from .run import RUNGS

    s, ev = run.series, run.events
    if axes is None:
        fig = _new_figure(figsize=(11, 10.5), layout="constrained")
        with plt.rc_context(STYLE):
            axes = fig.subplots(5, 1, sharex=True, height_ratios=[1, 1, 1, 0.9, 1.1])
    else:
        if len(axes) != 5:
            raise ValueError(f"axes: plot_run draws five panels, got {len(axes)} axes")
        fig = axes[0].figure
    with plt.rc_context(STYLE):
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


# ---- sweeps ---------------------------------------------------------------------

# Above this many distinct values a continuous parameter is binned unless bins= says otherwise.
AUTO_BIN_ABOVE = 12
AUTO_BINS = 6


def _axes(ax: "Axes | None", figsize: tuple[float, float]) -> tuple[Any, "Axes"]:
    if ax is None:
        fig = _new_figure(figsize=figsize, layout="constrained")
        return fig, fig.subplots()
    return ax.figure, ax


def _auto_bins(runs: pd.DataFrame, paths: list[str], bins: Any) -> Any:
    """bins as given, or a few equal bins for each continuous path with many distinct values."""
    if bins is not None:
        return bins
    auto = {}
    for p in paths:
        col = runs[p]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col) and col.nunique() > AUTO_BIN_ABOVE:
            auto[p] = AUTO_BINS
    return auto or None


def _cell_edges(values: np.ndarray) -> np.ndarray:
    """Cell edges on a numeric axis: halfway between neighbouring values, half a step beyond the ends."""
    v = np.asarray(values, dtype=float)
    if len(v) == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[:-1] + v[1:]) / 2.0
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


def heatmap(
    table: "pd.DataFrame | Sweep",
    x: str,
    y: str,
    value: str = "p",
    level: float | None = 0.5,
    bins: Any = None,
    ax: "Axes | None" = None,
    title: str | None = None,
    annotate: bool | None = None,
) -> "Figure":
    """Heat map of `value` (default P(viable)) over two numeric parameters, with a contour at `level`.

    table: a tidy table such as ``Sweep.probability(by=[y, x])``, or a Sweep (then `bins`
    groups continuous parameters of sampled designs; by default a parameter with more than
    12 distinct values gets 6 equal bins). The axes are numeric: cells are as wide as the
    spacing of the values, so uneven values (0.5, 1, 1.5, 2, 3) keep their distances. The
    contour is drawn at `level` (None: no contour) through the cell centres. Cells are
    annotated with the value and, when the table has `lo`/`hi`, the 95% interval
    (default: when there are at most 64 cells).
    """
    from .sweep import Sweep, bin_edges

    edges: dict[str, np.ndarray] = {}
    if isinstance(table, Sweep):
        runs = table.runs
        bins = _auto_bins(runs, [x, y], bins)
        table = table.probability(by=[y, x], bins=bins)
        for path in (x, y):
            b = bins.get(path) if isinstance(bins, dict) else bins
            if b is not None:
                edges[path] = bin_edges(runs[path], b)
    for col in (x, y, value):
        if col not in table.columns:
            raise KeyError(f"column '{col}' not in table (columns: {list(table.columns)})")
    grid = table.pivot_table(index=y, columns=x, values=value, aggfunc="mean", sort=True)
    has_ci = value == "p" and {"lo", "hi"} <= set(table.columns)
    if has_ci:
        lo = table.pivot_table(index=y, columns=x, values="lo", aggfunc="mean", sort=True)
        hi = table.pivot_table(index=y, columns=x, values="hi", aggfunc="mean", sort=True)
    xs = grid.columns.to_numpy(dtype=float)
    ys = grid.index.to_numpy(dtype=float)
    z = grid.to_numpy(dtype=float)
    fig, ax = _axes(ax, (7, 5))
    with plt.rc_context(STYLE):
        is_p = value == "p"
        mesh = ax.pcolormesh(edges.get(x, _cell_edges(xs)), edges.get(y, _cell_edges(ys)), np.ma.masked_invalid(z),
                             cmap="viridis", vmin=0.0 if is_p else None, vmax=1.0 if is_p else None, shading="flat")
        cbar = fig.colorbar(mesh, ax=ax)
        cbar.set_label("P(viable ACSA)" if is_p else value)
        if level is not None and z.shape[0] > 1 and z.shape[1] > 1 and np.nanmin(z) < level < np.nanmax(z):
            ax.contour(xs, ys, z, levels=[level], colors="white", linewidths=2.0)
            cbar.ax.axhline(level, color="white", lw=2.0)
        ax.set_xlabel(label(x))
        ax.set_ylabel(label(y))
        ax.spines[:].set_visible(False)
        if annotate is None:
            annotate = z.size <= 64
        if annotate:
            vmin, vmax = mesh.get_clim()
            for i, yv in enumerate(ys):
                for j, xv in enumerate(xs):
                    v = z[i, j]
                    if not np.isfinite(v):
                        continue
                    text = f"{v:.2f}"
                    if has_ci:
                        text += f"\n[{lo.iat[i, j]:.2f}, {hi.iat[i, j]:.2f}]"
                    # Dark text on the bright end of viridis, white elsewhere.
                    bright = (v - vmin) / ((vmax - vmin) or 1.0) > 0.6
                    ax.text(xv, yv, text, ha="center", va="center", fontsize=7, color="black" if bright else "white")
        if title is None:
            title = "P(viable ACSA within the horizon)" + (", 95% Wilson CI" if has_ci and annotate else "")
            if level is not None:
                title += f"; white line: {'P' if is_p else value} = {level:g}"
        ax.set_title(title)
    return fig


def probability(
    sw: "Sweep",
    x: str,
    by: str | None = None,
    bins: Any = None,
    outcome: str = "viable",
    ax: "Axes | None" = None,
    title: str | None = None,
) -> "Figure":
    """P(viable) against one parameter with its Wilson 95% band, one line per value of `by`.

    Other parameters are pooled. bins: as in `Sweep.probability` (continuous parameters of
    sampled designs are binned automatically, as in `heatmap`).
    """
    paths = [x] if by is None else [by, x]
    bins = _auto_bins(sw.runs, paths, bins)
    table = sw.probability(by=paths, bins=bins, outcome=outcome)
    fig, ax = _axes(ax, (6.5, 4.2))
    groups = [(None, table)] if by is None else list(table.groupby(by, sort=True))
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, max(len(groups), 1)))
    with plt.rc_context(STYLE):
        for (key, g), colour in zip(groups, colours):
            g = g.sort_values(x)
            name = "all runs" if by is None else _fmt(key)
            ax.plot(g[x], g["p"], marker="o", ms=3.5, color=colour, label=name)
            ax.fill_between(g[x], g["lo"], g["hi"], color=colour, alpha=0.2, lw=0)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(label(x))
        ax.set_ylabel("P(viable ACSA)" if outcome == "viable" else f"P({outcome})")
        ax.set_title(title or "P(viable ACSA) with 95% Wilson band")
        ax.grid(alpha=0.3)
        if by is not None:
            ax.legend(title=label(by), **_OUTSIDE)
    return fig


def _survival_groups(runs: "pd.DataFrame | Sweep", by: str | None, bins: Any) -> tuple[list, pd.DataFrame, Any]:
    from .sweep import Sweep, bin_edges, binned

    scenario = None
    if isinstance(runs, Sweep):
        scenario = runs.scenario
        runs = runs.runs
    if by is None:
        return [(None, runs)], runs, scenario
    bins = _auto_bins(runs, [by], bins)
    b = bins.get(by) if isinstance(bins, dict) else bins
    key = binned(runs[by], bin_edges(runs[by], b)) if b is not None else runs[by]
    return list(runs.groupby(key, sort=True)), runs, scenario


def survival(
    runs: "pd.DataFrame | Sweep",
    by: str | None = None,
    bins: Any = None,
    horizon: int | None = None,
    band: bool = True,
    ax: "Axes | None" = None,
    title: str | None = None,
) -> "Figure":
    """Kaplan-Meier curves of P(no viable ACSA yet) against week, with 95% bands, per value of `by`.

    runs: `Sweep.runs` (or a Sweep). The event is the week viability was reached; runs never
    viable are censored at their horizon (see `acsa.outcomes.kaplan_meier`). bins: group a
    continuous `by` into bins (by default 6 when it has more than 12 distinct values).
    """
    groups, runs, scenario = _survival_groups(runs, by, bins)
    xlabel = f"weeks since {scenario['start_date']}" if scenario is not None else "weeks since start"
    if horizon is None and scenario is not None:
        horizon = int(scenario["horizon_weeks"])
    fig, ax = _axes(ax, (7, 4.5))
    end = 0.0
    with plt.rc_context(STYLE):
        for km, name, colour in _km_curves(groups, horizon, by):
            end = max(end, float(km["week"].iloc[-1]))
            ax.step(km["week"], km["survival"], where="post", color=colour, label=name)
            if band:
                ax.fill_between(km["week"], km["lo"], km["hi"], step="post", color=colour, alpha=0.18, lw=0)
        ax.set_xlim(0, horizon or end)
        title = title or "Time to a viable ACSA (Kaplan-Meier, 95% band)"
        _finish_curves(ax, by, xlabel, "P(no viable ACSA yet)", title)
    return fig


def viable_by_date(
    sw: "Sweep",
    by: str | None = None,
    bins: Any = None,
    ax: "Axes | None" = None,
    title: str | None = None,
) -> "Figure":
    """P(viable ACSA by each calendar date), 1 - Kaplan-Meier, with its 95% band, per value of `by`."""
    groups, _, scenario = _survival_groups(sw, by, bins)
    if scenario is None:
        raise ConfigError("viable_by_date: needs the sweep's scenario for its calendar (a Sweep whose scenario loads)")
    start = pd.Timestamp(scenario["start_date"])
    fig, ax = _axes(ax, (7, 4.5))
    with plt.rc_context(STYLE):
        for km, name, colour in _km_curves(groups, int(scenario["horizon_weeks"]), by):
            dates = start + pd.to_timedelta(km["week"].to_numpy() * 7, unit="D")
            ax.step(dates, 1.0 - km["survival"], where="post", color=colour, label=name)
            ax.fill_between(dates, 1.0 - km["hi"], 1.0 - km["lo"], step="post", color=colour, alpha=0.18, lw=0)
        _finish_curves(ax, by, "date", "P(viable ACSA by date)", title or "P(viable ACSA by date), 95% band")
    return fig


def _km_curves(groups: list, horizon: int | None, by: str | None) -> Iterator[tuple[pd.DataFrame, str, Any]]:
    """Each group's Kaplan-Meier table (`acsa.outcomes.kaplan_meier`), its legend entry and its colour."""
    from .outcomes import kaplan_meier

    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, max(len(groups), 1)))
    for (key, g), colour in zip(groups, colours):
        name = "all runs" if by is None else _fmt(key)
        yield kaplan_meier(g, horizon), f"{name} (n={len(g)})", colour


def _finish_curves(ax: "Axes", by: str | None, xlabel: str, ylabel: str, title: str) -> None:
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if by is not None:
        ax.legend(title=label(by), **_OUTSIDE)


# ---- sensitivity and scenario discovery -------------------------------------------


def sobol(indices: pd.DataFrame, ax: "Axes | None" = None, title: str | None = None) -> "Figure":
    """First-order (S1) and total (ST) Sobol indices with their intervals, largest ST on top.

    indices: `Sweep.sobol(...)` (one outcome; for ``by_year=True`` see `sobol_by_year`).
    """
    frame = indices.sort_values("ST", ascending=True, na_position="first").reset_index(drop=True)
    fig, ax = _axes(ax, (6.5, 0.45 * len(frame) + 1.6))
    pos = np.arange(len(frame))
    with plt.rc_context(STYLE):
        ax.barh(pos + 0.2, frame["ST"], height=0.38, xerr=frame["ST_conf"], color="#1f77b4", label="total (ST)",
                error_kw={"lw": 1})
        ax.barh(pos - 0.2, frame["S1"], height=0.38, xerr=frame["S1_conf"], color="#9ecae1", label="first order (S1)",
                error_kw={"lw": 1})
        ax.set_yticks(pos, [label(p) for p in frame["parameter"]])
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlabel("Sobol index (share of variance), 95% interval")
        outcome = frame["outcome"].iloc[0] if "outcome" in frame else ""
        ax.set_title(title or f"Sobol indices of {outcome}")
        ax.legend(loc="lower right")
    return fig


def sobol_by_year(indices: pd.DataFrame, key: str = "ST", ax: "Axes | None" = None) -> "Figure":
    """Time-resolved Sobol indices: `key` (ST or S1) of P(viable by week) against week, per parameter."""
    fig, ax = _axes(ax, (7, 4.2))
    with plt.rc_context(STYLE):
        for name, g in indices.groupby("parameter", sort=False):
            g = g.sort_values("week")
            line, = ax.plot(g["week"], g[key], marker="o", ms=3, label=label(name))
            ax.fill_between(g["week"], g[f"{key}_lo"], g[f"{key}_hi"], color=line.get_color(), alpha=0.15, lw=0)
        ax.set_xlabel("week of the horizon")
        ax.set_ylabel(f"{key} of P(viable by week)")
        ax.set_title(f"Sobol {key} of P(viable by week), 95% intervals")
        ax.grid(alpha=0.3)
        ax.legend(**_OUTSIDE)
    return fig


def morris(indices: pd.DataFrame, ax: "Axes | None" = None, title: str | None = None) -> "Figure":
    """Morris screening: mu* (with its interval) against sigma, one labelled point per parameter."""
    fig, ax = _axes(ax, (6.5, 4.5))
    with plt.rc_context(STYLE):
        ax.errorbar(indices["mu_star"], indices["sigma"], xerr=indices["mu_star_conf"], fmt="o", color="#1f77b4",
                    ecolor="#9ecae1", capsize=2)
        for row in indices.itertuples():
            ax.annotate(label(row.parameter), (row.mu_star, row.sigma), xytext=(4, 4), textcoords="offset points",
                        fontsize=8)
        top = float(np.nanmax(np.concatenate([indices["mu_star"] + indices["mu_star_conf"], indices["sigma"], [0.0]])))
        ax.plot([0, top], [0, top], color="#bbbbbb", lw=0.8, ls="--", zorder=0)
        ax.set_xlabel("mu* (mean absolute elementary effect), 95% interval")
        ax.set_ylabel("sigma (interactions, non-linearity)")
        outcome = indices["outcome"].iloc[0] if "outcome" in indices else ""
        ax.set_title(title or f"Morris screening of {outcome}")
        ax.grid(alpha=0.3)
    return fig


def prim(result: Any, ax: "Axes | None" = None, title: str | None = None) -> "Figure":
    """PRIM's peeling trajectory: density against coverage, coloured by restricted dimensions."""
    t = result.trajectory
    fig, ax = _axes(ax, (6, 4.5))
    with plt.rc_context(STYLE):
        points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=22, zorder=2)
        cbar = fig.colorbar(points, ax=ax)
        cbar.set_label("restricted dimensions")
        chosen = t.iloc[result.step]
        ax.scatter([chosen["coverage"]], [chosen["density"]], s=120, facecolors="none", edgecolors="#d62728",
                   zorder=3, label=f"chosen box (step {result.step})")
        ax.set_xlabel("coverage (share of viable runs in the box)")
        ax.set_ylabel("density (share of runs in the box that are viable)")
        ax.set_title(title or f"PRIM peeling trajectory for {result.outcome}")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left")
    return fig


def prim_box(result: Any, step: int | None = None, ax: "Axes | None" = None) -> "Figure":
    """The box of a PRIM step: each restricted parameter's range within its full range."""
    lims = result.limits(step)
    numeric = lims[lims["values"].isna()]
    fig, ax = _axes(ax, (6.5, 0.5 * max(len(numeric), 1) + 1.5))
    with plt.rc_context(STYLE):
        for i, row in enumerate(numeric.itertuples()):
            col = result.x[row.parameter]
            lo, hi = float(col.min()), float(col.max())
            ax.plot([0, 1], [i, i], color="#dddddd", lw=6, solid_capstyle="butt")
            a, b = (row.low - lo) / (hi - lo), (row.high - lo) / (hi - lo)
            ax.plot([a, b], [i, i], color="#1f77b4", lw=6, solid_capstyle="butt")
            ax.text(a, i + 0.25, f"{row.low:.3g}", ha="center", fontsize=8)
            ax.text(b, i + 0.25, f"{row.high:.3g}", ha="center", fontsize=8)
        ax.set_yticks(range(len(numeric)), [label(p) for p in numeric["parameter"]])
        ax.set_ylim(-0.6, len(numeric) - 0.2)
        ax.set_xlim(-0.05, 1.05)
        ax.set_xlabel("position within the sampled range")
        s = result.step if step is None else step
        t = result.trajectory.iloc[s]
        ax.set_title(f"PRIM box, step {s}: coverage {t['coverage']:.2f}, density {t['density']:.2f}")
    return fig


def boundary(b: Any, ax: "Axes | None" = None, title: str | None = None) -> "Figure":
    """An adaptive boundary sampling (`acsa.boundary.sample`): the estimate, its contour, the points run.

    Two parameters: the smoothed P(viable) on the lattice, the contour at the level, the
    uncertain region hatched, and each point run as a dot sized by its runs. One parameter:
    the estimate with its band against the parameter, and the points' shares.
    """
    est, pts = b.estimate, b.points
    fig, ax = _axes(ax, (7, 5))
    with plt.rc_context(STYLE):
        if len(b.names) == 1:
            (x,) = b.names
            ax.plot(est[x], est["p"], color="#1f77b4", label="estimate")
            ax.fill_between(est[x], est["lo"], est["hi"], color="#1f77b4", alpha=0.2, lw=0, label="95% interval")
            ax.scatter(pts[x], pts["p"], s=8 + 4 * pts["n"], color="#444444", zorder=3, label="points run")
            ax.axhline(b.level, color="#d62728", lw=1, ls="--")
            ax.set_xlabel(label(x))
            ax.set_ylabel("P(viable ACSA)")
            ax.set_ylim(-0.02, 1.02)
            ax.legend(loc="upper left")
        elif len(b.names) == 2:
            x, y = b.names
            xs, ys = np.unique(est[x]), np.unique(est[y])
            p = est.pivot(index=y, columns=x, values="p").to_numpy()
            uncertain = (est.pivot(index=y, columns=x, values="side") == "uncertain").to_numpy()
            mesh = ax.pcolormesh(_cell_edges(xs), _cell_edges(ys), p, cmap="viridis", vmin=0, vmax=1, shading="flat")
            fig.colorbar(mesh, ax=ax).set_label("P(viable ACSA), smoothed")
            if uncertain.any():
                ax.contourf(xs, ys, uncertain.astype(float), levels=[0.5, 1.5], colors="none", hatches=["////"])
            if np.nanmin(p) < b.level < np.nanmax(p):
                ax.contour(xs, ys, p, levels=[b.level], colors="white", linewidths=2.0)
            ax.scatter(pts[x], pts[y], s=4 + 2 * pts["n"], c=pts["round"], cmap="Reds", edgecolors="black",
                       linewidths=0.4, zorder=3)
            ax.set_xlabel(label(x))
            ax.set_ylabel(label(y))
        else:
            raise ValueError("plots.boundary draws one or two parameters")
        ax.set_title(title or f"Boundary P(viable) = {b.level:g}: {b.n_runs} runs in {len(b.history)} rounds, "
                     f"{b.uncertain_share:.1%} uncertain (hatched)")
    return fig


# ---- saving ---------------------------------------------------------------------


def save(fig: "Figure", path: Any, formats: tuple[str, ...] = ("png", "pdf", "svg"), dpi: int = 200) -> list[Any]:
    """Write `fig` as path.png, path.pdf and path.svg (or the given formats); returns the paths."""
    from pathlib import Path

    base = Path(path)
    if base.suffix.lstrip(".") in ("png", "pdf", "svg", "eps", "jpg"):
        base = base.with_suffix("")
    out = []
    for fmt in formats:
        target = base.with_name(f"{base.name}.{fmt}")
        fig.savefig(target, dpi=dpi)
        out.append(target)
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{v:.3g}"
    return str(v)
