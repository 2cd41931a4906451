"""The 2012-2026 replay against the record (docs/VALIDATION.md).

100 replicates with seeds 0-99, so the shares are the same on every machine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import acsa
from acsa import history
from acsa.run import EXECUTIVE_EVENTS, SHOCK_EVENTS

REPLICATES = 100


@pytest.fixture(scope="module")
def runs():
    return history.replicates(REPLICATES)


@pytest.fixture(scope="module")
def table(runs):
    return history.summary(runs)


@pytest.mark.parametrize("fact", [f for f in history.FACTS if not f.miss], ids=lambda f: f.name)
def test_fact_within_tolerance(table, fact):
    row = table.loc[fact.name]
    assert row["cases"] >= fact.min_cases, f"{fact.name}: only {row['cases']} replicates have a case"
    assert row["share"] >= fact.tolerance, f"{fact.claim}: {row['share']:.2f} < {fact.tolerance}"


def test_report_states_these_shares(table):
    """docs/VALIDATION.md (from docs/validation.py) shows the shares the model gives now."""
    report = (Path(__file__).resolve().parents[1] / "docs" / "VALIDATION.md").read_text()
    for fact in history.FACTS:
        row = re.search(rf"^\| `{fact.name}` \|.*\| (\d+) \| ([\d.]+) \| ([\d.]+) \| (met|missed) \|$", report, re.M)
        assert row, f"{fact.name} has no row in docs/VALIDATION.md"
        got = table.loc[fact.name]
        assert int(row[1]) == got["cases"] and row[2] == f"{got['share']:.2f}", f"{fact.name}: rerun docs/validation.py"
        assert (row[4] == "missed") == fact.miss == (not got["met"]), fact.name


def test_only_exogenous_inputs_are_scheduled(runs):
    sc = acsa.Scenario.history()
    assert {e["kind"] for e in sc["events"]} <= set(SHOCK_EVENTS)
    n_moves = 0
    for run in runs[:10]:
        ev = run.events
        scheduled = ev[ev["outcome"] == "scheduled"]
        assert not scheduled["kind"].isin(EXECUTIVE_EVENTS).any()
        # Every executive move is the agents' own: none falls on a scheduled date by design.
        moves = ev[ev["kind"].isin(EXECUTIVE_EVENTS)]
        assert (moves["outcome"] != "scheduled").all()
        n_moves += len(moves)
    assert n_moves > 0, "no executive move in ten replays"


def test_replay_follows_the_real_calendar(runs):
    ev = runs[0].events
    elections = ev[ev["kind"] == "presidential_election"]
    assert list(elections["outcome"]) == ["conservative", "progressive", "conservative", "progressive"]
    # Snap elections on their own dates; regular ones at the end of the term.
    years = [d.strftime("%Y-%m") for d in elections["date"]]
    assert years[1] == "2017-05" and years[3] == "2025-06"
    assert years[0] == "2013-02" and years[2] == "2022-05"
    cabinets = ev[ev["kind"] == "japan_cabinet"]
    assert len(cabinets) == 5
    series = runs[0].series
    assert series["date"].iloc[0].strftime("%Y-%m") == "2012-01"
    assert series["date"].iloc[-1].strftime("%Y-%m") == "2026-06"


def test_replay_is_deterministic(runs):
    again = acsa.simulate(acsa.Scenario.history(), seed=3)
    assert again.series.equals(runs[3].series)
    assert again.events.equals(runs[3].events)


def test_reference_data_ships_with_the_package():
    opinion = history.opinion_data()
    assert {"date", "metric", "value", "population", "source"} <= set(opinion.columns)
    assert (opinion["metric"] == "good_impression_of_japan").sum() >= 7
    timeline = history.timeline_data()
    assert (timeline["kind"] == "termination_notice").any()
