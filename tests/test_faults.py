"""Fault injection: command-line sweeps killed, stopped, damaged, doubled and starved of disk.

Each case ends with the store checked in full (every finished run present exactly once,
its series whole) and the sweep resumed to the very results of a sweep that never failed.
"""

import os
import random
import re
import resource
import select
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

import acsa
from acsa.cli import spec_sweep_args, main

SPEC = """\
seed = 5
replicates = 60
batch_size = 4
flush_every = 0

[scenario]
horizon_weeks = 104
voters.n = 2000

[grid]
"shocks.intensity" = [0.5, 1.0, 2.0, 3.0]

[record]
columns = ["approval", "rung"]
every = 4
"""
N_RUNS = 240
WEEKS = 26


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "spec.toml"
    path.write_text(SPEC)
    return path


@pytest.fixture(scope="module")
def reference(spec):
    return acsa.sweep(**spec_sweep_args(spec), progress=False)


def launch(spec, out, *extra, limit_file_size=None, env=None, progress=False):
    def limits():
        if limit_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    cmd = [sys.executable, "-m", "acsa", "sweep", str(spec), "--out", str(out), *extra]
    if not progress:
        cmd.append("--no-progress")
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", preexec_fn=limits,
                            env=None if env is None else {**os.environ, **env})


