"""Fuzzing with hypothesis: whatever goes in, out comes a valid result or an acsa.ConfigError.

Scenario.replace, from_dict, from_file, simulate (tiny scenarios), friedkin_johnsen,
designs and spec files. The number of cases per test is set by the hypothesis profile
in CI (CI=true, or ACSA_FUZZ=full) gives at least 10 000 cases in all, counted by the
last test; elsewhere a 25th of that, for quick runs.
"""

import json
import math
import os
import string
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import acsa
from acsa import designs
from acsa.cli import spec_sweep_args

CASES: Counter = Counter()
FUZZ_TESTS = ("replace", "from_dict", "from_file", "simulate", "friedkin_johnsen", "designs", "spec")
EXAMPLES = {"replace": 2500, "from_dict": 1500, "from_file": 1500, "simulate": 300, "friedkin_johnsen": 2500,
            "designs": 700, "spec": 1200}
MIN_CASES = 10_000
FULL = os.environ.get("CI", "").lower() in ("1", "true") or os.environ.get("ACSA_FUZZ") == "full"
PATHS = sorted(acsa.Scenario.default().flat()) + sorted({p.rsplit(".", 1)[0] for p in acsa.Scenario.default().flat() if "." in p})
NUMERIC = [r["path"] for r in acsa._core.parameters() if r["min"] is not None and isinstance(r["default"], (int, float))
           and not isinstance(r["default"], bool)]
RANGES = {r["path"]: (r["min"], r["max"], r["default"]) for r in acsa._core.parameters()}


def cases(name):
    """Settings for one fuzz test: its share of the cases, no deadline (the machine is shared)."""
    return settings(max_examples=EXAMPLES[name] if FULL else max(10, EXAMPLES[name] // 25), deadline=None,
                    database=None, suppress_health_check=list(HealthCheck))


def config_error_names_a_path(e, path=None):
    text = str(e)
    assert text and not text.startswith("<json>"), text
    if path is not None:
        assert text.startswith((path, "unknown parameter", "replace", "scenario")), text


# Any value a user might pass, including the awkward ones.
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["\ud800", "2026-01-01", "+999-01-01", "2026-02-30", "user", "full", "sbm", ""]),
    st.dates(),
    st.builds(np.float64, st.floats(allow_nan=False)),
    st.builds(np.int64, st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    st.builds(lambda x: np.array(x), st.floats(allow_nan=False, min_value=-1e6, max_value=1e6)),
    st.builds(np.bool_, st.booleans()),
)
value = st.recursive(leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                     max_leaves=8)


@cases("replace")
@given(changes=st.dictionaries(st.one_of(st.sampled_from(PATHS), st.text(max_size=20)), value, max_size=3))
def test_replace(changes):
    CASES["replace"] += 1
    base = acsa.Scenario.default()
    try:
        sc = base.replace(changes)
    except acsa.ConfigError as e:
        config_error_names_a_path(e)
        return
    # A scenario that validates reads back the same from every format.
    assert acsa.Scenario.from_dict(sc.to_dict()) == sc
    assert acsa.Scenario.from_toml(sc.to_toml()) == sc


tree = st.recursive(
    st.dictionaries(st.sampled_from(sorted({p.split(".")[0] for p in PATHS})), leaf, max_size=3),
    lambda inner: st.dictionaries(st.sampled_from(sorted({k for p in PATHS for k in p.split(".")})),
                                  inner | leaf | st.lists(leaf, max_size=3), max_size=4),
    max_leaves=10,
)


@cases("from_dict")
@given(d=tree)
def test_from_dict(d):
    CASES["from_dict"] += 1
    try:
        sc = acsa.Scenario.from_dict(d)
    except acsa.ConfigError as e:
        config_error_names_a_path(e)
        return
    assert acsa.Scenario.from_json(sc.to_json()) == sc


TOML_LINES = acsa.Scenario.default().to_toml().splitlines()


