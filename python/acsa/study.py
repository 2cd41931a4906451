"""The viability study: when, and under what conditions, does an ACSA become viable?

`acsa viability --out DIR` runs it; from Python::

    study = acsa.study.run(out="results")
    study.table          # P(viable) per cell of the two pathways, Wilson 95% intervals
    study.ranking        # Morris screening of the main levers on P(viable)

Two sweeps of the baseline:

1. the two pathways that could open a window, as a grid (`AXES`): a
   shift in public perception (`perception.shift`, points of good
   impressions of Japan over ten years) and the intensity of external
   security shocks; P(viable within the horizon) per cell, the contour
   where it crosses `LEVEL`, and the survival curves of time to viability;
2. a Morris screening of the main levers (`LEVERS`), ranking what moves
   P(viable) most.

It writes viability.csv, runs.csv, sensitivity.csv, viability_heatmap,
survival and sensitivity figures (PNG, PDF and SVG), and summary.pdf, one
page of what makes an ACSA viable, with the numbers taken from the runs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from .scenario import Scenario

__all__ = ["AXES", "LEVERS", "LEVEL", "Study", "run"]

# The two pathways of the study, rows (y) first then columns (x): the one place they are declared.
AXES: dict[str, list[float]] = {
    "perception.shift": [0.0, 7.5, 15.0, 22.5, 30.0],
    "shocks.intensity": [0.5, 1.0, 1.5, 2.0, 3.0],
}
# The main levers and the ranges the Morris screening samples (each within its valid range).
LEVERS: dict[str, tuple[float, float]] = {
    "perception.shift": (0.0, 30.0),
    "voters.cohort_shift": (0.0, 0.1),
    "shocks.intensity": (0.5, 3.0),
    "executive.risk_tolerance": (0.2, 0.9),
    "us.pressure": (0.2, 0.9),
    "japan.willingness": (0.4, 1.0),
    "voters.grievance_mean": (0.3, 0.55),
}
# The level of P(viable) whose contour the heat map draws.
LEVEL = 0.5

# Sizes of the default study, chosen to finish within three minutes on two cores.
REPLICATES = 24
VOTERS = 5000
TRAJECTORIES = 10
MORRIS_REPLICATES = 3


@dataclass
class Study:
    """What the study found: the grid's table and runs, the ranking, and the files written."""

    table: pd.DataFrame
    runs: pd.DataFrame
    ranking: pd.DataFrame
    scenario: Scenario
    findings: list[str]
    files: list[Path] = field(default_factory=list)


