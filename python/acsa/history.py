"""The 2012-2026 replay checked against the record.

`replicates(n)` runs `Scenario.history()` with n seeds; `facts(run)` reads one run's
events and series and says, for each dated episode and stylized fact and each part of
the record, whether the run reproduces it; `FACTS` states what each one means and the
share of replicates it must reach (its tolerance).

The record is cut in two (`SAMPLES`): 2012-2017, the part the free parameters are
calibrated on (`loss`, docs/calibrate.py), and 2018-2026, a check the calibration never
sees. A fact is judged in each part that holds a case of it. docs/VALIDATION.md reports
the shares side by side and tests/test_history.py asserts them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .run import Run, simulate
from .schema import EXECUTIVE_EVENTS
from .scenario import Scenario

__all__ = [
    "FACTS",
    "SAMPLES",
    "Fact",
    "facts",
    "favourability",
    "in_sample",
    "loss",
    "opinion_data",
    "replicates",
    "series_at",
    "summary",
    "timeline_data",
]

GSOMIA = 3
ACSA = 4  # the conditional ACSA; the full ACSA is rung 5

# The two parts of the record: [start, end) dates. The calibration sees only "in".
SAMPLES = {"in": ("2012-01-01", "2018-01-01"), "out": ("2018-01-01", "2026-07-01")}


class _Replay:
    """One run's events and series, read within one part of the record."""

    def __init__(self, run: Run, sample: str):
        self.run = run
        self.events = run.events
        self.series = run.series
        self.moves = self.events[self.events["kind"].isin(EXECUTIVE_EVENTS)].reset_index(drop=True)
        self.sample = sample
        self.start, self.end = SAMPLES[sample]

    def within(self, df: pd.DataFrame, start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Rows of `df` dated in [start, end), by default this part of the record."""
        lo, hi = pd.Timestamp(start or self.start), pd.Timestamp(end or self.end)
        return df[(df["date"] >= lo) & (df["date"] < hi)]

    def moves_of(self, kind: str, rung: int | None = None, at_least: bool = False) -> pd.DataFrame:
        m = self.moves[self.moves["kind"] == kind]
        if rung is not None:
            m = m[m["rung"] >= rung] if at_least else m[m["rung"] == rung]
        return m


def series_at(series: pd.DataFrame, date: str) -> pd.Series:
    """The series row of the week containing `date`."""
    i = int(np.searchsorted(series["date"].to_numpy(), np.datetime64(date), side="right")) - 1
    return series.iloc[max(i, 0)]


def _gsomia_2012_fails(r: _Replay) -> bool:
    lee_change = r.events[r.events["kind"] == "presidential_election"]["date"].min()
    lee = r.moves[r.moves["date"] < lee_change]
    proposed = lee[(lee["kind"] == "proposal") & (lee["rung"] == GSOMIA)]
    signed = lee[(lee["kind"] == "signed") & (lee["rung"] == GSOMIA)]
    return not proposed.empty and signed.empty


def _no_gsomia_2013_2015(r: _Replay) -> bool:
    return r.within(r.moves_of("signed", GSOMIA), "2013-01-01", "2016-01-01").empty


def _gsomia_signed_2016(r: _Replay) -> bool:
    return not r.within(r.moves_of("signed", GSOMIA), "2016-01-01", "2017-05-09").empty


def _notice_2019_suspended(r: _Replay) -> bool:
    """A notice to end GSOMIA given in 2019 is suspended before it takes effect."""
    gsomia = r.moves[r.moves["rung"] == GSOMIA]
    notice = r.within(gsomia[gsomia["kind"] == "termination_notice"], "2019-01-01", "2020-01-01")
    if notice.empty:
        return False
    after = gsomia[gsomia["date"] > notice["date"].iloc[0]]
    ends = after[after["kind"].isin(("suspension", "terminated"))]
    return not ends.empty and ends["kind"].iloc[0] == "suspension"


def _no_acsa(r: _Replay) -> bool:
    return r.within(r.moves_of("signed", ACSA, at_least=True)).empty


def _no_acsa_under_progressives(r: _Replay) -> bool:
    weeks = r.within(r.moves_of("proposal", ACSA, at_least=True))["week"].to_numpy(dtype=int)
    return not (r.series["president_party"].to_numpy()[weeks] == 0).any()


def _secret_push_fails(r: _Replay) -> bool | None:
    """Fact 1: each fast-tracked proposal made at favourability below 30% is withdrawn or
    collapses by a ruling-party revolt (a proposal that lapses at a change of president,
    or is signed, does not reproduce it)."""
    ex, s = r.moves, r.series
    fast = r.within(ex[(ex["kind"] == "proposal") & (ex["outcome"] == "fast_track")])
    secret = [i for i in fast.index if s["favourability"].iloc[int(ex["week"].iloc[i])] < 0.3]
    return all(_fails_by_revolt_or_retreat(ex, i) for i in secret) if secret else None


def _fails_by_revolt_or_retreat(ex: pd.DataFrame, i: int) -> bool:
    """Whether the proposal in row i is withdrawn or postponed by the ruling party."""
    rung, later = ex["rung"].iloc[i], ex.iloc[i + 1:]
    done = later[(later["rung"] == rung) & later["kind"].isin(("signed", "retreat", "collapse"))]
    return not done.empty and (
        done["kind"].iloc[0] == "retreat" or done["outcome"].iloc[0] == "postponed_by_ruling_party"
    )


def _signed_against_majority(r: _Replay) -> bool | None:
    """Fact 2: a GSOMIA signed in 2016 is signed while most adults oppose it."""
    s = r.series
    signed = r.within(r.moves_of("signed", GSOMIA), "2016-01-01", "2017-05-09")
    weeks = signed["week"].astype(int)
    return bool((s["pact_opposed"].iloc[weeks] > 0.5).all()) if len(weeks) else None


def _partisan_split_widens(r: _Replay) -> bool:
    """Fact 3: the camps' gap peaks above its calm 2014 level in the politicised episode of
    this part of the record (the 2016 push; the 2019 notice)."""
    s = r.series
    gap = (s["support_conservative"] - s["support_progressive"]).set_axis(s["date"])
    calm = gap["2014-01-01":"2014-12-31"].mean()
    start, end = {"in": ("2016-07-01", "2017-02-28"), "out": ("2019-07-01", "2019-12-31")}[r.sample]
    return bool(gap[start:end].max() > calm)


def _grievance_fast_slow(r: _Replay) -> bool:
    """Fact 4: favourability falls 5 points within 3 months of the 2019 export controls
    and is still lower 2 years later."""
    s = r.series
    before = series_at(s, "2019-06-24")["favourability"]
    return bool(
        r.within(s, "2019-07-01", "2019-10-01")["favourability"].min() < before - 0.05
        and series_at(s, "2021-07-01")["favourability"] < before
    )


def _balloons_withdrawn_fast(r: _Replay) -> bool | None:
    """Fact 5: each trial balloon floated in this part is withdrawn or taken up within a week."""
    ex = r.moves
    floated = r.within(ex[(ex["kind"] == "trial_balloon") & (ex["outcome"] == "floated")]).index
    quick = []
    for i in floated:
        nxt = ex.iloc[i + 1:]
        nxt = nxt[nxt["kind"].isin(("trial_balloon", "proposal"))]
        quick.append(not nxt.empty and nxt["week"].iloc[0] - ex["week"].iloc[i] <= 1)
    return all(quick) if quick else None


def _support_apart_from_affect(r: _Replay) -> bool:
    """Fact 6: support for cooperation and affect toward Japan are separate dimensions."""
    y2021 = r.within(r.series, "2021-01-01", "2022-01-01")
    return bool(y2021["support_share"].mean() > 0.5 and y2021["favourability"].mean() < 0.3)


@dataclass(frozen=True)
class Fact:
    name: str
    claim: str
    # Share of replicates (among those where it applies) that must reproduce it.
    tolerance: float
    test: Callable[[_Replay], bool | None]
    # The parts of the record that hold a case of it.
    samples: tuple[str, ...] = ("in", "out")
    # Parts in which the model does not reproduce it; docs/VALIDATION.md says why.
    missed: tuple[str, ...] = ()
    # Why the code forces it, if it does: such a fact is not counted as reproduced.
    mechanical: str = ""
    # Fewest replicates with a case for the share to mean anything.
    min_cases: int = 10


FACTS = (
    Fact("gsomia_2012_fails", "Lee's government proposes GSOMIA and it does not come into force under Lee", 0.6,
         _gsomia_2012_fails, ("in",)),
    Fact("no_gsomia_2013_2015", "no GSOMIA is signed from 2013 to 2015", 0.9, _no_gsomia_2013_2015, ("in",),
         missed=("in",)),
    Fact("gsomia_signed_2016", "GSOMIA is signed between January 2016 and the May 2017 election", 0.5,
         _gsomia_signed_2016, ("in",)),
    Fact("notice_2019_suspended", "a notice to end GSOMIA is given in 2019 and suspended before it takes effect", 0.5,
         _notice_2019_suspended, ("out",)),
    Fact("no_acsa", "no ACSA is signed", 0.5, _no_acsa),
    Fact("no_acsa_under_progressives", "no progressive president proposes an ACSA", 0.95, _no_acsa_under_progressives),
    Fact("secret_push_fails", "1. a fast-tracked proposal made while favourability is below 30% is withdrawn or "
         "postponed by a ruling-party revolt", 0.5, _secret_push_fails, missed=("out",), min_cases=3),
    Fact("signed_against_majority", "2. a GSOMIA signed in 2016 is signed while most adults oppose it", 0.5,
         _signed_against_majority, ("in",)),
    Fact("partisan_split_widens", "3. the camps' gap on cooperation peaks above its calm 2014 level in the 2016 push "
         "(2012-2017) and after the 2019 notice (2018-2026)", 0.7, _partisan_split_widens),
    Fact("grievance_fast_slow", "4. favourability falls 5 points within 3 months of the 2019 export controls and is "
         "still lower 2 years later", 0.6, _grievance_fast_slow, ("out",)),
    Fact("balloons_withdrawn_fast", "5. every trial balloon is withdrawn or taken up within a week", 0.95,
         _balloons_withdrawn_fast, missed=("in", "out")),
    Fact("support_apart_from_affect", "6. in 2021 most support security cooperation while under 30% like Japan", 0.5,
         _support_apart_from_affect, ("out",)),
)


def replicates(n: int = 100, scenario: Scenario | None = None, first_seed: int = 0, threads: int = 2) -> list[Run]:
    """`n` replays with seeds first_seed, first_seed + 1, ... (the core releases the GIL)."""
    sc = scenario or Scenario.history()
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda s: simulate(sc, seed=s), range(first_seed, first_seed + n)))


def in_sample(scenario: Scenario | None = None) -> Scenario:
    """The replay cut at the end of the calibration part (2012-2017): the same weeks as
    the full replay, bit for bit, without the rest."""
    sc = scenario or Scenario.history()
    end = pd.Timestamp(SAMPLES["in"][1])
    weeks = (end - pd.Timestamp(sc["start_date"])).days // 7
    events = [e for e in sc["events"] if pd.Timestamp(e["date"]) < end]
    return sc.replace({"horizon_weeks": weeks, "events": events})


def facts(run: Run) -> dict[tuple[str, str], bool | None]:
    """Which episodes and stylized facts this run reproduces, by (fact, part of the
    record); None where the run has no case (a run with no 2016 signing says nothing
    about fact 2). A part the run does not reach is left out."""
    last = run.series["date"].iloc[-1]
    out: dict[tuple[str, str], bool | None] = {}
    for sample, (start, _) in SAMPLES.items():
        if last < pd.Timestamp(start):
            continue
        replay = _Replay(run, sample)
        for f in FACTS:
            if sample in f.samples:
                out[(f.name, sample)] = f.test(replay)
    return out


def summary(runs: Sequence[Run]) -> pd.DataFrame:
    """Share of replicates reproducing each fact in each part of the record, among those
    where it applies, with its claim and tolerance: one row per (fact, sample).

    `met`: at least the fact's `min_cases` cases and a share at or above its tolerance.
    `verdict`: "met", "missed", "too few cases", or "mechanical" (the code forces the
    fact, so it is not counted as reproduced, whatever its share).
    """
    table = pd.DataFrame([facts(r) for r in runs], dtype=object)
    rows = []
    for f in FACTS:
        for sample in f.samples:
            if (f.name, sample) not in table:
                continue
            c = table[(f.name, sample)].dropna().astype(bool)
            share = float(c.mean()) if len(c) else float("nan")
            met = bool(len(c) >= f.min_cases and share >= f.tolerance)
            verdict = "mechanical" if f.mechanical else "met" if met else "too few cases" if len(c) < f.min_cases else "missed"
            rows.append({
                "fact": f.name, "sample": sample, "claim": f.claim, "cases": len(c), "share": share,
                "tolerance": f.tolerance, "met": met, "verdict": verdict,
            })
    return pd.DataFrame(rows).set_index(["fact", "sample"])


def favourability(runs: Sequence[Run]) -> pd.DataFrame:
    """The model's share with a good impression of Japan in mid-June of each Genron
    NPO-EAI survey year (median and 10-90% band over `runs`) against the survey, with the
    part of the record the year belongs to."""
    surveys = opinion_data().query("metric == 'good_impression_of_japan'")
    last = runs[0].series["date"].iloc[-1]
    rows = []
    for _, r in surveys.iterrows():
        date = f"{r['date']}-06-15"
        if pd.Timestamp(date) > last:
            continue
        v = np.array([series_at(run.series, date)["favourability"] for run in runs])
        lo, mid, hi = np.percentile(v, [10, 50, 90])
        sample = next(k for k, (a, b) in SAMPLES.items() if a <= date < b)
        rows.append({"year": int(r["date"]), "sample": sample, "survey": float(r["value"]) / 100,
                     "median": mid, "lo": lo, "hi": hi})
    return pd.DataFrame(rows).set_index("year")


def loss(runs: Sequence[Run]) -> float:
    """The calibration's loss on 2012-2017: for each fact judged there, the squared
    shortfall of its share below its tolerance (a fact no replicate has a case of falls
    short by its whole tolerance), plus the squared error of the model's median
    favourability in each survey year of that part."""
    table = summary(runs).xs("in", level="sample")
    shortfall = (table["tolerance"] - table["share"].fillna(0.0)).clip(lower=0.0)
    fav = favourability(runs)
    fav = fav[fav["sample"] == "in"]
    return float((shortfall**2).sum() + ((fav["median"] - fav["survey"]) ** 2).sum())


_DATA = Path(__file__).with_name("data")


def opinion_data() -> pd.DataFrame:
    """The survey series of data/opinion.csv (South Korean adults unless said otherwise)."""
    return pd.read_csv(_DATA / "opinion.csv", dtype={"date": str})


def timeline_data() -> pd.DataFrame:
    """The dated events of data/timeline.csv."""
    return pd.read_csv(_DATA / "timeline.csv", parse_dates=["date"])
