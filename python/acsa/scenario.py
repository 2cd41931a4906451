"""Scenarios: the full set of parameters for one model run.

A `Scenario` is an immutable, validated view of the scenario the Rust core
reads. Every change goes back through the core's validator, so a Scenario
object is always complete and valid.
"""

from __future__ import annotations

import copy
import datetime as _dt
import difflib
import json
import math
import numbers
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Union

import numpy as np

from . import _core
from ._core import ConfigError

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["Scenario"]


class Scenario:
    """A complete, validated model scenario.

    Build one with `Scenario.default()`, `Scenario.from_file(path)` or
    `Scenario.from_dict(d)`, then derive variants with `.replace()`.
    Parameters are addressed by dotted paths such as ``"voters.n"``;
    `acsa.parameters()` lists them with units and ranges.
    """

    __slots__ = ("_data",)

    _data: dict[str, Any]

    def __init__(self, data: Mapping[str, Any] | None = None):
        """Scenario() is the baseline; Scenario(d) is Scenario.from_dict(d)."""
        self._data = (Scenario.default() if data is None else Scenario.from_dict(data))._data

    @classmethod
    def _wrap(cls, data: dict[str, Any]) -> "Scenario":
        # For data already normalized by the core: skip validation.
        sc = object.__new__(cls)
        sc._data = data
        return sc

    # ---- constructors -------------------------------------------------

    @classmethod
    def default(cls) -> "Scenario":
        """The embedded 2026 baseline."""
        return cls._wrap(_default_dict())

    @classmethod
    def history(cls) -> "Scenario":
        """The 2012-2026 replay: real elections, shocks and counterpart actions.

        Only exogenous inputs are scheduled (see the file's comments and
        docs/VALIDATION.md); every proposal, collapse, signing and notice comes
        from the agents.
        """
        return cls.from_file(Path(__file__).with_name("scenarios") / "history.toml")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Scenario":
        """Build from a (possibly partial) nested dict; missing values take defaults."""
        if not isinstance(d, Mapping):
            raise ConfigError(f"scenario: expected a mapping, got {type(d).__name__}")
        plain = plain_value(d, "")
        _check_known_keys(plain, "")
        return cls._from_json(json.dumps(plain))

    @classmethod
    def from_json(cls, text: str, source: str = "<string>") -> "Scenario":
        try:
            d = json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{source}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
        except RecursionError:
            raise ConfigError(f"{source}: nested too deeply to be a scenario") from None
        return cls.from_dict(d)

    @classmethod
    def from_toml(cls, text: str, source: str = "<string>") -> "Scenario":
        return cls._from_json(_core.scenario_from_toml(text, source))

    @classmethod
    def from_file(cls, path: PathLike) -> "Scenario":
        """Read a scenario from a .toml or .json file (partial files are fine)."""
        if not isinstance(path, (str, os.PathLike)) or isinstance(os.fspath(path), bytes):
            raise ConfigError(f"scenario: expected a file path, got {type(path).__name__}")
        path = Path(path)
        kind = _file_kind(path)
        text = read_text(path)
        if kind == "toml":
            return cls.from_toml(text, str(path))
        return cls.from_json(text, str(path))

    @classmethod
    def _from_json(cls, text: str) -> "Scenario":
        data = json.loads(_core.scenario_normalize_json(text))
        _check_calendar(data["start_date"], data["horizon_weeks"])
        return cls._wrap(data)

    # ---- export ---------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the full scenario as nested dicts."""
        return copy.deepcopy(self._data)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self._data, indent=indent)

    def to_toml(self) -> str:
        return _core.scenario_to_toml(self.to_json(indent=None))

    def save(self, path: PathLike) -> None:
        """Write to a .toml or .json file, chosen by the suffix."""
        path = Path(path)
        text = self.to_toml() if _file_kind(path) == "toml" else self.to_json() + "\n"
        path.write_text(text, encoding="utf-8")

    def flat(self) -> dict[str, Any]:
        """All values keyed by dotted path, e.g. {"voters.n": 20000, ...}."""
        return flatten(self._data)

    # ---- access and change ---------------------------------------------

    def __getitem__(self, path: str) -> Any:
        node: Any = self._data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(_unknown_path_message(path))
            node = node[part]
        return copy.deepcopy(node)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and path in _known_paths()

    def replace(self, changes: Mapping[str, Any]) -> "Scenario":
        """Return a new Scenario with some values changed.

        `changes` maps dotted paths to new values, e.g.
        ``sc.replace({"voters.n": 5000, "shocks.intensity": 2.0})``.
        A dict value for a table (``{"voters": {"n": 5000}}``) changes only
        the keys it names. The original scenario is left untouched.
        """
        if not isinstance(changes, Mapping):
            raise ConfigError(f"replace: expected a mapping of dotted paths to values, got {type(changes).__name__}")
        data = dict(self._data)  # copied on the way down each path; nothing is changed in place
        for path, value in changes.items():
            check_path(path)
            value = plain_value(value, path)
            _check_shape(path, value)
            if isinstance(value, dict):
                _check_known_keys(value, path)
            parts = path.split(".")
            parent = data
            for part in parts[:-1]:
                child = parent.get(part)
                parent[part] = child = dict(child) if isinstance(child, dict) else {}
                parent = child
            old = parent.get(parts[-1])
            parent[parts[-1]] = _merged(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
        return Scenario._from_json(json.dumps(data))

    def diff(self, other: "Scenario") -> dict[str, tuple[Any, Any]]:
        """Values that differ: {path: (value here, value in other)}."""
        if not isinstance(other, Scenario):
            raise TypeError(f"can only diff with a Scenario, not {type(other).__name__}")
        mine, theirs = self.flat(), other.flat()
        out = {}
        for path in list(mine) + [p for p in theirs if p not in mine]:
            a, b = mine.get(path), theirs.get(path)
            if a != b:
                out[path] = (a, b)
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self._data == other._data

    def __repr__(self) -> str:
        changed = Scenario.default().diff(self)
        if not changed:
            return "Scenario(default)"
        inner = ", ".join(f"{p}={new!r}" for p, (_, new) in changed.items())
        return f"Scenario(default with {inner})"

    def __copy__(self) -> "Scenario":
        return self

    def __deepcopy__(self, memo: dict) -> "Scenario":
        return self

    def __reduce__(self):
        # Picklable, so scenarios can be sent to worker processes.
        return (Scenario.from_json, (self.to_json(indent=None),))


def as_scenario(scenario: "Scenario | Mapping[str, Any] | PathLike | None") -> Scenario:
    """Accept a Scenario, a dict, a file path, or None (the default)."""
    if scenario is None:
        return Scenario.default()
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return Scenario.from_dict(scenario)
    if isinstance(scenario, (str, os.PathLike)):
        return Scenario.from_file(scenario)
    raise ConfigError(f"scenario: expected a Scenario, dict or file path, got {type(scenario).__name__}")


# ---- helpers --------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_json() -> str:
    return _core.scenario_default_json()


def _default_dict() -> dict[str, Any]:
    return json.loads(_default_json())


@lru_cache(maxsize=1)
def _known_paths() -> frozenset[str]:
    """Every dotted path that may be set: tables and their leaves."""
    paths = set(flatten(_default_dict()))
    paths.update(p["path"] for p in _core.parameters())
    for p in list(paths):
        parts = p.split(".")
        for i in range(1, len(parts)):
            paths.add(".".join(parts[:i]))
    return frozenset(paths)


def check_path(path: object) -> None:
    """Raise ConfigError unless `path` names a parameter or a table of them."""
    if not isinstance(path, str) or path not in _known_paths():
        raise ConfigError(_unknown_path_message(str(path)))


def _check_calendar(start: str, weeks: int) -> None:
    """Every week of the run must have a date in the calendar of `Run.series` (pandas timestamps)."""
    import pandas as pd

    first, last = pd.Timestamp.min.ceil("D"), pd.Timestamp.max.floor("D")
    ok = len(start) == 10 and start[:4].isdigit()
    if ok:
        try:
            day = pd.Timestamp(start)
            ok = first <= day and day + pd.Timedelta(days=7 * (weeks - 1)) <= last
        except (ValueError, OverflowError):
            ok = False
    if not ok:
        end = (last - pd.Timedelta(days=7 * (weeks - 1))).date()
        raise ConfigError(
            f"start_date: must be a date YYYY-MM-DD from {first.date()} to {end} (the run's weeks must all have "
            f"dates, and horizon_weeks = {weeks}), got {start!r}"
        )


def _unknown_path_message(path: str) -> str:
    path = path.encode("utf-8", "backslashreplace").decode("utf-8")
    msg = f"unknown parameter '{path}'"
    close = difflib.get_close_matches(path, sorted(_known_paths()), n=1, cutoff=0.6)
    if close:
        msg += f" (did you mean '{close[0]}'?)"
    return msg


def _check_known_keys(d: dict[str, Any], prefix: str) -> None:
    # Catch typos here, where we can suggest the intended name.
    known = _known_paths()
    for key, value in d.items():
        path = _join(prefix, key)
        if path not in known:
            raise ConfigError(_unknown_path_message(path))
        _check_shape(path, value)
        if isinstance(value, dict) and path in _tables():
            _check_known_keys(value, path)


@lru_cache(maxsize=1)
def _tables() -> frozenset[str]:
    """Paths that name a table of parameters (voters, network, japan.voters, ...)."""
    return frozenset(p.rsplit(".", 1)[0] for p in _known_paths() if "." in p)


def _check_shape(path: str, value: Any) -> None:
    """A table is given as a table: a list would set its parameters by position."""
    if path in _tables() and not isinstance(value, dict):
        raise ConfigError(f"{path}: is a table of parameters; give it as a table of name = value, not {_show(value)}")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables to {"dotted.path": value}; lists stay whole."""
    out: dict[str, Any] = {}
    for key, value in d.items():
        path = _join(prefix, key)
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, path))
        else:
            out[path] = value
    return out


def _merged(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """`old` with `new` laid over it, table by table; neither is changed."""
    out = dict(old)
    for key, value in new.items():
        out[key] = _merged(out[key], value) if isinstance(out.get(key), dict) and isinstance(value, dict) else value
    return out


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


# Deepest nesting of lists and tables a value may have (the scenario's own is 3).
MAX_DEPTH = 32
# Whole numbers beyond the core's 64-bit integers are refused, not rounded.
MAX_INT = 2**63 - 1


def plain_value(value: Any, path: str, depth: int = 0) -> Any:
    """Turn a Python value into plain JSON types, naming the path on failure.

    Accepts numpy scalars and arrays, tuples and dates so that values from
    np.linspace or pandas can be used directly.
    """
    where = path or "scenario"
    if depth > MAX_DEPTH:
        raise ConfigError(f"{where}: nested more than {MAX_DEPTH} lists or tables deep")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ConfigError(f"{where}: text holds {value[e.start]!r} at position {e.start}, which is not valid Unicode") from None
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        i = int(value)
        if not -MAX_INT - 1 <= i <= MAX_INT:
            raise ConfigError(f"{where}: {_show(i)} is too large (whole numbers must lie within +-2**63)")
        return i
    if isinstance(value, numbers.Real):
        try:
            f = float(value)
        except OverflowError:
            f = math.inf
        if not math.isfinite(f):
            raise ConfigError(f"{where}: must be a finite number, got {f}")
        return f
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return str(np.datetime_as_string(value, unit="D"))
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return plain_value(value.item(), path, depth)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ConfigError(f"{where}: keys must be strings, got {_show(k)}")
            out[plain_value(k, where, depth + 1)] = plain_value(v, _join(path, k), depth + 1)
        return out
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain_value(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    raise ConfigError(f"{where}: unsupported value of type {type(value).__name__}: {_show(value)}")


def read_text(path: Path) -> str:
    """A UTF-8 text file's contents; a file that cannot be read as such is a ConfigError saying why.

    A missing file stays a FileNotFoundError.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise ConfigError(f"{path}: cannot be read (permission denied)") from None
    except OSError as e:  # a symlink loop, a name too long, an I/O error
        raise ConfigError(f"{path}: cannot be read ({e.strerror or e})") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(f"{path}: is UTF-16 text; save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: is not UTF-8 text (a binary file?): byte {e.start} cannot be read") from None
    if "\0" in text:
        raise ConfigError(f"{path}: holds a NUL byte: a binary file, not text")
    return text


def _file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return "toml"
    if suffix == ".json":
        return "json"
    raise ConfigError(f"{path}: unknown scenario file type '{suffix}' (use .toml or .json)")
