"""Sweep stores: Parquet parts, run ids, resume, failures, series, xarray."""

import json
import os
import shutil
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

import acsa
from acsa import _core
from acsa.seeds import seed_bytes
from acsa.store import DirStore

GRID = {"shocks.intensity": [0.5, 2.0], "voters.cohort_shift": [0.0, 0.05]}


@pytest.fixture(scope="module")
def tiny():
    return acsa.Scenario.default().replace({"voters.n": 400, "horizon_weeks": 52})


@pytest.fixture(scope="module")
def reference(tiny, tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "store"
    return acsa.sweep(tiny, GRID, replicates=5, seed=3, store=path, record=["approval", "rung"], every=4, progress=False)


def counting(monkeypatch, fail=()):
    """Replace the core's run_batch by one that counts runs and fails the given seeds."""
    real = _core.run_batch
    count = {"runs": 0}

    def run_batch(scenarios, seeds, *args):
        count["runs"] += len(seeds)
        out = real(scenarios, seeds, *args)
        return [_core.RunResult(error="boom: injected failure") if s in fail else r for s, r in zip(seeds, out)]

    monkeypatch.setattr(_core, "run_batch", run_batch)
    return count


def test_store_layout(reference):
    path = reference.path
    assert (path / "sweep.json").is_file()
    parts = sorted(os.listdir(path / "runs"))
    assert parts and all(p.startswith("part-") and p.endswith(".parquet") for p in parts)
    assert not [p for p in os.listdir(path / "series") if not p.startswith("part-")]
    manifest = json.loads((path / "sweep.json").read_text())
    assert manifest["seed"] == 3 and manifest["model_version"] == acsa.MODEL_VERSION
    assert manifest["design"]["replicates"] == 5 and manifest["record"] == {"columns": ["approval", "rung"], "every": 4}
    # Plain Parquet: any tool can read the parts.
    raw = pd.read_parquet(path / "runs")
    assert len(raw) == 20 and raw["run_id"].is_unique


def test_open_is_lazy_and_has_the_same_runs(reference, monkeypatch):
    calls = []
    real = DirStore.read_runs
    monkeypatch.setattr(DirStore, "read_runs", lambda self: calls.append(1) or real(self))
    sw = acsa.open_sweep(reference.path)
    assert calls == []
    assert sw.n_runs == 20 and sw.design.grid == GRID and sw.scenario == reference.scenario
    pd.testing.assert_frame_equal(sw.runs, reference.runs, check_exact=True)
    assert sw.complete
    assert calls


def test_runs_table_columns(reference):
    runs = reference.runs
    assert list(runs.columns[:6]) == ["run_index", "point", "replicate", "seed", "shocks.intensity", "voters.cohort_shift"]
    assert list(runs.columns[-2:]) == ["error", "run_id"]
    assert runs["error"].isna().all()
    assert runs["run_id"].str.fullmatch("[0-9a-f]{32}").all()
    assert runs["viable"].dtype == bool and runs["week_viable"].dtype == "Int64"


def test_store_and_memory_give_the_same_results(tiny, reference):
    mem = acsa.sweep(tiny, GRID, replicates=5, seed=3, record=["approval", "rung"], every=4, progress=False)
    assert mem.path is None
    pd.testing.assert_frame_equal(mem.runs, reference.runs, check_exact=True)
    pd.testing.assert_frame_equal(mem.series, reference.series, check_exact=True)


def test_run_id_is_a_hash_of_scenario_parameters_seed_and_version(tiny, tmp_path, monkeypatch):
    runs = acsa.sweep(tiny, GRID, replicates=5, seed=3, progress=False).runs
    # The same run in another design has the same id.
    first = {"shocks.intensity": [0.5], "voters.cohort_shift": [0.0]}
    other = acsa.sweep(tiny, first, replicates=5, seed=3, progress=False).runs
    assert other["run_id"].tolist() == runs["run_id"][:5].tolist()
    assert runs["run_id"].is_unique
    assert acsa.sweep(tiny, GRID, replicates=5, seed=4, progress=False).runs["run_id"].isin(runs["run_id"]).sum() == 0
    changed = acsa.sweep(tiny.replace({"voters.n": 401}), GRID, replicates=5, seed=3, progress=False).runs
    assert not changed["run_id"].isin(runs["run_id"]).any()
    monkeypatch.setattr(_core, "MODEL_VERSION", "9.9.9")
    newer = acsa.sweep(tiny, GRID, replicates=5, seed=3, progress=False).runs
    assert not newer["run_id"].isin(runs["run_id"]).any()


def test_resume_runs_only_what_is_missing(tiny, reference, tmp_path, monkeypatch):
    path = tmp_path / "s"
    kw = dict(replicates=5, seed=3, store=path, record=["approval", "rung"], every=4, progress=False)
    count = counting(monkeypatch)
    half = acsa.sweep(tiny, GRID, shard=(0, 2), **kw)
    assert count["runs"] == 10 and not half.complete and len(half.runs) == 10
    with pytest.raises(acsa.ConfigError, match="already holds 10 runs"):
        acsa.sweep(tiny, GRID, shard=(0, 2), resume=False, **kw)
    full = acsa.sweep(tiny, GRID, **kw)
    assert count["runs"] == 20 and full.complete
    acsa.sweep(tiny, GRID, **kw)
    assert count["runs"] == 20
    pd.testing.assert_frame_equal(full.runs, reference.runs, check_exact=True)
    pd.testing.assert_frame_equal(full.series, reference.series, check_exact=True)


def test_a_different_sweep_is_refused(tiny, reference, monkeypatch):
    path = reference.path
    kw = dict(replicates=5, seed=3, store=path, record=["approval", "rung"], every=4, progress=False)
    with pytest.raises(acsa.ConfigError, match="its seed differs"):
        acsa.sweep(tiny, GRID, **{**kw, "seed": 4})
    with pytest.raises(acsa.ConfigError, match="its design"):
        acsa.sweep(tiny, {"shocks.intensity": [0.5]}, **kw)
    with pytest.raises(acsa.ConfigError, match="its record= setting"):
        acsa.sweep(tiny, GRID, **{**kw, "every": 2})
    with pytest.raises(acsa.ConfigError, match="its scenario"):
        acsa.sweep(tiny.replace({"horizon_weeks": 53}), GRID, **kw)
    monkeypatch.setattr(_core, "MODEL_VERSION", "9.9.9")
    with pytest.raises(acsa.ConfigError, match="model version"):
        acsa.sweep(tiny, GRID, **kw)


def test_failed_runs_are_recorded_and_retried(tiny, reference, tmp_path, monkeypatch):
    path = tmp_path / "s"
    kw = dict(replicates=5, seed=3, store=path, record=["approval", "rung"], every=4, progress=False)
    bad = {seed_bytes(3, 2), seed_bytes(3, 13)}
    count = counting(monkeypatch, fail=bad)
    with pytest.warns(RuntimeWarning, match="2 runs failed"):
        sw = acsa.sweep(tiny, GRID, **kw)
    runs = sw.runs
    assert sw.complete and len(runs) == 20
    failed = runs[runs["error"].notna()]
    assert failed["run_index"].tolist() == [2, 13]
    assert (failed["error"] == "boom: injected failure").all()
    # Never a silent NaN: outcomes of failed runs are missing (<NA>), and counted nowhere.
    assert failed["final_approval"].isna().all() and runs["final_approval"].dtype == "Float64"
    assert failed["viable"].isna().all() and runs["viable"].dtype == "boolean"
    assert sw.failures["run_index"].tolist() == [2, 13] and "shocks.intensity" in sw.failures
    with pytest.warns(RuntimeWarning, match="2 failed runs are left out"):
        table = sw.probability()
    assert table["n"].tolist() == [4, 5, 4, 5]
    assert set(sw.series["run_index"]) == set(range(20)) - {2, 13}
    # A failure counts as done until retried.
    acsa.sweep(tiny, GRID, **kw)
    assert count["runs"] == 20
    monkeypatch.undo()
    fixed = acsa.sweep(tiny, GRID, retry_failed=True, **kw)
    assert fixed.runs["error"].isna().all()
    pd.testing.assert_frame_equal(fixed.runs, reference.runs, check_exact=True)
    pd.testing.assert_frame_equal(fixed.series, reference.series, check_exact=True)


def test_interrupted_sweep_keeps_its_runs_in_the_store(tiny, reference, tmp_path, interrupt_third_batch, monkeypatch):
    path = tmp_path / "s"
    kw = dict(replicates=5, seed=3, store=path, record=["approval", "rung"], every=4, progress=False, batch_size=3)
    with pytest.warns(RuntimeWarning, match="interrupted"):
        sw = acsa.sweep(tiny, GRID, **kw)
    assert not sw.complete and len(sw.runs) == 6
    assert len(acsa.open_sweep(path).runs) == 6
    monkeypatch.undo()  # the core runs normally again
    done = acsa.sweep(tiny, GRID, **kw)
    pd.testing.assert_frame_equal(done.runs, reference.runs, check_exact=True)


def test_ctrl_c_stops_within_a_second_and_keeps_finished_runs(tmp_path):
    # Runs of about 0.1 s each: the whole sweep would take tens of seconds.
    sc = acsa.Scenario.default().replace({"voters.n": 5000, "horizon_weeks": 260})
    timer = threading.Timer(0.8, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.perf_counter()
    try:
        with pytest.warns(RuntimeWarning, match="interrupted"):
            sw = acsa.sweep(sc, {}, replicates=400, seed=1, store=tmp_path / "s", progress=False)
    finally:
        timer.cancel()
    assert time.perf_counter() - t0 < 0.8 + 1.5
    assert not sw.complete and 0 < len(sw.runs) < 400
    assert len(acsa.open_sweep(tmp_path / "s").runs) == len(sw.runs)
    # Runs in progress stopped at their next week: neither kept nor recorded as failed.
    assert sw.runs["run_index"].is_unique and sw.runs["error"].isna().all()


def test_duplicate_parts_collapse_and_compact(reference, tmp_path):
    path = tmp_path / "copy"
    shutil.copytree(reference.path, path)
    for kind in ("runs", "series"):
        for p in list((path / kind).iterdir()):
            shutil.copy(p, p.with_name(p.name.replace("part-", "part-9")))
    (path / "runs" / ".part-x.parquet.tmp").write_bytes(b"half a file")
    sw = acsa.open_sweep(path)
    pd.testing.assert_frame_equal(sw.runs, reference.runs, check_exact=True)
    pd.testing.assert_frame_equal(sw.series, reference.series, check_exact=True)
    sw.store.compact()
    assert len(os.listdir(path / "runs")) == 1 and len(os.listdir(path / "series")) == 1
    pd.testing.assert_frame_equal(acsa.open_sweep(path).runs, reference.runs, check_exact=True)
    pd.testing.assert_frame_equal(acsa.open_sweep(path).series, reference.series, check_exact=True)


def test_series_long_format_and_xarray(reference):
    series = reference.series
    assert list(series.columns) == ["run_id", "run_index", "point", "replicate", "week", "approval", "rung"]
    assert series["week"].unique().tolist() == list(range(0, 52, 4))
    assert len(series) == 20 * 13 and series["rung"].dtype == np.int64
    one = reference.run(7).series
    mine = series[series["run_index"] == 7]
    assert mine["approval"].tolist() == one["approval"].iloc[::4].tolist()
    xr = pytest.importorskip("xarray")
    ds = reference.to_xarray()
    assert isinstance(ds, xr.Dataset)
    assert ds["approval"].dims == ("point", "replicate", "week")
    assert ds["approval"].shape == (4, 5, 13)
    assert ds["final_approval"].dims == ("point", "replicate")
    assert ds["shocks.intensity"].values.tolist() == [0.5, 0.5, 2.0, 2.0]
    row = reference.runs.set_index("run_index").loc[7]
    assert ds["final_approval"].sel(point=1, replicate=2).item() == row["final_approval"]
    assert ds["approval"].sel(point=1, replicate=2).values.tolist() == mine["approval"].tolist()


def test_bad_sweep_arguments(tiny, tmp_path):
    with pytest.raises(acsa.ConfigError, match="no series column 'aproval'"):
        acsa.sweep(tiny, {}, record=["aproval"], progress=False)
    with pytest.raises(acsa.ConfigError, match="shard"):
        acsa.sweep(tiny, {}, shard=(2, 2), progress=False)
    with pytest.raises(acsa.ConfigError, match="executor"):
        acsa.sweep(tiny, {}, executor="dask", progress=False)
    (tmp_path / "f").write_text("x")
    with pytest.raises(acsa.ConfigError, match="is a file"):
        acsa.sweep(tiny, {}, store=tmp_path / "f", progress=False)
    with pytest.raises(acsa.ConfigError, match="not a sweep store"):
        acsa.open_sweep(tmp_path)
    with pytest.raises(acsa.ConfigError, match="recorded no series"):
        _ = acsa.sweep(tiny, {}, progress=False).series
