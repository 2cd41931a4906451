"""Analysis of sweeps: censoring-aware outcomes, sensitivity with guard rails, scenario discovery."""

import warnings

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol

import acsa
from acsa import outcomes
from acsa.sensitivity import RESAMPLE_SEED, SensitivityWarning

# Ranges over which some runs of the small baseline become viable within ten years and some do not.
BOUNDS = {"voters.cohort_shift": (0.0, 0.1), "shocks.intensity": (1.0, 3.0)}


@pytest.fixture(scope="module")
def base():
    return acsa.Scenario.default().replace({"voters.n": 500})


@pytest.fixture(scope="module")
def sobol_sweep(base):
    d = acsa.designs.sobol(BOUNDS, 64, calc_second_order=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return acsa.sweep(base, d, replicates=2, seed=11, progress=False)


@pytest.fixture(scope="module")
def lhs_sweep(base):
    # From no shocks to many: scenario discovery needs runs on both sides of the boundary.
    bounds = {**BOUNDS, "shocks.intensity": (0.0, 3.0), "executive.risk_tolerance": (0.2, 0.9)}
    d = acsa.designs.latin_hypercube(bounds, 60)
    return acsa.sweep(base, d, replicates=2, seed=5, progress=False)


def _runs(viable, week, weeks):
    return pd.DataFrame({
        "viable": viable,
        "week_viable": pd.array(week, dtype="Int64"),
        "weeks": weeks,
        "error": [None] * len(viable),
    })


# ---- outcomes ---------------------------------------------------------------------


def test_censored_outcomes_have_a_value_for_runs_never_viable():
    runs = _runs([True, False, True, False], [100, None, 300, None], [520, 520, 520, 200])
    assert outcomes.values(runs, "rmst").tolist() == [100, 520, 300, 200]
    assert outcomes.values(runs, "viable_by_150").tolist() == [1.0, 0.0, 0.0, 0.0]
    # The fourth run's horizon ends at week 200 without an ACSA: whether it is viable by 260 is unknown.
    by260 = outcomes.values(runs, "viable_by_260")
    assert by260.iloc[:3].tolist() == [1.0, 0.0, 0.0] and np.isnan(by260.iloc[3])
    assert np.isnan(outcomes.values(runs, "week_viable").iloc[1])


def test_rmst_is_the_area_under_the_survival_curve(lhs_sweep):
    runs = outcomes.finished(lhs_sweep.runs)
    assert runs["viable"].any() and not runs["viable"].all()
    km = outcomes.kaplan_meier(runs)
    area = np.sum(np.diff(km["week"]) * km["survival"].to_numpy()[:-1])
    assert outcomes.rmst(runs).mean() == pytest.approx(area)


def test_kaplan_meier_with_one_censoring_time_is_the_share_not_yet_viable():
    runs = _runs([True, True, False, True, False, True], [10, 30, None, 10, None, 40], [100] * 6)
    km = outcomes.kaplan_meier(runs)
    assert km["week"].tolist() == [0, 10, 30, 40, 100]
    assert km["survival"].tolist() == pytest.approx([1, 4 / 6, 3 / 6, 2 / 6, 2 / 6])
    # Greenwood's variance then equals the binomial one, S(1 - S) / n: read it back from the log-log band.
    s, lo, hi = km["survival"].to_numpy()[1:4], km["lo"].to_numpy()[1:4], km["hi"].to_numpy()[1:4]
    se = np.log(np.log(lo) / np.log(s)) / acsa.stats.Z95
    assert (se * np.abs(np.log(s))) ** 2 == pytest.approx((1 - s) / (6 * s))
    assert np.all((lo < s) & (s < hi))


def test_kaplan_meier_keeps_runs_at_risk_until_their_own_horizon():
    # Two runs end unviable at week 20 (shorter horizons): after that they are no longer at risk.
    runs = _runs([True, False, False, True, False], [10, None, None, 50, None], [100, 20, 20, 100, 100])
    km = outcomes.kaplan_meier(runs)
    assert km["at_risk"].tolist()[1:3] == [5, 2]
    assert km["survival"].tolist()[1:3] == pytest.approx([0.8, 0.8 * 0.5])


def test_sweep_y_takes_censored_outcomes(lhs_sweep):
    runs = lhs_sweep.runs
    want = outcomes.rmst(runs).groupby(runs["point"]).mean().to_numpy()
    assert lhs_sweep.y("rmst") == pytest.approx(want)
    with pytest.raises(acsa.ConfigError, match="not an outcome"):
        lhs_sweep.y("shocks.intensity")


def test_probability_of_another_week_and_in_bins(lhs_sweep):
    table = lhs_sweep.probability(by="shocks.intensity", bins=4, outcome="viable_by_260")
    assert len(table) == 4 and table["n"].sum() == len(lhs_sweep.runs)
    edges = np.linspace(lhs_sweep.runs["shocks.intensity"].min(), lhs_sweep.runs["shocks.intensity"].max(), 5)
    assert table["shocks.intensity"].tolist() == pytest.approx(((edges[:-1] + edges[1:]) / 2).tolist())
    assert table["viable"].sum() == int(outcomes.values(lhs_sweep.runs, "viable_by_260").sum())
    with pytest.raises(acsa.ConfigError, match="bins"):
        lhs_sweep.probability(by="shocks.intensity", bins=[2.0, 2.5])


# ---- warnings of an empty result ---------------------------------------------------------


def test_a_short_horizon_and_an_empty_result_are_warned(base):
    with pytest.warns(RuntimeWarning) as caught:
        acsa.sweep(base.replace({"horizon_weeks": 52}), {"shocks.intensity": [0.5, 1.0]}, replicates=2,
                   progress=False)
    text = " ".join(str(w.message) for w in caught)
    assert "P(viable) = 0 at every point" in text
    assert "ends before the first election (week 97)" in text


def test_first_election_follows_the_calendar():
    sc = acsa.Scenario.default()
    # 2026-06-01 to the Assembly election of 2028-04-12 is 681 days.
    assert outcomes.first_election_week(sc) == pytest.approx(681 / 7)
    assert outcomes.first_election_week(sc.replace({"elections.enabled": False})) is None


# ---- sensitivity ---------------------------------------------------------------------


def test_sobol_is_salib_on_the_point_means(sobol_sweep):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SensitivityWarning)
        frame = sobol_sweep.sobol("rmst")
    si = salib_sobol.analyze(sobol_sweep.problem, sobol_sweep.y("rmst"), calc_second_order=False, seed=RESAMPLE_SEED)
    assert frame["parameter"].tolist() == list(BOUNDS)
    assert frame["ST"].to_numpy() == pytest.approx(si["ST"])
    assert frame["S1_conf"].to_numpy() == pytest.approx(si["S1_conf"])
    assert frame["ST_hi"].to_numpy() == pytest.approx(si["ST"] + si["ST_conf"])
    # Shocks move the time to viability; the screening sees it.
    assert frame.set_index("parameter").loc["shocks.intensity", "ST"] > 0.2


