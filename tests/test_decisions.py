"""The executive's decisions in the default 2026 world (docs/ODD.md 7.6)."""

from __future__ import annotations

import pandas as pd

import acsa

RUNS = 40


def test_a_government_that_has_just_kept_gsomia_rarely_ends_it_in_its_first_year():
    """The baseline starts with a government a year into its term that has kept GSOMIA: a
    notice to end it needs a case that outlasts a spike of attention (Tokyo's hostility,
    lasting grievance), so notices are rare, and rarer still in the first year."""
    sc = acsa.Scenario()
    start = pd.Timestamp(sc["start_date"])
    first_year = later = 0
    for seed in range(RUNS):
        events = acsa.simulate(sc, seed=seed).events
        notices = events[events["kind"] == "termination_notice"]
        if notices.empty:
            continue
        if notices["date"].iloc[0] < start + pd.Timedelta(weeks=52):
            first_year += 1
        else:
            later += 1
    assert first_year <= 2, f"{first_year} of {RUNS} default runs give notice in their first year"
    assert first_year + later <= RUNS // 3, f"{first_year + later} of {RUNS} default runs give notice"
    assert first_year + later > 0, "no default run gives notice in ten years: the case never occurs"
