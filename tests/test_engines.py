"""Identity of results: the same table in-process, on a process pool, on dask, in shards, after kill -9."""

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

import acsa
from acsa.cli import spec_sweep_args
from acsa.store import DirStore

ROOT = Path(__file__).resolve().parents[1]

SPEC = """\
seed = 42
replicates = 4

[scenario]
horizon_weeks = 52
voters.n = 300

[design]
kind = "latin_hypercube"
n = 8
seed = 1

[design.bounds]
"voters.cohort_shift" = [0.0, 0.1]
"shocks.intensity" = [0.5, 3.0]

[record]
columns = ["approval", "rung"]
every = 4
"""


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "spec.toml"
    path.write_text(SPEC)
    return path


@pytest.fixture(scope="module")
def args(spec):
    return spec_sweep_args(spec)


@pytest.fixture(scope="module")
def reference(args, tmp_path_factory):
    return acsa.sweep(**args, store=tmp_path_factory.mktemp("ref") / "store", progress=False)


def assert_same_results(a, b):
    """Bit for bit: the runs table sorted by run_id, the stored Arrow tables, and the series."""
    ra = acsa.open_sweep(a).runs.sort_values("run_id").reset_index(drop=True)
    rb = acsa.open_sweep(b).runs.sort_values("run_id").reset_index(drop=True)
    assert len(ra) == 32
    pd.testing.assert_frame_equal(ra, rb, check_exact=True)
    ta, tb = DirStore.open(a).read_runs(), DirStore.open(b).read_runs()
    assert ta.sort_by("run_id").equals(tb.sort_by("run_id"))
    assert DirStore.open(a).read_series().equals(DirStore.open(b).read_series())


def test_process_pool(args, reference, tmp_path):
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as ex:
        sw = acsa.sweep(**args, store=tmp_path / "s", executor=ex, progress=False)
        # Each worker process ran the core on one thread.
        assert {ex.submit(os.getenv, "RAYON_NUM_THREADS").result() for _ in range(4)} == {"1"}
    assert sw.complete
    assert_same_results(reference.path, tmp_path / "s")


def test_dask_local_cluster(args, reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        sw = acsa.sweep(**args, store=tmp_path / "s", executor=client.get_executor(), progress=False)
        assert set(client.run(os.getenv, "RAYON_NUM_THREADS").values()) == {"1"}
    assert sw.complete
    assert_same_results(reference.path, tmp_path / "s")


def test_shards_in_python(args, reference, tmp_path):
    for i in range(3):
        sw = acsa.sweep(**args, store=tmp_path / "s", shard=(i, 3), progress=False)
        assert sw.complete == (i == 2)
    assert_same_results(reference.path, tmp_path / "s")


def test_shards_on_the_command_line_then_merge(spec, reference, tmp_path):
    out = tmp_path / "s"
    # Two shards at once into one store, as a job array would.
    procs = [
        subprocess.Popen([sys.executable, "-m", "acsa", "sweep", str(spec), "--out", str(out), "--shard", f"{i}/2", "--no-progress"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(2)
    ]
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr
        assert "its 16 runs are in" in stdout
    res = subprocess.run([sys.executable, "-m", "acsa", "merge", str(out)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "P(viable" in res.stdout
    assert len(os.listdir(out / "runs")) == 1 and len(os.listdir(out / "series")) == 1
    assert len(pd.read_csv(out / "runs.csv")) == 32 and (out / "probability.csv").is_file()
    assert_same_results(reference.path, out)
    # A shard run again without --resume is refused; with it, nothing is left to do.
    again = [sys.executable, "-m", "acsa", "sweep", str(spec), "--out", str(out), "--shard", "1/2", "--no-progress"]
    res = subprocess.run(again, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "--resume" in res.stderr
    res = subprocess.run(again + ["--resume"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr


KILLED = """\
import sys
import acsa
sc = acsa.Scenario.default().replace({"voters.n": 1000, "horizon_weeks": 104})
design = acsa.designs.grid({"shocks.intensity": [0.5, 1.0, 2.0]}, replicates=100)
acsa.sweep(sc, design, seed=9, store=sys.argv[1], record=["approval"], every=8, batch_size=2, flush_every=0, progress=False)
"""


def test_kill_9_in_the_middle_then_resume(tmp_path):
    store = tmp_path / "s"
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(store)])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if (store / "runs").is_dir() and len(list((store / "runs").glob("part-*"))) >= 3:
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the sweep finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    done = len(acsa.open_sweep(store).runs)
    assert 0 < done < 300
    # Resume in this process, and compare with a sweep that was never interrupted.
    sc = acsa.Scenario.default().replace({"voters.n": 1000, "horizon_weeks": 104})
    design = acsa.designs.grid({"shocks.intensity": [0.5, 1.0, 2.0]}, replicates=100)
    kw = dict(seed=9, record=["approval"], every=8, progress=False)
    resumed = acsa.sweep(sc, design, store=store, **kw)
    whole = acsa.sweep(sc, design, store=tmp_path / "whole", **kw)
    assert resumed.complete
    a = resumed.runs.sort_values("run_id").reset_index(drop=True)
    b = whole.runs.sort_values("run_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(resumed.series, whole.series, check_exact=True)


class FlakyExecutor(ThreadPoolExecutor):
    """An executor whose second task fails, as when a worker dies."""

    def __init__(self):
        super().__init__(2)
        self.n = 0

    def submit(self, fn, *args, **kwargs):
        self.n += 1
        if self.n == 2:
            f = Future()
            f.set_exception(OSError("worker lost"))
            return f
        return super().submit(fn, *args, **kwargs)


def test_a_failed_task_is_recorded_and_retried(args, reference, tmp_path):
    with FlakyExecutor() as ex, pytest.warns(RuntimeWarning, match="runs failed"):
        sw = acsa.sweep(**args, store=tmp_path / "s", executor=ex, progress=False)
    failures = sw.failures
    assert len(failures) >= 1
    assert failures["error"].str.contains("task failed on the executor: OSError: worker lost").all()
    with ThreadPoolExecutor(2) as ex:
        fixed = acsa.sweep(**args, store=tmp_path / "s", executor=ex, retry_failed=True, progress=False)
    assert fixed.failures.empty
    assert_same_results(reference.path, tmp_path / "s")


def test_slurm_example_runs_on_a_local_cluster(tmp_path):
    pytest.importorskip("dask_jobqueue")
    script = ROOT / "examples" / "slurm_dask.py"
    res = subprocess.run([sys.executable, str(script), "--out", str(tmp_path / "s"), "--quick", "--local"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "40 runs (complete)" in res.stdout and "ST" in res.stdout
    assert len(acsa.open_sweep(tmp_path / "s").runs) == 40
