"""Figures: each is read back from its artists and compared with the data it claims to show."""

import warnings

import matplotlib
import matplotlib.contour
import matplotlib.dates

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection, QuadMesh  # noqa: E402

import acsa  # noqa: E402
from acsa import outcomes, plots  # noqa: E402

X, Y = "shocks.intensity", "voters.cohort_shift"


@pytest.fixture(scope="module")
def base():
    return acsa.Scenario.default().replace({"voters.n": 500})


@pytest.fixture(scope="module")
def grid_sweep(base):
    # Uneven values on purpose: the axis must keep their distances.
    # A bold president, so that P(viable) crosses 0.5 on the grid.
    bold = base.replace({"executive.risk_tolerance": 0.9})
    return acsa.sweep(bold, {Y: [0.0, 0.05, 0.1], X: [0.5, 1.0, 2.0, 3.0]}, replicates=6, seed=9, progress=False)


@pytest.fixture(scope="module")
def lhs_sweep(base):
    d = acsa.designs.latin_hypercube({Y: (0.0, 0.1), X: (0.5, 3.0)}, 80)
    return acsa.sweep(base, d, replicates=1, seed=4, progress=False)


def _mesh(ax):
    return next(c for c in ax.collections if isinstance(c, QuadMesh))


def test_heatmap_cells_are_the_table_on_numeric_axes(grid_sweep):
    table = grid_sweep.probability()
    fig = plots.heatmap(table, x=X, y=Y, level=0.5)
    ax = fig.axes[0]
    want = table.pivot(index=Y, columns=X, values="p").to_numpy()
    assert np.asarray(_mesh(ax).get_array()).reshape(want.shape) == pytest.approx(want)
    # Cell edges halfway between values: 0.75, 1.5 and 2.5 on the x axis, so 3.0 is twice as far from 2.0 as 1.0 from 0.5.
    xedges = np.unique(_mesh(ax).get_coordinates()[..., 0])
    np.testing.assert_allclose(xedges, [0.25, 0.75, 1.5, 2.5, 3.5])
    # One annotation per cell, with the value and its interval.
    assert len(ax.texts) == 12
    first = table.sort_values([Y, X]).iloc[0]
    assert ax.texts[0].get_text() == f"{first.p:.2f}\n[{first.lo:.2f}, {first.hi:.2f}]"
    assert ax.get_xlabel() == "shocks.intensity (multiplier)" and ax.get_ylabel() == "voters.cohort_shift (per year)"
    assert want.min() < 0.5 < want.max()
    contours = [c for c in ax.collections if isinstance(c, matplotlib.contour.ContourSet)]
    assert len(contours) == 1 and contours[0].levels.tolist() == [0.5]


def test_heatmap_of_a_sampled_design_is_binned(lhs_sweep):
    fig = plots.heatmap(lhs_sweep, x=X, y=Y, bins=4, annotate=False)
    mesh = _mesh(fig.axes[0])
    table = lhs_sweep.probability(by=[Y, X], bins=4)
    want = table.pivot(index=Y, columns=X, values="p").reindex(
        index=sorted(table[Y].unique()), columns=sorted(table[X].unique())
    ).to_numpy()
    got = np.ma.filled(mesh.get_array(), np.nan).reshape(want.shape)
    assert np.allclose(got, want, equal_nan=True)
    runs = lhs_sweep.runs
    np.testing.assert_allclose(np.unique(mesh.get_coordinates()[..., 0]), np.linspace(runs[X].min(), runs[X].max(), 5))


def test_survival_curves_and_bands_are_kaplan_meier(grid_sweep):
    fig = plots.survival(grid_sweep, by=X)
    ax = fig.axes[0]
    runs = grid_sweep.runs
    lines = ax.get_lines()
    assert len(lines) == 4
    for line, (value, g) in zip(lines, runs.groupby(X)):
        km = outcomes.kaplan_meier(g, 520)
        np.testing.assert_allclose(np.asarray(line.get_xdata(), dtype=float), km["week"].to_numpy())
        np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=float), km["survival"].to_numpy())
        assert line.get_label() == f"{value:g} (n={len(g)})"
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 4
    km = outcomes.kaplan_meier(runs[runs[X] == 3.0], 520)
    ys = bands[-1].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(km["lo"].min()) and ys.max() == pytest.approx(km["hi"].max())
    assert ax.get_xlim()[1] == 520


def test_survival_of_a_sampled_design_bins_its_legend(lhs_sweep):
    fig = plots.survival(lhs_sweep, by=X)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert len(labels) == plots.AUTO_BINS
    assert sum(int(t.split("n=")[1].rstrip(")")) for t in labels) == len(lhs_sweep.runs)


def test_viable_by_date_is_one_minus_survival_on_the_calendar(grid_sweep):
    fig = plots.viable_by_date(grid_sweep)
    line = fig.axes[0].get_lines()[0]
    km = outcomes.kaplan_meier(grid_sweep.runs, 520)
    np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=float), 1 - km["survival"].to_numpy())
    assert pd.Timestamp(line.get_xdata()[0]) == pd.Timestamp("2026-06-01")
    assert pd.Timestamp(line.get_xdata()[-1]) == pd.Timestamp("2026-06-01") + pd.Timedelta(weeks=520)


