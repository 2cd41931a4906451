"""The World: stepping, reading and steering a run; snapshots and reporters."""

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

import acsa
from acsa.world import VOTER_COLUMNS

# Long enough for the first presidential election and for proposals to happen.
HORIZON = 260

# The sweeps here are short on purpose (they test the plumbing, not viability).
pytestmark = pytest.mark.filterwarnings(
    "ignore:horizon_weeks = 60 ends before:RuntimeWarning", "ignore:no run of this sweep:RuntimeWarning"
)


@pytest.fixture(scope="module")
def sc():
    return acsa.Scenario.default().replace({"voters.n": 2000, "horizon_weeks": HORIZON})


@pytest.fixture(scope="module")
def base(sc):
    return acsa.simulate(sc, seed=3)


def same_run(a: acsa.Run, b: acsa.Run) -> None:
    pdt.assert_frame_equal(a.series, b.series, check_exact=True)
    pdt.assert_frame_equal(a.events, b.events, check_exact=True)
    assert a.outcome == b.outcome


# ---- stepping ----


def test_stepping_in_pieces_then_finishing_is_simulate_bit_for_bit(sc, base):
    w = acsa.World(sc, seed=3)
    for n in (1, 0, 7, 52, 100):
        w.step(n)
    assert w.week == 160
    same_run(w.finish(), base)
    assert w.done and w.week == HORIZON


def test_the_run_so_far_is_the_start_of_the_whole_run(sc, base):
    w = acsa.World(sc, seed=3).step(120)
    part = w.run()
    assert len(part.series) == 120
    pdt.assert_frame_equal(part.series, base.series.iloc[:120], check_exact=True)
    pdt.assert_frame_equal(w.events, base.events[base.events.week < 120].reset_index(drop=True), check_exact=True)
    assert w.date == pd.Timestamp(sc["start_date"]) + pd.Timedelta(weeks=120)


def test_aggregates_are_the_latest_row_with_the_series_names(sc, base):
    w = acsa.World(sc, seed=3)
    with pytest.raises(ValueError, match="step"):
        w.aggregates()
    w.step(30)
    agg = w.aggregates()
    row = base.series.iloc[29]
    assert set(agg) == set(base.series.columns) - {"date"}
    for name, value in agg.items():
        assert value == row[name], name
    assert isinstance(agg["rung"], int) and agg["week"] == 29


def test_stepping_past_the_horizon_or_by_a_bad_count_is_a_config_error(sc):
    w = acsa.World(sc, seed=3).step(HORIZON - 5)
    with pytest.raises(acsa.ConfigError, match=r"^n: only 5 weeks are left"):
        w.step(6)
    for bad in (-1, 1.5, "2", True):
        with pytest.raises(acsa.ConfigError, match=r"^n: "):
            w.step(bad)
    assert w.week == HORIZON - 5


def test_a_stop_request_ends_stepping_at_a_weeks_end_and_keeps_the_world(sc, base):
    w = acsa.World(sc, seed=3).step(10)
    acsa._core.request_stop()
    try:
        with pytest.raises(KeyboardInterrupt):
            w.step(5)
    finally:
        acsa._core.clear_stop()
    assert w.week == 10
    same_run(w.finish(), base)


def test_bad_scenario_or_seed_is_a_config_error():
    with pytest.raises(acsa.ConfigError, match=r"^voters\.n"):
        acsa.World({"voters.n": -4})
    with pytest.raises(acsa.ConfigError, match=r"^seed"):
        acsa.World(seed=-1)


# ---- voters: views of the core's memory ----


