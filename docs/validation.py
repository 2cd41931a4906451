"""Make the figures and the tables of docs/VALIDATION.md.

    python docs/validation.py                     # everything
    python docs/validation.py --only facts        # the replay: 100 replicates, seeds 0-99
    python docs/validation.py --only sensitivity  # the unsourced parameters, one at a time

The replay part writes docs/validation/*.png and the block between the `facts` markers in
docs/VALIDATION.md (about a minute on two cores). The sensitivity part finds the shock
intensity of the main job's grid where the 2026 baseline (5 000 voters) is viable nearest
half the time, runs it with each parameter of docs/ODD.md section 9.3 at each end of its
plausible range, the others at their defaults, `SENSITIVITY_REPLICATES` runs each with
seeds 0, 1, ... (the same seeds at every point), and US pressure at three levels under
weak shocks; it writes the blocks between the `sensitivity` and `pressure` markers (about
10 minutes on two cores).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import acsa  # noqa: E402
from acsa import _core, history  # noqa: E402
from acsa.plots import STYLE  # noqa: E402
from acsa.seeds import seed_bytes  # noqa: E402
from acsa.stats import wilson  # noqa: E402

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "validation"
REPORT = HERE / "VALIDATION.md"
ODD = HERE / "ODD.md"
REPLICATES = 100
# The sensitivity part, sized to run in about 10 minutes on two cores: 5 000 voters (as
# `acsa viability`), 30 runs per end.
SENSITIVITY_REPLICATES = 30
SENSITIVITY_VOTERS = 5000
# US pressure at a low shock intensity: does Washington alone make an ACSA common?
PRESSURE_REPLICATES = 100
PRESSURE_INTENSITY = 0.5
PRESSURE_LEVELS = (0.1, 0.5, 0.9)


def band(runs, column: str, transform=None) -> pd.DataFrame:
    """Median and 10-90% band of a series column across replicates, by date."""
    values = np.stack([(transform(r.series) if transform else r.series[column]).to_numpy() for r in runs])
    dates = runs[0].series["date"]
    q = np.percentile(values, [10, 50, 90], axis=0)
    return pd.DataFrame({"lo": q[0], "mid": q[1], "hi": q[2]}, index=dates)


def shade(ax, b: pd.DataFrame, colour: str, label: str) -> None:
    ax.fill_between(b.index, b["lo"], b["hi"], color=colour, alpha=0.2, lw=0)
    ax.plot(b.index, b["mid"], color=colour, lw=1.5, label=label)


def survey(opinion: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Rows of one survey metric with a date (mid-year for a bare year) and a value range."""
    rows = opinion[opinion["metric"] == metric].copy()
    rows["when"] = pd.to_datetime([d if "-" in d else f"{d}-06-15" for d in rows["date"]])
    lo_hi = rows["value"].astype(str).str.split("-", expand=True).astype(float) / 100
    rows["lo"] = lo_hi[0]
    rows["hi"] = lo_hi[1] if 1 in lo_hi else lo_hi[0]
    rows["hi"] = rows["hi"].fillna(rows["lo"])
    return rows


def points(ax, rows: pd.DataFrame, colour: str, label: str, marker: str = "o", complement: bool = False) -> None:
    lo, hi = (1 - rows["hi"], 1 - rows["lo"]) if complement else (rows["lo"], rows["hi"])
    mid = (lo + hi) / 2
    ax.errorbar(rows["when"], mid, yerr=[mid - lo, hi - mid], fmt=marker, color=colour, ms=6,
                capsize=3, label=label, zorder=5)


def real_dates(ax, timeline: pd.DataFrame) -> None:
    for _, e in timeline[timeline["kind"].isin(["proposal", "collapse", "signed", "termination_notice", "suspension"])].iterrows():
        if e["date"] >= pd.Timestamp("2012-01-01"):
            ax.axvline(e["date"], color="0.6", lw=0.8, ls=":", zorder=0)