def test_sobol_refuses_week_viable_and_names_the_censored_outcomes(sobol_sweep):
    assert sobol_sweep.runs["week_viable"].isna().any()
    with pytest.raises(acsa.ConfigError, match="rmst"):
        sobol_sweep.sobol("week_viable")


def test_sobol_warns_when_the_outcome_never_varies(sobol_sweep):
    assert not outcomes.values(sobol_sweep.runs, "viable_by_20").any()
    with pytest.warns(SensitivityWarning, match="same at every point"):
        frame = sobol_sweep.sobol("viable_by_20")
    assert frame["ST"].isna().all()


def test_sobol_warns_of_too_few_samples_and_invalid_totals(base):
    d = acsa.designs.sobol(BOUNDS, 8, calc_second_order=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sw = acsa.sweep(base, d, replicates=1, seed=2, progress=False)
    with pytest.warns(SensitivityWarning) as caught:
        frame = sw.sobol("viable")
    text = " ".join(str(w.message) for w in caught)
    assert "too few samples: the design has n = 8" in text
    assert frame.attrs["warnings"] and all(t in text for t in frame.attrs["warnings"])
    if (frame["ST"] > 1).any():
        assert "> 1, which no valid total index can be" in text


def test_sobol_by_year_gives_one_block_per_year(sobol_sweep):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SensitivityWarning)
        frame = sobol_sweep.sobol(by_year=True)
    weeks = sorted(frame["week"].unique())
    assert len(weeks) == 9 and weeks[0] == 52 and weeks[-1] == 470
    assert len(frame) == 9 * len(BOUNDS)
    last = frame[frame["week"] == 470].reset_index(drop=True)
    si = salib_sobol.analyze(sobol_sweep.problem, sobol_sweep.y("viable_by_470"), calc_second_order=False, seed=RESAMPLE_SEED)
    assert last["ST"].to_numpy() == pytest.approx(si["ST"])


