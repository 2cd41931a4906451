"""Scenario: defaults, round trips, replace, diff, files, parameter table."""

import json

import numpy as np
import pytest

import acsa

# The levers the README and docs/ODD.md name for users.
LEVERS = [
    "horizon_weeks",
    "start_date",
    "voters.n",
    "voters.grievance_mean",
    "voters.stubbornness",
    "voters.cohort_shift",
    "network.kind",
    "network.degree",
    "shocks.rate_scale",
    "shocks.intensity",
    "japan.nationalism",
    "us.pressure",
    "us.commitment",
    "legislature.consent_required",
    "executive.risk_tolerance",
    "ladder.allow_conditional",
    "ladder.drills",
    "outcome.sustain_weeks",
]


def test_default_has_the_documented_baseline():
    sc = acsa.Scenario.default()
    assert sc["horizon_weeks"] == 520
    assert sc["start_date"] == "2026-06-01"
    assert sc["network.kind"] == "watts_strogatz"
    assert sc["events"] == []


def test_round_trip_through_toml_json_and_dict(tmp_path):
    sc = acsa.Scenario.default().replace({"voters.n": 3000, "shocks.intensity": 2.5, "ladder.drills": False})
    assert acsa.Scenario.from_toml(sc.to_toml()) == sc
    assert acsa.Scenario.from_json(sc.to_json()) == sc
    assert acsa.Scenario.from_dict(sc.to_dict()) == sc
    for name in ("s.toml", "s.json"):
        sc.save(tmp_path / name)
        assert acsa.Scenario.from_file(tmp_path / name) == sc


def test_round_trip_keeps_scheduled_events():
    events = [{"week": 10, "kind": "nuclear_test", "magnitude": 2.0}, {"date": "2027-01-04", "kind": "japan_trigger"}]
    sc = acsa.Scenario.default().replace({"events": events})
    assert acsa.Scenario.from_toml(sc.to_toml()) == sc
    assert sc["events"][0]["kind"] == "nuclear_test"
    assert sc["events"][1]["magnitude"] == 1.0  # filled default


def test_replace_returns_new_and_leaves_original():
    sc = acsa.Scenario.default()
    sc2 = sc.replace({"voters.grievance_mean": 0.4, "shocks.intensity": 2.0})
    assert sc2["voters.grievance_mean"] == 0.4
    assert sc2["shocks.intensity"] == 2.0
    assert sc["voters.grievance_mean"] == acsa.Scenario.default()["voters.grievance_mean"]
    assert sc != sc2


def test_to_dict_is_a_copy():
    sc = acsa.Scenario.default()
    d = sc.to_dict()
    d["voters"]["n"] = 1
    assert sc["voters.n"] != 1
    got = sc["voters"]
    got["n"] = 1
    assert sc["voters.n"] != 1


def test_replace_accepts_numpy_values_and_tables():
    sc = acsa.Scenario.default()
    sc2 = sc.replace({"voters.n": np.int64(3000), "shocks.intensity": np.float32(1.5)})
    assert sc2["voters.n"] == 3000 and isinstance(sc2["voters.n"], int)
    # A table changes only the keys it names.
    sc3 = sc.replace({"voters": {"n": 3000}})
    assert sc3["voters.n"] == 3000
    assert sc3["voters.stubbornness"] == sc["voters.stubbornness"]


def test_diff_lists_changed_paths():
    a = acsa.Scenario.default()
    b = a.replace({"voters.n": 5000, "ladder.drills": False})
    assert a.diff(b) == {"voters.n": (20000, 5000), "ladder.drills": (True, False)}
    assert b.diff(a) == {"voters.n": (5000, 20000), "ladder.drills": (False, True)}
    assert a.diff(a) == {}


def test_partial_toml_file_fills_defaults(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text("horizon_weeks = 200\n[voters]\nn = 4000\n")
    sc = acsa.Scenario.from_file(f)
    assert sc["horizon_weeks"] == 200 and sc["voters.n"] == 4000
    assert sc["voters.stubbornness"] == acsa.Scenario.default()["voters.stubbornness"]


def test_partial_json_file(tmp_path):
    f = tmp_path / "mine.json"
    f.write_text(json.dumps({"shocks": {"intensity": 3.0}}))
    assert acsa.Scenario.from_file(f)["shocks.intensity"] == 3.0


def test_repr_names_changes():
    assert repr(acsa.Scenario.default()) == "Scenario(default)"
    assert "voters.n=5000" in repr(acsa.Scenario.default().replace({"voters.n": 5000}))


def test_parameters_cover_every_lever_with_unit_and_range():
    table = acsa.parameters()
    for path in LEVERS:
        assert path in table.index, path
        assert table.loc[path, "unit"], path
    numeric = [
        "horizon_weeks", "voters.n", "voters.grievance_mean", "voters.stubbornness",
        "voters.cohort_shift", "network.degree", "shocks.rate_scale", "shocks.intensity",
        "japan.nationalism", "us.pressure", "us.commitment", "executive.risk_tolerance",
        "outcome.sustain_weeks",
    ]
    for path in numeric:
        lo, hi, default = table.loc[path, ["min", "max", "default"]]
        assert lo < hi, path
        assert lo <= default <= hi, path


def test_parameter_defaults_match_the_default_scenario():
    sc = acsa.Scenario.default()
    for path, row in acsa.parameters().iterrows():
        assert sc[path] == row["default"], path


def test_constructor_validates():
    assert acsa.Scenario() == acsa.Scenario.default()
    assert acsa.Scenario({"voters": {"n": 3000}})["voters.n"] == 3000
    with pytest.raises(acsa.ConfigError, match="^voters.n"):
        acsa.Scenario({"voters": {"n": -1}})


def test_scenarios_pickle(small):
    import pickle

    assert pickle.loads(pickle.dumps(small)) == small
