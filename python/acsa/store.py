"""Where sweep results live: Parquet part files in a directory, or memory.

A store directory holds

    sweep.json              what the sweep is: scenario, design, seed, record, model
                            version, and `sweep_id`, a hash of all of these
    runs/part-NAME.parquet      one row per finished run (outcome, or the error text)
    series/part-NAME.parquet    the recorded weekly series of exactly the runs in
                                runs/part-NAME.parquet, long format
    damaged/                parts set aside because they could not be read or did not
                            belong to this sweep; their runs are done again
    locks/                  lock files: every writer holds `store.lock` shared and its
                            shard's lock alone; a merge holds `store.lock` alone

A part is a pair of files with one name. Each is written to a hidden temporary name and
renamed, the series file first: a run counts as done only once its runs file is there,
so no reader and no crash ever sees half a part, and a kill between the two files just
means the runs are done again. Both files carry the sweep's identity (`sweep_id`) in
their Parquet metadata; the name ends with the CRC-32 of the runs file, and the runs
file holds the series file's CRC-32 and row count. A part that fails its checksums,
cannot be read, belongs to another sweep or has lost its series is set aside with a
warning. Duplicate rows of a run (after a crash, or overlapping shards) collapse on
reading, one per `run_index`, and a run's series always come from the same part as the
row that was kept, so a series is always whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
import warnings
import zlib
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._core import ConfigError
from .schema import INT_COLUMNS

__all__ = ["DirStore", "MemoryStore", "StoreBusy", "point_digest", "run_id", "graph_digest", "sweep_id"]

MANIFEST = "sweep.json"
FORMAT = 2
DAMAGED = "damaged"
LOCKS = "locks"
# What a sweep is; its hash is the sweep's identity, carried by every part.
IDENTITY = ("format", "model_version", "seed", "scenario", "design", "record", "graph", "columns", "outcomes")
# Parts are flushed early if the buffer grows past these many rows.
MAX_BUFFERED_RUNS = 50_000
MAX_BUFFERED_SERIES_ROWS = 1_000_000
# Rows per batch when parts are folded together: memory stays flat however large the store.
BATCH_ROWS = 65_536
_SWEEP_KEY = b"acsa.sweep_id"
_SERIES_KEY = b"acsa.series_rows"
_SERIES_CRC_KEY = b"acsa.series_crc32"


def _pa() -> Any:
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise ImportError("sweep stores need pyarrow: pip install pyarrow") from None
    return pyarrow


class StoreBusy(ConfigError):
    """Another process holds the lock this one needs (a sweep is writing, or a merge runs)."""


class _Damaged(Exception):
    """A part that cannot be used; the message says why, `name` which (if known)."""

    def __init__(self, why: str, name: str = ""):
        super().__init__(why)
        self.name = name


# ---- identity ---------------------------------------------------------------


def point_digest(scenario_json: str, params: Mapping[str, Any], graph: str | None) -> bytes:
    """The part of a run's identity shared by all replicates of a point."""
    h = hashlib.sha256()
    for part in ("acsa-run", _core.MODEL_VERSION, scenario_json, json.dumps(params, sort_keys=True), graph or ""):
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.digest()


def run_id(digest: bytes, seed: bytes) -> str:
    """hash(scenario, parameters, seed, model version) as 32 hex digits."""
    return hashlib.sha256(digest + seed).hexdigest()[:32]


def graph_digest(indptr: np.ndarray | None, indices: np.ndarray | None) -> str | None:
    if indptr is None or indices is None:
        return None
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(indptr, dtype="<u8").tobytes())
    h.update(np.ascontiguousarray(indices, dtype="<u4").tobytes())
    return h.hexdigest()


def sweep_id(manifest: Mapping[str, Any]) -> str:
    """A hash of what the sweep is: design, scenario, seed, record, graph, model version."""
    return _identity(manifest)[1]


def _identity(manifest: Mapping[str, Any]) -> tuple[str, str]:
    """(the sweep's identity as canonical JSON, its hash)."""
    text = json.dumps({k: manifest.get(k) for k in IDENTITY}, sort_keys=True, separators=(",", ":"))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _manifest_text(manifest: Mapping[str, Any]) -> str:
    """sweep.json's contents: the identity and its hash, compact (100 000 points take a moment)."""
    text, sid = _identity(manifest)
    return f'{text[:-1]},"sweep_id":"{sid}"}}\n'


# ---- tables -------------------------------------------------------------------


def _arrow_type(kind: str) -> Any:
    pa = _pa()
    return {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string(), "json": pa.string()}[kind]


def runs_schema(manifest: Mapping[str, Any]) -> Any:
    pa = _pa()
    fields = [("run_index", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64()), ("seed", pa.int64())]
    fields += [(name, _arrow_type(kind)) for name, kind in manifest["columns"].items()]
    fields += [(name, _arrow_type(kind)) for name, kind in manifest["outcomes"]]
    fields += [("error", pa.string()), ("run_id", pa.string())]
    return pa.schema(fields)


