"""Limits of the machine and of the process: memory, forks and interruptions.

Each case runs in a subprocess, so that a failure of the kind it guards against (an
allocation that aborts the process, a hang, a run that ignores Ctrl-C) fails the test
instead of taking pytest down with it.
"""

import signal
import subprocess
import sys
import textwrap
import time

import pytest

import acsa

# F3: 2 x 10^7 Japanese voters with 999 ties each: 8 x 10^10 bytes.
JAPAN_OVER_THE_TIE_LIMIT = {
    "voters.n": 1000,
    "network.degree": 999,
    "japan.mode": "full",
    "japan.voters.n": 20_000_000,
}

# Sets the address-space limit (ulimit -v) to what the process uses now plus HEADROOM bytes.
LIMIT = """
import resource
def used():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmSize:"))
def limit(headroom):
    resource.setrlimit(resource.RLIMIT_AS, (used() + headroom, resource.RLIM_INFINITY))
"""


def python(code, timeout=300, **kw):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, **kw)


def test_f3_japans_network_obeys_the_tie_limit():
    with pytest.raises(acsa.ConfigError, match=r"^japan\.voters\.n: japan\.voters\.n x network\.degree must be at most"):
        acsa.Scenario.default().replace(JAPAN_OVER_THE_TIE_LIMIT)
    # Korea's too, checked with the scenario rather than when the run starts.
    with pytest.raises(acsa.ConfigError, match=r"^network\.degree: voters\.n x degree must be at most"):
        acsa.Scenario.default().replace({"voters.n": 20_000_000, "network.degree": 100})
    # Japan's degree is capped by its own voters, so a small Japan with a dense Korea is fine.
    acsa.Scenario.default().replace({"voters.n": 2000, "network.degree": 999, "japan.mode": "full", "japan.voters.n": 300})


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the limits from /proc")
def test_f3_a_run_larger_than_the_memory_left_is_refused_and_the_sweep_goes_on():
    # 1.2 x 10^7 voters need about 1.25 GB; the process may take 1 GB more than it has.
    out = python(LIMIT + """
import acsa
limit(1_000_000_000)
try:
    acsa.simulate({"voters": {"n": 12_000_000}, "horizon_weeks": 2})
except acsa.ConfigError as e:
    print("refused:", e)
sw = acsa.sweep({"horizon_weeks": 2}, {"voters.n": [2000, 12_000_000, 3000]}, progress=False)
print("failures:", sw.failures["error"].tolist())
print("done:", sw.runs["error"].isna().sum())
""")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "refused: voters.n: the run needs about 1.25 GB of memory, more than the" in out.stdout
    assert "failures: ['voters.n: the run needs about 1.25 GB of memory" in out.stdout
    assert "done: 2" in out.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the limits from /proc")
def test_f3_large_runs_run_fewer_at_once_so_that_they_fit():
    # Two runs of 6 x 10^6 voters (0.63 GB each by the estimate, 0.53 GB measured) on two
    # threads, with room for one and a quarter beside the reserve: two at once would not
    # fit, so they run one after the other, and both finish.
    out = python(LIMIT + """
import os
os.environ["RAYON_NUM_THREADS"] = "2"
import acsa
acsa.sweep({"voters": {"n": 2000}, "horizon_weeks": 2}, replicates=2, progress=False)  # threads started
limit(256 * 2**20 + int(1.25 * 628_000_000))
sw = acsa.sweep({"voters": {"n": 6_000_000}, "horizon_weeks": 2}, replicates=2, progress=False)
print("done:", sw.runs["error"].isna().sum(), sw.failures["error"].tolist())
""")
    assert out.returncode == 0, out.stderr[-2000:]
    assert "done: 2 []" in out.stdout


def test_f4_a_fork_pool_after_a_run_works():
    out = python("""
import multiprocessing, warnings
from concurrent.futures import ProcessPoolExecutor
import acsa
warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: the case in hand
small = {"voters": {"n": 2000}, "horizon_weeks": 30}
def capital(seed):
    return float(acsa.simulate(small, seed=seed).series["capital"].sum())
here = [capital(s) for s in (1, 2)]
with multiprocessing.get_context("fork").Pool(2) as pool:
    there = pool.map(capital, [1, 2])
# A sweep on a forking process pool, too.
with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as ex:
    sw = acsa.sweep(small, replicates=4, executor=ex, progress=False)
alone = acsa.sweep(small, replicates=4, progress=False)
print(here == there, sw.runs.equals(alone.runs), there)
""", timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("True True")


def interrupt_after_start(code, sig=signal.SIGINT, timeout=60):
    """Start `code`, which prints "started" and then works for minutes; signal it once it
    has started; return (seconds from the signal to its end, its stderr)."""
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "started", proc.stderr.read()
        time.sleep(1.0)
        assert proc.poll() is None, proc.stderr.read()
        proc.send_signal(sig)
        t0 = time.monotonic()
        _, err = proc.communicate(timeout=timeout)
        return time.monotonic() - t0, proc.returncode, err
    finally:
        proc.kill()
        proc.wait()


def test_f7_ctrl_c_stops_a_large_run_within_weeks():
    # 10^6 voters for 100 years: minutes of work, stopped at the next week.
    seconds, code, err = interrupt_after_start("""
import acsa
print("started", flush=True)
acsa.simulate({"voters": {"n": 1_000_000}, "horizon_weeks": 5200})
""")
    assert code != 0 and err.rstrip().endswith("KeyboardInterrupt"), err[-2000:]
    assert seconds < 30


def test_f7_ctrl_c_stops_a_sweep_of_large_runs_and_keeps_what_finished(tmp_path):
    seconds, code, err = interrupt_after_start(f"""
import acsa
print("started", flush=True)
sw = acsa.sweep({{"voters": {{"n": 1_000_000}}, "horizon_weeks": 5200}}, replicates=4, store={str(tmp_path / 's')!r},
                progress=False)
print(sw.complete, len(sw.runs))
""")
    assert code == 0, err[-2000:]
    assert "sweep interrupted: keeping the 0 of 4 runs" in err
    assert seconds < 30
    # Nothing cut short was recorded as failed, and the store is sound.
    report = acsa.open_sweep(tmp_path / "s").check()
    assert report["done"] == 0 and report["missing"] == 4 and report["set_aside"] == []


def test_f8_ctrl_c_stops_friedkin_johnsen():
    seconds, code, err = interrupt_after_start("""
import numpy as np
from acsa.opinion import friedkin_johnsen
print("started", flush=True)
friedkin_johnsen((np.array([0, 1]), np.array([1, 0])), np.array([1.0, 0.0]), 0.5, steps=10**12)
""")
    assert code != 0 and err.rstrip().endswith("KeyboardInterrupt"), err[-2000:]
    assert seconds < 30