@st.composite
def file_contents(draw):
    kind = draw(st.sampled_from(["bytes", "text", "toml", "json"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")
    if kind == "json":
        return json.dumps(draw(tree), default=str).encode()
    # The baseline's TOML with a few lines dropped, doubled or changed.
    lines = list(TOML_LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["drop", "double", "edit"]))
        if how == "drop":
            lines.pop(i)
        elif how == "double":
            lines.insert(i, lines[i])
        else:
            j = draw(st.integers(0, max(0, len(lines[i]) - 1)))
            lines[i] = lines[i][:j] + draw(st.text(string.printable, max_size=3)) + lines[i][j + 1 :]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@cases("from_file")
@given(data=file_contents(), suffix=st.sampled_from([".toml", ".json"]))
def test_from_file(tmp_path_factory, data, suffix):
    CASES["from_file"] += 1
    path = tmp_path_factory.mktemp("f", numbered=True) / f"s{suffix}"
    path.write_bytes(data)
    try:
        sc = acsa.Scenario.from_file(path)
    except acsa.ConfigError as e:
        config_error_names_a_path(e)
        return
    assert isinstance(sc, acsa.Scenario)


@st.composite
def tiny_scenario(draw):
    changes = {"voters.n": draw(st.integers(253, 700)), "horizon_weeks": draw(st.integers(1, 40))}
    for path in draw(st.lists(st.sampled_from(NUMERIC), max_size=4, unique=True)):
        if path in ("voters.n", "horizon_weeks", "japan.voters.n"):
            continue
        lo, hi, default = RANGES[path]
        if isinstance(default, int):
            changes[path] = draw(st.integers(int(lo), int(min(hi, lo + 1000))))
        else:
            changes[path] = draw(st.floats(lo, hi, allow_nan=False))
    if draw(st.booleans()):
        changes["japan.mode"] = "full"
        changes["japan.voters.n"] = draw(st.integers(253, 500))
    return changes


@cases("simulate")
@given(changes=tiny_scenario(), seed=st.integers(0, 2**64))
def test_simulate(changes, seed):
    CASES["simulate"] += 1
    try:
        sc = acsa.Scenario.default().replace(changes)
    except acsa.ConfigError as e:
        config_error_names_a_path(e)  # a rule across parameters (shares, seats, degree)
        return
    try:
        run = acsa.simulate(sc, seed=seed)
    except acsa.ConfigError as e:
        config_error_names_a_path(e)
        return
    series = run.series
    assert len(series) == changes["horizon_weeks"] == run.outcome["weeks"]
    numbers = series.drop(columns=["date"]).to_numpy(dtype=float)
    assert np.isfinite(numbers).all()
    assert series["rung"].between(0, 5).all() and series["governing_seat_share"].between(0, 1).all()
    assert series["approval"].between(0, 1).all()
    assert run.events["rung"].between(0, 5).all()
    assert 0 <= run.outcome["max_rung"] <= 5


def fj_reference(n, src, dst, w, x0, s, steps):
    """Dense Friedkin-Johnsen with each row scaled by its largest weight first."""
    W = np.zeros((n, n))
    np.add.at(W, (src, dst), w)
    x = x0.copy()
    rows = W.max(axis=1)
    P = np.divide(W, rows[:, None], out=np.zeros_like(W), where=rows[:, None] > 0)
    sums = P.sum(axis=1)
    P = np.divide(P, sums[:, None], out=np.zeros_like(P), where=sums[:, None] > 0)
    for _ in range(steps):
        wx = np.where(sums > 0, P @ x, x)
        x = s * x0 + (1 - s) * wx
    return x


weights = st.one_of(st.floats(0, 10), st.sampled_from([0.0, 5e-324, 1e-300, 1e300, 1e308, 1.7976931348623157e308]))


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 12))
    m = draw(st.integers(0, 3 * n))
    src = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    dst = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)), dtype=np.int64)
    w = np.array(draw(st.lists(weights, min_size=m, max_size=m)), dtype=float)
    return n, src, dst, w


@cases("friedkin_johnsen")
@given(g=graphs(), x=st.lists(st.floats(-1e6, 1e6), min_size=12, max_size=12),
       s=st.floats(0, 1), steps=st.integers(0, 12))
def test_friedkin_johnsen(g, x, s, steps):
    import scipy.sparse

    CASES["friedkin_johnsen"] += 1
    n, src, dst, w = g
    x0 = np.array(x[:n])
    A = scipy.sparse.coo_matrix((w, (src, dst)), shape=(n, n)).tocsr()
    try:
        got = acsa.opinion.friedkin_johnsen(A, x0, s, steps)
    except acsa.ConfigError as e:
        # Only a row whose weights sum past the largest float is refused.
        config_error_names_a_path(e)
        assert "adjacency" in str(e)
        return
    want = fj_reference(n, src, dst, w, x0, s, steps)
    scale = max(1.0, np.abs(x0).max(initial=0))
    assert np.allclose(got, want, rtol=1e-9, atol=1e-9 * scale)