def test_sobol_by_year_chart_draws_each_parameters_indices_and_band(sobol_sweep):
    import matplotlib

    matplotlib.use("Agg")
    from acsa import plots

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SensitivityWarning)
        frame = sobol_sweep.sobol(by_year=True)
    fig = plots.sobol_by_year(frame)
    ax = fig.axes[0]
    groups = [(name, g.sort_values("week")) for name, g in frame.groupby("parameter", sort=False)]
    assert len(groups) == len(BOUNDS)
    assert [line.get_label() for line in ax.get_lines()] == [plots.label(name) for name, _ in groups]
    for line, band, (_, g) in zip(ax.get_lines(), ax.collections, groups):
        np.testing.assert_allclose(np.asarray(line.get_xdata(), dtype=float), g["week"].to_numpy())
        np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=float), g["ST"].to_numpy())
        y = band.get_paths()[0].vertices[:, 1]
        assert y.min() == pytest.approx(g["ST_lo"].min()) and y.max() == pytest.approx(g["ST_hi"].max())


def test_morris_is_salib_and_refuses_other_designs(base, sobol_sweep):
    d = acsa.designs.morris({**BOUNDS, "executive.risk_tolerance": (0.2, 0.9)}, 10)
    sw = acsa.sweep(base, d, replicates=2, seed=3, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SensitivityWarning)
        frame = sw.morris("rmst")
    si = salib_morris.analyze(sw.problem, sw.X, sw.y("rmst"), num_levels=4, seed=RESAMPLE_SEED)
    assert frame["mu_star"].to_numpy() == pytest.approx(si["mu_star"])
    assert frame["sigma"].to_numpy() == pytest.approx(si["sigma"])
    with pytest.raises(acsa.ConfigError, match="morris design"):
        sobol_sweep.morris()
    with pytest.raises(acsa.ConfigError, match="sobol design"):
        sw.sobol()


