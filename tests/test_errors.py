"""Bad input raises acsa.ConfigError (a ValueError) naming what is wrong."""

import numpy as np
import pytest

import acsa


def raises_config(match):
    return pytest.raises(acsa.ConfigError, match=match)


def test_config_error_is_a_value_error():
    assert issubclass(acsa.ConfigError, ValueError)
    assert issubclass(acsa.SimulationError, RuntimeError)


@pytest.mark.parametrize(
    "changes, path",
    [
        ({"voters.n": -5}, "voters.n"),
        ({"voters.n": 0}, "voters.n"),
        ({"voters.grievance_mean": float("nan")}, "voters.grievance_mean"),
        ({"shocks.intensity": float("inf")}, "shocks.intensity"),
        ({"voters.stubbornness": 1.5}, "voters.stubbornness"),
        ({"voters.stubbornness": "high"}, "voters.stubbornness"),
        ({"network.kind": "ring"}, "network.kind"),
        ({"start_date": "2026-13-01"}, "start_date"),
        ({"voters.cohort_shift": {1, 2}}, "voters.cohort_shift"),
        ({"events": [{"week": 99999, "kind": "nuclear_test"}]}, r"events\[0\]"),
        ({"events": [{"week": 3, "kind": "alien_invasion"}]}, r"events\[0\]"),
        ({"japan.mode": "half"}, "japan.mode"),
        ({"japan.seats.conservative": 200}, "japan.seats"),
        ({"japan.voters.share_progressive": 0.7}, r"japan\.voters\.share_conservative"),
        ({"japan.voters.grievance_sd": 0.9}, r"japan\.voters\.grievance_sd"),
        ({"japan.cabinets": [{"date": "2026-02-30", "nationalism": 0.5}]}, r"japan\.cabinets\[0\]\.date"),
        ({"japan.cabinets": [{"date": "2026-09-01", "nationalism": 1.5}]}, r"japan\.cabinets\[0\]\.nationalism"),
        ({"elections.fixed_winners": [{"date": "2027-01-01", "party": "conservative", "ideology": 2}]},
         r"elections\.fixed_winners\[0\]\.ideology"),
    ],
)
def test_replace_rejects_bad_values(changes, path):
    with raises_config(f"^{path}"):
        acsa.Scenario.default().replace(changes)


def test_unknown_path_suggests_a_close_match():
    with raises_config(r"unknown parameter 'voters\.stubborness'.*did you mean 'voters\.stubbornness'"):
        acsa.Scenario.default().replace({"voters.stubborness": 0.5})
    with raises_config("unknown parameter 'voters.foo'"):
        acsa.Scenario.default().replace({"voters.foo": 1})


def test_from_dict_rejects_unknown_key_and_nan():
    with raises_config("voters.foo"):
        acsa.Scenario.from_dict({"voters": {"foo": 1}})
    with raises_config("^voters.grievance_mean"):
        acsa.Scenario.from_dict({"voters": {"grievance_mean": float("nan")}})


@pytest.mark.parametrize(
    "name, text, path",
    [
        ("bad.toml", "[voters]\nbogus = 1\n", "voters"),  # unknown key
        ("bad.toml", "[voters]\nstubbornness = 2.0\n", "^voters.stubbornness"),  # out of range
        ("broken.toml", "[voters\nn = 1\n", "broken.toml"),  # malformed: names the file
        ("broken.json", '{"voters": {"n": }', "broken.json"),
    ],
)
def test_bad_scenario_file_names_the_path(tmp_path, name, text, path):
    f = tmp_path / name
    f.write_text(text)
    with raises_config(path):
        acsa.Scenario.from_file(f)


def test_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        acsa.Scenario.from_file(tmp_path / "missing.toml")
    f = tmp_path / "s.yaml"
    f.write_text("x: 1")
    with raises_config("unknown scenario file type"):
        acsa.Scenario.from_file(f)


def test_user_network_needs_a_graph(small):
    with raises_config("^network.kind"):
        acsa.simulate(small.replace({"network.kind": "user"}), seed=1)


def test_graph_of_wrong_size(small):
    import scipy.sparse

    wrong = scipy.sparse.random(50, 50, density=0.1, format="csr", random_state=1)
    with raises_config("^graph"):
        acsa.simulate(small, seed=1, graph=wrong)
    with raises_config("^graph"):
        acsa.simulate(small, seed=1, graph=(np.array([0, 1]), np.array([1, small["voters.n"]])))


@pytest.mark.parametrize("seed", [-1, 1.5, "7", None, True])
def test_bad_seed(small, seed):
    with raises_config("^seed"):
        acsa.simulate(small, seed=seed)


def test_sweep_names_the_bad_grid_point(small):
    with raises_config(r"^voters.stubbornness.*grid point voters.stubbornness=1.5"):
        acsa.sweep(small, {"voters.stubbornness": [0.5, 1.5]}, progress=False)
    with raises_config("unknown parameter 'voters.stubborn'"):
        acsa.sweep(small, {"voters.stubborn": [0.5]}, progress=False)
    with raises_config("^replicates"):
        acsa.sweep(small, {}, replicates=0, progress=False)
