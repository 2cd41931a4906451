"""acsa: when does a Seoul-Tokyo ACSA become politically viable?

An agent-based model of South Korean domestic politics with a Rust core.

    import acsa
    sc = acsa.Scenario.default()
    run = acsa.simulate(sc, seed=1)
    run.series, run.events, run.outcome
    sw = acsa.sweep(sc, {"voters.cohort_shift": [0.0, 0.02]}, replicates=20)
    sw.probability()
    d = acsa.designs.sobol({"shocks.intensity": (0.5, 3), "voters.cohort_shift": (0, 0.1)}, 64)
    sw = acsa.sweep(sc, d, replicates=4, store="results/sobol")  # resumes if run again
    acsa.open_sweep("results/sobol").runs
    runs = acsa.history.replicates(100)        # the 2012-2026 replay
    acsa.history.summary(runs)                 # against the record
    sw.sobol("viable"), sw.morris("rmst")      # sensitivity (acsa.sensitivity), censoring-aware outcomes
    sw.prim(), sw.cart()                       # scenario discovery (acsa.discovery)
    acsa.boundary.sample(sc, bounds)           # the viability boundary, sampled adaptively
    acsa.study.run(out="results")              # the viability study (acsa viability)
    w = acsa.World(sc, seed=1); w.step(52)     # step by step; w.voters(), w.propose("gsomia")...

Figures live in `acsa.plots`; a live explorer with sliders in `acsa.explorer`.
"""

from __future__ import annotations

import warnings
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ._core import MODEL_VERSION, ConfigError, SimulationError
from . import opinion
from .parameters import parameters
from .run import EVENT_KINDS, RUNGS, Run, simulate
from .scenario import Scenario
from . import designs, history
from . import boundary, discovery, explorer, outcomes, sensitivity, study
from .sweep import Sweep, open_sweep, sweep
from .world import World

try:
    __version__ = version("acsa")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "Scenario",
    "simulate",
    "sweep",
    "open_sweep",
    "designs",
    "history",
    "outcomes",
    "sensitivity",
    "discovery",
    "boundary",
    "study",
    "explorer",
    "Run",
    "Sweep",
    "World",
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
    # The old name of open_sweep, kept out of __all__: under `import *` it shadowed the builtin.
    if name == "open":
        warnings.warn("acsa.open is deprecated; use acsa.open_sweep", DeprecationWarning, stacklevel=2)
        return open_sweep
    raise AttributeError(f"module 'acsa' has no attribute {name!r}")
