"""Every numeric parameter at both ends of its documented range runs cleanly:
no panic, no error, every series finite and within its bounds."""

import numpy as np
import pytest

import acsa

BOUNDED = [
    "approval", "support_mean", "support_progressive", "support_conservative", "support_independent",
    "support_share", "favourability", "grievance_mean", "threat_mean", "salience_mean", "politicisation",
    "capital", "legislative_support", "familiarity", "readiness", "logistics_gap", "us_pressure",
    "us_commitment", "japan_willingness", "japan_mood", "governing_seat_share", "pact_salience", "pact_opposed",
    "pact_opposed_progressive", "pact_opposed_conservative", "pact_opposed_independent", "governing_opposed",
    "revolt_risk",
]
# Sizes that would only make the test slow, not different.
SKIP = {"voters.n", "japan.voters.n"}
BASE = {"voters.n": 400, "horizon_weeks": 30}


def extremes():
    table = acsa.parameters()
    for path, row in table.iterrows():
        if path in SKIP or row["min"] is None or np.isnan(row["min"]):
            continue
        for value in (row["min"], row["max"]):
            yield path, value


def scenario_at(path, value):
    default = acsa.Scenario.default()[path]
    value = int(value) if isinstance(default, (int, np.integer)) and not isinstance(default, bool) else float(value)
    changes = dict(BASE)
    changes[path] = value
    if path == "network.degree":
        changes["voters.n"] = max(400, int(value) + 1)
    table, _, leaf = path.rpartition(".")
    if table in ("legislature.seats", "japan.seats"):
        # The three seat counts must sum to 300: give the rest to the other camps.
        others = [p for p in ("progressive", "conservative", "independent") if p != leaf]
        changes[f"{table}.{others[0]}"] = 300 - value
        changes[f"{table}.{others[1]}"] = 0
    if path.startswith("japan.voters."):
        # Japan's own voters exist only in full mode.
        changes.update({"japan.mode": "full", "japan.voters.n": 400})
    voters = table if table in ("voters", "japan.voters") else None
    if voters and leaf in ("share_progressive", "share_conservative"):
        other = "share_conservative" if leaf == "share_progressive" else "share_progressive"
        changes[f"{voters}.{other}"] = min(acsa.Scenario.default()[f"{voters}.{other}"], 1 - value)
    return acsa.Scenario.default().replace(changes)


@pytest.mark.parametrize("path, value", list(extremes()))
def test_parameter_extremes_run_cleanly(path, value):
    run = acsa.simulate(scenario_at(path, value), seed=11)
    s = run.series
    assert len(s) == run.scenario["horizon_weeks"]
    for col in BOUNDED:
        x = s[col].to_numpy()
        assert np.isfinite(x).all(), col
        assert ((x >= 0) & (x <= 1)).all(), col
    assert s["rung"].between(0, 5).all()
