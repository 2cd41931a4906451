"""One run: the shape, types and bounds of what comes back."""

import json
import pickle

import numpy as np
import pandas as pd

import acsa
from acsa import _core
from acsa.schema import EVENT_KINDS, EVENT_OUTCOMES, INT_COLUMNS, OUTCOME_FIELDS, SERIES_COLUMNS

UNIT_INTERVAL = [
    "approval", "support_mean", "support_progressive", "support_conservative", "support_independent",
    "support_share", "favourability", "grievance_mean", "threat_mean", "salience_mean",
    "politicisation", "familiarity", "readiness", "us_pressure", "us_commitment", "japan_willingness",
    "japan_mood",
]


def test_series_has_one_row_per_week_and_every_column(small_run, small):
    s = small_run.series
    assert len(s) == small["horizon_weeks"]
    assert list(s["week"]) == list(range(small["horizon_weeks"]))
    assert list(s.columns) == ["week", "date", *SERIES_COLUMNS[1:]]
    assert {"week", "rung", "pending", "president_party"} <= set(INT_COLUMNS)
    for col in SERIES_COLUMNS:
        assert s[col].dtype == (np.int64 if col in INT_COLUMNS else np.float64), col


def test_dates_are_weekly_from_the_start_date(small_run):
    s = small_run.series
    assert pd.api.types.is_datetime64_any_dtype(s["date"])
    assert s["date"].iloc[0] == pd.Timestamp("2026-06-01")
    assert (s["date"].diff().dropna() == pd.Timedelta(days=7)).all()


def test_series_values_are_bounded_and_finite(small_run):
    s = small_run.series
    numeric = s.drop(columns=["date"])
    assert np.isfinite(numeric.to_numpy(dtype=float)).all()
    for col in UNIT_INTERVAL:
        assert s[col].between(0.0, 1.0).all(), col
    assert s["rung"].between(0, 5).all()
    assert s["pending"].between(0, 5).all()


def test_series_changes_over_time(small_run):
    # Guards against a recorder that writes a constant row.
    s = small_run.series
    for col in ("approval", "threat_mean", "salience_mean", "support_mean"):
        assert s[col].std() > 0, col


def test_events_table(small_run):
    ev = small_run.events
    assert list(ev.columns) == ["week", "date", "kind", "magnitude", "rung", "outcome"]
    assert len(ev) > 0  # two years of baseline shocks always bring some events
    assert ev["week"].is_monotonic_increasing
    assert ev["week"].between(0, len(small_run.series) - 1).all()
    assert set(ev["kind"].astype(str)) <= set(acsa.EVENT_KINDS)
    assert np.isfinite(ev["magnitude"]).all()


def test_outcome_keys_and_consistency(small_run):
    o = small_run.outcome
    assert list(o) == [name for name, _ in OUTCOME_FIELDS]
    types = {"bool": bool, "int": int, "float": float}
    for name, kind in OUTCOME_FIELDS:
        assert o[name] is None or type(o[name]) is types[kind], name
    assert isinstance(o["viable"], bool)
    assert 0 <= o["max_rung"] <= 5
    assert o["max_rung"] >= small_run.series["rung"].max()
    ev = small_run.events
    assert o["n_proposals"] == int((ev["kind"] == "proposal").sum())
    assert o["n_collapses"] == int((ev["kind"] == "collapse").sum())
    assert o["n_retreats"] == int((ev["kind"] == "retreat").sum())
    assert o["n_signed"] == int((ev["kind"] == "signed").sum())


