# Type stubs for the compiled module acsa._core (kept by hand; check with
# `python -m mypy.stubtest acsa._core`).
from typing import Any, Optional, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "MODEL_VERSION",
    "LIVE_SECTIONS",
    "SERIES_COLUMNS",
    "OUTCOME_FIELDS",
    "EVENT_KINDS",
    "EVENT_OUTCOMES",
    "RUNG_NAMES",
    "ConfigError",
    "SimulationError",
    "RunHandle",
    "RunResult",
    "World",
    "scenario_default_json",
    "scenario_normalize_json",
    "scenario_from_toml",
    "scenario_to_toml",
    "parameters",
    "simulate",
    "run_batch",
    "friedkin_johnsen",
    "triad_bandwidth",
    "request_stop",
    "clear_stop",
]

MODEL_VERSION: str
LIVE_SECTIONS: list[str]
# (name, type, meaning); type is "bool", "int" or "float".
SERIES_COLUMNS: list[tuple[str, str, str]]
OUTCOME_FIELDS: list[tuple[str, str, str]]
# (name, group); group is "executive", "calendar" or "shock".
EVENT_KINDS: list[tuple[str, str]]
# (name, meaning); "" is an event with nothing more to say.
EVENT_OUTCOMES: list[tuple[str, str]]
RUNG_NAMES: list[str]

class ConfigError(ValueError): ...
class SimulationError(RuntimeError): ...

def scenario_default_json() -> str: ...
def scenario_normalize_json(text: str) -> str: ...
def scenario_from_toml(text: str, source: str) -> str: ...
def scenario_to_toml(json_text: str) -> str: ...
def parameters() -> list[dict[str, Any]]: ...
def simulate(
    scenario_json: str,
    seed: bytes,
    indptr: Optional[npt.NDArray[np.uint64]] = None,
    indices: Optional[npt.NDArray[np.uint32]] = None,
) -> RunHandle: ...
def run_batch(
    scenario_jsons: list[str],
    seeds: list[bytes],
    indptr: Optional[npt.NDArray[np.uint64]] = None,
    indices: Optional[npt.NDArray[np.uint32]] = None,
    columns: Optional[list[str]] = None,
    every: int = 1,
) -> list[RunResult]: ...
def friedkin_johnsen(
    indptr: npt.NDArray[np.uint64],
    indices: npt.NDArray[np.uint32],
    weights: Optional[npt.NDArray[np.float64]],
    x0: npt.NDArray[np.float64],
    stubbornness: npt.NDArray[np.float64],
    steps: int,
) -> npt.NDArray[np.float64]: ...
def triad_bandwidth(n: int = 20000000, repeats: int = 5) -> float: ...
def request_stop() -> None: ...
def clear_stop() -> None: ...
@final
class RunHandle:
    def series(self) -> dict[str, npt.NDArray[np.float64]]: ...
    def events(self) -> dict[str, Any]: ...
    def outcome(self) -> dict[str, Any]: ...
@final
class RunResult:
    @property
    def outcome(self) -> Optional[dict[str, Any]]: ...
    @property
    def error(self) -> Optional[str]: ...
    @property
    def series(self) -> Optional[dict[str, npt.NDArray[np.float64]]]: ...
    def __new__(
        cls,
        outcome: Optional[dict[str, Any]] = None,
        error: Optional[str] = None,
        series: Optional[dict[str, npt.NDArray[np.float64]]] = None,
    ) -> RunResult: ...
    def __reduce__(self) -> tuple[type[RunResult], tuple[Any, Any, Any]]: ...
@final
class World:
    def __new__(
        cls,
        scenario_json: str,
        seed: bytes,
        indptr: Optional[npt.NDArray[np.uint64]] = None,
        indices: Optional[npt.NDArray[np.uint32]] = None,
    ) -> World: ...
    @property
    def week(self) -> int: ...
    def step(self, n: int) -> int: ...
    def latest(self) -> Optional[dict[str, float]]: ...
    def run(self) -> RunHandle: ...
    def voters(self) -> dict[str, npt.NDArray[Any]]: ...
    def schedule(self, kind: str, week: Optional[int] = None, date: Optional[str] = None, magnitude: float = 1.0) -> None: ...
    def propose(self, rung: int) -> None: ...
    def retune(self, scenario_json: str) -> None: ...