def series_schema(manifest: Mapping[str, Any]) -> Any:
    pa = _pa()
    record = manifest["record"] or {"columns": []}
    fields = [("run_id", pa.string()), ("run_index", pa.int64()), ("week", pa.int64())]
    fields += [(c, pa.int64() if c in INT_COLUMNS else pa.float64()) for c in record["columns"]]
    # User reporters (`sweep(reporters=...)`) are reported on the recorded weeks, beside the series.
    fields += [(c, pa.float64()) for c in record.get("reporters", [])]
    return pa.schema(fields)


def build_tables(
    manifest: Mapping[str, Any],
    points: Sequence[Mapping[str, Any]],
    items: Sequence[tuple[int, str]],
    results: Sequence[_core.RunResult],
) -> tuple[Any, Any | None]:
    """Arrow tables (runs, series or None) for finished runs: items are (run_index, run_id)."""
    pa = _pa()
    reps = manifest["design"]["replicates"]
    index = np.array([i for i, _ in items], dtype=np.int64)
    ids = [rid for _, rid in items]
    cols: dict[str, Any] = {
        "run_index": index,
        "point": index // reps,
        "replicate": index % reps,
        "seed": np.full(len(items), manifest["seed"], dtype=np.int64),
    }
    for name, kind in manifest["columns"].items():
        values = [points[i // reps][name] for i in index]
        cols[name] = [json.dumps(v) for v in values] if kind == "json" else values
    outcomes = [r.outcome for r in results]
    for name, _ in manifest["outcomes"]:
        cols[name] = [o.get(name) if o is not None else None for o in outcomes]
    cols["error"] = [None if r.outcome is not None else str(r.error or "unknown error") for r in results]
    cols["run_id"] = ids
    runs = pa.table(cols, schema=runs_schema(manifest))

    if manifest["record"] is None:
        return runs, None
    names = manifest["record"]["columns"] + manifest["record"].get("reporters", [])
    got = [(i, rid, r.series) for i, rid, r in zip(index, ids, results) if r.outcome is not None and r.series is not None]
    lengths = np.array([len(s["week"]) for _, _, s in got], dtype=np.int64)
    scols: dict[str, Any] = {
        "run_id": np.repeat(np.array([rid for _, rid, _ in got], dtype=object), lengths),
        "run_index": np.repeat(np.array([i for i, _, _ in got], dtype=np.int64), lengths),
        "week": _concat([s["week"] for _, _, s in got]).astype(np.int64),
    }
    for c in names:
        column = _concat([s[c] for _, _, s in got])
        scols[c] = column.astype(np.int64) if c in INT_COLUMNS else column
    return runs, pa.table(scols, schema=series_schema(manifest))


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=np.float64) for a in arrays]) if arrays else np.zeros(0)


def keep_rows(index: np.ndarray, failed: np.ndarray, part: np.ndarray) -> np.ndarray:
    """Positions of the rows to keep: one per run index.

    A finished run beats a recorded failure of the same run (it was
    retried); among failures the latest part wins. Plain numpy on integers,
    so it costs a few dozen bytes per run.
    """
    if len(index) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-part, failed, index))
    first = np.ones(len(order), dtype=bool)
    first[1:] = index[order][1:] != index[order][:-1]
    return np.sort(order[first])


class Keys:
    """Which row of which part stands for each run: the store's table of contents.

    `index`, `failed` and `part` have one entry per row of the runs parts,
    in part order; `keep` marks the rows kept, one per run index.
    """

    def __init__(self, index: np.ndarray, failed: np.ndarray, part: np.ndarray):
        self.index, self.failed, self.part = index, failed, part
        self.keep = np.zeros(len(index), dtype=bool)
        self.keep[keep_rows(index, failed, part)] = True

    @classmethod
    def of(cls, tables: Sequence[Any]) -> "Keys":
        """From runs tables (or their run_index and error columns), one per part."""
        index = [np.asarray(t.column("run_index"), dtype=np.int64) for t in tables]
        failed = [np.asarray(t.column("error").is_valid()) for t in tables]
        part = [np.full(len(x), k, dtype=np.int64) for k, x in enumerate(index)]
        cat = lambda xs, dt: np.concatenate(xs) if xs else np.zeros(0, dtype=dt)  # noqa: E731
        return cls(cat(index, np.int64), cat(failed, bool), cat(part, np.int64))

    def done(self, retry_failed: bool = False) -> np.ndarray:
        """Sorted run indices with a kept row (with retry_failed: a successful one)."""
        mask = self.keep & ~self.failed if retry_failed else self.keep
        return np.sort(self.index[mask])

    def kept_in(self, k: int) -> np.ndarray:
        """Run indices whose kept row is in part k (their series come from that part)."""
        return self.index[self.keep & (self.part == k)]

    @property
    def duplicates(self) -> int:
        return int(len(self.index) - self.keep.sum())