def wait_for_parts(proc, out, n, timeout=60):
    """Wait until the store holds n part files (or the process ends)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "runs").is_dir() and len([p for p in (out / "runs").iterdir() if p.name.startswith("part-")]) >= n:
            return
        time.sleep(0.002)
    assert proc.poll() is None, "the sweep ended before the fault could be injected"


def wait_for_runs(proc, n, timeout=60):
    """Read the progress bar on stderr until it counts at least n finished runs; return what was read."""
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 0.05)
        if ready:
            chunk = os.read(proc.stderr.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
            counts = re.findall(rb"(\d+)/%d " % N_RUNS, seen)
            if counts and int(counts[-1]) >= n:
                return seen.decode(errors="replace")
    raise AssertionError(f"the sweep ended or stalled before {n} runs were done: {seen.decode(errors='replace')[-500:]}")


def assert_sound(out, n_runs=N_RUNS):
    """Every finished run once, with its whole series; nothing damaged."""
    sw = acsa.open_sweep(out)
    report = sw.check()
    assert report["set_aside"] == [] and report["done"] + report["missing"] == n_runs
    runs = sw.runs
    assert runs["run_index"].is_unique and runs["error"].isna().all()
    sizes = sw.series.groupby("run_index").size()
    assert sizes.index.tolist() == runs["run_index"].tolist() and (sizes == WEEKS).all()
    return report["done"]


def assert_finished_like(out, reference):
    sw = acsa.open_sweep(out)
    assert sw.complete
    pd.testing.assert_frame_equal(sw.runs, reference.runs, check_exact=True)
    pd.testing.assert_frame_equal(sw.series, reference.series, check_exact=True)


def resume(spec, out):
    res = subprocess.run([sys.executable, "-m", "acsa", "sweep", str(spec), "--out", str(out), "--no-progress", "--resume"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return res


KILLS = 6


def test_kill_9_at_random_moments(spec, reference, tmp_path):
    rng = random.Random(2026)
    out = tmp_path / "s"
    done = []
    for _ in range(KILLS):
        proc = launch(spec, out, "--resume")
        wait_for_parts(proc, out, 1)
        time.sleep(rng.uniform(0.0, 0.4))
        proc.kill()
        proc.communicate()
        if proc.returncode == 0:
            break  # it finished first: nothing left to kill
        assert proc.returncode == -signal.SIGKILL
        done.append(assert_sound(out))
    assert len(done) >= 3 and done == sorted(done) and 0 < done[0]
    resume(spec, out)
    assert_finished_like(out, reference)


def test_sigterm_keeps_finished_runs_and_says_so(spec, reference, tmp_path):
    out = tmp_path / "s"
    # Nothing is written until asked; the signal comes as soon as the bar counts a finished
    # run, so it reaches the sweep in mid-course however fast the machine.
    proc = launch(spec, out, "--flush-every", "3600", progress=True)
    before = wait_for_runs(proc, 1)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, rest = proc.communicate(timeout=60)
    stderr = before + rest
    assert time.monotonic() - t0 < 5
    assert proc.returncode == 143, stderr
    assert "stopped by SIGTERM" in stderr and "--resume" in stderr
    kept = assert_sound(out)
    assert f"{kept} of {N_RUNS} runs are in" in stderr and kept > 0
    resume(spec, out)
    assert_finished_like(out, reference)


def test_a_part_damaged_while_the_sweep_runs(spec, reference, tmp_path):
    out = tmp_path / "s"
    proc = launch(spec, out, "--flush-every", "0.2")
    wait_for_parts(proc, out, 2)
    part = sorted((out / "runs").glob("part-*"))[0]
    try:
        part.write_bytes(b"\0" * 64)
    except FileNotFoundError:
        pytest.skip("the part was folded away first")
    _, stderr = proc.communicate(timeout=120)
    # The sweep sets the part aside when it folds its parts, and says its runs are missing.
    assert proc.returncode == 1, stderr
    assert f"part {part.name} cannot be used" in stderr and "runs are missing" in stderr
    assert sorted(os.listdir(out / "damaged")) == [f"runs-{part.name}", f"series-{part.name}"]
    assert assert_sound(out) < N_RUNS
    resume(spec, out)
    assert_finished_like(out, reference)


def test_the_manifest_deleted_while_the_sweep_runs(spec, reference, tmp_path):
    out = tmp_path / "s"
    proc = launch(spec, out, "--flush-every", "0.2")
    wait_for_parts(proc, out, 1)
    (out / "sweep.json").unlink()
    _, stderr = proc.communicate(timeout=120)
    with pytest.raises(acsa.ConfigError, match="sweep.json is missing"):
        acsa.open_sweep(out)
    res = resume(spec, out)
    assert "sweep.json was missing; rebuilt" in res.stderr
    assert assert_sound(out) == N_RUNS
    assert_finished_like(out, reference)


def test_two_writers_of_one_sweep_and_a_merge_meanwhile(tmp_path, capsys):
    # A slower sweep (about 0.25 s a run on one thread), still running while the others start.
    slow = tmp_path / "slow.toml"
    slow.write_text(SPEC.replace("replicates = 60", "replicates = 20").replace("voters.n = 2000", "voters.n = 20000"))
    out = tmp_path / "s"
    first = launch(slow, out, "--flush-every", "0.2", env={"RAYON_NUM_THREADS": "1"})
    wait_for_parts(first, out, 1)
    # The same sweep again is refused at once; a merge leaves the writer's parts alone.
    assert main(["sweep", str(slow), "--out", str(out), "--no-progress", "--resume"]) == 2
    assert "already running this sweep" in capsys.readouterr().err
    assert main(["merge", str(out)]) == 1
    err = capsys.readouterr().err
    assert "still writing" in err and "not done yet" in err
    assert first.poll() is None, "the first sweep ended too soon for this test"
    stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr  # the running sweep never noticed
    assert assert_sound(out, 80) == 80
    assert len(os.listdir(out / "runs")) == 1


def test_a_full_disk(spec, reference, tmp_path):
    # Files may not grow past 40 kB: small parts get written, the end-of-sweep fold fails.
    out = tmp_path / "s"
    proc = launch(spec, out, limit_file_size=40_000)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2, stderr
    assert "File too large" in stderr
    assert not [p for p in (out / "runs").iterdir() if p.name.endswith(".tmp")]
    kept = assert_sound(out)
    assert kept > 0
    resume(spec, out)
    assert_finished_like(out, reference)
