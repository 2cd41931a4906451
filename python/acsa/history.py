"""The 2012-2026 replay checked against the record.

`replicates(n)` runs `Scenario.history()` with n seeds; `facts(run)` reads one run's
events and series and says, for each dated episode and stylized fact, whether the run
reproduces it; `FACTS` states what each one means and the share of replicates it must
reach (its tolerance). docs/VALIDATION.md reports the shares and tests/test_history.py
asserts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .run import EXECUTIVE_EVENTS, Run, simulate
from .scenario import Scenario

__all__ = ["FACTS", "Fact", "facts", "opinion_data", "replicates", "summary", "timeline_data"]

GSOMIA = 3
ACSA = 4  # the conditional ACSA; the full ACSA is rung 5


@dataclass(frozen=True)
class Fact:
    name: str
    claim: str
    # Share of replicates (among those where it applies) that must reproduce it.
    tolerance: float
    # The model does not reproduce it; docs/VALIDATION.md says why.
    miss: bool = False
    # Fewest replicates with a case for the share to mean anything.
    min_cases: int = 10


FACTS = (
    Fact("gsomia_2012_fails", "Lee's government proposes GSOMIA and it does not come into force under Lee", 0.6),
    Fact("no_gsomia_2013_2015", "no GSOMIA is signed from 2013 to 2015", 0.9),
    Fact("gsomia_signed_2016", "GSOMIA is signed between January 2016 and the May 2017 election", 0.5),
    Fact("notice_2019_suspended", "a notice to end GSOMIA is given in 2019 and suspended before it takes effect", 0.5),
    Fact("no_acsa_by_2026", "no ACSA is signed by June 2026", 0.5),
    Fact("no_acsa_under_progressives", "no progressive president proposes an ACSA", 0.95),
    Fact("secret_push_fails", "1. a fast-tracked proposal made while favourability is below 30% is withdrawn or collapses", 0.5,
         miss=True, min_cases=3),
    Fact("signed_against_majority", "2. a GSOMIA signed in 2016 is signed while expected support for it is below half", 0.5, miss=True),
    Fact("partisan_split_widens", "3. the camps' gap on cooperation peaks above its calm 2014 level in the 2016 push and the 2019 notice", 0.7),
    Fact("grievance_fast_slow", "4. favourability falls 5 points within 3 months of the 2019 export controls and is still lower 2 years later", 0.6),
    Fact("balloons_withdrawn_fast", "5. every trial balloon is withdrawn or taken up within a week", 0.95),
    Fact("support_apart_from_affect", "6. in 2021 most support security cooperation while under 30% like Japan", 0.5),
)


def replicates(n: int = 100, scenario: Scenario | None = None, first_seed: int = 0, threads: int = 2) -> list[Run]:
    """`n` replays with seeds first_seed, first_seed + 1, ... (the core releases the GIL)."""
    sc = scenario or Scenario.history()
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda s: simulate(sc, seed=s), range(first_seed, first_seed + n)))


def _between(events: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    return events[(events["date"] >= pd.Timestamp(start)) & (events["date"] < pd.Timestamp(end))]


def series_at(series: pd.DataFrame, date: str) -> pd.Series:
    """The series row of the week containing `date`."""
    i = int(np.searchsorted(series["date"].to_numpy(), np.datetime64(date), side="right")) - 1
    return series.iloc[max(i, 0)]


def _window(series: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    return series[(series["date"] >= pd.Timestamp(start)) & (series["date"] < pd.Timestamp(end))]


def _ends(ex: pd.DataFrame, i: int) -> str | None:
    """How the proposal in row i ends: signed, retreat or collapse (None if it does not)."""
    rung, later = ex["rung"].iloc[i], ex.iloc[i + 1:]
    done = later[(later["rung"] == rung) & later["kind"].isin(("signed", "retreat", "collapse"))]
    return None if done.empty else str(done["kind"].iloc[0])


def facts(run: Run) -> dict[str, bool | None]:
    """Which episodes and stylized facts this run reproduces (None: the run has no case)."""
    ev, s = run.events, run.series
    ex = ev[ev["kind"].isin(EXECUTIVE_EVENTS)].reset_index(drop=True)
    kind = ex["kind"]
    f: dict[str, bool | None] = {}

    lee_change = ev[(ev["kind"] == "presidential_election")]["date"].min()
    lee = ex[(ex["date"] < lee_change)]
    proposed = lee[(lee["kind"] == "proposal") & (lee["rung"] == GSOMIA)]
    signed_by_lee = lee[(lee["kind"] == "signed") & (lee["rung"] == GSOMIA)]
    f["gsomia_2012_fails"] = not proposed.empty and signed_by_lee.empty

    signed = ex[kind == "signed"]
    f["no_gsomia_2013_2015"] = _between(signed[signed["rung"] == GSOMIA], "2013-01-01", "2016-01-01").empty
    f["gsomia_signed_2016"] = not _between(signed[signed["rung"] == GSOMIA], "2016-01-01", "2017-05-09").empty

    y2019 = _between(ex[ex["rung"] == GSOMIA], "2019-01-01", "2020-01-01")
    notice = y2019[y2019["kind"] == "termination_notice"]
    f["notice_2019_suspended"] = bool(
        not notice.empty
        and (y2019[y2019["kind"] == "suspension"]["date"] > notice["date"].iloc[0]).any()
        and y2019[y2019["kind"] == "terminated"].empty
    )
    f["no_acsa_by_2026"] = signed[signed["rung"] >= ACSA].empty

    progressive = s["president_party"] == 0
    acsa_proposals = ex[(kind == "proposal") & (ex["rung"] >= ACSA)]
    weeks = acsa_proposals["week"].to_numpy(dtype=int)
    f["no_acsa_under_progressives"] = not progressive.to_numpy()[weeks].any()

    # 1. Secret pushes at low favourability fail.
    secret = [i for i in ex.index[(kind == "proposal") & (ex["outcome"] == "fast_track")]
              if s["favourability"].iloc[int(ex["week"].iloc[i])] < 0.3]
    f["secret_push_fails"] = all(_ends(ex, i) in ("retreat", "collapse") for i in secret) if secret else None

    # 2. The 2016 signing is against the majority: expected support for the rung below half.
    s2016 = _between(signed[signed["rung"] == GSOMIA], "2016-01-01", "2017-05-09")
    controversy = run.scenario["ladder.controversy.gsomia"]
    against = [
        s["support_share"].iloc[w] - controversy * s["grievance_mean"].iloc[w] < 0.5
        for w in s2016["week"].astype(int)
    ]
    f["signed_against_majority"] = all(against) if against else None

    # 3. Partisan gap (conservative minus progressive supporters) widens when politicised.
    gap = s["support_conservative"] - s["support_progressive"]
    calm = gap[(s["date"] >= pd.Timestamp("2014-01-01")) & (s["date"] < pd.Timestamp("2015-01-01"))].mean()

    def episode(a: str, b: str) -> float:
        return gap[(s["date"] >= pd.Timestamp(a)) & (s["date"] < pd.Timestamp(b))].max()

    f["partisan_split_widens"] = bool(episode("2016-07-01", "2017-03-01") > calm and episode("2019-07-01", "2020-01-01") > calm)

    # 4. Grievance shocks hit fast and heal slowly.
    before = series_at(s, "2019-06-24")["favourability"]
    f["grievance_fast_slow"] = bool(
        _window(s, "2019-07-01", "2019-10-01")["favourability"].min() < before - 0.05
        and series_at(s, "2021-07-01")["favourability"] < before
    )

    # 5. Trial balloons are withdrawn or taken up within a week.
    floated = ex.index[(kind == "trial_balloon") & (ex["outcome"] == "floated")]
    quick = []
    for i in floated:
        nxt = ex.iloc[i + 1:]
        nxt = nxt[nxt["kind"].isin(("trial_balloon", "proposal"))]
        quick.append(not nxt.empty and nxt["week"].iloc[0] - ex["week"].iloc[i] <= 1)
    f["balloons_withdrawn_fast"] = all(quick) if quick else None

    # 6. Support for cooperation and affect toward Japan are separate dimensions.
    y2021 = _window(s, "2021-01-01", "2022-01-01")
    f["support_apart_from_affect"] = bool(y2021["support_share"].mean() > 0.5 and y2021["favourability"].mean() < 0.3)
    return f


def summary(runs: Sequence[Run]) -> pd.DataFrame:
    """Share of replicates reproducing each fact, among those where it applies (a run
    with no 2016 signing says nothing about fact 2), with its claim and tolerance."""
    table = pd.DataFrame([facts(r) for r in runs], dtype=object)
    cases = [table[f.name].dropna().astype(bool) for f in FACTS]
    return pd.DataFrame(
        {
            "claim": [f.claim for f in FACTS],
            "cases": [len(c) for c in cases],
            "share": [float(c.mean()) if len(c) else float("nan") for c in cases],
            "tolerance": [f.tolerance for f in FACTS],
        },
        index=pd.Index([f.name for f in FACTS], name="fact"),
    ).assign(met=lambda d: d["share"] >= d["tolerance"], miss=[f.miss for f in FACTS])


_DATA = Path(__file__).with_name("data")


def opinion_data() -> pd.DataFrame:
    """The survey series of data/opinion.csv (South Korean adults unless said otherwise)."""
    return pd.read_csv(_DATA / "opinion.csv", dtype={"date": str})


def timeline_data() -> pd.DataFrame:
    """The dated events of data/timeline.csv."""
    return pd.read_csv(_DATA / "timeline.csv", parse_dates=["date"])
