"""Performance of acsa side by side with its peers and the machine's own limit.

    pip install ".[bench]" && python benchmarks/perf.py --write

Workloads (each measured in this one command, peers in the same run):
  kernel    Friedkin-Johnsen on Watts-Strogatz (k = 10, p = 0.1) at N = 10^4 .. 10^7:
            acsa on 1 and 2 threads, scipy.sparse, a Mesa 3 model of the same update
            (agents with neighbour lists, two-phase step), and a STREAM-like triad for
            the memory bandwidth of this machine;
  model     the full default scenario (20 000 voters, 520 weeks), one run, 1 and 2 threads;
  memory    peak resident memory per voter of the full model at N = 10^7;
  overhead  time acsa.simulate spends in Python beyond the core's own time.
Thread counts are set per subprocess (RAYON_NUM_THREADS), so every figure comes from a
fresh process. `--write` replaces the Performance table in BENCHMARKS.md.

    python benchmarks/perf.py --against /path/to/other/venv/bin/python

compares this build with the acsa that another interpreter imports, side by side: the CPU
time (`time.process_time`, which other jobs on a shared machine disturb less than wall
time) of one default run on one thread, fastest of `--runs`, in `--rounds` rounds that
alternate the builds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
K, P = 10, 0.1
# Bytes a kernel update moves at least: 10 u32 indices, the indptr entry, x0, the old
# value of the neighbours' x (amortised one f64 per node on a local graph) and the new x.
BYTES_PER_UPDATE = K * 4 + 8 + 8 + 8 + 8


def watts_strogatz(n: int, seed: int = 0):
    """Symmetric WS ring lattice (k/2 each side), each tie rewired with probability p."""
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    half = K // 2
    rows = np.repeat(np.arange(n, dtype=np.int64), half)
    cols = (rows + np.tile(np.arange(1, half + 1), n)) % n
    rewired = rng.random(rows.size) < P
    cols[rewired] = rng.integers(0, n, int(rewired.sum()))
    r = np.concatenate([rows, cols])
    c = np.concatenate([cols, rows])
    a = sp.csr_matrix((np.ones(r.size), (r, c)), shape=(n, n))
    a.data[:] = 1.0  # duplicate ties count once
    return a


def steps_for(n: int) -> int:
    return max(3, min(100, int(2e8 / (n * K))))


def best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


# ---- measurements run in their own process -------------------------------------------

def child_kernel(n: int) -> dict:
    from acsa.opinion import friedkin_johnsen

    a = watts_strogatz(n)
    x0 = np.random.default_rng(1).random(n)
    steps = steps_for(n)
    t = best_of(lambda: friedkin_johnsen(a, x0, 0.5, steps), 3)
    return {"updates_per_s": n * steps / t}


def child_scipy(n: int) -> dict:
    import scipy.sparse as sp

    a = watts_strogatz(n)
    w = sp.diags(1.0 / np.asarray(a.sum(axis=1)).ravel()) @ a
    w = w.tocsr()
    x0 = np.random.default_rng(1).random(n)
    steps = steps_for(n)

    def run():
        x = x0.copy()
        for _ in range(steps):
            x = 0.5 * x0 + 0.5 * (w @ x)
        return x

    t = best_of(run, 3)
    return {"updates_per_s": n * steps / t}


def child_mesa(n: int) -> dict:
    import mesa

    class Voter(mesa.Agent):
        def __init__(self, model, x0):
            super().__init__(model)
            self.x0 = self.x = self.next = x0
            self.neighbours = []

        def compute(self):
            self.next = 0.5 * self.x0 + 0.5 * sum(v.x for v in self.neighbours) / len(self.neighbours)

        def commit(self):
            self.x = self.next

    class Opinion(mesa.Model):
        def __init__(self, a, x0):
            super().__init__(rng=0) if "rng" in mesa.Model.__init__.__code__.co_varnames else super().__init__(seed=0)
            voters = [Voter(self, float(v)) for v in x0]
            for i, v in enumerate(voters):
                v.neighbours = [voters[j] for j in a.indices[a.indptr[i] : a.indptr[i + 1]]]

        def step(self):
            self.agents.do("compute")
            self.agents.do("commit")

    a = watts_strogatz(n)
    model = Opinion(a, np.random.default_rng(1).random(n))
    steps = 5
    t = best_of(lambda: [model.step() for _ in range(steps)], 1)
    return {"updates_per_s": n * steps / t, "mesa": mesa.__version__}


def child_triad() -> dict:
    from acsa import _core

    return {"bytes_per_s": _core.triad_bandwidth(40_000_000, 5)}


def child_model() -> dict:
    import acsa
    from acsa import _core

    sc = acsa.Scenario.default()
    text = sc.to_json()
    seed = bytes(32)
    _core.simulate(text, seed)  # warm up
    core = best_of(lambda: _core.simulate(text, seed), 5)
    return {"seconds": core}


def child_cpu(runs: int) -> dict:
    from acsa import _core, Scenario

    text = Scenario.default().to_json()
    best = float("inf")
    for s in range(runs):
        t = time.process_time()
        _core.simulate(text, bytes([s + 1]) * 32)
        best = min(best, time.process_time() - t)
    return {"seconds": best}


def child_overhead() -> dict:
    import acsa
    from acsa import _core

    sc = acsa.Scenario.default().replace({"voters.n": 300, "horizon_weeks": 4})
    text = sc.to_json()
    seed = bytes(32)
    _core.simulate(text, seed)
    core = best_of(lambda: _core.simulate(text, seed), 50)

    def call():
        return acsa.simulate(sc, seed=1)

    def frames():
        run = acsa.simulate(sc, seed=1)
        return run.series, run.events, run.outcome  # built on first access

    call()
    total = best_of(call, 50)
    with_frames = best_of(frames, 50)
    return {"core_s": core, "total_s": total, "frames_s": with_frames - total}


def child_memory(n: int) -> dict:
    from acsa import _core
    import acsa

    sc = acsa.Scenario.default().replace({"voters.n": n, "horizon_weeks": 2})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _core.simulate(sc.to_json(), bytes(32))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"peak_bytes": peak * 1024, "base_bytes": before * 1024}


CHILDREN = {
    "kernel": child_kernel,
    "scipy": child_scipy,
    "mesa": child_mesa,
    "triad": lambda: child_triad(),
    "model": lambda: child_model(),
    "cpu": child_cpu,
    "overhead": lambda: child_overhead(),
    "memory": child_memory,
}


def measure(what: str, *args, threads: int = 2, python: str = sys.executable) -> dict:
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    out = subprocess.run(
        [python, __file__, "--child", what, *map(str, args)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- the report ------------------------------------------------------------------------

def report(sizes: list[int], mesa_sizes: list[int], memory_n: int) -> str:
    lines = []
    bw = {t: measure("triad", threads=t)["bytes_per_s"] for t in (1, 2)}
    lines.append(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
                 f"triad bandwidth {bw[1] / 1e9:.1f} GB/s on 1 thread, {bw[2] / 1e9:.1f} GB/s on 2.")
    lines.append("")
    lines.append("| N | acsa 1 thread | acsa 2 threads | scipy.sparse | Mesa 3 | acsa 2t / scipy | acsa 2t / Mesa | share of bandwidth (2t) |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        one = measure("kernel", n, threads=1)["updates_per_s"]
        two = measure("kernel", n, threads=2)["updates_per_s"]
        sci = measure("scipy", n, threads=1)["updates_per_s"]
        mesa = measure("mesa", n, threads=1)["updates_per_s"] if n in mesa_sizes else None
        share = two * BYTES_PER_UPDATE / bw[2]
        m = f"{mesa / 1e6:.3f} M/s" if mesa else "not run (too slow)"
        r = f"{two / mesa:,.0f}x" if mesa else "-"
        lines.append(f"| {n:.0e} | {one / 1e6:.0f} M/s | {two / 1e6:.0f} M/s | {sci / 1e6:.0f} M/s | {m} | "
                     f"{two / sci:.1f}x | {r} | {share:.0%} |")
    lines.append("")
    lines.append("Updates per second = N x steps / time (one update: one node's new opinion from its 10 neighbours). "
                 f"Share of bandwidth: at least {BYTES_PER_UPDATE} bytes per update against the triad.")
    lines.append("")
    m1 = measure("model", threads=1)["seconds"]
    m2 = measure("model", threads=2)["seconds"]
    lines.append(f"Full default scenario (20 000 voters, 520 weeks), one run: {m1 * 1e3:.0f} ms on 1 thread, "
                 f"{m2 * 1e3:.0f} ms on 2 threads.")
    o = measure("overhead", threads=1)
    lines.append(f"Python overhead of `acsa.simulate` beyond the core (300 voters, 4 weeks): "
                 f"{(o['total_s'] - o['core_s']) * 1e3:.2f} ms a call (core {o['core_s'] * 1e3:.2f} ms); building the "
                 f"`series` and `events` DataFrames on first access adds {o['frames_s'] * 1e3:.2f} ms.")
    mem = measure("memory", memory_n, threads=2)
    per = (mem["peak_bytes"] - mem["base_bytes"]) / memory_n
    lines.append(f"Peak memory of the full model at N = {memory_n:.0e} (k = 10): {per:.0f} bytes per voter "
                 f"(peak RSS {mem['peak_bytes'] / 2**30:.2f} GiB less the interpreter's {mem['base_bytes'] / 2**20:.0f} MiB).")
    return "\n".join(lines)


def against(other: str, runs: int, rounds: int) -> None:
    """CPU time of one default run on one thread, this build and `other`'s, alternating."""
    builds = {"this build": sys.executable, "other": other}
    best = {name: [] for name in builds}
    for r in range(rounds):
        for name, python in builds.items():
            best[name].append(measure("cpu", runs, threads=1, python=python)["seconds"])
        load = os.getloadavg()[0]
        print(f"round {r + 1}: " + ", ".join(f"{n} {b[-1] * 1e3:.1f} ms" for n, b in best.items()) + f" (load {load:.1f})")
    print(f"fastest of {runs} runs in {rounds} rounds: this build {min(best['this build']) * 1e3:.1f}-"
          f"{max(best['this build']) * 1e3:.1f} ms, other {min(best['other']) * 1e3:.1f}-"
          f"{max(best['other']) * 1e3:.1f} ms; ratio of the fastest {min(best['this build']) / min(best['other']):.3f}")


