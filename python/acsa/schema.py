"""What a run records, as the core declares it: series columns and outcome fields with their
types, event kinds with their groups, event outcomes, rung names. Every other module reads
these names from here; none keeps its own copy."""

from __future__ import annotations

from . import _core

__all__ = [
    "SERIES_COLUMNS",
    "INT_COLUMNS",
    "OUTCOME_FIELDS",
    "EVENT_KINDS",
    "EXECUTIVE_EVENTS",
    "CALENDAR_EVENTS",
    "SHOCK_EVENTS",
    "EVENT_OUTCOMES",
    "RUNGS",
]

# Weekly series columns, in the core's order.
SERIES_COLUMNS: tuple[str, ...] = tuple(name for name, _, _ in _core.SERIES_COLUMNS)
# Series columns that hold whole numbers.
INT_COLUMNS: tuple[str, ...] = tuple(name for name, kind, _ in _core.SERIES_COLUMNS if kind == "int")
# Outcome fields with their types ("bool", "int" or "float"), in the core's order.
OUTCOME_FIELDS: tuple[tuple[str, str], ...] = tuple((name, kind) for name, kind, _ in _core.OUTCOME_FIELDS)


def _events(group: str) -> tuple[str, ...]:
    return tuple(name for name, g in _core.EVENT_KINDS if g == group)


# What the executive does, elections and new administrations, external shocks.
EXECUTIVE_EVENTS = _events("executive")
CALENDAR_EVENTS = _events("calendar")
SHOCK_EVENTS = _events("shock")
EVENT_KINDS: tuple[str, ...] = tuple(name for name, _ in _core.EVENT_KINDS)
# How an event can come out (the `outcome` column of `Run.events`).
EVENT_OUTCOMES: tuple[str, ...] = tuple(name for name, _ in _core.EVENT_OUTCOMES)
# Rungs of the cooperation ladder, indexed by the `rung` number.
RUNGS: tuple[str, ...] = tuple(_core.RUNG_NAMES)
