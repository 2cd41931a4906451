"""Sweeps: the runs table, probabilities with intervals, interruption, plots."""

import numpy as np
import pandas as pd
import pytest

import acsa


@pytest.fixture(scope="module")
def sw(small):
    # Six years with a risk-taking president under US pressure: some points have viable runs.
    sc = small.replace(
        {"horizon_weeks": 312, "executive.risk_tolerance": 1.0, "us.pressure": 1.0, "outcome.sustain_weeks": 26}
    )
    grid = {"voters.cohort_shift": [0.0, 0.05], "shocks.intensity": [0.5, 1.0, 3.0]}
    return acsa.sweep(sc, grid, replicates=4, seed=7, progress=False)


def test_runs_table_layout(sw):
    runs = sw.runs
    assert len(runs) == 2 * 3 * 4 == sw.n_runs
    assert list(runs.columns[:6]) == ["run_index", "point", "replicate", "seed", "voters.cohort_shift", "shocks.intensity"]
    assert runs["run_index"].tolist() == list(range(24))
    assert (runs["point"] == runs["run_index"] // 4).all()
    assert (runs["replicate"] == runs["run_index"] % 4).all()
    assert (runs["seed"] == 7).all()
    # Full factorial in dict order: the last path varies fastest.
    first = runs.drop_duplicates("point")[["voters.cohort_shift", "shocks.intensity"]]
    assert first.values.tolist() == [[0.0, 0.5], [0.0, 1.0], [0.0, 3.0], [0.05, 0.5], [0.05, 1.0], [0.05, 3.0]]
    for key in ("viable", "week_viable", "max_rung", "n_proposals"):
        assert key in runs
    assert sw.complete


def test_replicates_differ(sw):
    point0 = sw.runs[sw.runs["point"] == 0]
    assert point0["final_approval"].nunique() > 1


def test_probability_table(sw):
    table = sw.probability()
    assert list(table.columns) == ["voters.cohort_shift", "shocks.intensity", "n", "viable", "p", "lo", "hi"]
    assert len(table) == 6
    assert (table["n"] == 4).all()
    assert table["p"].between(0, 1, inclusive="neither").any(), "the test needs a point with viable and other runs"
    runs = sw.runs
    for _, row in table.iterrows():
        sel = runs[(runs["voters.cohort_shift"] == row["voters.cohort_shift"]) & (runs["shocks.intensity"] == row["shocks.intensity"])]
        assert row["viable"] == sel["viable"].sum()
        assert row["p"] == pytest.approx(sel["viable"].mean())
        assert row["lo"] <= row["p"] <= row["hi"]


def test_probability_pools_over_other_paths(sw):
    table = sw.probability(by="shocks.intensity")
    assert list(table["shocks.intensity"]) == [0.5, 1.0, 3.0]
    assert (table["n"] == 8).all()
    assert table["viable"].sum() == sw.runs["viable"].sum()


def test_sweep_without_grid(small):
    sw = acsa.sweep(small, {}, replicates=3, seed=1, progress=False)
    assert len(sw.runs) == 3
    assert sw.probability()["n"].tolist() == [3]


def test_interrupt_keeps_finished_runs(small, interrupt_third_batch, monkeypatch):
    with pytest.warns(RuntimeWarning, match="interrupted"):
        sw = acsa.sweep(small, {"shocks.intensity": [0.5, 1.0]}, replicates=5, seed=3, progress=False, batch_size=2)
    assert not sw.complete
    assert len(sw.runs) == 4
    assert sw.probability()["n"].sum() == 4
    monkeypatch.undo()  # the core runs normally again
    full = acsa.sweep(small, {"shocks.intensity": [0.5, 1.0]}, replicates=5, seed=3, progress=False)
    pd.testing.assert_frame_equal(sw.runs, full.runs.iloc[:4])


def test_grid_values_from_numpy(small):
    sw = acsa.sweep(small, {"voters.n": np.array([1000, 1500])}, seed=1, progress=False)
    assert sw.runs["voters.n"].tolist() == [1000, 1500]


def test_heatmap_and_survival_figures(sw, tmp_path):
    from acsa import plots

    fig = plots.heatmap(sw.probability(), x="shocks.intensity", y="voters.cohort_shift")
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("shocks.intensity")
    assert ax.get_ylabel().startswith("voters.cohort_shift")
    assert len(ax.texts) == 6  # one annotation per cell
    fig.savefig(tmp_path / "h.png")

    fig = plots.survival(sw, by="shocks.intensity")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3
    assert ax.get_xlim()[1] == sw.scenario["horizon_weeks"]
    fig.savefig(tmp_path / "s.png")


def test_grid_over_scheduled_events(small):
    # Counterfactual sweep: the same runs with and without a nuclear test.
    test = [{"week": 10, "kind": "nuclear_test", "magnitude": 3.0}]
    sw = acsa.sweep(small, {"events": [[], test]}, replicates=2, seed=5, progress=False)
    table = sw.probability()
    assert table["events"].tolist() == [[], sw.scenario_at(1)["events"]]
    assert (table["n"] == 2).all()
    assert sw.probability(by="events")["n"].tolist() == [2, 2]
    assert (sw.runs.loc[2:, "peak_threat"].to_numpy() > sw.runs.loc[:1, "peak_threat"].to_numpy()).all()


def test_design_from_a_dataframe_of_points(small):
    points = pd.DataFrame({"shocks.intensity": [0.5, 2.0, 3.0], "network.kind": ["sbm", "sbm", "watts_strogatz"]})
    sw = acsa.sweep(small, points, replicates=2, seed=2, progress=False)
    assert sw.design.kind == "table" and sw.n_runs == 6
    assert sw.runs["network.kind"].tolist() == ["sbm", "sbm", "sbm", "sbm", "watts_strogatz", "watts_strogatz"]
    assert sw.probability()["n"].tolist() == [2, 2, 2]


def test_sobol_outputs_go_straight_to_salib(small):
    sobol = pytest.importorskip("SALib.analyze.sobol")
    problem = {"voters.cohort_shift": (0.0, 0.1), "shocks.intensity": (0.5, 3.0)}
    design = acsa.designs.sobol(problem, 8, calc_second_order=False)
    sw = acsa.sweep(small.replace({"voters.n": 300, "horizon_weeks": 52}), design, replicates=2, seed=1, progress=False)
    y = sw.y("final_approval")
    assert y.shape == (design.n_points,)
    runs = sw.runs
    assert y[3] == runs.loc[runs["point"] == 3, "final_approval"].mean()
    si = sobol.analyze(sw.problem, y, calc_second_order=False)
    assert np.isfinite(si["ST"]).all()
    assert sw.y("viable").max() <= 1.0
    with pytest.raises(acsa.ConfigError, match="not an outcome"):
        sw.y("shocks.intensity")


def test_morris_takes_the_design_matrix(small):
    morris = pytest.importorskip("SALib.analyze.morris")
    design = acsa.designs.morris({"shocks.intensity": (0.5, 3.0), "voters.n": (300, 400)}, 3)
    sw = acsa.sweep(small.replace({"horizon_weeks": 52}), design, seed=1, progress=False)
    assert sw.runs["voters.n"].dtype == np.int64
    res = morris.analyze(sw.problem, sw.X, sw.y("final_approval"), num_levels=4)
    assert len(res["mu_star"]) == 2


def test_y_needs_every_point(small, tmp_path):
    sw = acsa.sweep(small.replace({"voters.n": 300, "horizon_weeks": 26}), {"shocks.intensity": [1, 2]},
                    replicates=2, store=tmp_path / "s", shard=(0, 2), progress=False)
    with pytest.raises(acsa.ConfigError, match="only 2 of 4 runs are done"):
        sw.y("final_approval")


def test_sweep_over_a_user_graph_with_a_store(small, tmp_path):
    nx = pytest.importorskip("networkx")
    g = nx.watts_strogatz_graph(500, 6, 0.1, seed=1)
    sc = small.replace({"voters.n": 500, "horizon_weeks": 26})
    sw = acsa.sweep(sc, {"shocks.intensity": [1, 2]}, replicates=2, graph=g, store=tmp_path / "s", progress=False)
    again = acsa.open_sweep(tmp_path / "s", graph=g)
    assert again.run(3).outcome["final_approval"] == sw.runs.loc[3, "final_approval"]
    with pytest.raises(acsa.ConfigError, match="pass graph="):
        acsa.open_sweep(tmp_path / "s").run(0)
    with pytest.raises(acsa.ConfigError, match="its graph differs"):
        acsa.sweep(sc, {"shocks.intensity": [1, 2]}, replicates=2, graph=nx.watts_strogatz_graph(500, 6, 0.1, seed=2),
                   store=tmp_path / "s", progress=False)


def test_repr_names_the_design_and_store(small, tmp_path):
    sw = acsa.sweep(small.replace({"voters.n": 300, "horizon_weeks": 26}), {"shocks.intensity": [1, 2]},
                    store=tmp_path / "s", progress=False)
    assert repr(sw) == f"<acsa.Sweep: 2 points x 1 replicates = 2 runs (complete) in {tmp_path / 's'}>"
    assert "<table" in sw._repr_html_()


def test_survival_leaves_out_failed_runs():
    import pandas as pd

    from acsa.outcomes import kaplan_meier

    runs = pd.DataFrame(
        {
            "viable": pd.array([True, False, pd.NA], dtype="boolean"),
            "week_viable": pd.array([10, pd.NA, pd.NA], dtype="Int64"),
            "error": [None, None, "simulation failed: boom"],
        }
    )
    km = kaplan_meier(runs, 52)
    assert km["survival"].iloc[-1] == 0.5 and km["week"].iloc[-1] == 52


def test_open_is_a_deprecated_alias_kept_out_of_star_imports():
    assert "open_sweep" in acsa.__all__ and "open" not in acsa.__all__
    names: dict = {}
    exec("from acsa import *", names)
    assert names.get("open", open) is open and names["open_sweep"] is acsa.open_sweep
    with pytest.warns(DeprecationWarning, match="open_sweep"):
        assert acsa.open is acsa.open_sweep


def test_sweep_options_are_keyword_only(small):
    with pytest.raises(TypeError, match="positional"):
        acsa.sweep(small, {}, 2)  # type: ignore[misc]
