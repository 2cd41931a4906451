"""Every bad input is an acsa.ConfigError naming the path and the rule (F8, F9, F10)."""

import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse

import acsa
from acsa import designs
from acsa.cli import main


def raises_config(match):
    return pytest.raises(acsa.ConfigError, match=match)


@pytest.fixture(scope="module")
def base():
    return acsa.Scenario.default()


# ---- F9: values ---------------------------------------------------------------


def test_a_zero_dimensional_array_is_its_value(base):
    assert base.replace({"voters.n": np.array(5000)})["voters.n"] == 5000
    assert base.replace({"shocks.intensity": np.array(2.5)})["shocks.intensity"] == 2.5


@pytest.mark.parametrize("value", [10**400, -(10**30), 2**63])
def test_a_huge_whole_number_names_its_path(base, value):
    with raises_config(r"^voters\.n: .* is too large"):
        base.replace({"voters.n": value})
    with raises_config(r"^voters\.n: .* is too large"):
        acsa.Scenario.from_dict({"voters": {"n": value}})


def test_a_lone_surrogate_names_its_path(base):
    with raises_config(r"^network\.kind: text holds '\\ud800'"):
        base.replace({"network.kind": "ab\ud800"})
    with raises_config(r"^unknown parameter 'voters\.\\ud800'"):
        base.replace({"voters.\ud800": 1})


def test_deep_nesting_is_refused_by_depth(base, tmp_path):
    deep = 1
    for _ in range(5000):
        deep = [deep]
    with raises_config(r"^events\[0\](\[0\])*: nested more than 32"):
        base.replace({"events": deep})
    f = tmp_path / "deep.json"
    f.write_text('{"events": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with raises_config("deep.json: nested too deeply"):
        acsa.Scenario.from_file(f)


@pytest.mark.parametrize("value", [[5000, 0.3], [], (1,), "5000", 3])
def test_a_table_is_never_set_from_a_list(base, value):
    with raises_config(r"^voters: is a table of parameters"):
        base.replace({"voters": value})
    with raises_config(r"^voters: is a table of parameters"):
        acsa.Scenario.from_dict({"voters": value})
    with raises_config(r"^japan\.voters: is a table of parameters"):
        acsa.Scenario.from_dict({"japan": {"voters": value}})


@pytest.mark.parametrize("date", ["+999-01-01", "0999-01-01", "1600-01-01", "2262-01-01", "99999-01-01"])
def test_start_dates_are_checked_with_the_runs_calendar(base, date):
    with raises_config("^start_date: must be a date"):
        base.replace({"start_date": date, "horizon_weeks": 52})


def test_the_last_start_date_runs(base):
    msg = ""
    try:
        base.replace({"start_date": "2262-01-01", "horizon_weeks": 52})
    except acsa.ConfigError as e:
        msg = str(e)
    last = msg.split(" to ")[1].split(" ")[0]
    sc = base.replace({"start_date": last, "horizon_weeks": 52, "voters.n": 300})
    assert acsa.simulate(sc, seed=1).series["date"].iloc[-1].year == 2262


# ---- F9/F10: files --------------------------------------------------------------


@pytest.mark.parametrize(
    "data, match",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not UTF-8 text"),
        ("[voters]\nn = 5000\n".encode("utf-16"), "is UTF-16 text"),
        (b"[voters]\nn = 5000\x00\n", "holds a NUL byte"),
    ],
)
def test_files_that_are_not_text(tmp_path, data, match):
    f = tmp_path / "s.toml"
    f.write_bytes(data)
    with raises_config(f"s.toml: ({match})"):
        acsa.Scenario.from_file(f)


def test_unreadable_and_looping_files(tmp_path):
    loop = tmp_path / "loop.toml"
    os.symlink(loop, loop)
    with raises_config("loop.toml: cannot be read"):
        acsa.Scenario.from_file(loop)
    with raises_config("is a directory"):
        acsa.Scenario.from_file(tmp_path / "dir.toml") if (tmp_path / "dir.toml").mkdir() is None else None
    locked = tmp_path / "locked.toml"
    locked.write_text("[voters]\nn = 5000\n")
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads anything
        pytest.skip("permissions are not enforced for this user")
    with raises_config("locked.toml: cannot be read .permission denied"):
        acsa.Scenario.from_file(locked)


def test_the_command_line_reports_bad_files_without_a_traceback(tmp_path):
    f = tmp_path / "s.toml"
    f.write_bytes(b"\xff\xfe\x00binary")
    res = subprocess.run([sys.executable, "-m", "acsa", "run", "--scenario", str(f), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and res.stderr.startswith("acsa: error:") and "Traceback" not in res.stderr
    spec = tmp_path / "spec.toml"
    os.symlink(spec, spec)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "s")]) == 2
    assert not (tmp_path / "s").exists()


# ---- F10: designs and sweeps -------------------------------------------------------


def test_morris_levels_below_two(capsys):
    with raises_config("^levels: must be an integer from 2"):
        designs.morris({"shocks.intensity": (0.5, 3)}, 4, levels=1)