def test_voter_arrays_are_read_only_views_that_follow_the_run(sc):
    w = acsa.World(sc, seed=3).step(10)
    v = w.voters()
    assert set(v) == set(VOTER_COLUMNS) | {"district"}
    assert all(len(a) == 2000 for a in v.values())
    before = {c: v[c].copy() for c in VOTER_COLUMNS}
    again = w.voters()
    for c in VOTER_COLUMNS:
        # The same memory each time, owned by the core's world, not copied.
        assert np.shares_memory(v[c], again[c]), c
        assert isinstance(v[c].base, acsa._core.World), c
        assert not v[c].flags.writeable and not v[c].flags.owndata
        with pytest.raises(ValueError):
            v[c][0] = 0
        with pytest.raises(ValueError):
            v[c].flags.writeable = True
    w.step(3)
    now = w.voters()
    for c in VOTER_COLUMNS:
        # The arrays taken before the step show the new week's values.
        assert np.array_equal(v[c], now[c]), c
    for c in ("grievance", "support", "approval"):
        assert not np.array_equal(v[c], before[c]), c
    assert np.array_equal(v["party"], before["party"])


def test_voter_arrays_keep_the_world_alive(sc):
    w = acsa.World(sc, seed=3).step(2)
    support = w.voters()["support"]
    expected = support.copy()
    del w
    import gc

    gc.collect()
    assert np.array_equal(support, expected)


def test_voter_state_agrees_with_the_series(sc):
    w = acsa.World(sc, seed=3).step(40)
    v = w.voters()
    agg = w.aggregates()
    assert np.mean(v["support"]) == pytest.approx(agg["support_mean"], abs=1e-6)
    assert np.mean(v["threat"]) == pytest.approx(agg["threat_mean"], abs=1e-6)
    assert sorted(np.unique(v["district"])) == list(range(253))
    assert np.all(np.diff(v["district"]) >= 0)


# ---- interventions ----


def test_a_shock_scheduled_ahead_is_as_if_the_scenario_listed_it(sc, base):
    w = acsa.World(sc, seed=3).step(50)
    w.schedule("nuclear_test", week=80, magnitude=2.5)
    run = w.finish()
    listed = acsa.simulate(sc.replace({"events": [{"kind": "nuclear_test", "week": 80, "magnitude": 2.5}]}), seed=3)
    same_run(run, listed)
    shock = run.events[(run.events.kind == "nuclear_test") & (run.events.outcome == "scheduled")]
    assert list(shock.week) == [80] and list(shock.magnitude) == [2.5]
    # Nothing before week 80 changed; the shock changed what follows.
    pdt.assert_frame_equal(run.series.iloc[:80], base.series.iloc[:80], check_exact=True)
    assert not run.series.threat_mean.iloc[80:].equals(base.series.threat_mean.iloc[80:])
    assert list(w.interventions.action) == ["schedule"]


def test_scheduling_badly_is_a_config_error_naming_the_argument(sc):
    w = acsa.World(sc, seed=3).step(20)
    with pytest.raises(acsa.ConfigError, match=r"^week: falls in week 10, which has been run"):
        w.schedule("missile_test", week=10)
    for far in (900, 2**40):
        with pytest.raises(acsa.ConfigError, match=rf"^week: falls in week {far}, outside the horizon"):
            w.schedule("missile_test", week=far)
    with pytest.raises(acsa.ConfigError, match=r"^kind: no shock kind 'meteor'"):
        w.schedule("meteor", week=30)
    with pytest.raises(acsa.ConfigError, match=r"^magnitude: "):
        w.schedule("missile_test", week=30, magnitude=-1)
    with pytest.raises(acsa.ConfigError, match=r"^week: give exactly one"):
        w.schedule("missile_test")
    with pytest.raises(acsa.ConfigError, match=r"^date: "):
        w.schedule("missile_test", date="2026-13-45")
    assert w.interventions.empty


def test_a_forced_proposal_is_made_that_week_and_changes_only_what_follows(sc, base):
    week = 30
    assert not ((base.events.week == week) & (base.events.kind == "proposal")).any()
    w = acsa.World(sc, seed=3).step(week)
    w.propose("acsa_conditional")
    run = w.finish()
    made = run.events[(run.events.week == week) & (run.events.kind == "proposal")]
    assert list(made.rung) == [4] and list(made.outcome) == ["open"]
    pdt.assert_frame_equal(run.series.iloc[:week], base.series.iloc[:week], check_exact=True)
    assert run.series.pending.iloc[week] == 4
    assert run.outcome["n_proposals"] >= 1