def favourability_figure(runs, opinion, timeline) -> None:
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 4))
        shade(ax, band(runs, "favourability"), "#1f77b4", "model: good impression of Japan (median, 10-90%)")
        points(ax, survey(opinion, "good_impression_of_japan"), "black", "Genron NPO-EAI: good impression")
        real_dates(ax, timeline)
        ax.set_ylabel("share of adults")
        ax.set_ylim(0, 0.6)
        ax.set_title("Affect toward Japan, 2012-2026")
        ax.legend(loc="upper left", fontsize=8)
        fig.tight_layout()
        fig.savefig(FIGURES / "favourability.png", dpi=120)
        plt.close(fig)


AGE_BANDS = {  # series column: (label, colour, surveys of that band)
    "favourability_18_29": ("18-29", "#1f77b4", ["good_impression_of_japan_age_20_29"]),
    "favourability_30_39": ("30-39", "#17becf", []),
    "favourability_40_59": ("40-59", "#2ca02c", []),
    "favourability_60_plus": ("60+", "#d62728", ["good_impression_of_japan_age_60_plus"]),
}
YOUNG_2023 = {"good_impression_of_japan_age_20_39": ("FKI, 20-39", "s"),
              "good_impression_of_japan_age_19_39": ("Korea Youth Foundation, 19-39", "D")}