def to_frame(table: Any, manifest: Mapping[str, Any]) -> pd.DataFrame:
    """Arrow to pandas; a column with missing values gets pandas' nullable dtype.

    So a failed run shows <NA> in its outcome columns, never a NaN that
    could pass for a number.
    """
    pa = _pa()
    nullable = {pa.bool_(): pd.BooleanDtype(), pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype()}
    json_cols = {n for n, k in manifest["columns"].items() if k == "json"}
    cols: dict[str, Any] = {}
    for name in table.column_names:
        col = table.column(name)
        if name in json_cols:
            cols[name] = pd.Series([json.loads(v) if v is not None else None for v in col.to_pylist()], dtype=object)
        elif col.null_count > 0 or name == "week_viable":
            cols[name] = col.to_pandas(types_mapper=nullable.get)
        else:
            cols[name] = col.to_pandas()
    return pd.DataFrame(cols, index=pd.RangeIndex(table.num_rows))


def _resolved_runs(tables: Sequence[Any], schema: Any) -> Any:
    """The kept rows of runs tables (one per part), sorted by run_index."""
    pa = _pa()
    if not tables:
        return schema.empty_table()
    keys = Keys.of(tables)
    table = pa.concat_tables([t.select(schema.names).cast(schema) for t in tables])
    return table.filter(pa.array(keys.keep)).sort_by([("run_index", "ascending")])


def _series_of(table: Any, runs: np.ndarray) -> Any:
    import pyarrow.compute as pc

    return table.filter(pc.is_in(table.column("run_index"), value_set=_pa().array(runs, _pa().int64())))


def _sorted_series(tables: list[Any], schema: Any, columns: Sequence[str] | None) -> Any:
    pa = _pa()
    keep = ["run_id", "run_index", "week"] + list(columns if columns is not None else schema.names[3:])
    tables = [t.select(keep) for t in tables if t.num_rows]
    if not tables:
        return pa.schema([schema.field(c) for c in keep]).empty_table()
    return pa.concat_tables(tables).sort_by([("run_index", "ascending"), ("week", "ascending")])


# ---- stores -------------------------------------------------------------------


class MemoryStore:
    """Results kept in memory, for a sweep without store=."""

    path = None

    def __init__(self, manifest: dict[str, Any]):
        self.manifest = manifest
        self._parts: list[tuple[Any, Any | None]] = []

    def add(self, runs: Any, series: Any | None) -> None:
        self._parts.append((runs, series))

    def due(self, every: float) -> bool:
        return False

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        pass

    @contextlib.contextmanager
    def writing(self, shard: tuple[int, int] | None) -> Iterator[None]:
        yield

    def keys(self) -> Keys:
        return Keys.of([r for r, _ in self._parts])

    def signature(self) -> Any:
        return len(self._parts)

    def read_runs(self) -> Any:
        return _resolved_runs([r for r, _ in self._parts], runs_schema(self.manifest))

    def read_series(self, columns: Sequence[str] | None = None) -> Any:
        keys = self.keys()
        tables = [_series_of(s, keys.kept_in(k)) for k, (_, s) in enumerate(self._parts) if s is not None]
        return _sorted_series(tables, series_schema(self.manifest), columns)