@pytest.mark.parametrize("replicates", [2**63 - 1, 10**7])
def test_replicates_are_bounded(base, replicates):
    with raises_config("^replicates: must be an integer from 1 to 1,000,000"):
        acsa.sweep(base, {}, replicates=replicates, progress=False)


def test_design_sizes_are_bounded():
    with raises_config("^design: has 100,000,000 points"):
        designs.grid({"shocks.intensity": list(range(10**4)), "voters.cohort_shift": [0.0] * 10**4})
    with raises_config(r"^replicates: 2,000 points x 1,000,000 replicates"):
        designs.grid({"shocks.intensity": [1.0] * 2000}, replicates=10**6)
    with raises_config("^n: must be an integer from 1 to"):
        designs.latin_hypercube({"shocks.intensity": (0.5, 3)}, 10**8)


@pytest.mark.parametrize(
    "bounds, match",
    [
        ({"voters.stubbornness": (0.5, 1.5)}, r"^voters\.stubbornness: high bound 1\.5 is above the parameter's maximum 1"),
        ({"voters.n": (100, 5000)}, r"^voters\.n: low bound 100 is below the parameter's minimum 253"),
        ({"shocks.intensity": (2, 1)}, "low bound 2 must be below high bound 1"),
    ],
)
def test_design_bounds_within_the_parameters_ranges(bounds, match):
    for make in (designs.latin_hypercube, designs.sobol, designs.morris):
        with raises_config(match):
            make(bounds, 4)


@pytest.mark.parametrize("store", ["", "   "])
def test_an_empty_store_path(base, store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with raises_config("^store: expected a directory path"):
        acsa.sweep(base, {}, store=store, progress=False)
    assert os.listdir(tmp_path) == []


def test_a_point_that_breaks_a_rule_across_parameters_fails_alone(tmp_path, monkeypatch):
    from acsa.sweep import Plan

    monkeypatch.setattr(Plan, "FULL_CHECK", 2)  # as for a large design
    sc = acsa.Scenario.default().replace({"voters.n": 300, "horizon_weeks": 10})
    table = designs.table([{"voters.share_progressive": 0.3, "voters.share_conservative": s} for s in (0.3, 0.8, 0.5)])
    with pytest.warns(RuntimeWarning, match="2 runs failed"):
        sw = acsa.sweep(sc, table, replicates=2, store=tmp_path / "s", progress=False)
    assert sw.complete
    assert sw.failures["point"].tolist() == [1, 1]
    assert sw.failures["error"].str.startswith("voters.share_conservative: share_progressive").all()
    monkeypatch.undo()
    with raises_config(r"^voters\.share_conservative: .*design point 1"):
        acsa.sweep(sc, table, progress=False)


# ---- F8: the opinion kernel -----------------------------------------------------------


def test_weights_at_the_ends_of_the_float_range():
    # Node 0 listens to nodes 1 and 2 with equal weights: 0.5 x 1 + 0.5 x (0.5 + 0) / 2.
    for w in (1e308, 1.7976931348623157e308, 5e-324):
        A = scipy.sparse.csr_matrix((np.array([w, w]), (np.array([0, 0]), np.array([1, 2]))), shape=(3, 3))
        x = acsa.opinion.friedkin_johnsen(A, [1.0, 0.5, 0.0], 0.5, 1)
        assert x.tolist() == [0.625, 0.5, 0.0]


@pytest.mark.parametrize(
    "edges, match",
    [
        ((np.array([0, 2**63 - 1]), np.array([1, 0])), r"graph: src holds node 9223372036854775807"),
        ((np.array([0, 1], dtype=np.uint64), np.array([2**64 - 1, 0], dtype=np.uint64)), "dst holds node 18446744073709551615"),
        ((np.array(["a", "b"]), np.array([1, 0])), "src must hold integers"),
        (([0, 1], [1, -1]), "dst holds node -1"),
        (([0, 1], [[1], [0]]), "dst must be a 1-D array"),
    ],
)
def test_bad_edges(edges, match):
    with raises_config(match):
        acsa.opinion.friedkin_johnsen(edges, 0.5, 0.5, 3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(steps=-1), "^steps"),
        (dict(steps=2**64), "^steps"),
        (dict(steps=1.5), "^steps"),
        (dict(x0="abc"), "^x0: must be numbers"),
        (dict(x0=[1.0, float("nan")]), "^x0"),
        (dict(stubbornness=[[0.5, 0.5]]), "^stubbornness"),
        (dict(stubbornness=2.0), "^stubbornness"),
        (dict(stubbornness="x"), "^stubbornness: must be numbers"),
    ],
)
def test_bad_opinion_arguments(kwargs, match):
    args = dict(adjacency=scipy.sparse.identity(2, format="csr"), x0=[0.0, 1.0], stubbornness=0.5, steps=3)
    args.update(kwargs)
    with raises_config(match):
        acsa.opinion.friedkin_johnsen(**args)


def test_bad_weights():
    for data in ([-1.0], [np.inf], [np.nan]):
        A = scipy.sparse.csr_matrix((np.array(data), (np.array([0]), np.array([1]))), shape=(2, 2))
        with raises_config("^adjacency: weights must be finite and non-negative"):
            acsa.opinion.friedkin_johnsen(A, 0.5, 0.5, 1)
