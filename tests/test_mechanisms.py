"""The model's causal story, checked against counterfactuals with the same seed.

Each test changes one thing (a scheduled event, a lever) and compares with the
same seed without the change, or looks at what happens around an executive move.
"""

import numpy as np
import pytest

import acsa

SEEDS = [1, 2, 3]


def with_event(sc, kind, week, magnitude):
    return sc.replace({"events": [{"week": week, "kind": kind, "magnitude": magnitude}]})


@pytest.mark.parametrize("seed", SEEDS)
def test_nuclear_test_raises_threat_and_support(small, seed):
    base = acsa.simulate(small, seed=seed).series
    shocked = acsa.simulate(with_event(small, "nuclear_test", 20, 2.0), seed=seed).series
    before, after = slice(0, 20), slice(20, 26)
    # Nothing changes before the test...
    assert np.array_equal(base["threat_mean"][before], shocked["threat_mean"][before])
    # ...and threat and support for cooperation jump in the weeks after it.
    assert (shocked["threat_mean"][after] > base["threat_mean"][after] + 0.05).all()
    assert (shocked["support_mean"][after] > base["support_mean"][after] + 0.02).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_japan_trigger_raises_salience_and_grievance(small, seed):
    # No other events, so the runs differ only by the trigger and what follows from it.
    quiet = small.replace({"shocks.rate_scale": 0.0})
    base = acsa.simulate(quiet, seed=seed).series
    shocked = acsa.simulate(with_event(quiet, "japan_trigger", 20, 3.0), seed=seed).series
    after = slice(20, 28)
    assert (shocked["salience_mean"][after] > base["salience_mean"][after] + 0.05).all()
    assert (shocked["grievance_mean"][after] > base["grievance_mean"][after]).all()
    # Support for cooperation falls with grievance x salience.
    assert (shocked["support_mean"][after] < base["support_mean"][after]).all()


def _executive_moves(kind, n_seeds=4):
    """(series, week) for every `kind` move in runs with a risk-taking president, the
    dialogue rung not yet in force (a rung cheap enough to propose often)."""
    sc = acsa.Scenario.default().replace(
        {"voters.n": 2000, "horizon_weeks": 260, "executive.risk_tolerance": 0.9,
         "ladder.in_force": ["sarex", "gsomia"]}
    )
    found = []
    for seed in range(n_seeds):
        run = acsa.simulate(sc, seed=seed)
        ev, s = run.events, run.series
        sel = ev[ev["kind"] == kind]
        if kind == "proposal":
            sel = sel[sel["outcome"] == "open"]
        # A change of president resets approval: leave out moves next to an election.
        elections = set(ev.loc[ev["kind"].astype(str).str.endswith("_election"), "week"])
        found += [
            (s, int(w)) for w in sel["week"] if 1 <= w < len(s) - 1 and not {w - 1, w, w + 1} & elections
        ]
    assert len(found) >= 3, f"too few {kind} events to test"
    return found


def test_proposal_raises_salience_and_costs_approval():
    moves = _executive_moves("proposal", n_seeds=12)
    # The proposal is made in week w; voters react in week w + 1.
    for s, w in moves:
        assert s["salience_mean"][w + 1] > s["salience_mean"][w], w
    approval_change = [s["approval"][w + 1] - s["approval"][w] for s, w in moves]
    assert np.mean(approval_change) < 0
    assert sum(c < 0 for c in approval_change) >= 0.8 * len(moves)


def test_retreat_costs_capital():
    # Retreats are rarer than proposals: a president retreats only when a proposal's value
    # falls below the face it would cost him. Capital also follows approval, which moves
    # the same week: the drop net of approval's move is the lost face.
    for s, w in _executive_moves("retreat", n_seeds=60):
        lost = (s["capital"][w - 1] - s["capital"][w]) - (s["approval"][w - 1] - s["approval"][w])
        assert lost > 0.05, w


def test_drills_build_familiarity(small):
    on = acsa.simulate(small.replace({"ladder.drills": True}), seed=1).series
    off = acsa.simulate(small.replace({"ladder.drills": False}), seed=1).series
    start = small["ladder.familiarity"]
    assert on["familiarity"].iloc[-1] > start
    # Without drills the familiarity built since 1999 fades.
    assert (off["familiarity"].diff().iloc[1:] <= 0).all() and off["familiarity"].iloc[-1] < start
    assert on["familiarity"].mean() > off["familiarity"].mean()


@pytest.mark.parametrize("seed", SEEDS)
def test_shock_intensity_raises_mean_threat(small, seed):
    low = acsa.simulate(small.replace({"shocks.intensity": 0.5}), seed=seed).series
    high = acsa.simulate(small.replace({"shocks.intensity": 3.0}), seed=seed).series
    assert high["threat_mean"].mean() > low["threat_mean"].mean() + 0.05


