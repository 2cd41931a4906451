"""Make the figures and the facts table of docs/VALIDATION.md.

    python docs/validation.py            # 100 replicates of Scenario.history(), seeds 0-99

Writes docs/validation/*.png and rewrites the block between the `facts` markers in
docs/VALIDATION.md. Takes about a minute on two cores.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from acsa import history  # noqa: E402
from acsa.plots import STYLE  # noqa: E402

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "validation"
REPORT = HERE / "VALIDATION.md"
REPLICATES = 100
GSOMIA_CONTROVERSY = 0.5


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


def gsomia_figure(runs, opinion, timeline) -> None:
    expected = band(runs, "", lambda s: s["support_share"] - GSOMIA_CONTROVERSY * s["grievance_mean"])
    with plt.rc_context(STYLE):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
        shade(top, expected, "#2ca02c", "model: expected support for GSOMIA (support share - 0.5 x grievance)")
        shade(top, band(runs, "support_share"), "#9467bd", "model: supports security cooperation")
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


def main() -> None:
    FIGURES.mkdir(exist_ok=True)
    runs = history.replicates(REPLICATES)
    opinion, timeline = history.opinion_data(), history.timeline_data()
    favourability_figure(runs, opinion, timeline)
    gsomia_figure(runs, opinion, timeline)
    timing_figure(runs, timeline)
    block = facts_table(history.summary(runs)) + "\n\n" + favourability_table(runs)
    text = REPORT.read_text()
    text = re.sub(r"(<!-- facts:start -->\n).*?(<!-- facts:end -->)", lambda m: m[1] + block + "\n" + m[2], text, flags=re.S)
    REPORT.write_text(text)
    print(block)


if __name__ == "__main__":
    main()