def write(table: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"<!-- perf:start -->\n{table}\n<!-- perf:end -->"
    if "<!-- perf:start -->" in text:
        text = re.sub(r"<!-- perf:start -->.*<!-- perf:end -->", lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## Performance\n\n" + block + "\n"
    path.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--sizes", default="1e4,1e5,1e6,1e7", help="kernel sizes (default 1e4,1e5,1e6,1e7)")
    ap.add_argument("--mesa-sizes", default="1e4,1e5", help="sizes to run Mesa at (default 1e4,1e5)")
    ap.add_argument("--memory-n", type=float, default=1e7, help="voters for the memory figure (default 1e7)")
    ap.add_argument("--write", action="store_true", help="update the Performance table in BENCHMARKS.md")
    ap.add_argument("--against", metavar="PYTHON", help="compare one default run with another build's interpreter")
    ap.add_argument("--runs", type=int, default=15, help="runs per round with --against (default 15)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds with --against (default 3)")
    args = ap.parse_args()
    if args.child:
        what, *rest = args.child
        print(json.dumps(CHILDREN[what](*map(lambda s: int(float(s)), rest))))
        return
    if args.against:
        against(args.against, args.runs, args.rounds)
        return
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    mesa_sizes = [int(float(s)) for s in args.mesa_sizes.split(",")]
    table = report(sizes, mesa_sizes, int(args.memory_n))
    print(table)
    if args.write:
        write(table)


if __name__ == "__main__":
    main()
