"""Engines that carry out a sweep's runs: in this process, or on an Executor.

A task is plain data (scenario JSON strings, 32-byte seeds, small lists,
the graph's arrays) handed to `run_task`, a top-level function, so any
`concurrent.futures.Executor` can ship it: a process pool, dask's
`Client.get_executor()`, dask-jobqueue, mpi4py.futures.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import os
import signal
import socket
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence

import numpy as np

from . import _core

__all__ = ["run_task", "worker_init"]

# In-process batches aim at this many seconds, so Ctrl-C is answered within about a second.
BATCH_SECONDS = 0.5
# Executor tasks aim at this many seconds: long enough to hide the executor's overhead.
TASK_SECONDS = 2.0
MAX_BATCH = 4096

Task = dict
# Called with a finished task (its "run_index" and "seeds") and its runs' results.
Done = Callable[[Task, list], None]
# Makes the task for a batch of run indices (a slice of the index array).
Build = Callable[[np.ndarray], Task]


def worker_init(threads: int = 1) -> None:
    """Initializer for worker processes: the Rust core uses `threads` threads.

    ``ProcessPoolExecutor(2, initializer=acsa.engines.worker_init)``. Not
    needed for sweeps (tasks do this themselves) but harmless.
    """
    os.environ.setdefault("RAYON_NUM_THREADS", str(int(threads)))


def run_task(task: Task) -> dict:
    """Run one task's runs and return their results (called on the workers)."""
    if tuple(task["origin"]) != _origin():
        # A worker process: one Rust thread by default, so workers do not fight for cores.
        # The thread pool reads this when it first starts, i.e. at the first run.
        worker_init(task["threads"])
    t0 = time.perf_counter()
    scenarios, errors, which = task["scenarios"], task["errors"], task["which"]
    good = [j for j, k in enumerate(which) if scenarios[k] is not None]
    results: list[Any] = [_core.RunResult(error=errors[k]) for k in which]  # a bad point's runs fail with its error
    if good and task.get("reporters"):
        from .world import observed

        for j in good:
            args = (task["indptr"], task["indices"], task["columns"], task["reporters"], task["every"])
            results[j] = observed(scenarios[which[j]], task["seeds"][j], *args)
    elif good:
        ran = _core.run_batch(
            [scenarios[which[j]] for j in good],
            [task["seeds"][j] for j in good],
            task["indptr"],
            task["indices"],
            task["columns"],
            task["every"],
        )
        for j, r in zip(good, ran):
            results[j] = r
    return {"results": results, "seconds": time.perf_counter() - t0}


def _origin() -> tuple[str, int]:
    return (socket.gethostname(), os.getpid())


class Points(Protocol):
    def scenario_json(self, k: int) -> str | None: ...
    def error(self, k: int) -> str | None: ...