def test_cohort_shift_lowers_grievance_over_time(small):
    sc = small.replace({"horizon_weeks": 520})
    kept = acsa.simulate(sc.replace({"voters.cohort_shift": 0.0}), seed=3).series
    shifted = acsa.simulate(sc.replace({"voters.cohort_shift": 0.1}), seed=3).series
    # Same start; new cohorts carry less grievance, so the gap opens over the years.
    assert kept["grievance_mean"].iloc[0] == shifted["grievance_mean"].iloc[0]
    assert shifted["grievance_mean"].iloc[-1] < kept["grievance_mean"].iloc[-1] - 0.01
    assert shifted["favourability"].iloc[-1] > kept["favourability"].iloc[-1]


def test_cabinet_only_route_signs_against_a_majority_when_threat_is_high():
    """A conservative government with no consent vote to win proposes GSOMIA after two
    nuclear tests and signs it although most adults oppose it: threat moves the
    executive, and the ruling party's members, whose districts oppose it less, do not
    revolt (fact 2, 2016)."""
    sc = acsa.Scenario.default().replace({
        "voters.n": 5000, "horizon_weeks": 30,
        "executive.party": "conservative", "executive.ideology": 0.6,
        "ladder.in_force": ["sarex", "dialogue"],
        "legislature.consent_required": False,
        "voters.grievance_mean": 0.55,
        "events": [{"week": 4, "kind": "nuclear_test", "magnitude": 2.0},
                   {"week": 14, "kind": "nuclear_test", "magnitude": 2.0}],
    })
    against = 0
    for seed in range(10):
        run = acsa.simulate(sc, seed=seed)
        s, ev = run.series, run.events
        for w in ev[(ev["kind"] == "signed") & (ev["rung"] == 3)]["week"]:
            if s["pact_opposed"][w] > 0.5:
                against += 1
                assert s["pact_rung"][w] == 3
                assert s["threat_mean"][w] > sc["voters.threat_baseline"] + 0.2
                assert s["pact_opposed_conservative"][w] < s["pact_opposed"][w]
                assert s["governing_opposed"][w] < sc["legislature.revolt_threshold"]
    assert against >= 5, f"only {against} of 10 signings against a majority"


def test_ruling_party_revolts_against_a_pact_while_most_support_cooperation():
    """A conservative government pushes a conditional ACSA after security shocks. Most
    adults support security cooperation, yet the pact itself, which lets Japanese forces
    onto the peninsula, is opposed by a large part of the president's own camp once pushed
    (Realmeter, July 2012: 39.9% of Saenuri supporters against GSOMIA, 23.5% for), and its
    members, answering to their districts, have it postponed (fact 1, 2012)."""
    sc = acsa.Scenario.default().replace({
        "voters.n": 3000, "horizon_weeks": 156, "shocks.intensity": 2.0,
        "executive.party": "conservative", "executive.ideology": 0.6,
    })
    revolts = 0
    for seed in range(40):
        run = acsa.simulate(sc, seed=seed)
        s, ev = run.series, run.events
        postponed = ev[(ev["kind"] == "collapse") & (ev["outcome"] == "postponed_by_ruling_party")]
        for w, rung in zip(postponed["week"], postponed["rung"]):
            assert s["pact_rung"][w] == rung
            assert s["governing_opposed"][w] > sc["legislature.revolt_threshold"]
            if s["support_share"][w] > 0.5:
                revolts += 1
                assert s["pact_opposed_conservative"][w] > 0.4
    assert revolts >= 3, f"only {revolts} revolts while most supported cooperation"


def test_a_progressive_government_is_held_back_by_its_lean_not_by_a_rule():
    """No rule keeps a progressive president from moving: from the June 2026 start, under a
    threefold rate of security shocks and with contact warming the public, Lee's
    government floats or proposes an ACSA in some runs once his lean is neutral, and the
    warmer his lean, the more runs it moves in; at his camp's lean (-0.2) it rarely does."""
    base = acsa.Scenario.default().replace({
        "voters.n": 3000, "horizon_weeks": 156, "shocks.intensity": 3.0, "perception.shift": 30.0,
    })
    assert base["executive.party"] == "progressive"

    def moved(ideology: float) -> int:
        sc = base.replace({"executive.ideology": ideology})
        runs = 0
        for seed in range(20):
            ev = acsa.simulate(sc, seed=seed).events
            runs += (ev["kind"].isin(["proposal", "trial_balloon"]) & (ev["rung"] >= 4)).any()
        return runs

    camp, neutral, warm = moved(-0.2), moved(0.0), moved(0.2)
    assert neutral >= 2, f"a neutral progressive government moved on an ACSA in {neutral} of 20 runs"
    assert camp <= neutral <= warm, f"runs with a move at lean -0.2, 0, 0.2: {camp}, {neutral}, {warm}"
