"""Sweep benchmarks: scaling over cores, dask's overhead, memory of a 100 000-run sweep.

    pip install ".[test]" && python benchmarks/sweeps.py --write

Workloads (every figure from a fresh process, so thread counts and memory are its own):
  speedup   200 runs of the default scenario (20 000 voters, 520 weeks), in-process sweep,
            RAYON_NUM_THREADS=1 against 2;
  dask      the same kind of runs through a dask LocalCluster (2 worker processes, 1 thread
            each, `Client.get_executor()`) against the in-process sweep on 2 threads; the
            cluster's start-up is timed on its own;
  memory    peak resident memory of a 100 000-run sweep streamed to a store (a Latin
            hypercube of 1000 points x 100 replicates over small runs, voters.n = 300 and
            48 weeks, so it finishes in minutes), against the same sweep of 10 000 runs.
Timings are repeated, interleaved, and the fastest kept, since the machine may be shared.
`--write` replaces the Sweeps section in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# ---- what each child process does -------------------------------------------


def child(job: dict) -> dict:
    import acsa

    kind = job["kind"]
    if kind == "inprocess":
        sc = acsa.Scenario.default()
        t0 = time.perf_counter()
        sw = acsa.sweep(sc, {}, replicates=job["runs"], seed=1, progress=False)
        return {"seconds": time.perf_counter() - t0, "runs": len(sw.runs)}
    if kind == "dask":
        from dask.distributed import Client, LocalCluster

        sc = acsa.Scenario.default()
        t0 = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(
            cluster
        ) as client:
            client.wait_for_workers(2)
            up = time.perf_counter() - t0
            t1 = time.perf_counter()
            sw = acsa.sweep(sc, {}, replicates=job["runs"], seed=1, executor=client.get_executor(), progress=False)
            return {"seconds": time.perf_counter() - t1, "startup": up, "runs": len(sw.runs)}
    if kind == "memory":
        sc = acsa.Scenario.default().replace({"voters.n": 300, "horizon_weeks": 48})
        design = acsa.designs.latin_hypercube(
            {"voters.cohort_shift": (0.0, 0.1), "shocks.intensity": (0.5, 3.0)}, job["points"], replicates=100
        )
        samples: list[tuple[float, float]] = []
        stop = threading.Event()

        def watch() -> None:
            while not stop.wait(0.5):
                samples.append((time.perf_counter() - t0, _rss_mb()))

        t0 = time.perf_counter()
        threading.Thread(target=watch, daemon=True).start()
        sw = acsa.sweep(sc, design, seed=1, store=job["store"], progress=False)
        seconds = time.perf_counter() - t0
        stop.set()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
        # RSS reached by each quarter of the sweep's time.
        quarter = [max((m for t, m in samples if t <= seconds * q), default=float("nan")) for q in (0.25, 0.5, 0.75, 1.0)]
        n = len(sw.runs)  # after the peak is taken: loading the table is the reader's memory, not the sweep's
        return {"seconds": seconds, "runs": n, "peak_mb": peak, "rss_by_quarter": quarter}
    raise ValueError(kind)


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_child(job: dict, threads: int | None = None) -> dict:
    env = dict(os.environ)
    if threads is not None:
        env["RAYON_NUM_THREADS"] = str(threads)
    out = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(job)], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- the benchmarks -----------------------------------------------------------


def best(jobs: list[tuple[dict, int | None]], repeats: int) -> list[dict]:
    """Each job `repeats` times, interleaved, keeping each job's fastest: the machine may be shared."""
    results: list[list[dict]] = [[] for _ in jobs]
    for _ in range(repeats):
        for k, (job, threads) in enumerate(jobs):
            results[k].append(run_child(job, threads))
    return [min(r, key=lambda x: x["seconds"]) for r in results]


def bench_speedup(runs: int, repeats: int) -> list[tuple[str, str, str]]:
    job = {"kind": "inprocess", "runs": runs}
    one, two = best([(job, 1), (job, 2)], repeats)
    s = one["seconds"] / two["seconds"]
    return [
        (f"{runs} default runs, 1 thread", f"{one['seconds']:.1f} s", f"{one['seconds'] / runs * 1000:.0f} ms per run"),
        (f"{runs} default runs, 2 threads", f"{two['seconds']:.1f} s", f"speed-up {s:.2f}x (target >= 1.85x)"),
    ]