def test_probability_lines_follow_the_table(grid_sweep):
    fig, ax = plt.subplots()
    out = plots.probability(grid_sweep, x=X, by=Y, ax=ax)
    assert out is fig
    table = grid_sweep.probability(by=[Y, X])
    for line, (_, g) in zip(ax.get_lines(), table.groupby(Y)):
        np.testing.assert_allclose(np.asarray(line.get_xdata(), dtype=float), g[X].to_numpy())
        np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=float), g["p"].to_numpy())
    plt.close(fig)


def test_sobol_and_morris_charts_show_the_indices(base):
    d = acsa.designs.sobol({Y: (0.0, 0.1), X: (1.0, 3.0)}, 16, calc_second_order=False)
    m = acsa.designs.morris({Y: (0.0, 0.1), X: (1.0, 3.0)}, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s_idx = acsa.sweep(base, d, seed=1, progress=False).sobol("rmst")
        m_idx = acsa.sweep(base, m, seed=1, progress=False).morris("rmst")
    fig = plots.sobol(s_idx)
    ax = fig.axes[0]
    order = s_idx.sort_values("ST").reset_index(drop=True)
    widths = [p.get_width() for p in ax.patches]
    assert widths[: len(order)] == pytest.approx(order["ST"].tolist())
    assert widths[len(order):] == pytest.approx(order["S1"].tolist())
    assert [t.get_text() for t in ax.get_yticklabels()] == [plots.label(p) for p in order["parameter"]]

    fig = plots.morris(m_idx)
    ax = fig.axes[0]
    points = ax.get_lines()[0]
    np.testing.assert_allclose(np.asarray(points.get_xdata(), dtype=float), m_idx["mu_star"].to_numpy())
    np.testing.assert_allclose(np.asarray(points.get_ydata(), dtype=float), m_idx["sigma"].to_numpy())


def test_prim_charts_show_the_trajectory_and_box(lhs_sweep):
    box = lhs_sweep.prim(threshold=0.6)
    fig = plots.prim(box)
    offsets = fig.axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], box.trajectory["coverage"].to_numpy())
    np.testing.assert_allclose(offsets[:, 1], box.trajectory["density"].to_numpy())
    fig = plots.prim_box(box)
    lims = box.limits()
    ranges = [line.get_xdata() for line in fig.axes[0].get_lines()[1::2]]
    for (a, b), row in zip(ranges, lims.itertuples()):
        col = box.x[row.parameter]
        assert a == pytest.approx((row.low - col.min()) / (col.max() - col.min()))
        assert b == pytest.approx((row.high - col.min()) / (col.max() - col.min()))


def test_a_runs_panels_are_its_series_and_its_events(grid_sweep):
    run = grid_sweep.run(0)
    s, ev = run.series, run.events
    fig = plots.plot_run(run)
    executive, opinion, history, shocks, ladder = fig.axes[:5]
    lines = {line.get_label(): line for ax in (executive, opinion, history, ladder) for line in ax.get_lines()}
    for name, column in [
        ("presidential approval", "approval"),
        ("political capital", "capital"),
        ("support for security cooperation", "support_mean"),
        ("favourability toward Japan", "favourability"),
        ("threat perception", "threat_mean"),
        ("history salience", "salience_mean"),
        ("historical grievance", "grievance_mean"),
        ("politicisation", "politicisation"),
        ("rung in force", "rung"),
    ]:
        np.testing.assert_allclose(np.asarray(lines[name].get_ydata(), dtype=float), s[column].to_numpy(), err_msg=name)
        assert len(lines[name].get_xdata()) == len(s)
    # The shock panel: one row of ticks per kind that occurred, a tick per shock, on its date.
    drawn = [k for k in plots._SHOCK_COLOURS if (ev["kind"] == k).any()]
    assert drawn, "the run had no shock: the panel would be empty"
    for kind, marks in zip(drawn, shocks.collections):
        sel = ev[ev["kind"] == kind]
        offsets = marks.get_offsets()
        assert len(offsets) == len(sel)
        np.testing.assert_allclose(offsets[:, 0], matplotlib.dates.date2num(sel["date"]))
        assert (offsets[:, 1] == list(plots._SHOCK_COLOURS).index(kind)).all()
    plt.close(fig)


def test_every_plot_draws_into_a_given_ax(grid_sweep):
    fig, axes = plt.subplots(1, 3)
    assert plots.heatmap(grid_sweep, x=X, y=Y, ax=axes[0]) is fig
    assert plots.survival(grid_sweep, ax=axes[1]) is fig
    assert plots.viable_by_date(grid_sweep, ax=axes[2]) is fig
    run_fig, run_axes = plt.subplots(5, 1)
    assert plots.plot_run(grid_sweep.run(0), axes=run_axes) is run_fig
    plt.close("all")


def test_save_writes_png_pdf_and_svg(grid_sweep, tmp_path):
    fig = plots.survival(grid_sweep)
    paths = plots.save(fig, tmp_path / "survival.png")
    assert [p.name for p in paths] == ["survival.png", "survival.pdf", "survival.svg"]
    assert paths[0].read_bytes()[:4] == b"\x89PNG"
    assert paths[1].read_bytes()[:4] == b"%PDF"
    assert b"<svg" in paths[2].read_bytes()[:400]
