"""acsa: when does a Seoul-Tokyo ACSA become politically viable?

An agent-based model of South Korean domestic politics with a Rust core.

    import acsa
    sc = acsa.Scenario.default()
    run = acsa.simulate(sc, seed=1)
    run.series, run.events, run.outcome
    sw = acsa.sweep(sc, {"voters.cohort_shift": [0.0, 0.02]}, replicates=20)
    sw.probability()

Figures live in `acsa.plots`.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ._core import MODEL_VERSION, ConfigError, SimulationError
from . import opinion
from .parameters import parameters
from .run import EVENT_KINDS, RUNGS, Run, simulate
from .scenario import Scenario
from .sweep import Sweep, sweep

try:
    __version__ = version("acsa")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "Scenario",
    "simulate",
    "sweep",
    "Run",
    "Sweep",
    "ConfigError",
    "SimulationError",
    "parameters",
    "opinion",
    "RUNGS",
    "EVENT_KINDS",
    "MODEL_VERSION",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # Load plotting (and matplotlib) only when first asked for.
    if name == "plots":
        return import_module(".plots", __name__)
    raise AttributeError(f"module 'acsa' has no attribute {name!r}")