def test_proposals_that_cannot_be_made_are_config_errors(sc):
    w = acsa.World(sc, seed=3).step(5)
    for bad in (0, 6, 300, -1, 2.0, "treaty"):
        with pytest.raises(acsa.ConfigError, match=r"^rung: "):
            w.propose(bad)
    for name in ("gsomia", "dialogue"):
        with pytest.raises(acsa.ConfigError, match=rf"^rung: {name} is already in force"):
            w.propose(name)
    w.propose(4)
    with pytest.raises(acsa.ConfigError, match=r"^rung: a proposal of rung 4 is already ordered"):
        w.propose(5)
    w.step(1)
    with pytest.raises(acsa.ConfigError, match=r"^rung: a proposal of rung 4 is pending"):
        w.propose(5)


def test_a_lever_changed_from_a_week_changes_only_what_follows(sc, base):
    w = acsa.World(sc, seed=3)
    w.set("shocks.intensity", 4.0, from_week=60)
    assert w.scenario["shocks.intensity"] == sc["shocks.intensity"]
    run = w.finish()
    assert w.scenario["shocks.intensity"] == 4.0
    pdt.assert_frame_equal(run.series.iloc[:60], base.series.iloc[:60], check_exact=True)
    # Security shocks after week 60 are stronger (intensity scales their magnitudes).
    shocks = ("missile_test", "nuclear_test", "maritime_clash", "chinese_coercion")
    before = base.events[base.events.kind.isin(shocks) & (base.events.week >= 60)]
    after = run.events[run.events.kind.isin(shocks) & (run.events.week >= 60)]
    assert len(after) and after.magnitude.sum() > before.magnitude.sum()
    assert list(w.interventions.action) == ["set"] and list(w.interventions["at"]) == [60]


def test_changes_set_for_later_weeks_compose_in_order(sc):
    w = acsa.World(sc, seed=3)
    w.set("shocks.intensity", 2.0, from_week=10)
    w.set("shocks.intensity", 3.0, from_week=20)
    w.set("shocks.tail", 2.5, from_week=10)
    w.step(15)
    assert (w.scenario["shocks.intensity"], w.scenario["shocks.tail"]) == (2.0, 2.5)
    w.step(5)
    assert (w.scenario["shocks.intensity"], w.scenario["shocks.tail"]) == (3.0, 2.5)


def test_levers_that_cannot_change_are_config_errors_naming_them(sc):
    w = acsa.World(sc, seed=3).step(10)
    with pytest.raises(acsa.ConfigError, match=r"^voters\.cohort_shift: fixed when the run starts"):
        w.set("voters.cohort_shift", 0.05)
    with pytest.raises(acsa.ConfigError, match=r"^shocks\.intensity: "):
        w.set("shocks.intensity", -1.0)
    with pytest.raises(acsa.ConfigError, match=r"shocks\.no_such"):
        w.set("shocks.no_such", 1.0)
    with pytest.raises(acsa.ConfigError, match=r"^from_week: week 3 has been run"):
        w.set("shocks.intensity", 2.0, from_week=3)
    with pytest.raises(acsa.ConfigError, match=r"^from_week: week 900 is past the horizon"):
        w.set("shocks.intensity", 2.0, from_week=900)
    assert w.interventions.empty


def test_the_core_refuses_a_change_of_a_fixed_parameter_too(sc):
    core = acsa._core.World(sc.to_json(indent=None), bytes(32))
    with pytest.raises(acsa.ConfigError, match=r"^voters\.n: fixed when the run starts"):
        core.retune(sc.replace({"voters.n": 3000}).to_json(indent=None))


# ---- snapshots and reporters ----


