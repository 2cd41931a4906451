"""Same seed, same run: on repeat, across thread counts, and across batch sizes."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd

import acsa


def series_matrix(run):
    return run.series.drop(columns=["date"]).to_numpy(dtype=float)


def test_same_seed_gives_bitwise_identical_runs(small):
    a, b = acsa.simulate(small, seed=42), acsa.simulate(small, seed=42)
    assert np.array_equal(series_matrix(a), series_matrix(b))
    pd.testing.assert_frame_equal(a.events, b.events)
    assert a.outcome == b.outcome


def test_different_seeds_differ(small):
    a, b = acsa.simulate(small, seed=1), acsa.simulate(small, seed=2)
    assert not np.array_equal(series_matrix(a), series_matrix(b))


def test_seed_matches_numpy_seed_sequence(small):
    # An integer seed is shorthand for numpy's SeedSequence(seed).
    a = acsa.simulate(small, seed=5)
    b = acsa.simulate(small, seed=np.random.SeedSequence(5))
    assert np.array_equal(series_matrix(a), series_matrix(b))


def _series_in_subprocess(threads, out, n):
    code = textwrap.dedent(
        f"""
        import numpy as np, acsa
        sc = acsa.Scenario.default().replace({{"voters.n": {n}, "horizon_weeks": 104}})
        run = acsa.simulate(sc, seed=9)
        np.save({str(out)!r}, run.series.drop(columns=["date"]).to_numpy(dtype=float))
        """
    )
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=300)
    return np.load(out)


def test_thread_count_does_not_change_results(tmp_path):
    # Enough voters that the core splits the work across threads.
    n = 50_000
    one = _series_in_subprocess(1, tmp_path / "one.npy", n)
    two = _series_in_subprocess(2, tmp_path / "two.npy", n)
    assert np.array_equal(one, two)


def test_sweep_does_not_depend_on_batch_size(small):
    grid = {"shocks.intensity": [0.5, 2.0]}
    a = acsa.sweep(small, grid, replicates=3, seed=4, progress=False, batch_size=1).runs
    b = acsa.sweep(small, grid, replicates=3, seed=4, progress=False, batch_size=100).runs
    pd.testing.assert_frame_equal(a, b)


def test_sweep_run_equals_single_run(small):
    grid = {"shocks.intensity": [0.5, 2.0]}
    sw = acsa.sweep(small, grid, replicates=2, seed=4, progress=False)
    # Run 3 is point 1, replicate 1, seeded with SeedSequence(4, spawn_key=(3,)).
    child = np.random.SeedSequence(4).spawn(4)[3]
    single = acsa.simulate(small.replace({"shocks.intensity": 2.0}), seed=child)
    row = sw.runs.iloc[3]
    assert row["shocks.intensity"] == 2.0
    assert single.outcome["final_approval"] == row["final_approval"]
    assert single.outcome["n_proposals"] == row["n_proposals"]
    assert np.array_equal(series_matrix(sw.run(3)), series_matrix(single))