bound = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**9), 10**9), st.text(max_size=3))


@cases("designs")
@given(
    kind=st.sampled_from(["latin_hypercube", "sobol", "morris"]),
    names=st.lists(st.sampled_from(NUMERIC + ["network.kind", "voters.foo"]), min_size=1, max_size=3, unique=True),
    bounds=st.lists(st.tuples(bound, bound), min_size=3, max_size=3),
    n=st.one_of(st.integers(-2, 9), st.sampled_from([2**63, 1.5, "4"])),
    levels=st.integers(-1, 8),
    replicates=st.one_of(st.integers(-1, 5), st.sampled_from([2**63 - 1, 10**12])),
)
def test_designs(kind, names, bounds, n, levels, replicates):
    CASES["designs"] += 1
    problem = dict(zip(names, bounds))
    try:
        if kind == "morris":
            d = designs.morris(problem, n, replicates, levels=levels)
        elif kind == "sobol":
            d = designs.sobol(problem, n, replicates, calc_second_order=False)
        else:
            d = designs.latin_hypercube(problem, n, replicates)
    except acsa.ConfigError as e:
        config_error_names_a_path(e)
        return
    # A design that is made stays within its bounds and the parameters' valid ranges.
    for path, (lo, hi) in problem.items():
        values = np.array([p[path] for p in d.points], dtype=float)
        assert (values >= math.floor(lo) - 1e-9).all() and (values <= math.ceil(hi) + 1e-9).all()
        pmin, pmax, _ = RANGES[path]
        assert (values >= pmin).all() and (values <= pmax).all()


spec_value = st.one_of(st.integers(-3, 10), st.floats(allow_nan=False, allow_infinity=False, width=32),
                       st.text(string.ascii_letters + "._", max_size=8), st.booleans(),
                       st.lists(st.integers(0, 3), max_size=3))
spec_key = st.sampled_from(["seed", "replicates", "batch_size", "flush_every", "scenario_file", "bogus"])
table_key = st.sampled_from(["scenario", "grid", "design", "record", "design.bounds"])
inner_key = st.sampled_from(["kind", "n", "seed", "levels", "columns", "every", "file", '"voters.n"',
                             '"shocks.intensity"', "horizon_weeks", "calc_second_order"])


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return repr(v) if not isinstance(v, float) else repr(float(v))


@cases("spec")
@given(top=st.dictionaries(spec_key, spec_value, max_size=3),
       tables=st.dictionaries(table_key, st.dictionaries(inner_key, spec_value | st.sampled_from(
           ["latin_hypercube", "sobol", "morris", "table", "all"]), max_size=3), max_size=3),
       junk=st.text(max_size=20))
def test_spec(tmp_path_factory, top, tables, junk):
    CASES["spec"] += 1
    lines = [f"{k} = {toml_value(v)}" for k, v in top.items()]
    for name, body in tables.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in body.items()]
    text = "\n".join(lines) + ("\n" + junk if junk.strip().startswith("#") else "")
    path = tmp_path_factory.mktemp("spec", numbered=True) / "spec.toml"
    path.write_text(text)
    try:
        kw = spec_sweep_args(path)
    except acsa.ConfigError as e:
        config_error_names_a_path(e)
        return
    except FileNotFoundError:
        return  # scenario_file or a table's file that is not there
    assert kw["design"].n_runs >= 1


def test_at_least_ten_thousand_cases_ran():
    """Runs last in this file: counts what the fuzz tests above ran."""
    if set(CASES) != set(FUZZ_TESTS):
        pytest.skip("only some fuzz tests ran")
    if not FULL:
        pytest.skip("the full number of cases runs in CI (or with ACSA_FUZZ=full)")
    assert sum(CASES.values()) >= MIN_CASES, dict(CASES)


@pytest.fixture(autouse=True, scope="module")
def _report():
    yield
    if CASES:
        print(f"\nfuzz cases: {sum(CASES.values())} ({dict(CASES)})")