def test_snapshots_and_reporters_leave_the_run_unchanged_and_report_it(sc, base):
    def approval(world):
        return world.aggregates()["approval"]

    run = acsa.simulate(sc, seed=3, snapshots=[0, 52, 52, 103], reporters={"approval": approval}, every=13)
    same_run(run, base)
    rep = run.reporters
    assert list(rep.columns) == ["week", "approval"]
    assert list(rep.week) == list(range(0, HORIZON, 13))
    assert np.array_equal(rep.approval.to_numpy(), base.series.approval.to_numpy()[rep.week.to_numpy()])
    snaps = run.snapshots
    assert list(snaps.columns) == ["week", "voter", "district", *VOTER_COLUMNS]
    assert sorted(snaps.week.unique()) == [0, 52, 103] and len(snaps) == 3 * 2000
    # A snapshot is the voters' state after its week, as the series aggregates it.
    for week, g in snaps.groupby("week"):
        assert g.support.mean() == pytest.approx(base.series.support_mean.iloc[week], abs=1e-6)
    w = acsa.World(sc, seed=3).step(53)
    pdt.assert_frame_equal(
        snaps[snaps.week == 52].reset_index(drop=True), w.snapshot(), check_exact=True
    )
    assert acsa.simulate(sc, seed=3).snapshots is None


def test_bad_snapshots_and_reporters_are_config_errors(sc):
    with pytest.raises(acsa.ConfigError, match=r"^snapshots: week 300 is past the horizon"):
        acsa.simulate(sc, snapshots=[300])
    with pytest.raises(acsa.ConfigError, match=r"^snapshots: "):
        acsa.simulate(sc, snapshots="52")
    with pytest.raises(acsa.ConfigError, match=r"^reporters\.x: expected a function"):
        acsa.simulate(sc, reporters={"x": 3})
    with pytest.raises(acsa.ConfigError, match=r"^reporters: 'week' cannot name"):
        acsa.simulate(sc, reporters={"week": len})
    with pytest.raises(acsa.ConfigError, match=r"^reporters\.text: must return a number"):
        acsa.simulate(sc, reporters={"text": lambda w: "high"})
    with pytest.raises(acsa.ConfigError, match=r"^every: "):
        acsa.simulate(sc, reporters={"w": lambda w: w.week}, every=0)
    w = acsa.World(sc, seed=3)
    with pytest.raises(ValueError, match="step"):
        w.snapshot()
    w.step(20)
    with pytest.raises(acsa.ConfigError, match=r"^snapshots: week 10 has been run"):
        w.observe(snapshots=[10, 30])


# ---- reporters in sweeps ----


def mean_support(world):
    return float(np.mean(world.voters()["support"]))


def approval(world):
    return world.aggregates()["approval"]


@pytest.fixture(scope="module")
def tiny():
    return acsa.Scenario.default().replace({"voters.n": 600, "horizon_weeks": 60})


GRID = {"shocks.intensity": [1.0, 2.0]}


def test_a_sweep_with_reporters_reports_every_run_and_changes_no_outcome(tiny):
    plain = acsa.sweep(tiny, GRID, replicates=3, seed=5, record=["approval"], every=4, progress=False)
    sw = acsa.sweep(tiny, GRID, replicates=3, seed=5, record=["approval"], every=4, progress=False,
                    reporters={"approval_seen": approval, "mean_support": mean_support})
    pdt.assert_frame_equal(sw.runs, plain.runs)
    rep = sw.reporters
    assert list(rep.columns) == ["run_id", "run_index", "point", "replicate", "week", "approval_seen", "mean_support"]
    assert sorted(rep.run_index.unique()) == list(range(6))
    assert list(rep[rep.run_index == 0].week) == list(range(0, 60, 4))
    # The reporter read the same approval the series recorded, week by week.
    assert np.array_equal(rep.approval_seen.to_numpy(), sw.series.approval.to_numpy())
    pdt.assert_frame_equal(sw.series, plain.series)
    one = acsa.simulate(sw.scenario_at(1), seed=acsa.seeds.child_sequence(5, 4), reporters={"m": mean_support}, every=4)
    assert np.array_equal(rep[rep.run_index == 4].mean_support.to_numpy(), one.reporters.m.to_numpy())
    assert "mean_support" in sw.to_xarray()


