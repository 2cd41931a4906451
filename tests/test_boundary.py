"""The adaptive boundary sampler, and the notebook explorer."""

from concurrent.futures import ThreadPoolExecutor

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import acsa  # noqa: E402
from acsa import boundary, outcomes, plots  # noqa: E402

BOUNDS = {"shocks.intensity": (0.5, 3.0)}
SMALL = dict(level=0.5, accuracy=0.05, replicates=2, initial=5, batch=2, max_runs=30, seed=3, progress=False)


@pytest.fixture(scope="module")
def base():
    return acsa.Scenario.default().replace({"voters.n": 1000})


@pytest.fixture(scope="module")
def sampled(base, tmp_path_factory):
    store = tmp_path_factory.mktemp("b") / "store"
    with pytest.warns(RuntimeWarning, match="stopped at max_runs = 30"):
        b = boundary.sample(base, BOUNDS, store=store, **SMALL)
    return b, store


def test_rounds_add_points_where_the_side_is_uncertain(sampled):
    b, _ = sampled
    assert len(b.history) >= 3 and b.history["points"].iloc[0] == 5
    for rnd in range(1, len(b.history)):
        before = b.runs[b.runs["round"] < rnd]
        est = boundary.estimate(before, b.names, b.bounds, b.level, b.bandwidth)
        new = b.runs.loc[b.runs["round"] == rnd, "shocks.intensity"].unique()
        assert len(new) == 2
        for x in new:
            row = est.iloc[(est["shocks.intensity"] - x).abs().argmin()]
            assert row["side"] == "uncertain"


def test_the_sampler_stops_at_its_budget_and_says_so(sampled):
    b, _ = sampled
    assert b.n_runs <= 30 and b.complete and not b.converged
    assert b.history["runs"].iloc[-1] == b.n_runs
    assert b.uncertain_share == pytest.approx(b.history["uncertain_share"].iloc[-1])
    assert "not converged" in repr(b)


def test_a_loose_accuracy_converges_on_the_first_grid(base):
    # In one year no ACSA can be sustained for the 52 weeks viability asks, so every run
    # is below the level whatever the model's results, and part of the box is certain.
    short = base.replace({"horizon_weeks": 52})
    with pytest.warns(RuntimeWarning):
        b = boundary.sample(short, BOUNDS, **{**SMALL, "accuracy": 0.999})
    assert not b.runs["viable"].any()
    assert b.converged and len(b.history) == 1 and b.n_runs == 10


def test_running_again_resumes_from_the_store(sampled, base):
    b, store = sampled
    assert sorted(p.name for p in store.iterdir()) == ["boundary.json"] + [f"round-{r:03d}" for r in range(len(b.history))]
    with pytest.warns(RuntimeWarning, match="stopped at max_runs"):
        again = boundary.sample(base, BOUNDS, store=store, **SMALL)
    pd.testing.assert_frame_equal(again.runs, b.runs)
    with pytest.raises(acsa.ConfigError, match="another level"):
        boundary.sample(base, BOUNDS, store=store, **{**SMALL, "level": 0.3})


def test_any_executor_gives_the_same_runs(base):
    one = boundary.sample(base, BOUNDS, **{**SMALL, "max_runs": 14})
    with ThreadPoolExecutor(2) as ex:
        two = boundary.sample(base, BOUNDS, executor=ex, **{**SMALL, "max_runs": 14})
    cols = ["round", "point", "replicate", "shocks.intensity", "viable", "week_viable", "run_id"]
    pd.testing.assert_frame_equal(one.runs[cols], two.runs[cols])


def test_estimate_is_the_kernel_weighted_share():
    runs = pd.DataFrame({"x": [0.0] * 4 + [1.0] * 4, "viable": [False] * 4 + [True] * 3 + [False],
                         "error": [None] * 8})
    est = boundary.estimate(runs, ["x"], [(0.0, 1.0)], 0.5, bandwidth=0.2, lattice=np.array([[0.0], [0.5], [1.0]]))
    w = np.exp(-np.array([0.0, 1.0]) ** 2 / (2 * 0.2**2))
    assert est["p"].iloc[0] == pytest.approx((w[1] * 3) / (4 * w.sum()))
    assert est["p"].iloc[1] == pytest.approx(3 / 8)
    assert est["n_eff"].iloc[1] == pytest.approx(8.0)
    assert est["side"].iloc[0] == "below" and est["side"].iloc[1] == "uncertain"


def test_bad_settings_are_refused(base):
    with pytest.raises(acsa.ConfigError, match="1 to 3 parameters"):
        boundary.sample(base, {p: (0.0, 0.5) for p in ["us.pressure", "us.commitment", "us.mediation",
                                                        "japan.willingness"]})
    with pytest.raises(acsa.ConfigError, match="level"):
        boundary.sample(base, BOUNDS, level=1.5)
    with pytest.raises(acsa.ConfigError, match="shocks.intensity"):
        boundary.sample(base, {"shocks.intensity": (3.0, 1.0)})


def test_boundary_plot_shows_the_estimate_and_points(sampled):
    b, _ = sampled
    fig = plots.boundary(b)
    ax = fig.axes[0]
    line = ax.get_lines()[0]
    np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=float), b.estimate["p"].to_numpy())
    offsets = ax.collections[-1].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], b.points["shocks.intensity"].to_numpy())
    np.testing.assert_allclose(offsets[:, 1], b.points["p"].to_numpy())


# ---- the explorer -----------------------------------------------------------------


def test_explorer_reruns_and_redraws_when_a_slider_moves(base):
    from acsa.explorer import Explorer

    ex = Explorer(base, levers={"shocks.intensity": (0.5, 3.0), "voters.cohort_shift": (0.0, 0.1)}, replicates=4,
                  voters=None)
    assert ex.sweep.scenario["shocks.intensity"] == 1.0
    first = ex.figure
    ex.sliders["shocks.intensity"].value = 2.5
    assert ex.figure is not first
    assert ex.sweep.scenario["shocks.intensity"] == 2.5
    line = ex.figure.axes[0].get_lines()[0]
    km = outcomes.kaplan_meier(ex.sweep.runs, 520)
    np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=float), 1 - km["survival"].to_numpy())
    p = ex.sweep.probability().iloc[0]
    assert ex.figure.axes[0].get_title().startswith(f"P(viable within 520 weeks) = {p.p:.2f}")
    ex.sliders["voters.cohort_shift"].value = 0.08
    assert ex.sweep.scenario["voters.cohort_shift"] == pytest.approx(0.08)
    assert ex.sweep.scenario["shocks.intensity"] == 2.5
    assert ex.values == {"shocks.intensity": 2.5, "voters.cohort_shift": pytest.approx(0.08)}