def test_viable_means_an_acsa_signed_and_kept():
    # Large shocks and strong US pressure, under a cautious and a risk-taking president:
    # runs of both kinds.
    sc = acsa.Scenario.default().replace(
        {
            "voters.n": 2000,
            "shocks.intensity": 3.0,
            "us.pressure": 1.0,
            "outcome.sustain_weeks": 26,
            "executive.hurdle": 2.0,
        }
    )
    sustain = sc["outcome.sustain_weeks"]
    sw = acsa.sweep(sc, {"executive.risk_tolerance": [0.0, 1.0]}, replicates=4, seed=11, progress=False)
    runs = sw.runs
    assert 0 < runs["viable"].sum() < len(runs), "the test needs viable and non-viable runs"
    for _, r in runs.iterrows():
        run = sw.run(int(r["run_index"]))
        rung = run.series.set_index("week")["rung"]
        acsa_signings = run.events[(run.events["kind"] == "signed") & (run.events["rung"] >= 4)]["week"]
        windows = [rung.loc[w : w + sustain - 1] for w in acsa_signings]
        kept = [w for w, x in zip(acsa_signings, windows) if len(x) == sustain and (x >= 4).all()]
        assert r["viable"] == bool(kept)
        if kept:
            assert r["week_viable"] == kept[0] and r["max_rung"] >= 4
        else:
            assert pd.isna(r["week_viable"])


def test_tables_are_the_users_to_modify(small_run):
    s = small_run.series
    s.loc[0, "approval"] = -1.0
    s["extra"] = 1
    assert small_run.series.loc[0, "approval"] != -1.0
    assert "extra" not in small_run.series
    ev = small_run.events
    ev["kind"] = "x"
    assert (small_run.events["kind"] != "x").all()


def test_run_repr_and_html(small_run):
    assert "acsa.Run" in repr(small_run)
    html = small_run._repr_html_()
    assert "viable" in html and "<table>" in html


def test_plot_returns_a_figure(small_run, tmp_path):
    from matplotlib.figure import Figure

    fig = small_run.plot()
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 5
    fig.savefig(tmp_path / "run.png")
    assert (tmp_path / "run.png").stat().st_size > 10_000


def test_simulate_accepts_dict_and_path(small, tmp_path):
    base = acsa.simulate(small, seed=3).series
    by_dict = acsa.simulate(small.to_dict(), seed=3).series
    small.save(tmp_path / "s.toml")
    by_file = acsa.simulate(tmp_path / "s.toml", seed=3).series
    pd.testing.assert_frame_equal(base, by_dict)
    pd.testing.assert_frame_equal(base, by_file)


def test_batch_results_are_named_and_pickle(small):
    """run_batch gives each run a RunResult (outcome, error, series) that survives pickling,
    as sweeps send results between processes."""
    good = small.replace({"horizon_weeks": 6}).to_json()
    bad = json.dumps({**json.loads(good), "horizon_weeks": 0})
    seed = bytes(32)
    done, failed = _core.run_batch([good, bad], [seed, seed], columns=["week", "rung"], every=2)
    assert isinstance(done, _core.RunResult) and done.error is None
    assert done.outcome["weeks"] == 6 and list(done.series) == ["week", "rung"]
    assert list(done.series["week"]) == [0.0, 2.0, 4.0]
    assert failed.outcome is None and failed.series is None and failed.error.startswith("horizon_weeks")
    for r in (done, failed, _core.RunResult()):
        back = pickle.loads(pickle.dumps(r))
        assert type(back) is _core.RunResult
        assert (back.outcome, back.error) == (r.outcome, r.error)
        assert (back.series is None) == (r.series is None)
    back = pickle.loads(pickle.dumps(done))
    assert all(np.array_equal(back.series[c], done.series[c]) for c in done.series)


def test_events_use_the_declared_kinds_and_outcomes():
    sc = acsa.Scenario.history()
    events = acsa.simulate(sc, seed=2).events
    assert {"proposal", "presidential_election", "nuclear_test"} <= set(events["kind"])
    assert set(events["kind"]) <= set(EVENT_KINDS)
    assert {"scheduled", "conservative"} <= set(events["outcome"])
    assert set(events["outcome"]) <= set(EVENT_OUTCOMES)
