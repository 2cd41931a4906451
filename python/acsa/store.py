"""Where sweep results live: Parquet part files in a directory, or memory.

A store directory holds

    sweep.json          what the sweep is: scenario, design, seed, record, model version
    runs/part-*.parquet     one row per finished run (outcome, or the error text)
    series/part-*.parquet   recorded weekly series, long format (run_id, run_index, week, ...)

Every part is written to a hidden temporary name in the same directory and
then renamed, so a reader (or a sweep killed mid-write) never sees half a
file. A run's series part is written before its runs part: a run counts as
done only once its row is in `runs/`, so a kill between the two just means
the run is done again. Each run is keyed by its `run_id`, a hash of
everything that determines it, so the same run is never done twice and
duplicate rows (after a crash, or overlapping shards) collapse on reading.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._core import ConfigError

__all__ = ["DirStore", "MemoryStore", "point_digest", "run_id", "graph_digest"]

MANIFEST = "sweep.json"
FORMAT = 1
# Series columns that hold whole numbers.
INT_SERIES = ("rung", "pending")
# Parts are flushed early if the buffer grows past these many rows.
MAX_BUFFERED_RUNS = 50_000
MAX_BUFFERED_SERIES_ROWS = 1_000_000


def _pa() -> Any:
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise ImportError("sweep stores need pyarrow: pip install pyarrow") from None
    return pyarrow


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


@lru_cache(maxsize=1)
def outcome_fields() -> list[tuple[str, str]]:
    """The outcome keys of the core, in its order, with their storage types."""
    from .scenario import Scenario

    tiny = Scenario.default().replace({"voters.n": 253, "horizon_weeks": 1}).to_json(indent=None)
    outcome, error, _ = _core.run_batch([tiny], [bytes(32)])[0]
    if outcome is None:  # pragma: no cover
        raise RuntimeError(f"could not read the outcome keys from the core: {error}")
    fields = []
    for key, value in outcome.items():
        # Only week numbers are ever missing (no viable ACSA), so None means an integer.
        kind = "bool" if isinstance(value, bool) else "float" if isinstance(value, float) else "str" if isinstance(value, str) else "int"
        fields.append((key, kind))
    return fields


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
    fields += [(c, pa.int64() if c in INT_SERIES else pa.float64()) for c in record["columns"]]
    return pa.schema(fields)


def build_tables(
    manifest: Mapping[str, Any],
    points: Sequence[Mapping[str, Any]],
    items: Sequence[tuple[int, str]],
    results: Sequence[tuple[Any, Any, Any]],
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
    outcomes = [r[0] for r in results]
    for name, _ in manifest["outcomes"]:
        cols[name] = [o.get(name) if o is not None else None for o in outcomes]
    cols["error"] = [None if r[0] is not None else str(r[1] or "unknown error") for r in results]
    cols["run_id"] = ids
    runs = pa.table(cols, schema=runs_schema(manifest))

    if manifest["record"] is None:
        return runs, None
    names = manifest["record"]["columns"]
    got = [(i, rid, r[2]) for i, rid, r in zip(index, ids, results) if r[0] is not None and r[2] is not None]
    lengths = np.array([len(s["week"]) for _, _, s in got], dtype=np.int64)
    scols: dict[str, Any] = {
        "run_id": np.repeat(np.array([rid for _, rid, _ in got], dtype=object), lengths),
        "run_index": np.repeat(np.array([i for i, _, _ in got], dtype=np.int64), lengths),
        "week": _concat([s["week"] for _, _, s in got]).astype(np.int64),
    }
    for c in names:
        column = _concat([s[c] for _, _, s in got])
        scols[c] = column.astype(np.int64) if c in INT_SERIES else column
    return runs, pa.table(scols, schema=series_schema(manifest))


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype=np.float64) for a in arrays]) if arrays else np.zeros(0)


def resolve_runs(table: Any) -> Any:
    """One row per run_id, sorted by run_index.

    `table` carries a `_part` column: the part's position in write order.
    """
    if table.num_rows == 0:
        return table.drop_columns(["_part"])
    ids = np.array(table.column("run_id").to_pylist(), dtype="S32")
    rows = keep_rows(ids, np.asarray(table.column("error").is_valid()), np.asarray(table.column("_part")))
    return table.take(rows).drop_columns(["_part"]).sort_by([("run_index", "ascending")])


def keep_rows(ids: np.ndarray, failed: np.ndarray, part: np.ndarray) -> np.ndarray:
    """Positions of the rows to keep: one per run id.

    A finished run beats a recorded failure of the same run (it was
    retried); among failures the latest part wins. Plain numpy on
    32-byte ids, so it costs a few dozen bytes per run.
    """
    _, codes = np.unique(ids, return_inverse=True)
    order = np.lexsort((-part, failed, codes))
    _, first = np.unique(codes[order], return_index=True)
    return np.sort(order[first])


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


# ---- stores -------------------------------------------------------------------


class MemoryStore:
    """Results kept in memory, for a sweep without store=."""

    path = None

    def __init__(self, manifest: dict[str, Any]):
        self.manifest = manifest
        self._runs: list[Any] = []
        self._series: list[Any] = []

    def add(self, runs: Any, series: Any | None) -> None:
        self._runs.append(runs)
        if series is not None:
            self._series.append(series)

    def due(self, every: float) -> bool:
        return False

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        pass

    def finished(self, retry_failed: bool = False) -> set[str]:
        return _finished(self.read_runs(), retry_failed)

    def signature(self) -> Any:
        return (len(self._runs), len(self._series))

    def read_runs(self) -> Any:
        pa = _pa()
        tables = [t.append_column("_part", pa.array(np.full(t.num_rows, k, dtype=np.int64))) for k, t in enumerate(self._runs)]
        if not tables:
            tables = [runs_schema(self.manifest).empty_table().append_column("_part", pa.array([], pa.int64()))]
        return resolve_runs(pa.concat_tables(tables))

    def read_series(self, columns: Sequence[str] | None = None) -> Any:
        return _dedupe_series(self._series, series_schema(self.manifest), columns)


class DirStore:
    """A directory of Parquet part files; see the module docstring for the layout."""

    def __init__(self, path: str | os.PathLike[str], manifest: dict[str, Any]):
        self.path = Path(path)
        self.manifest = manifest
        self._buffer: list[tuple[Any, Any | None]] = []
        self._buffered_runs = 0
        self._buffered_series = 0
        self._last_flush = time.monotonic()
        self._written: dict[str, list[Path]] = {"runs": [], "series": []}

    # ---- opening ----

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> "DirStore":
        """An existing store, read-only use."""
        path = Path(path)
        f = path / MANIFEST
        if not f.is_file():
            if not path.exists():
                raise FileNotFoundError(f"{path}: no such sweep store")
            raise ConfigError(f"{path}: not a sweep store (no {MANIFEST})")
        return cls(path, json.loads(f.read_text(encoding="utf-8")))

    @classmethod
    def create(cls, path: str | os.PathLike[str], manifest: dict[str, Any]) -> "DirStore":
        """Open the store at path for this sweep, making it if needed.

        Refuses a store made by a different sweep, so results of two
        sweeps never mix.
        """
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise ConfigError(f"store: {path} is a file, not a directory")
        f = path / MANIFEST
        manifest = json.loads(json.dumps(manifest))  # as it reads back from disk
        if f.is_file():
            old = json.loads(f.read_text(encoding="utf-8"))
            _check_same_sweep(path, old, manifest)
            manifest = old
        else:
            for sub in ("runs", "series"):
                (path / sub).mkdir(parents=True, exist_ok=True)
            _atomic_write(f, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))
        for sub in ("runs", "series"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        return cls(path, manifest)

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

    def flush(self) -> None:
        """Write the buffered runs as one part (series first: see the module docstring)."""
        pa = _pa()
        if self._buffer:
            series = [s for _, s in self._buffer if s is not None and s.num_rows]
            if series:
                self._written["series"].append(self._write_part("series", pa.concat_tables(series)))
            self._written["runs"].append(self._write_part("runs", pa.concat_tables([r for r, _ in self._buffer])))
            self._buffer.clear()
            self._buffered_runs = self._buffered_series = 0
        self._last_flush = time.monotonic()

    def finish(self) -> None:
        """Flush, then fold the parts this process wrote into one of each kind."""
        self.flush()
        for kind in ("runs", "series"):
            parts = self._written[kind]
            if len(parts) > 1:
                # One process never writes a run twice, so nothing to resolve: just concatenate.
                self._written[kind] = [self._compact(kind, parts, resolve=False)]

    def compact(self) -> None:
        """Fold all parts into one per kind, dropping duplicates and retried failures.

        Run it (as `acsa merge`) only when no sweep is writing to the store.
        """
        self.flush()
        for kind in ("runs", "series"):
            parts = self._parts(kind)
            if parts:
                self._compact(kind, parts, resolve=True)
            for tmp in (self.path / kind).glob(".*.tmp"):
                tmp.unlink(missing_ok=True)

    def _compact(self, kind: str, parts: list[Path], resolve: bool) -> Path:
        """Write `parts` as one part, streamed so memory stays flat however many runs there are."""
        import pyarrow.parquet as pq

        pa = _pa()
        schema = runs_schema(self.manifest) if kind == "runs" else series_schema(self.manifest)
        keep = None
        if resolve and kind == "runs":
            ids, failed, part = self._scan_keys(parts)
            keep = np.zeros(len(ids), dtype=bool)
            keep[keep_rows(ids, failed, part)] = True
            del ids, failed, part
        name = _part_name()
        tmp = self.path / kind / f".{name}.tmp"
        seen = pa.array([], pa.string())
        offset = 0
        with pq.ParquetWriter(tmp, schema) as writer:
            for p in parts:
                for batch in pq.ParquetFile(p).iter_batches(batch_size=65536, use_threads=False):
                    t = pa.Table.from_batches([batch]).cast(schema)
                    if keep is not None:
                        mask, offset = keep[offset : offset + t.num_rows], offset + t.num_rows
                        t = t.filter(pa.array(mask))
                    elif resolve and kind == "series" and len(seen):
                        t = t.filter(_not_in(t.column("run_id"), seen))  # a run's series from its first part
                    if t.num_rows:
                        writer.write_table(t)
                        if resolve and kind == "series":
                            seen = pa.concat_arrays([seen, t.column("run_id").unique()])
        _fsync(tmp)
        out = self.path / kind / name
        os.replace(tmp, out)
        for p in parts:
            p.unlink(missing_ok=True)
        return out

    def _scan_keys(self, parts: list[Path]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(run ids as 32-byte strings, failed?, part number) of every row, read in small batches."""
        import pyarrow.parquet as pq

        ids, failed, part = [np.zeros(0, dtype="S32")], [np.zeros(0, dtype=bool)], [np.zeros(0, dtype=np.int64)]
        for k, p in enumerate(parts):
            for batch in pq.ParquetFile(p).iter_batches(batch_size=65536, columns=["run_id", "error"], use_threads=False):
                ids.append(np.array(batch.column(0).to_pylist(), dtype="S32"))
                failed.append(np.asarray(batch.column(1).is_valid()))
                part.append(np.full(batch.num_rows, k, dtype=np.int64))
        return np.concatenate(ids), np.concatenate(failed), np.concatenate(part)

    def _write_part(self, kind: str, table: Any) -> Path:
        import pyarrow.parquet as pq

        name = _part_name()
        tmp = self.path / kind / f".{name}.tmp"
        pq.write_table(table, tmp)
        _fsync(tmp)
        out = self.path / kind / name
        os.replace(tmp, out)
        return out

    # ---- reading ----

    def _parts(self, kind: str) -> list[Path]:
        d = self.path / kind
        if not d.is_dir():
            return []
        return sorted(p for p in d.iterdir() if p.name.startswith("part-") and p.suffix == ".parquet")

    def signature(self) -> Any:
        return tuple(p.name for p in self._parts("runs")) + ("|",) + tuple(p.name for p in self._parts("series"))

    def finished(self, retry_failed: bool = False) -> set[str]:
        for _ in range(3):
            try:
                ids, failed, _ = self._scan_keys(self._parts("runs"))
                break
            except FileNotFoundError:  # a part was folded away while we read; look again
                continue
        else:
            raise RuntimeError(f"{self.path}: the store keeps changing while being read")
        if retry_failed:
            ids = ids[~failed]
        return set(ids.astype(str).tolist())

    def read_runs(self) -> Any:
        return resolve_runs(self._read_parts("runs", None))

    def read_series(self, columns: Sequence[str] | None = None) -> Any:
        import pyarrow.parquet as pq

        schema = series_schema(self.manifest)
        for _ in range(3):
            try:
                tables = [pq.read_table(p, schema=schema) for p in self._parts("series")]
                return _dedupe_series(tables, schema, columns)
            except FileNotFoundError:  # a part was folded away while we read; look again
                continue
        raise RuntimeError(f"{self.path}: the store keeps changing while being read")

    def _read_parts(self, kind: str, columns: list[str] | None) -> Any:
        for _ in range(3):
            try:
                return self._read_tables(self._parts(kind), columns)
            except FileNotFoundError:
                continue
        raise RuntimeError(f"{self.path}: the store keeps changing while being read")

    def _read_tables(self, parts: list[Path], columns: list[str] | None) -> Any:
        import pyarrow.parquet as pq

        pa = _pa()
        schema = runs_schema(self.manifest)
        if columns is not None:
            schema = pa.schema([schema.field(c) for c in columns])
        tables = []
        for k, p in enumerate(parts):
            t = pq.read_table(p, columns=columns, schema=schema)
            tables.append(t.append_column("_part", pa.array(np.full(t.num_rows, k, dtype=np.int64))))
        if not tables:
            tables = [schema.empty_table().append_column("_part", pa.array([], pa.int64()))]
        return pa.concat_tables(tables)


