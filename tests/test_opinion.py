"""acsa.opinion.friedkin_johnsen against a plain scipy implementation."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import acsa
from acsa.opinion import friedkin_johnsen


def scipy_fj(adjacency, x0, s, steps):
    a = sp.csr_matrix(adjacency, dtype=np.float64)
    rows = np.asarray(a.sum(axis=1)).ravel()
    w = sp.diags(np.divide(1.0, rows, out=np.zeros_like(rows), where=rows > 0)) @ a
    isolated = rows == 0
    x = x0.copy()
    for _ in range(steps):
        wx = w @ x
        wx[isolated] = x[isolated]
        x = s * x0 + (1 - s) * wx
    return x


@pytest.fixture
def ws_graph():
    g = nx.watts_strogatz_graph(2000, 10, 0.1, seed=3)
    return nx.to_scipy_sparse_array(g, format="csr")


def test_matches_scipy_on_watts_strogatz(ws_graph):
    rng = np.random.default_rng(0)
    x0 = rng.random(2000)
    s = rng.random(2000)
    ours = friedkin_johnsen(ws_graph, x0, s, 50)
    assert np.allclose(ours, scipy_fj(ws_graph, x0, s, 50), rtol=0, atol=1e-9)


def test_weighted_directed_with_isolated_nodes():
    rng = np.random.default_rng(1)
    a = sp.random(300, 300, density=0.02, random_state=2, format="csr")
    a.data = rng.random(a.nnz) * 5
    a = a.tolil()
    a[7, :] = 0  # node 7 listens to nobody
    a = a.tocsr()
    x0 = rng.random(300)
    ours = friedkin_johnsen(a, x0, 0.25, 30)
    assert np.allclose(ours, scipy_fj(a, x0, 0.25, 30), rtol=0, atol=1e-9)
    assert ours[7] == x0[7]


def test_networkx_and_edge_arrays_agree_with_sparse(ws_graph):
    g = nx.from_scipy_sparse_array(ws_graph)
    x0 = np.linspace(0, 1, 2000)
    a = friedkin_johnsen(ws_graph, x0, 0.5, 10)
    b = friedkin_johnsen(g, x0, 0.5, 10)
    coo = ws_graph.tocoo()
    c = friedkin_johnsen((coo.row, coo.col), x0, 0.5, 10)
    assert np.array_equal(a, b) and np.array_equal(a, c)


def test_zero_steps_and_full_stubbornness_return_x0(ws_graph):
    x0 = np.random.default_rng(4).random(2000)
    assert np.array_equal(friedkin_johnsen(ws_graph, x0, 0.3, 0), x0)
    assert np.array_equal(friedkin_johnsen(ws_graph, x0, 1.0, 20), x0)


@pytest.mark.parametrize(
    "kwargs, path",
    [
        ({"x0": np.zeros(5)}, "x0"),
        ({"stubbornness": 1.5}, "stubbornness"),
        ({"stubbornness": np.zeros(3)}, "stubbornness"),
        ({"steps": -1}, "steps"),
        ({"x0": np.full(2000, np.nan)}, "x0"),
    ],
)
def test_bad_input_names_the_argument(ws_graph, kwargs, path):
    args = {"x0": np.zeros(2000), "stubbornness": 0.5, "steps": 3} | kwargs
    with pytest.raises(acsa.ConfigError, match=path):
        friedkin_johnsen(ws_graph, **args)


def test_triad_bandwidth_is_positive():
    assert acsa._core.triad_bandwidth(1_000_000, 2) > 1e8