def bench_dask(runs: int, repeats: int) -> list[tuple[str, str, str]]:
    local, dask = best([({"kind": "inprocess", "runs": runs}, 2), ({"kind": "dask", "runs": runs}, None)], repeats)
    over = dask["seconds"] / local["seconds"] - 1
    per_run = local["seconds"] * 2 / runs * 1000
    return [
        (f"{runs} default runs in-process, 2 threads", f"{local['seconds']:.1f} s", f"{per_run:.0f} ms of core time per run"),
        (
            f"{runs} default runs on dask LocalCluster, 2 workers x 1 thread",
            f"{dask['seconds']:.1f} s",
            f"overhead {over * 100:+.1f}% (target < 10%); cluster start-up {dask['startup']:.1f} s on top",
        ),
    ]


def bench_memory(small_points: int, big_points: int) -> list[tuple[str, str, str]]:
    rows = []
    for points in (small_points, big_points):
        d = tempfile.mkdtemp(prefix="acsa-bench-")
        try:
            m = run_child({"kind": "memory", "points": points, "store": str(Path(d) / "store")})
        finally:
            shutil.rmtree(d, ignore_errors=True)
        q = ", ".join(f"{v:.0f}" for v in m["rss_by_quarter"])
        rows.append(
            (
                f"{m['runs']:,} runs to a store (voters.n 300, 48 weeks)",
                f"peak RSS {m['peak_mb']:.0f} MB",
                f"{m['seconds']:.0f} s; RSS by 1/4, 1/2, 3/4 of the time and at the end: {q} MB (target flat, < 500 MB)",
            )
        )
    return rows


NOTES = """\
Every figure comes from a fresh process; timings are the fastest of interleaved repeats.
The machine may be shared with other work, so timings move by a few percent between
measurements: a speed-up a little above 2 is that noise. On dask each worker process does
one run at a time; an in-process sweep runs batches of runs on all cores and waits for the
slowest run of each batch, so on one machine dask can come out slightly ahead. The memory
rows use small runs (voters.n = 300, 48 weeks) so that 100 000 runs take about a minute;
resident memory holds one level through the sweep, and the peak adds a fixed cost (the
Parquet reader and writer) of folding the sweep's part files into one at the end."""


def table(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| workload | result | notes |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import acsa

    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, acsa {acsa.__version__} (model {acsa.MODEL_VERSION})"


def write(block: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    block = f"<!-- sweeps:start -->\n{block}\n<!-- sweeps:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if "<!-- sweeps:start -->" in text:
        text = re.sub(r"<!-- sweeps:start -->.*<!-- sweeps:end -->", lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## Sweeps\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="speedup,dask,memory", help="comma-separated: speedup, dask, memory")
    ap.add_argument("--runs", type=int, default=200, help="default runs for speedup (default 200)")
    ap.add_argument("--dask-runs", type=int, default=100, help="default runs for dask (default 100)")
    ap.add_argument("--points", type=int, default=1000, help="points x 100 replicates for memory (default 1000)")
    ap.add_argument("--repeats", type=int, default=2, help="timings repeated, fastest kept (default 2)")
    ap.add_argument("--write", action="store_true", help="update the Sweeps section of BENCHMARKS.md")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return

    only = set(args.only.split(","))
    rows: list[tuple[str, str, str]] = []
    if "speedup" in only:
        rows += bench_speedup(args.runs, args.repeats)
        print(table(rows), flush=True)
    if "dask" in only:
        rows += bench_dask(args.dask_runs, args.repeats)
        print(table(rows[-2:]), flush=True)
    if "memory" in only:
        rows += bench_memory(max(1, args.points // 10), args.points)
        print(table(rows[-2:]), flush=True)

    cmd = "python benchmarks/sweeps.py" + ("" if args.only == "speedup,dask,memory" else f" --only {args.only}")
    block = f"Measured on {machine()}, with `{cmd}`.\n\n{table(rows)}\n\n{NOTES}"
    print()
    print(block)
    if args.write:
        write(block)


if __name__ == "__main__":
    main()