def _finished(table: Any, retry_failed: bool) -> set[str]:
    ids = table.column("run_id").to_pylist()
    if not retry_failed:
        return set(ids)
    ok = table.column("error").is_null().to_pylist()
    return {rid for rid, good in zip(ids, ok) if good}


def _dedupe_series(tables: list[Any], schema: Any, columns: Sequence[str] | None) -> Any:
    """Concatenate series parts; a run's series is taken from the first part that has it."""
    pa = _pa()
    keep = ["run_id", "run_index", "week"] + [c for c in (columns if columns is not None else schema.names[3:])]
    seen = pa.array([], pa.string())
    out = []
    for t in tables:
        if len(seen):
            t = t.filter(_not_in(t.column("run_id"), seen))
        if t.num_rows:
            out.append(t.select(keep))
            seen = pa.concat_arrays([seen, t.column("run_id").unique()])
    if not out:
        return pa.schema([schema.field(c) for c in keep]).empty_table()
    table = pa.concat_tables(out)
    return table.sort_by([("run_index", "ascending"), ("week", "ascending")])


def _not_in(values: Any, seen: Any) -> Any:
    import pyarrow.compute as pc

    return pc.invert(pc.is_in(values, value_set=seen))


def _check_same_sweep(path: Path, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    if old.get("format") != FORMAT:
        raise ConfigError(f"{path}: made by another version of acsa's store format; use a new store path")
    if old.get("model_version") != new["model_version"]:
        raise ConfigError(
            f"{path}: holds runs of model version {old.get('model_version')}, this is {new['model_version']}; "
            "use a new store path"
        )
    names = {"scenario": "scenario", "design": "design (points or replicates)", "seed": "seed",
             "record": "record= setting", "graph": "graph", "outcomes": "outcome columns (the model changed)"}
    for key, what in names.items():
        if old.get(key) != new.get(key):
            raise ConfigError(
                f"{path}: holds a different sweep (its {what} differs). Use a new store path, "
                f"or the same arguments to resume it (acsa.open_sweep({str(path)!r}) shows them)"
            )


def _part_name() -> str:
    # Time first, so sorted names are write order.
    return f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.parquet"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(data)
    _fsync(tmp)
    os.replace(tmp, path)