def age_figure(runs, opinion) -> None:
    """Favourability by age band against the surveys by age: Genron NPO-EAI 2016 (20-29,
    60+) and the two 2023 surveys of 19/20-39 year olds, which span the model's 18-29 and
    30-39 bands."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 4))
        for column, (label, colour, surveys) in AGE_BANDS.items():
            shade(ax, band(runs, column), colour, f"model: {label}")
            for metric in surveys:
                points(ax, survey(opinion, metric), colour, f"Genron NPO-EAI: {label.replace('18', '20')}")
        for metric, (label, marker) in YOUNG_2023.items():
            points(ax, survey(opinion, metric), "black", label, marker=marker)
        ax.set_ylabel("share with a good impression of Japan")
        ax.set_ylim(0, 1)
        ax.set_title("Affect toward Japan by age, 2012-2026")
        ax.legend(loc="upper left", fontsize=7, ncol=2)
        fig.tight_layout()
        fig.savefig(FIGURES / "favourability_by_age.png", dpi=120)
        plt.close(fig)


def gsomia_figure(runs, opinion, timeline) -> None:
    with plt.rc_context(STYLE):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
        shade(top, band(runs, "pact_opposed"), "#2ca02c", "model: opposed to the pact on the table")
        shade(top, band(runs, "support_share"), "#9467bd", "model: supports security cooperation")
        points(top, survey(opinion, "gsomia_oppose"), "#2ca02c", "GSOMIA: against")
        points(top, survey(opinion, "gsomia_support"), "black", "GSOMIA: support")
        points(top, survey(opinion, "end_gsomia_against"), "0.4", "against ending GSOMIA", marker="s")
        points(top, survey(opinion, "strengthen_trilateral_military_cooperation"), "#9467bd",
               "for trilateral military cooperation", marker="^")
        points(top, survey(opinion, "strengthen_korea_japan_defence_cooperation"), "#9467bd",
               "for Korea-Japan defence cooperation", marker="v")
        top.set_ylabel("share of adults")
        top.set_ylim(0, 1)
        top.legend(loc="upper left", fontsize=7)
        top.set_title("Support for GSOMIA and for security cooperation")
        shade(bottom, band(runs, "support_conservative"), "#d62728", "model: conservative camp")
        shade(bottom, band(runs, "support_progressive"), "#1f77b4", "model: progressive camp")
        points(bottom, survey(opinion, "gsomia_support_ruling_party_supporters"), "#d62728",
               "2012 GSOMIA support, Saenuri (conservative) supporters")
        points(bottom, survey(opinion, "end_gsomia_against_conservative_party_supporters"), "#d62728",
               "2019 against ending GSOMIA, conservative supporters", marker="s")
        points(bottom, survey(opinion, "end_gsomia_for_progressive_party_supporters"), "#1f77b4",
               "2019 against ending GSOMIA, progressive supporters (100% - for)", marker="s", complement=True)
        bottom.set_ylabel("mean support")
        bottom.set_ylim(0, 1)
        bottom.legend(loc="upper left", fontsize=7)
        bottom.set_title("By camp")
        for ax in (top, bottom):
            real_dates(ax, timeline)
        fig.tight_layout()
        fig.savefig(FIGURES / "gsomia.png", dpi=120)
        plt.close(fig)


def timing_figure(runs, timeline) -> None:
    kinds = {"proposal": "#1f77b4", "signed": "#2ca02c", "termination_notice": "#d62728", "suspension": "#ff7f0e"}
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 4.5))
        for k, (kind, colour) in enumerate(kinds.items()):
            for i, run in enumerate(runs):
                ev = run.events
                dates = ev[(ev["kind"] == kind)]["date"]
                ax.scatter(dates, np.full(len(dates), i + 0.2 * k), s=4, color=colour, label=kind if i == 0 else None)
        real = timeline[timeline["kind"].isin(list(kinds)) & (timeline["date"] >= pd.Timestamp("2012-01-01"))]
        for _, e in real.iterrows():
            ax.axvline(e["date"], color=kinds[e["kind"]], lw=1.2, alpha=0.8)
        ax.set_ylabel("replicate")
        ax.set_title("Executive moves in 100 replicates (dots) and in history (lines)")
        ax.legend(loc="upper left", fontsize=8, markerscale=3)
        fig.tight_layout()
        fig.savefig(FIGURES / "timing.png", dpi=120)
        plt.close(fig)


PARTS = {"in": "2012–17", "out": "2018–26"}


def facts_table(table: pd.DataFrame) -> str:
    """One row per fact: its tolerance, then cases, share and verdict in each part of the record."""
    head = ["fact", "claim", "tolerance"] + [f"{c} {PARTS[k]}" for k in PARTS for c in ("cases", "share", "verdict")]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, rows in table.groupby(level="fact", sort=False):
        first = rows.iloc[0]
        cells = [f"`{name}`", first["claim"], f"{first['tolerance']:.2f}"]
        for k in PARTS:
            if (name, k) in rows.index:
                row = rows.loc[(name, k)]
                cells += [str(row["cases"]), f"{row['share']:.2f}", row["verdict"]]
            else:
                cells += ["—", "—", "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def favourability_table(runs) -> str:
    fav = history.favourability(runs)
    lines = ["| survey year | part | Genron NPO-EAI | model median (mid-June) | model 10-90% |", "|---|---|---|---|---|"]
    for year, r in fav.iterrows():
        lines.append(f"| {year} | {PARTS[r['sample']]} | {r['survey']:.1%} | {r['median']:.1%} | {r['lo']:.1%} - {r['hi']:.1%} |")
    errors = (fav["median"] - fav["survey"]).abs().groupby(fav["sample"]).mean()
    lines.append("")
    lines.append("Mean absolute error of the median: " + "; ".join(f"{PARTS[k]} {errors[k]:.1%}" for k in PARTS) + ".")
    return "\n".join(lines)


def plausible_ranges() -> pd.DataFrame:
    """docs/ODD.md section 9.3: each unsourced parameter with the low and high ends of its
    plausible range and the reason for them (index: the parameter's path)."""
    text = ODD.read_text(encoding="utf-8")
    body = text[text.index("\n### 9.3"):]
    body = body[: body.index("\n## ")]
    number = r"(−?-?[\d.]+(?:e-?\d+)?)"
    rows = [
        (m[1], float(m[2].replace("−", "-")), float(m[3].replace("−", "-")), m[4])
        for m in re.finditer(rf"^\| `([\w.]+)` \| {number} – {number} \| (.*) \|$", body, re.M)
    ]
    return pd.DataFrame(rows, columns=["path", "lo", "hi", "reason"]).set_index("path")


def at(sc: acsa.Scenario, path: str, value: float) -> acsa.Scenario:
    """The scenario with one parameter set, kept an integer where the default is one."""
    default = sc[path]
    return sc.replace({path: int(round(value)) if isinstance(default, int) and not isinstance(default, bool) else value})


def viable(scenarios: list[acsa.Scenario], n: int) -> list[int]:
    """For each scenario, how many of n runs with seeds 0..n-1 are viable: the same seeds,
    and so the same draws of chance, for every scenario."""
    seeds = [seed_bytes(seed) for seed in range(n)]
    jsons = [sc.to_json(indent=None) for sc in scenarios]
    results = _core.run_batch([j for j in jsons for _ in range(n)], seeds * len(jsons))
    for r in results:
        if r.outcome is None:
            raise SystemExit(r.error or "interrupted")
    return [sum(bool(r.outcome["viable"]) for r in results[i * n : (i + 1) * n]) for i in range(len(jsons))]


def sensitivity_baseline(intensity: float = 1.0) -> acsa.Scenario:
    """The 2026 baseline with `SENSITIVITY_VOTERS` voters and shocks at `intensity`."""
    return acsa.Scenario.default().replace({"voters.n": SENSITIVITY_VOTERS, "shocks.intensity": intensity})


def even_odds(n: int = SENSITIVITY_REPLICATES) -> pd.Series:
    """Viable runs of n at each shock intensity of the main job's grid (`acsa.study.AXES`),
    sorted so that the first is the intensity where P(viable) is nearest one half (the lower
    intensity on a tie): the point where a parameter can move P(viable) either way."""
    levels = acsa.study.AXES["shocks.intensity"]
    counts = pd.Series(viable([sensitivity_baseline(level) for level in levels], n), index=levels)
    return counts.iloc[np.lexsort((counts.index, (counts / n - 0.5).abs()))]


def sensitivity(base: acsa.Scenario, n: int = SENSITIVITY_REPLICATES, paths=None) -> pd.DataFrame:
    """P(viable) of `base` with each parameter of `plausible_ranges()` (or `paths`) at the
    low and at the high end of its range, the others as in `base`: one row per parameter
    with the viable counts k_lo and k_hi of n runs, widest swing first."""
    ranges = plausible_ranges()
    if paths is not None:
        ranges = ranges.loc[list(paths)]
    rows = []
    for path, r in ranges.iterrows():
        k_lo, k_hi = viable([at(base, path, r["lo"]), at(base, path, r["hi"])], n)
        rows.append({"path": path, "default": base[path], "lo": r["lo"], "hi": r["hi"], "k_lo": k_lo, "k_hi": k_hi})
        print(f"{path}: {k_lo} and {k_hi} of {n}", flush=True)
    table = pd.DataFrame(rows).set_index("path")
    table["swing"] = (table["k_hi"] - table["k_lo"]) / n
    return table.reindex(table["swing"].abs().sort_values(ascending=False, kind="stable").index)


def share(k: int, n: int) -> str:
    """k of n as a share with its Wilson 95% interval."""
    lo, hi = wilson(k, n)
    return f"{k / n:.2f} [{lo:.2f}, {hi:.2f}]"


def sensitivity_table(table: pd.DataFrame, n: int, odds: pd.Series) -> str:
    """The table of `sensitivity(base, n)` at the intensity `even_odds(n)` puts first, under the
    baseline's own P(viable) at each intensity of the grid."""
    voters = f"{SENSITIVITY_VOTERS:,}".replace(",", " ")
    intensity, k0 = odds.index[0], odds.iloc[0]
    at_each = "; ".join(f"{level:g}: {share(k, n)}" for level, k in odds.sort_index().items())
    lines = [
        f"The 2026 baseline (`Scenario.default()`) with {voters} voters, {n} runs with seeds 0-{n - 1}, has "
        f"P(viable) at each shock intensity of the main job's grid: {at_each}. The table is at "
        f"`shocks.intensity` {intensity:g}, where P(viable) = {share(k0, n)} is nearest one half. Each row moves "
        "one parameter to the low and to the high end of its plausible range (`docs/ODD.md` 9.3), the others at "
        f"their defaults, with the baseline's seeds. Swing: P(viable) at the high end less P(viable) at the low "
        "end; widest first. Wilson 95% intervals.",
        "",
        "| parameter | default | low end | P(viable) at low end | high end | P(viable) at high end | swing |",
        "|---|---|---|---|---|---|---|",
    ]
    for path, r in table.iterrows():
        lines.append(
            f"| `{path}` | {r['default']:g} | {r['lo']:g} | {share(r['k_lo'], n)} | {r['hi']:g} | "
            f"{share(r['k_hi'], n)} | {r['swing']:+.2f} |"
        )
    return "\n".join(lines)


def pressure_table(n: int = PRESSURE_REPLICATES) -> str:
    """P(viable) under weak shocks at three levels of resting US pressure, the same seeds at each."""
    base = sensitivity_baseline(PRESSURE_INTENSITY)
    counts = viable([base.replace({"us.pressure": level}) for level in PRESSURE_LEVELS], n)
    lines = [
        f"| `us.pressure` (at `shocks.intensity` {PRESSURE_INTENSITY:g}) "
        f"| P(viable), {n} runs |",
        "|---|---|",
    ]
    lines += [f"| {level:g} | {share(k, n)} |" for level, k in zip(PRESSURE_LEVELS, counts)]
    return "\n".join(lines)


def block_pattern(marker: str) -> str:
    """The text between `<!-- marker:start -->` and `<!-- marker:end -->` in VALIDATION.md,
    which must be there (checked before any long run is spent on it)."""
    pattern = rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)"
    if not re.search(pattern, REPORT.read_text(), flags=re.S):
        raise SystemExit(f"docs/VALIDATION.md has no {marker} markers")
    return pattern