def test_replicate_noise_is_named(base):
    d = acsa.designs.sobol({"voters.cohort_shift": (0.0, 0.02), "shocks.intensity": (1.9, 2.1)}, 64,
                           calc_second_order=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sw = acsa.sweep(base, d, replicates=2, seed=4, progress=False)
    with pytest.warns(SensitivityWarning, match="replicate noise"):
        sw.sobol("viable")


# ---- scenario discovery ----------------------------------------------------------------


def test_prim_box_holds_the_runs_it_claims(lhs_sweep):
    x, y = acsa.discovery.cases(lhs_sweep)
    # A box twice as dense in viable runs as the whole design, whatever that share is.
    box = lhs_sweep.prim(threshold=min(0.9, 2 * y.mean()))
    inside = np.ones(len(x), dtype=bool)
    for row in box.limits().itertuples():
        inside &= (x[row.parameter] >= row.low) & (x[row.parameter] <= row.high)
    assert box.density == pytest.approx(y[inside].mean())
    assert box.coverage == pytest.approx(y[inside].sum() / y.sum())
    assert box.mass == pytest.approx(inside.mean())
    t = box.trajectory
    assert list(t.columns) == ["step", "coverage", "density", "mass", "n", "k", "res_dim"]
    assert t["mass"].iloc[0] == 1.0 and t["density"].iloc[-1] > t["density"].iloc[0]
    assert "shocks.intensity" in box.limits()["parameter"].tolist()


def test_prim_on_a_grid_with_a_categorical_parameter(base):
    grid = {"shocks.intensity": [0.5, 5.0], "network.kind": ["watts_strogatz", "sbm"]}
    sw = acsa.sweep(base, grid, replicates=6, seed=2, progress=False)
    x, _ = acsa.discovery.cases(sw)
    assert isinstance(x["network.kind"].dtype, pd.CategoricalDtype)
    box = sw.prim(threshold=0.6, mass_min=0.2)
    lims = box.limits(restricted_only=False).set_index("parameter")
    assert set(lims.loc["network.kind", "values"]) <= {"watts_strogatz", "sbm"}


def test_cart_leaves_partition_the_runs(lhs_sweep):
    rules = lhs_sweep.cart(max_depth=2)
    runs = lhs_sweep.runs
    assert rules["n"].sum() == len(runs)
    assert rules["viable"].sum() == int(runs["viable"].sum())
    assert rules["coverage"].sum() == pytest.approx(1.0)
    assert (rules["density"] == rules["viable"] / rules["n"]).all()
    assert rules["density"].is_monotonic_decreasing
    assert any("shocks.intensity" in r for r in rules["rule"])


def test_discovery_needs_a_01_outcome(lhs_sweep):
    with pytest.raises(acsa.ConfigError, match="0/1 outcome"):
        lhs_sweep.prim("rmst")


def test_sensitivity_tables_are_reproducible(sobol_sweep):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SensitivityWarning)
        pd.testing.assert_frame_equal(sobol_sweep.sobol("rmst"), sobol_sweep.sobol("rmst"))


# ---- categorical parameters in designs ------------------------------------------------------


def test_categorical_levels_in_sampled_designs(base):
    from acsa.designs import levels

    d = acsa.designs.latin_hypercube(
        {"shocks.intensity": (1.0, 3.0), "network.kind": ["watts_strogatz", "sbm"],
         "executive.term_years": levels(4, 5, 6)}, 60, seed=2)
    frame = d.to_frame()
    # Latin hypercube strata: each of k levels gets exactly n / k points.
    assert frame["network.kind"].value_counts().to_dict() == {"watts_strogatz": 30, "sbm": 30}
    assert frame["executive.term_years"].value_counts().to_dict() == {4: 20, 5: 20, 6: 20}
    assert set(d.X[:, 2]) == {1 / 6, 3 / 6, 5 / 6}
    assert acsa.designs.Design.from_dict(d.to_dict()) == d
    sw = acsa.sweep(base, acsa.designs.table(frame.drop(columns="point").head(6)), progress=False)
    assert sw.runs["network.kind"].isin(["watts_strogatz", "sbm"]).all()


def test_categorical_levels_are_checked_when_the_design_is_built():
    with pytest.raises(acsa.ConfigError, match="network.kind"):
        acsa.designs.sobol({"network.kind": ["watts_strogatz", "ring"]}, 8)
    with pytest.raises(acsa.ConfigError, match="network.kind: only numeric parameters take"):
        acsa.designs.sobol({"network.kind": "sbm"}, 8)
    with pytest.raises(acsa.ConfigError, match="given twice"):
        acsa.designs.morris({"ladder.drills": [True, True]}, 4)