def run(
    scenario: Scenario | None = None,
    out: str | Path | None = None,
    replicates: int = REPLICATES,
    voters: int | None = VOTERS,
    trajectories: int = TRAJECTORIES,
    morris_replicates: int = MORRIS_REPLICATES,
    seed: int = 2026,
    level: float = LEVEL,
    progress: bool = True,
) -> Study:
    """Run the study on `scenario` (default: the 2026 baseline) and write its files to `out`.

    voters: voters.n for every run (None: the scenario's own).
    replicates: runs per grid cell; trajectories and morris_replicates size the screening.
    """
    from . import designs
    from .sweep import sweep

    sc = scenario if scenario is not None else Scenario.default()
    if voters is not None:
        sc = sc.replace({"voters.n": voters})
    (y, ys), (x, xs) = AXES.items()
    grid = sweep(sc, {y: ys, x: xs}, replicates=replicates, seed=seed, progress=progress)
    design = designs.morris(dict(LEVERS), trajectories, replicates=morris_replicates, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-zero screening is reported by the ranking
        screening = sweep(sc, design, seed=seed + 1, progress=progress)
    table = grid.probability()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ranking = screening.morris("viable")
    ranking = ranking.sort_values("mu_star", ascending=False).reset_index(drop=True)
    ranking.attrs["warnings"] = [str(w.message) for w in caught]
    ranking.attrs["n_runs"] = screening.n_runs
    study = Study(table, grid.runs, ranking, sc, findings(table, grid.runs, ranking, sc, level))
    if out is not None:
        study.files = write(study, grid, Path(out), level)
    return study


def findings(table: pd.DataFrame, runs: pd.DataFrame, ranking: pd.DataFrame, sc: Scenario, level: float) -> list[str]:
    """Plain sentences of what the runs show, every number read from them."""
    from .outcomes import rmst
    from .stats import deviance_removed

    (y, _), (x, _) = AXES.items()
    weeks = int(sc["horizon_weeks"])
    years = weeks / 52.1775
    lines = []
    base = table.iloc[((table[x] - 1.0).abs() + table[y].abs()).argsort().iloc[0]]
    lines.append(
        f"Near today's conditions ({x} = {base[x]:g}, {y} = {base[y]:g}) P(viable ACSA within {years:.0f} years) "
        f"is {base['p']:.2f} [{base['lo']:.2f}, {base['hi']:.2f}]."
    )
    best = table.loc[table["p"].idxmax()]
    lines.append(
        f"It is highest, {best['p']:.2f} [{best['lo']:.2f}, {best['hi']:.2f}], at {x} = {best[x]:g} and "
        f"{y} = {best[y]:g}."
    )
    above = table[table["lo"] > level]
    if len(above):
        by_row = above.groupby(y)[x].min()
        parts = [
            f"{x} >= {v:g} at {y} = {', '.join(f'{k:g}' for k in rows.index)}"
            for v, rows in by_row.groupby(by_row, sort=True)
        ]
        lines.append(f"P(viable) is above {level:g} with 95% confidence where " + "; ".join(parts) + ".")
    else:
        lines.append(f"No cell has P(viable) above {level:g} with 95% confidence.")
    ok = runs[runs["error"].isna()]
    viable = ok[ok["viable"].astype(bool)]
    if len(viable):
        w = pd.to_numeric(viable["week_viable"]).to_numpy(dtype=float)
        lines.append(
            f"Viable ACSAs came in week {np.median(w):.0f} at the median (quartiles {np.percentile(w, 25):.0f} to "
            f"{np.percentile(w, 75):.0f}; earliest {w.min():.0f}); restricted mean time to viability over all "
            f"runs {rmst(ok).mean():.0f} of {weeks} weeks."
        )
    if ok[[x, y]].nunique().min() > 1 and 0 < ok["viable"].astype(bool).mean() < 1:
        removed = deviance_removed(ok["viable"].astype(bool), {x: ok[x], y: ok[y]})
        lines.append(
            f"In a logistic regression of viability on the two axes, {x} removes {removed[x]:.1f} units of "
            f"deviance and {y} {removed[y]:.1f} (either is significant at 5% above 3.84)."
        )
    top = ranking.dropna(subset=["mu_star"]).head(3)
    if len(top):
        lines.append(
            "Morris screening, most influential first: "
            + ", ".join(f"{r.parameter} (mu* {r.mu_star:.2f} +/- {r.mu_star_conf:.2f})" for r in top.itertuples())
            + "."
        )
    return lines


def write(study: Study, grid: Any, out: Path, level: float) -> list[Path]:
    """Write the study's tables, figures and one-page summary to `out`."""
    import matplotlib.pyplot as plt

    from . import plots

    out.mkdir(parents=True, exist_ok=True)
    (y, _), (x, _) = AXES.items()
    files = []
    for name, frame in (("viability.csv", study.table), ("runs.csv", study.runs), ("sensitivity.csv", study.ranking)):
        frame.to_csv(out / name, index=False)
        files.append(out / name)
    weeks = int(study.scenario["horizon_weeks"])
    reps = int(study.table["n"].max())

    fig = plots.heatmap(study.table, x=x, y=y, level=level,
                        title=f"P(viable ACSA within {weeks} weeks), {reps} runs per cell, 95% Wilson CI; "
                        f"white line: P = {level:g}")
    files += plots.save(fig, out / "viability_heatmap")
    plt.close(fig)

    with plt.rc_context(plots.STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained", sharey=True)
    plots.survival(grid, by=y, ax=left, title="By perception shift")
    plots.survival(grid, by=x, ax=right, title="By shock intensity")
    fig.suptitle(f"Time to a viable ACSA (Kaplan-Meier with 95% bands, censored at week {weeks})")
    files += plots.save(fig, out / "survival")
    plt.close(fig)

    fig = plots.morris(study.ranking, title="What moves P(viable): Morris screening of the main levers")
    files += plots.save(fig, out / "sensitivity")
    plt.close(fig)

    files.append(summary_pdf(study, grid, out / "summary.pdf", level))
    return files


def summary_pdf(study: Study, grid: Any, path: Path, level: float) -> Path:
    """One A4 page: the findings in words, the heat map, the survival curves and the ranking."""
    import textwrap

    import matplotlib.pyplot as plt

    from . import plots

    (y, _), (x, _) = AXES.items()
    with plt.rc_context({**plots.STYLE, "font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8,
                         "legend.fontsize": 7}):
        fig = plt.figure(figsize=(8.27, 11.69), layout="constrained")
        parts: Any = fig.subfigures(3, 1, height_ratios=[0.9, 1.3, 1.1])
        top, middle, bottom = parts
        text = top.add_subplot()
        text.axis("off")
        sc = study.scenario
        head = (
            f"What makes a Seoul-Tokyo ACSA viable? acsa {_core.MODEL_VERSION}: 2026 baseline, "
            f"{int(sc['horizon_weeks'])} weeks from {sc['start_date']}, voters.n = {sc['voters.n']}, "
            f"{len(study.runs)} runs on the grid, {study.ranking.attrs.get('n_runs', 0)} in the Morris screening."
        )
        body = [head, ""] + [f"- {s}" for s in study.findings]
        if study.ranking.attrs.get("warnings"):
            body += ["", "Caveats: " + " ".join(study.ranking.attrs["warnings"])]
        wrapped = "\n".join(textwrap.fill(line, 110, subsequent_indent="  ") if line else "" for line in body)
        text.text(0.0, 1.0, wrapped, va="top", ha="left", fontsize=8, family="sans-serif", transform=text.transAxes)
        ax = middle.add_subplot()
        plots.heatmap(study.table, x=x, y=y, level=level, ax=ax,
                      title=f"P(viable ACSA within the horizon); white line: P = {level:g}")
        left, right = bottom.subplots(1, 2)
        plots.survival(grid, by=x, ax=left, title="Time to viability by shock intensity")
        left.get_legend().remove()
        left.legend(title=plots.label(x), loc="lower left", fontsize=6)
        plots.morris(study.ranking, ax=right, title="Morris screening of P(viable)")
        fig.savefig(path)
        plt.close(fig)
    return path
