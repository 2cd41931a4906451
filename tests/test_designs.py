"""Designs: grids, Latin hypercubes, Sobol, Morris and tables, each with replicates."""

import numpy as np
import pandas as pd
import pytest

import acsa
from acsa import designs
from acsa.seeds import seed_bytes

PROBLEM = {"voters.cohort_shift": (0.0, 0.1), "shocks.intensity": (0.5, 3.0), "voters.n": (300, 600)}


def test_grid_is_full_factorial_last_path_fastest():
    d = designs.grid({"voters.cohort_shift": [0, 0.05], "shocks.intensity": [1, 2, 3]}, replicates=2)
    assert d.n_points == 6 and d.n_runs == 12
    assert [tuple(p.values()) for p in d.points][:3] == [(0, 1), (0, 2), (0, 3)]
    assert d.grid == {"voters.cohort_shift": [0, 0.05], "shocks.intensity": [1, 2, 3]}
    assert d.problem is None


def test_empty_grid_is_one_point():
    d = designs.grid({})
    assert d.n_points == 1 and d.points == [{}]


def test_latin_hypercube_within_bounds_and_stratified():
    d = designs.latin_hypercube(PROBLEM, 20, replicates=3, seed=1)
    assert d.n_points == 20 and d.n_runs == 60
    assert d.problem["names"] == list(PROBLEM) and d.problem["num_vars"] == 3
    X = d.X
    assert X.shape == (20, 3)
    # One sample in each of the 20 equal slices of every range.
    for j, (lo, hi) in enumerate(PROBLEM.values()):
        assert ((lo <= X[:, j]) & (X[:, j] <= hi)).all()
        if j < 2:
            assert sorted(np.floor((X[:, j] - lo) / (hi - lo) * 20).astype(int)) == list(range(20))
    # Whole-number parameters are run as integers.
    assert all(isinstance(p["voters.n"], int) for p in d.points)
    # The same seed gives the same sample.
    assert designs.latin_hypercube(PROBLEM, 20, seed=1).points == d.points
    assert designs.latin_hypercube(PROBLEM, 20, seed=2).points != d.points


def test_sobol_has_saltelli_size():
    d = designs.sobol(PROBLEM, 8)
    assert d.n_points == 8 * (2 * 3 + 2)
    d1 = designs.sobol(PROBLEM, 8, calc_second_order=False, replicates=2)
    assert d1.n_points == 8 * (3 + 2) and d1.n_runs == 80
    assert designs.saltelli is designs.sobol


def test_morris_has_trajectories_of_d_plus_one():
    d = designs.morris(PROBLEM, 4, levels=4, seed=3)
    assert d.n_points == 4 * (3 + 1)
    assert d.kind == "morris" and d.options["levels"] == 4


def test_salib_problem_dict_is_taken_as_is():
    problem = {"num_vars": 2, "names": ["shocks.intensity", "voters.grievance_mean"], "bounds": [[0.5, 2], [0.3, 0.5]]}
    d = designs.latin_hypercube(problem, 5)
    assert d.problem == {"num_vars": 2, "names": problem["names"], "bounds": [[0.5, 2.0], [0.3, 0.5]]}


def test_table_from_frame_list_and_csv(tmp_path):
    frame = pd.DataFrame({"shocks.intensity": [0.5, 1.0, 2.0], "network.kind": ["sbm", "watts_strogatz", "sbm"]})
    d = designs.table(frame, replicates=2)
    assert d.n_runs == 6 and d.points[1] == {"shocks.intensity": 1.0, "network.kind": "watts_strogatz"}
    assert d.column_types() == {"shocks.intensity": "float", "network.kind": "str"}
    assert designs.table(frame.to_dict("records")).points == d.points
    frame.to_csv(tmp_path / "p.csv", index=False)
    assert designs.table(tmp_path / "p.csv").points == d.points


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: designs.grid({"voters.stubborness": [0.5]}), "did you mean"),
        (lambda: designs.grid({"shocks.intensity": 1.0}), "must be a list"),
        (lambda: designs.latin_hypercube({"ladder.drills": (0, 1)}, 4), "only numeric"),
        (lambda: designs.latin_hypercube({"shocks.intensity": (2, 1)}, 4), "below high"),
        (lambda: designs.latin_hypercube({"shocks.intensity": (0, 1, 2)}, 4), "low, high"),
        (lambda: designs.sobol(PROBLEM, 0), "n: must be"),
        (lambda: designs.table(pd.DataFrame({"shocks.intensity": [1.0, None]})), "no value"),
        (lambda: designs.grid({"shocks.intensity": [1]}, replicates=0), "replicates"),
    ],
)
def test_bad_designs_raise_config_error(make, match):
    with pytest.raises(acsa.ConfigError, match=match):
        make()


def test_design_round_trips_through_plain_data():
    d = designs.sobol(PROBLEM, 4, replicates=3)
    assert designs.Design.from_dict(d.to_dict()) == d
    g = designs.grid({"events": [[], [{"week": 3, "kind": "nuclear_test", "magnitude": 2.0}]]})
    assert designs.Design.from_dict(g.to_dict()) == g
    assert g.column_types() == {"events": "json"}


def test_replicates_given_once():
    d = designs.latin_hypercube(PROBLEM, 4, replicates=3)
    assert designs.as_design(d, 3).replicates == 3
    assert designs.as_design(designs.latin_hypercube(PROBLEM, 4), 5).replicates == 5
    with pytest.raises(acsa.ConfigError, match="give replicates once"):
        designs.as_design(d, 5)


def test_run_seeds_follow_the_spawn_key_convention(small):
    d = designs.latin_hypercube({"shocks.intensity": (0.5, 3.0)}, 3, replicates=2)
    sw = acsa.sweep(small.replace({"voters.n": 300, "horizon_weeks": 26}), d, seed=11, progress=False)
    runs = sw.runs
    assert runs["run_index"].tolist() == list(range(6))
    assert (runs["seed"] == 11).all()
    # Run i's 32 bytes are SeedSequence(11).spawn(6)[i] as the core reads them.
    child = np.random.SeedSequence(11).spawn(6)[4]
    assert seed_bytes(11, 4) == child.generate_state(8, np.uint32).astype("<u4").tobytes()
    single = acsa.simulate(sw.scenario_at(2), seed=child)
    assert single.outcome["final_approval"] == runs.loc[4, "final_approval"]
