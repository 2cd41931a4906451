"""User-supplied networks: every input type gives the same run for the same graph."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse

import acsa
from acsa.graph import to_csr

N = 400


@pytest.fixture(scope="module")
def tiny():
    return acsa.Scenario.default().replace({"voters.n": N, "horizon_weeks": 52})


@pytest.fixture(scope="module")
def g():
    return nx.watts_strogatz_graph(N, 6, 0.2, seed=3)


def test_to_csr_is_sorted_and_deduplicated():
    src = np.array([2, 0, 0, 2, 1])
    dst = np.array([1, 2, 1, 1, 0])
    indptr, indices = to_csr((src, dst), 3)
    assert indptr.dtype == np.uint64 and indices.dtype == np.uint32
    assert indptr.tolist() == [0, 2, 3, 4]
    assert indices.tolist() == [1, 2, 0, 1]


def test_same_graph_same_run_from_scipy_networkx_and_edges(tiny, g):
    adj = nx.to_scipy_sparse_array(g, nodelist=range(N), format="coo")
    src, dst = adj.nonzero()
    by_nx = acsa.simulate(tiny, seed=2, graph=g)
    by_sparse = acsa.simulate(tiny, seed=2, graph=adj.tocsc())
    by_edges = acsa.simulate(tiny, seed=2, graph=(src, dst))
    a = by_nx.series.drop(columns="date").to_numpy()
    assert np.array_equal(a, by_sparse.series.drop(columns="date").to_numpy())
    assert np.array_equal(a, by_edges.series.drop(columns="date").to_numpy())
    assert by_nx.scenario["network.kind"] == "user"


def test_networkx_labels_are_numbered_in_sorted_order(tiny, g):
    relabelled = nx.relabel_nodes(g, {i: f"v{i:04d}" for i in g.nodes})
    a = acsa.simulate(tiny, seed=2, graph=g).series
    b = acsa.simulate(tiny, seed=2, graph=relabelled).series
    assert np.array_equal(a.drop(columns="date").to_numpy(), b.drop(columns="date").to_numpy())


def test_the_graph_matters(tiny, g):
    # An empty network (no one listens to anyone) must give a different run.
    with_graph = acsa.simulate(tiny, seed=2, graph=g).series
    empty = acsa.simulate(tiny, seed=2, graph=scipy.sparse.csr_array((N, N))).series
    assert not np.array_equal(with_graph["grievance_mean"], empty["grievance_mean"])


def test_stored_zeros_are_not_edges():
    m = scipy.sparse.csr_array((np.array([1.0, 0.0]), (np.array([0, 1]), np.array([1, 0]))), shape=(2, 2))
    indptr, indices = to_csr(m, 2)
    assert indptr.tolist() == [0, 1, 1]
    assert indices.tolist() == [1]


def test_sweep_with_a_user_graph(tiny, g):
    sw = acsa.sweep(tiny, {"shocks.intensity": [1.0, 2.0]}, replicates=2, seed=8, graph=g, progress=False)
    assert sw.scenario["network.kind"] == "user"
    single = acsa.simulate(tiny.replace({"shocks.intensity": 2.0}), seed=np.random.SeedSequence(8, spawn_key=(3,)), graph=g)
    assert sw.runs.loc[3, "final_approval"] == single.outcome["final_approval"]
    with pytest.raises(acsa.ConfigError, match="^voters.n"):
        acsa.sweep(tiny, {"voters.n": [N, 2 * N]}, graph=g, progress=False)
