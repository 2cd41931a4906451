"""One schema from the core: the names and types Run and Sweep use are the core's."""

import numpy as np

import acsa
from acsa import _core
from acsa.schema import EVENT_KINDS, EVENT_OUTCOMES, INT_COLUMNS, OUTCOME_FIELDS, RUNGS, SERIES_COLUMNS, SHOCK_EVENTS

TINY = {"voters.n": 253, "horizon_weeks": 12}


def test_the_core_declares_every_name_once_with_a_type_and_a_meaning():
    for table in (_core.SERIES_COLUMNS, _core.OUTCOME_FIELDS):
        names = [name for name, _, _ in table]
        assert len(names) == len(set(names))
        assert all(kind in ("bool", "int", "float") and meaning for _, kind, meaning in table)
    assert len(EVENT_KINDS) == len(set(EVENT_KINDS))
    assert {group for _, group in _core.EVENT_KINDS} == {"executive", "calendar", "shock"}
    assert len(EVENT_OUTCOMES) == len(set(EVENT_OUTCOMES))
    assert all(meaning for _, meaning in _core.EVENT_OUTCOMES)
    assert RUNGS[0] == "none" and len(RUNGS) == 6


def test_every_shock_kind_of_the_scenario_is_an_event_kind():
    shocks = {key for key, value in acsa.Scenario.default()["shocks"].items() if isinstance(value, dict)}
    assert shocks == set(SHOCK_EVENTS)


def test_integer_columns_are_integers_in_runs_and_in_sweeps(tmp_path):
    sc = acsa.Scenario.default().replace(TINY)
    run = acsa.simulate(sc, seed=1)
    sw = acsa.sweep(sc, {"voters.stubbornness": [0.4, 0.6]}, seed=1, record="all", progress=False, store=tmp_path / "s")
    series = sw.series
    assert len(series) == 2 * TINY["horizon_weeks"]
    for col in SERIES_COLUMNS:
        want = np.int64 if col in INT_COLUMNS else np.float64
        assert run.series[col].dtype == want, col
        assert series[col].dtype == want, col
    assert {name for name, _ in OUTCOME_FIELDS} <= set(sw.runs.columns)