class DirStore:
    """A directory of Parquet part files; see the module docstring for the layout."""

    def __init__(self, path: str | os.PathLike[str], manifest: dict[str, Any]):
        self.path = Path(path)
        self.manifest = manifest
        self.id = manifest["sweep_id"]
        self._buffer: list[tuple[Any, Any | None]] = []
        self._buffered_runs = 0
        self._buffered_series = 0
        self._last_flush = time.monotonic()
        self._written: list[str] = []
        self._checked: dict[str, int] = {}  # part name -> its series rows, for parts found sound
        self._series_crc: dict[str, int | None] = {}  # part name -> its series file's CRC-32
        self._write_error: OSError | None = None

    # ---- opening ----

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> "DirStore":
        """An existing store, read-only use."""
        path = _store_path(path)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such sweep store")
        manifest = _read_manifest(path)
        if manifest is None:
            if _part_names(path, "runs"):
                raise ConfigError(
                    f"{path}: {MANIFEST} is missing, so the runs here cannot be read safely; run the same sweep "
                    "into this store again (resume) to rebuild it"
                )
            raise ConfigError(f"{path}: not a sweep store (no {MANIFEST})")
        return cls(path, manifest)

    @classmethod
    def create(cls, path: str | os.PathLike[str], manifest: dict[str, Any]) -> "DirStore":
        """Open the store at path for this sweep, making it if needed.

        Refuses a store made by a different sweep, so results of two sweeps
        never mix. A missing or damaged sweep.json is written again when
        every part in the store belongs to this sweep.
        """
        path = _store_path(path)
        if path.exists() and not path.is_dir():
            raise ConfigError(f"store: {path} is a file, not a directory")
        text = _manifest_text(manifest)
        manifest = json.loads(text)  # as it reads back from disk
        for sub in ("runs", "series"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            if (path / MANIFEST).read_bytes() == text.encode("utf-8"):
                return cls(path, manifest)  # the same sweep, resumed: nothing to compare
        existed = (path / MANIFEST).exists()
        old = _read_manifest(path, repair=True)
        if old is not None:
            _check_same_sweep(path, old, manifest)
            return cls(path, old)
        store = cls(path, manifest)
        foreign = store._foreign_parts()
        if foreign:
            raise ConfigError(
                f"{path}: has no {MANIFEST} and holds {foreign} parts of another sweep; use a new store path "
                "(or the arguments of the sweep that made it)"
            )
        if _part_names(path, "runs") or existed:
            warnings.warn(f"{path}: {MANIFEST} was {'damaged' if existed else 'missing'}; rebuilt it from this "
                          "sweep, whose parts these are", RuntimeWarning, stacklevel=3)
        _atomic_write(path / MANIFEST, text.encode("utf-8"))
        return store

    def _foreign_parts(self) -> int:
        n = 0
        for kind in ("runs", "series"):
            for name in _part_names(self.path, kind):
                try:
                    meta = _read_meta(self.path / kind / name)
                except (_Damaged, FileNotFoundError):
                    continue  # set aside when read
                n += meta.get(_SWEEP_KEY) != self.id.encode()
        return n

    # ---- locks ----

    @contextlib.contextmanager
    def writing(self, shard: tuple[int, int] | None) -> Iterator[None]:
        """Hold the locks of a writer: the store's shared, this shard's alone.

        Waits while a merge folds the store; refuses a second process
        running the same shard, which would do all its work twice.
        """
        which = "all" if shard is None else f"{shard[0]}-of-{shard[1]}"
        with _lock(self.path / LOCKS / "store.lock", shared=True, wait=True):
            with _lock(self.path / LOCKS / f"shard-{which}.lock", shared=False, wait=False) as got:
                if not got:
                    what = "this sweep" if shard is None else f"shard {shard[0]}/{shard[1]} of this sweep"
                    raise StoreBusy(
                        f"store: another process is already running {what} into {self.path}; "
                        "wait for it to finish (or stop it) and resume"
                    )
                yield

    # ---- writing ----

    def add(self, runs: Any, series: Any | None) -> None:
        self._buffer.append((runs, series))
        self._buffered_runs += runs.num_rows
        self._buffered_series += series.num_rows if series is not None else 0

    def due(self, every: float) -> bool:
        """Time to write the buffered runs out?"""
        if not self._buffer:
            return False
        return (
            time.monotonic() - self._last_flush >= every
            or self._buffered_runs >= MAX_BUFFERED_RUNS
            or self._buffered_series >= MAX_BUFFERED_SERIES_ROWS
        )

    @property
    def buffered(self) -> int:
        """Finished runs not yet written."""
        return self._buffered_runs

    def flush(self) -> None:
        """Write the buffered runs as one part.

        If writing fails (a full disk, say) the runs stay buffered and the
        error is raised; the parts already written are untouched.
        """
        pa = _pa()
        if self._buffer and self._write_error is None:
            series = [s for _, s in self._buffer if s is not None and s.num_rows]
            runs = pa.concat_tables([r for r, _ in self._buffer])
            try:
                self._written.append(self._write_part(runs, pa.concat_tables(series) if series else None))
            except OSError as e:
                self._write_error = e
                raise
            self._buffer.clear()
            self._buffered_runs = self._buffered_series = 0
        self._last_flush = time.monotonic()

    def finish(self) -> None:
        """Flush, then fold the parts this process wrote into one."""
        if self._write_error is not None:
            return  # nothing more can be written; what is on disk stays sound
        self.flush()
        while len(self._written) > 1:
            # One process never writes a run twice, so nothing to resolve: just concatenate.
            try:
                self._written = [self._fold(self._written, keys=None)]
            except _Damaged as e:
                if e.name not in self._written:
                    raise
                self._set_aside(e.name, str(e))
                self._written.remove(e.name)

    def compact(self, wait: bool = False) -> None:
        """Fold all parts into one, dropping duplicates, retried failures and leftovers.

        Takes the store's lock alone: with `wait`, waits for running
        writers; otherwise raises StoreBusy while any is running.
        """
        self.flush()
        with _lock(self.path / LOCKS / "store.lock", shared=False, wait=wait) as got:
            if not got:
                raise StoreBusy(f"{self.path}: sweeps are still writing to this store; their parts are left as they are")
            while True:
                names, keys = self._keys_and_names()
                if len(names) < 2 and not keys.duplicates:
                    break
                try:
                    self._fold(names, keys)
                    break
                except _Damaged as e:
                    if e.name not in names:
                        raise
                    self._set_aside(e.name, str(e))
            self._remove_leftovers()

    def _remove_leftovers(self) -> list[str]:
        """Series parts without their runs part, and temporary files: only while no writer runs."""
        gone = []
        runs = set(_part_names(self.path, "runs"))
        for kind in ("runs", "series"):
            d = self.path / kind
            for p in d.iterdir() if d.is_dir() else ():
                if p.name.endswith(".tmp") or (kind == "series" and p.name.startswith("part-") and p.name not in runs):
                    p.unlink(missing_ok=True)
                    gone.append(f"{kind}/{p.name}")
        return gone

    def _fold(self, names: list[str], keys: Keys | None) -> str:
        """Write the parts `names` as one, streamed so memory stays flat; then delete them.

        With `keys` (over exactly these parts), only the kept rows are
        written, and each kept run's series come from its own part.
        """
        import pyarrow.parquet as pq

        pa = _pa()
        stem = _part_stem()
        rows, series_crc = 0, None
        tmps = []
        try:
            if self.manifest["record"] is not None:
                schema = series_schema(self.manifest)
                with _writer(self.path / "series" / stem, schema, self.id) as (w, tmp):
                    tmps.append(tmp)
                    for k, n in enumerate(names):
                        if not self._checked.get(n):
                            continue
                        _verify_crc(self.path / "series" / n, self._series_crc[n], n)
                        kept = keys.kept_in(k) if keys is not None else None
                        for batch in _batches(pq, self.path / "series" / n):
                            t = pa.Table.from_batches([batch]).cast(schema)
                            if kept is not None:
                                t = _series_of(t, kept)
                            rows += t.num_rows
                            w.write_table(t)
                series_crc = _crc(tmp) if rows else None
            schema = runs_schema(self.manifest)
            offset = 0
            with _writer(self.path / "runs" / stem, schema, self.id, rows, series_crc) as (w, tmp):
                tmps.append(tmp)
                for n in names:
                    for batch in _batches(pq, self.path / "runs" / n):
                        t = pa.Table.from_batches([batch]).cast(schema)
                        if keys is not None:
                            mask, offset = keys.keep[offset : offset + t.num_rows], offset + t.num_rows
                            t = t.filter(pa.array(mask))
                        w.write_table(t)
            name = self._commit(stem, tmps[-1], tmps[0] if rows else None, rows, series_crc)
        finally:
            for tmp in tmps:
                tmp.unlink(missing_ok=True)
        # Runs first: a runs part never stands without its series.
        for kind in ("runs", "series"):
            for n in names:
                (self.path / kind / n).unlink(missing_ok=True)
        _fsync_dir(self.path / "runs")
        return name

    def _write_part(self, runs: Any, series: Any | None) -> str:
        """One part: the series file, then the runs file that makes its runs count as done."""
        stem = _part_stem()
        rows = 0 if series is None else series.num_rows
        tmps = []
        try:
            series_crc = None
            if rows:
                tmps.append(_write_tmp(series, self.path / "series" / stem, self.id))
                series_crc = _crc(tmps[0])
            tmps.append(_write_tmp(runs, self.path / "runs" / stem, self.id, rows, series_crc))
            return self._commit(stem, tmps[-1], tmps[0] if rows else None, rows, series_crc)
        finally:
            for tmp in tmps:
                tmp.unlink(missing_ok=True)

    def _commit(self, stem: str, runs_tmp: Path, series_tmp: Path | None, rows: int, series_crc: int | None) -> str:
        """Rename a part's written files into place, the series file first; the part's name."""
        name = f"{stem}-{_crc(runs_tmp):08x}.parquet"
        if series_tmp is not None:
            os.replace(series_tmp, self.path / "series" / name)
        os.replace(runs_tmp, self.path / "runs" / name)
        self._checked[name] = rows
        self._series_crc[name] = series_crc
        return name

    # ---- reading ----

    def _sound_parts(self) -> list[str]:
        """Names of the parts that can be used, in write order; the others are set aside."""
        names = []
        for name in _part_names(self.path, "runs"):
            if name not in self._checked:
                try:
                    self._checked[name] = self._check_part(name)
                except FileNotFoundError:
                    continue  # folded away by its writer while we looked
                except _Damaged as e:
                    self._set_aside(name, str(e))
                    continue
            names.append(name)
        return names

    def _check_part(self, name: str) -> int:
        """The part's series rows; raises _Damaged if it cannot be used.

        Reads the runs file whole (for its checksum) and the series file's footer.
        """
        runs = self.path / "runs" / name
        _verify_crc(runs, _name_crc(name), name)
        meta = _read_meta(runs)
        if meta.get(_SWEEP_KEY) != self.id.encode():
            raise _Damaged("it belongs to another sweep")
        try:
            rows = int(meta[_SERIES_KEY])
            self._series_crc[name] = int(meta[_SERIES_CRC_KEY]) if rows else None
        except (KeyError, ValueError):
            raise _Damaged("its metadata is incomplete") from None
        if rows:
            series = self.path / "series" / name
            try:
                smeta = _read_meta(series, rows=True)
            except FileNotFoundError:
                if not (self.path / "runs" / name).exists():
                    raise  # the whole part was folded away
                raise _Damaged("its series file is missing") from None
            if smeta.get(_SWEEP_KEY) != self.id.encode():
                raise _Damaged("its series file belongs to another sweep")
            if smeta[b"rows"] != str(rows).encode():
                raise _Damaged(f"its series file has {smeta[b'rows'].decode()} rows, not {rows}")
        return rows

    def _set_aside(self, name: str, why: str) -> None:
        """Move a part out of the way, so its runs are done again."""
        self._checked.pop(name, None)
        moved = False
        for kind in ("runs", "series"):
            src = self.path / kind / name
            if src.exists():
                try:
                    (self.path / DAMAGED).mkdir(exist_ok=True)
                    os.replace(src, self.path / DAMAGED / f"{kind}-{name}")
                    moved = moved or kind == "runs"
                except FileNotFoundError:
                    pass
                except OSError:
                    break  # a read-only store: leave it, skip it
        if moved or (self.path / "runs" / name).exists():
            where = f"moved to {self.path / DAMAGED}" if moved else "skipped"
            warnings.warn(f"{self.path}: part {name} cannot be used ({why}); {where}, its runs will be done again",
                          RuntimeWarning, stacklevel=4)

    def _read_each(self, kind: str, names: list[str], columns: list[str] | None) -> list[Any] | None:
        """Each part's table of this kind; None if a part was found damaged (the caller looks again)."""
        import pyarrow.parquet as pq

        schema = runs_schema(self.manifest) if kind == "runs" else series_schema(self.manifest)
        tables: list[Any] = []
        for name in names:
            if kind == "series" and not self._checked.get(name):
                tables.append(None)
                continue
            try:
                path = self.path / kind / name
                if kind == "series":
                    _verify_crc(path, self._series_crc[name], name)
                t = pq.read_table(path, columns=columns, page_checksum_verification=True)
                tables.append(t.cast(pa_select(schema, t.column_names)))
            except FileNotFoundError:
                raise
            except _Damaged as e:
                self._set_aside(name, str(e))
                return None
            except (OSError, ValueError, TypeError, KeyError) as e:  # pyarrow's errors for a damaged file
                self._set_aside(name, f"{kind} file unreadable: {_first_line(e)}")
                return None
        return tables

    def _retrying(self, read: Any) -> Any:
        for _ in range(20):
            try:
                out = read()
            except FileNotFoundError:  # a part was folded away while we read; look again
                continue
            if out is not None:
                return out
        raise RuntimeError(f"{self.path}: the store keeps changing while being read")

    def _keys_and_names(self) -> tuple[list[str], Keys]:
        def read() -> Any:
            names = self._sound_parts()
            tables = self._read_each("runs", names, ["run_index", "error"])
            return None if tables is None else (names, Keys.of(tables))

        return self._retrying(read)

    def keys(self) -> Keys:
        return self._keys_and_names()[1]

    def signature(self) -> Any:
        return tuple(_part_names(self.path, "runs"))

    def read_runs(self) -> Any:
        schema = runs_schema(self.manifest)

        def read() -> Any:
            tables = self._read_each("runs", self._sound_parts(), None)
            return None if tables is None else _resolved_runs(tables, schema)

        return self._retrying(read)

    def read_series(self, columns: Sequence[str] | None = None) -> Any:
        schema = series_schema(self.manifest)
        wanted = None if columns is None else ["run_id", "run_index", "week", *columns]

        def read() -> Any:
            names, keys = self._keys_and_names()
            tables = self._read_each("series", names, wanted)
            if tables is None:
                return None
            kept = [_series_of(t, keys.kept_in(k)) for k, t in enumerate(tables) if t is not None]
            return _sorted_series(kept, schema, columns)

        return self._retrying(read)

    # ---- checking ----

    def check(self, expected_weeks: np.ndarray, n_runs: int) -> dict[str, Any]:
        """Verify every part in full and repair what can be repaired; a report of what was found.

        `expected_weeks[p]` is the number of series rows each run of point p
        records. A part that cannot be read, whose series are incomplete or
        belong to runs it does not hold is set aside (its runs will be done
        again). With no writer running, leftovers of killed writers are
        removed.
        """
        import pyarrow.parquet as pq

        report: dict[str, Any] = {"set_aside": [], "removed": [], "writers_running": False}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            names = self._sound_parts()
            reps = self.manifest["design"]["replicates"]
            for name in names:
                try:
                    runs = pq.read_table(self.path / "runs" / name, columns=["run_index", "error"],
                                         page_checksum_verification=True)
                    index = np.asarray(runs.column("run_index"), dtype=np.int64)
                    if len(index) and (index.min() < 0 or index.max() >= n_runs):
                        raise _Damaged(f"it holds run {int(index.max())} of a sweep of {n_runs} runs")
                    if self._checked.get(name):
                        _verify_crc(self.path / "series" / name, self._series_crc[name], name)
                        series = pq.read_table(self.path / "series" / name, columns=["run_index", "week"],
                                               page_checksum_verification=True)
                        _check_series(index[~np.asarray(runs.column("error").is_valid())], series, expected_weeks, reps)
                except FileNotFoundError:
                    continue
                except (_Damaged, OSError, ValueError, TypeError, KeyError) as e:
                    self._set_aside(name, _first_line(e))
            report["set_aside"] = [str(w.message) for w in caught if "cannot be used" in str(w.message)]
        with _lock(self.path / LOCKS / "store.lock", shared=False, wait=False) as got:
            if got:
                report["removed"] = self._remove_leftovers()
            else:
                report["writers_running"] = True
        keys = self.keys()
        done = keys.done()
        report.update(
            runs=n_runs,
            done=len(done),
            failed=int((keys.keep & keys.failed).sum()),
            duplicates=keys.duplicates,
            missing=n_runs - len(done),
        )
        return report


def pa_select(schema: Any, names: Sequence[str]) -> Any:
    return _pa().schema([schema.field(n) for n in names])


def _check_series(ok_runs: np.ndarray, series: Any, expected_weeks: np.ndarray, reps: int) -> None:
    """Raise _Damaged unless the series hold exactly the expected weeks of exactly these runs."""
    idx = np.asarray(series.column("run_index"), dtype=np.int64)
    runs, counts = np.unique(idx, return_counts=True)
    if not np.array_equal(runs, np.unique(ok_runs)):
        extra = np.setdiff1d(runs, ok_runs)
        lost = np.setdiff1d(ok_runs, runs)
        what = f"series of run {int(extra[0])}, which it does not hold" if len(extra) else f"no series for run {int(lost[0])}"
        raise _Damaged(f"it has {what}")
    want = expected_weeks[runs // reps]
    bad = np.flatnonzero(counts != want)
    if len(bad):
        i = bad[0]
        raise _Damaged(f"the series of run {int(runs[i])} has {int(counts[i])} of its {int(want[i])} weeks")
    weeks = np.asarray(series.column("week"), dtype=np.int64)
    pairs = np.unique(np.stack([idx, weeks]), axis=1).shape[1]
    if pairs != len(idx):
        raise _Damaged("a run's series repeats a week")


# ---- files ----------------------------------------------------------------


def _store_path(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise ConfigError(f"store: expected a directory path, got {type(path).__name__}")
    text = os.fspath(path)
    if isinstance(text, bytes) or not text.strip():
        raise ConfigError(f"store: expected a directory path, got {text!r}")
    return Path(text)


def _part_names(path: Path, kind: str) -> list[str]:
    d = path / kind
    try:
        # Time first in the name, so sorted names are write order.
        return sorted(n for n in os.listdir(d) if n.startswith("part-") and n.endswith(".parquet"))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _read_meta(path: Path, rows: bool = False) -> dict[bytes, bytes]:
    """A Parquet file's key-value metadata (and its row count, as b"rows"), from its footer."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, TypeError) as e:
        raise _Damaged(f"unreadable: {_first_line(e)}") from None
    out = dict(meta.metadata or {})
    if rows:
        out[b"rows"] = str(meta.num_rows).encode()
    return out


def _read_manifest(path: Path, repair: bool = False) -> dict[str, Any] | None:
    """The store's manifest, None if it has none; a damaged one is a ConfigError (or, to repair, None)."""
    f = path / MANIFEST
    try:
        manifest = json.loads(f.read_bytes().decode("utf-8"))
        if isinstance(manifest, dict) and isinstance(manifest.get("format"), int) and manifest["format"] != FORMAT:
            raise ConfigError(f"{path}: made by another version of acsa's store format; use a new store path")
        _check_manifest(manifest)
        return manifest
    except (FileNotFoundError, ConfigError):
        if f.exists():
            raise
        return None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
        why = _first_line(e)
    if not repair:
        raise ConfigError(
            f"{path}: {MANIFEST} is damaged ({why}); run the same sweep into this store again (resume) to rebuild it"
        )
    (path / DAMAGED).mkdir(exist_ok=True)
    os.replace(f, path / DAMAGED / f"{MANIFEST}.{uuid.uuid4().hex[:8]}")
    warnings.warn(f"{path}: {MANIFEST} is damaged ({why}); moved to {path / DAMAGED}", RuntimeWarning, stacklevel=4)
    return None


def _check_manifest(m: Any) -> None:
    """Raise ValueError unless `m` is a whole manifest of this store format."""
    if not isinstance(m, dict):
        raise ValueError("not a JSON object")
    if m.get("format") != FORMAT:
        raise ValueError("'format' is missing")
    types = {"model_version": str, "seed": int, "scenario": dict, "design": dict, "columns": dict,
             "outcomes": list, "sweep_id": str}
    for key, kind in types.items():
        if not isinstance(m.get(key), kind):
            raise ValueError(f"'{key}' is missing or not a {kind.__name__}")
    design = m["design"]
    if not (isinstance(design.get("names"), list) and isinstance(design.get("points"), list)
            and isinstance(design.get("replicates"), int) and design["replicates"] >= 1):
        raise ValueError("'design' is incomplete")
    if any(not isinstance(row, list) or len(row) != len(design["names"]) for row in design["points"]):
        raise ValueError("'design' has a point of the wrong length")
    record = m.get("record")
    if record is not None and not (isinstance(record, dict) and isinstance(record.get("columns"), list)
                                   and isinstance(record.get("every"), int)):
        raise ValueError("'record' is not null or {columns, every}")
    if not (m.get("graph") is None or isinstance(m["graph"], str)):
        raise ValueError("'graph' is not null or a hash")
    if any(not (isinstance(o, list) and len(o) == 2) for o in m["outcomes"]):
        raise ValueError("'outcomes' is not a list of [name, type]")
    if sweep_id(m) != m["sweep_id"]:
        raise ValueError("its contents do not match its sweep_id")


def _check_same_sweep(path: Path, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    if old.get("model_version") != new["model_version"]:
        raise ConfigError(
            f"{path}: holds runs of model version {old.get('model_version')}, this is {new['model_version']}; "
            "use a new store path"
        )
    names = {"scenario": "scenario", "design": "design (points or replicates)", "seed": "seed",
             "record": "record= setting", "graph": "graph", "outcomes": "outcome columns (the model changed)",
             "columns": "design's column types"}
    for key, what in names.items():
        if old.get(key) != new.get(key):
            raise ConfigError(
                f"{path}: holds a different sweep (its {what} differs). Use a new store path, "
                f"or the same arguments to resume it (acsa.open_sweep({str(path)!r}) shows them)"
            )
    if old["sweep_id"] != new["sweep_id"]:
        raise ConfigError(f"{path}: holds a different sweep; use a new store path")


def _part_stem() -> str:
    # Time first, so sorted names are write order; the runs file's CRC-32 follows.
    return f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"


def _name_crc(name: str) -> int:
    try:
        return int(name[-len("00000000.parquet") : -len(".parquet")], 16)
    except ValueError:
        raise _Damaged("its name carries no checksum", name) from None


def _crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            crc = zlib.crc32(chunk, crc)
    return crc


def _verify_crc(path: Path, want: int | None, name: str) -> None:
    if want is not None and _crc(path) != want:
        raise _Damaged(f"its {path.parent.name} file fails its checksum", name)


def _metadata(sweep: str, series_rows: int | None, series_crc: int | None) -> dict[bytes, bytes]:
    meta = {_SWEEP_KEY: sweep.encode()}
    if series_rows is not None:
        meta[_SERIES_KEY] = str(series_rows).encode()
        meta[_SERIES_CRC_KEY] = str(series_crc if series_crc is not None else 0).encode()
    return meta


def _write_tmp(table: Any, stem: Path, sweep: str, series_rows: int | None = None, series_crc: int | None = None) -> Path:
    """The table written, with the sweep's metadata, to a hidden temporary file beside `stem`."""
    import pyarrow.parquet as pq

    tmp = stem.with_name(f".{stem.name}.parquet.tmp")
    try:
        table = table.replace_schema_metadata(_metadata(sweep, series_rows, series_crc))
        pq.write_table(table, tmp, write_page_checksum=True)
        _fsync(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


@contextlib.contextmanager
def _writer(
    stem: Path, schema: Any, sweep: str, series_rows: int | None = None, series_crc: int | None = None
) -> Iterator[tuple[Any, Path]]:
    """A hidden temporary file beside `stem`, written table by table: (writer, its path)."""
    import pyarrow.parquet as pq

    tmp = stem.with_name(f".{stem.name}.parquet.tmp")
    meta = _metadata(sweep, series_rows, series_crc)
    writer = pq.ParquetWriter(tmp, schema.with_metadata(meta), write_page_checksum=True)
    try:
        yield writer, tmp
        writer.close()
        _fsync(tmp)
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise


def _batches(pq: Any, path: Path) -> Iterator[Any]:
    """A part file's rows, a batch at a time; a file that cannot be read raises _Damaged."""
    try:
        with pq.ParquetFile(path, page_checksum_verification=True) as f:
            yield from f.iter_batches(batch_size=BATCH_ROWS, use_threads=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, TypeError, KeyError) as e:
        raise _Damaged(f"{path.parent.name} file unreadable: {_first_line(e)}", path.name) from None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        _fsync(path)
    except OSError:  # not every platform or filesystem syncs directories
        pass


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_bytes(data)
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


@contextlib.contextmanager
def _lock(path: Path, shared: bool, wait: bool) -> Iterator[bool]:
    """An inter-process lock on `path` (POSIX record locks, so NFS too); yields whether it was got.

    The kernel drops it when the process dies, even by kill -9. Where the
    filesystem cannot lock, this warns and goes on unlocked.
    """
    import fasteners

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = fasteners.InterProcessReaderWriterLock(str(path))
    acquire = lock.acquire_read_lock if shared else lock.acquire_write_lock
    try:
        got = acquire(blocking=wait, delay=0.05, max_delay=0.5)
    except Exception as e:  # fasteners reports an unsupported lock as a ThreadError
        warnings.warn(f"{path}: cannot lock on this filesystem ({e}); going on without a lock", RuntimeWarning, stacklevel=3)
        yield True
        return
    try:
        yield bool(got)
    finally:
        if got:
            (lock.release_read_lock if shared else lock.release_write_lock)()
        else:
            lock._do_close()