def write_block(marker: str, block: str) -> None:
    """Replace the text between the `marker` markers in VALIDATION.md by `block`."""
    pattern, text = block_pattern(marker), REPORT.read_text()
    REPORT.write_text(re.sub(pattern, lambda m: m[1] + block + "\n" + m[2], text, flags=re.S))
    print(block)


AGE_CHECKS = [  # (survey metric, date, model columns whose median range it is read against)
    ("good_impression_of_japan_age_20_29", "2016-06-15", ["favourability_18_29"]),
    ("good_impression_of_japan_age_60_plus", "2016-06-15", ["favourability_60_plus"]),
    ("good_impression_of_japan_age_20_39", "2023-01-15", ["favourability_18_29", "favourability_30_39"]),
    ("good_impression_of_japan_age_19_39", "2023-08-15", ["favourability_18_29", "favourability_30_39"]),
]


def age_table(runs, opinion) -> str:
    """The surveys by age against the model's median in the matching bands."""
    lines = ["| survey | date | population | survey value | model band | model median |", "|---|---|---|---|---|---|"]
    for metric, date, columns in AGE_CHECKS:
        row = opinion[opinion["metric"] == metric].iloc[0]
        for column in columns:
            median = np.median([history.series_at(r.series, date)[column] for r in runs])
            lines.append(f"| {row['source'].split(' (')[0]} | {row['date']} | {row['population']} | {float(row['value']):.1f}% "
                         f"| {AGE_BANDS[column][0]} | {median:.1%} |")
    return "\n".join(lines)


def replay() -> None:
    FIGURES.mkdir(exist_ok=True)
    runs = history.replicates(REPLICATES)
    opinion, timeline = history.opinion_data(), history.timeline_data()
    favourability_figure(runs, opinion, timeline)
    age_figure(runs, opinion)
    gsomia_figure(runs, opinion, timeline)
    timing_figure(runs, timeline)
    write_block("facts", "\n\n".join([facts_table(history.summary(runs)), favourability_table(runs), age_table(runs, opinion)]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=("facts", "sensitivity"), help="write only this part")
    args = ap.parse_args()
    markers = ["facts"] if args.only != "sensitivity" else []
    if args.only != "facts":
        markers += ["sensitivity", "pressure"]
    for marker in markers:
        block_pattern(marker)
    if args.only != "sensitivity":
        replay()
    if args.only != "facts":
        n = SENSITIVITY_REPLICATES
        odds = even_odds(n)
        write_block("sensitivity", sensitivity_table(sensitivity(sensitivity_baseline(odds.index[0]), n), n, odds))
        write_block("pressure", pressure_table())


if __name__ == "__main__":
    main()