def make_task(
    run_index: Sequence[int],
    seeds: Sequence[bytes],
    points: Points,
    replicates: int,
    indptr: Any,
    indices: Any,
    columns: list[str] | None,
    every: int,
    threads: int,
    reporters: Mapping[str, Callable[[Any], float]] | None = None,
) -> Task:
    """A task for the given runs and their seeds; each point's JSON (or error) is sent once."""
    slots: dict[int, int] = {}
    which = []
    for i in run_index:
        which.append(slots.setdefault(i // replicates, len(slots)))
    return {
        "run_index": list(run_index),
        "scenarios": [points.scenario_json(p) for p in slots],
        "errors": [points.error(p) for p in slots],
        "which": which,
        "seeds": list(seeds),
        "indptr": indptr,
        "indices": indices,
        "columns": columns,
        "every": every,
        "threads": threads,
        "reporters": dict(reporters) if reporters else None,
        "origin": _origin(),
    }


# ---- what is left to run ------------------------------------------------------


class Todo:
    """The run indices left to run, in order, made a block at a time.

    Runs i, i+n, i+2n, ... for shard (i, n), else all, less those in
    `done` (sorted). Memory stays small however many runs are planned.
    """

    BLOCK = 1 << 16

    def __init__(self, n_runs: int, shard: tuple[int, int] | None, done: np.ndarray):
        self.first, self.step = shard if shard else (0, 1)
        self.n_runs = n_runs
        mine = np.asarray(done, dtype=np.int64)
        if shard:
            mine = mine[mine % self.step == self.first]
        self._done = mine[(mine >= 0) & (mine < n_runs)]
        self.done = len(self._done)
        self._next = self.first  # next run index to look at
        self._buffer = np.zeros(0, dtype=np.int64)
        self.left = len(range(self.first, n_runs, self.step)) - self.done
        self._total = self.left

    def __len__(self) -> int:
        """Runs to run in all (taken or not)."""
        return self._total

    def take(self, k: int) -> np.ndarray:
        """The next k run indices to run (fewer at the end)."""
        while len(self._buffer) < k and self._next < self.n_runs:
            stop = min(self.n_runs, self._next + self.BLOCK * self.step)
            block = np.arange(self._next, stop, self.step, dtype=np.int64)
            self._next = stop + (self.first - stop) % self.step
            block = block[~_isin_sorted(block, self._done)]
            self._buffer = np.concatenate([self._buffer, block])
        out, self._buffer = self._buffer[:k], self._buffer[k:]
        self.left -= len(out)
        return out

    def points(self, replicates: int) -> Iterator[int]:
        """The distinct points of the runs left, in order (without taking them)."""
        saved = (self._next, self._buffer, self.left)
        last = -1
        try:
            while True:
                block = self.take(self.BLOCK)
                if not len(block):
                    return
                for p in np.unique(block // replicates):
                    if p != last:
                        last = int(p)
                        yield last
        finally:
            self._next, self._buffer, self.left = saved


def _isin_sorted(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[pos] == values


# ---- stopping on Ctrl-C and SIGTERM ---------------------------------------------


class Stop:
    """Set by the first Ctrl-C or SIGTERM; `signal` says which."""

    requested = False
    signal: int | None = None


@contextmanager
def stop_on_signals() -> Iterator[Stop]:
    """Turn the first Ctrl-C (or a notebook's interrupt) or SIGTERM into a polite stop request.

    Runs in progress in this process stop at their next week (the core
    looks at a stop flag each week); the sweep keeps what finished and
    returns. A second Ctrl-C raises KeyboardInterrupt as usual. The
    previous handlers are put back on the way out.
    """
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    names = [signal.SIGINT] + ([signal.SIGTERM] if hasattr(signal, "SIGTERM") else [])
    previous = {s: signal.getsignal(s) for s in names}

    def handler(signum: int, frame: Any) -> None:
        stop.requested = True
        stop.signal = stop.signal or signum
        _core.request_stop()  # runs in progress in this process stop at their next week
        if signum == signal.SIGINT:
            signal.signal(signal.SIGINT, previous[signal.SIGINT])

    _core.clear_stop()
    for s in names:
        signal.signal(s, handler)
    try:
        yield stop
    finally:
        for s in names:
            if signal.getsignal(s) is handler:
                signal.signal(s, previous[s])
        _core.clear_stop()


# ---- batch sizes --------------------------------------------------------------


class Sizer:
    """Batch sizes that aim at `seconds` per batch, learned from the batches so far."""

    def __init__(self, seconds: float, parallel: int, fixed: int | None = None, start: int | None = None):
        self.seconds = seconds
        self.parallel = max(1, parallel)
        self.fixed = fixed
        self.size = fixed or start or self.parallel

    def update(self, n: int, seconds: float) -> None:
        if self.fixed or n == 0 or seconds <= 0:
            return
        per_run = seconds / math.ceil(n / self.parallel)  # wall time of one wave of runs
        ideal = max(1, int(self.seconds / per_run * self.parallel))
        # Whole waves: a batch of 3 runs on 2 cores leaves a core idle for its last run.
        if ideal >= self.parallel:
            ideal = max(self.parallel, round(ideal / self.parallel) * self.parallel)
        # Grow at most 4x at a time: early batches may be unrepresentative.
        self.size = int(min(MAX_BATCH, ideal, 4 * max(self.size, n)))
        self.size = max(self.size, self.parallel if ideal >= self.parallel else 1)


# ---- the engines --------------------------------------------------------------


def run_in_process(todo: Todo, build: Build, done: Done, stop: Stop, batch_size: int | None = None) -> None:
    """Run in this process on all cores, a batch at a time, until done or asked to stop.

    The core runs each batch in a helper thread (GIL released) while this
    thread writes out the previous one, and stays free to notice Ctrl-C.
    """
    cores = _rayon_threads()
    sizer = Sizer(BATCH_SECONDS, cores, fixed=batch_size)
    pool = cf.ThreadPoolExecutor(1, thread_name_prefix="acsa-sweep")

    def submit() -> tuple[Task, cf.Future, float] | None:
        if not todo.left or stop.requested:
            return None
        task = build(todo.take(sizer.size))
        return task, pool.submit(run_task, task), time.perf_counter()

    try:
        current = submit()
        while current is not None:
            task, fut, t0 = current
            out = fut.result()
            sizer.update(len(task["seeds"]), time.perf_counter() - t0)
            current = submit()
            done(*_finished(task, out["results"]))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def run_on_executor(
    executor: cf.Executor,
    todo: Todo,
    build: Build,
    done: Done,
    stop: Stop,
    batch_size: int | None = None,
    max_in_flight: int | None = None,
) -> None:
    """Run as tasks on an Executor, a bounded number in flight, until done or asked to stop.

    A task that fails on the executor (a worker died, say) has its runs
    recorded as failed with the reason, so they can be retried.
    """
    sizer = Sizer(TASK_SECONDS, 1, fixed=batch_size, start=1)
    flying: dict[cf.Future, Task] = {}
    workers = _Workers(executor)
    try:
        while True:
            limit = max_in_flight or max(4, 2 * workers.count())
            while todo.left and len(flying) < limit and not stop.requested:
                # Smaller tasks near the end, so all workers finish together.
                size = sizer.fixed or max(1, min(sizer.size, math.ceil(todo.left / (2 * workers.count()))))
                task = build(todo.take(size))
                flying[executor.submit(run_task, task)] = task
            if not flying:
                break
            finished, _ = cf.wait(flying, timeout=0.2, return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                _collect(fut, flying.pop(fut), done, sizer, stop)
            if stop.requested:
                for fut in list(flying):
                    if fut.done():
                        _collect(fut, flying.pop(fut), done, sizer, stop)
                    else:
                        fut.cancel()
                flying.clear()
                return
    finally:
        for fut in flying:
            fut.cancel()


def _collect(fut: cf.Future, task: Task, done: Done, sizer: Sizer, stop: Stop) -> None:
    if fut.cancelled():
        return
    exc = fut.exception()
    n = len(task["seeds"])
    if exc is None:
        out = fut.result()
        sizer.update(n, out["seconds"])
        done(*_finished(task, out["results"]))
    elif stop.requested:
        return  # Ctrl-C reaches worker processes too; their runs were cut short, not failed
    elif isinstance(exc, cf.BrokenExecutor):
        raise exc
    else:
        error = f"task failed on the executor: {type(exc).__name__}: {exc}"
        done(task, [_core.RunResult(error=error)] * n)


def _finished(task: Task, results: list) -> tuple[Task, list]:
    """The task's runs that finished or failed, less those that a stop cut short."""
    keep = [j for j, r in enumerate(results) if r.outcome is not None or r.error is not None]
    if len(keep) == len(results):
        return task, results
    runs = {"run_index": [task["run_index"][j] for j in keep], "seeds": [task["seeds"][j] for j in keep]}
    return {**task, **runs}, [results[j] for j in keep]


class _Workers:
    """How many workers the executor has, looked up now and then (clusters grow)."""

    def __init__(self, executor: cf.Executor):
        self.executor = executor
        self._count = 1
        self._when = -math.inf

    def count(self) -> int:
        if time.monotonic() - self._when > 5.0:
            self._when = time.monotonic()
            self._count = max(1, _worker_count(self.executor))
        return self._count


def _worker_count(executor: cf.Executor) -> int:
    n = getattr(executor, "_max_workers", None)
    if isinstance(n, int):
        return n
    client = getattr(executor, "_client", None)  # dask.distributed's ClientExecutor
    if client is not None:
        try:
            return sum(client.nthreads().values())
        except Exception:
            return 1
    return os.cpu_count() or 1


def _rayon_threads() -> int:
    n = os.environ.get("RAYON_NUM_THREADS", "")
    if n.isdigit() and int(n) > 0:
        return int(n)
    return os.cpu_count() or 1