def test_reporters_in_a_store_survive_resume_and_any_executor(tiny, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    whole = acsa.sweep(tiny, GRID, replicates=3, seed=5, reporters={"m": mean_support}, every=6, progress=False)
    store = tmp_path / "rep"
    first = acsa.sweep(tiny, GRID, replicates=3, seed=5, reporters={"m": mean_support}, every=6, progress=False,
                       store=store, shard=(0, 2))
    assert len(first.runs) == 3 and not first.complete
    with ThreadPoolExecutor(2) as pool:
        acsa.sweep(tiny, GRID, replicates=3, seed=5, reporters={"m": mean_support}, every=6, progress=False,
                   store=store, executor=pool)
    back = acsa.open_sweep(store)
    assert back.complete
    pdt.assert_frame_equal(back.reporters, whole.reporters)
    with pytest.raises(acsa.ConfigError, match="recorded no series"):
        _ = back.series
    # Another set of reporters is another sweep.
    with pytest.raises(acsa.ConfigError, match="record= setting"):
        acsa.sweep(tiny, GRID, replicates=3, seed=5, reporters={"other": mean_support}, every=6, progress=False,
                   store=store)


def test_a_failing_reporter_fails_its_runs_not_the_sweep(tiny):
    def picky(world):
        if world.scenario["shocks.intensity"] > 1.5:
            raise ValueError("too intense")
        return 1.0

    with pytest.warns(RuntimeWarning, match="3 runs failed"):
        sw = acsa.sweep(tiny, GRID, replicates=3, seed=5, reporters={"picky": picky}, progress=False)
    f = sw.failures
    assert list(f.point.unique()) == [1] and f.error.str.contains("ValueError: too intense").all()
    assert set(sw.reporters.run_index) == {0, 1, 2}


def test_bad_reporters_in_a_sweep_are_config_errors(tiny):
    with pytest.raises(acsa.ConfigError, match=r"^reporters: 'approval' is taken"):
        acsa.sweep(tiny, GRID, reporters={"approval": approval}, progress=False)
    with pytest.raises(acsa.ConfigError, match=r"^reporters\.m: expected a function"):
        acsa.sweep(tiny, GRID, reporters={"m": 1}, progress=False)
    sw = acsa.sweep(tiny, {"shocks.intensity": [1.0]}, progress=False)
    with pytest.raises(acsa.ConfigError, match="no reporters"):
        _ = sw.reporters


def test_a_run_a_stop_cuts_short_is_neither_kept_nor_failed(tiny):
    from acsa.world import observed

    acsa._core.request_stop()
    try:
        got = observed(tiny.to_json(indent=None), bytes(32), None, None, ["week"], {"m": mean_support}, 4)
    finally:
        acsa._core.clear_stop()
    assert (got.outcome, got.error, got.series) == (None, None, None)
    got = observed(tiny.to_json(indent=None), bytes(32), None, None, ["week"], {"m": mean_support}, 4)
    assert got.error is None and got.outcome["weeks"] == 60 and len(got.series["m"]) == len(got.series["week"]) == 15


def test_a_sweeps_snapshots_are_its_runs_run_again(tiny):
    sw = acsa.sweep(tiny, GRID, replicates=2, seed=5, progress=False)
    snaps = sw.snapshots([10, 59], runs=[1, 3])
    assert list(snaps.columns[:6]) == ["run_index", "point", "replicate", "week", "voter", "district"]
    assert len(snaps) == 2 * 2 * 600 and set(snaps.run_index) == {1, 3}
    one = acsa.simulate(sw.scenario_at(1), seed=acsa.seeds.child_sequence(5, 3), snapshots=[10, 59]).snapshots
    mine = snaps[snaps.run_index == 3].drop(columns=["run_index", "point", "replicate"]).reset_index(drop=True)
    pdt.assert_frame_equal(mine, one, check_exact=True)
    assert len(sw.snapshots([0])) == 4 * 600
    with pytest.raises(acsa.ConfigError, match=r"^runs: run 9 is not a finished run"):
        sw.snapshots([0], runs=[9])
    with pytest.raises(acsa.ConfigError, match=r"^snapshots: week 60 is past the horizon"):
        sw.snapshots([60], runs=[0])
