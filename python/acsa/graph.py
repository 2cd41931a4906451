"""User-supplied social networks, converted to the CSR arrays the core reads.

Row i of the adjacency pattern lists the voters that voter i listens to.
Accepted inputs:

- a scipy.sparse matrix or array of shape (n, n), any format; only the
  pattern of nonzeros matters;
- a networkx graph with n nodes. An undirected edge links both ways; in a
  DiGraph an edge u -> v means u listens to v. Nodes 0..n-1 keep their
  numbers, other node labels are numbered in sorted order;
- a pair of integer arrays (src, dst): voter src[k] listens to voter dst[k].
  List both directions for a mutual tie.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import ConfigError

__all__ = ["to_csr"]

# Voters are numbered with 32 bits in the core.
MAX_NODE = 2**32 - 2


def to_csr(graph: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (indptr uint64, indices uint32) for a graph over n voters."""
    src, dst = _edges(graph, n)
    if src.shape != dst.shape:
        raise ConfigError(f"graph: src and dst must have the same length, got {src.size} and {dst.size}")
    if src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
        low, high = int(min(src.min(), dst.min())), int(max(src.max(), dst.max()))
        bad = low if low < 0 else high
        raise ConfigError(f"graph: node numbers must lie in 0..{n - 1} (voters.n = {n}), got {bad}")
    # Sort by (row, column) and drop duplicate edges so every input type
    # yields the same CSR for the same graph.
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    if src.size:
        keep = np.ones(src.size, dtype=bool)
        keep[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
        src, dst = src[keep], dst[keep]
    indptr = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst.astype(np.uint32)


def _edges(graph: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    if is_sparse(graph):
        return _sparse_edges(graph, n)
    if _is_networkx(graph):
        return _networkx_edges(graph, n)
    if isinstance(graph, (tuple, list)) and len(graph) == 2:
        return as_index_array(graph[0], "src"), as_index_array(graph[1], "dst")
    raise ConfigError(
        "graph: expected a scipy.sparse matrix, a networkx graph or a pair of "
        f"edge arrays (src, dst), got {type(graph).__name__}"
    )


def is_sparse(graph: Any) -> bool:
    try:
        import scipy.sparse
    except ImportError:
        return False
    return scipy.sparse.issparse(graph)


def _is_networkx(graph: Any) -> bool:
    try:
        import networkx
    except ImportError:
        return False
    return isinstance(graph, networkx.Graph)


def _sparse_edges(m: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    if m.shape != (n, n):
        raise ConfigError(f"graph: matrix has shape {m.shape} but voters.n is {n}, so it must be ({n}, {n})")
    coo = m.tocoo()
    nonzero = coo.data != 0  # stored zeros are not edges
    return coo.row[nonzero].astype(np.int64), coo.col[nonzero].astype(np.int64)


def _networkx_edges(g: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    if g.number_of_nodes() != n:
        raise ConfigError(f"graph: has {g.number_of_nodes()} nodes but voters.n is {n}")
    nodes = list(g.nodes)
    if set(nodes) == set(range(n)):
        number = {v: v for v in nodes}
    else:
        try:
            number = {v: i for i, v in enumerate(sorted(nodes))}
        except TypeError:
            raise ConfigError("graph: node labels must be 0..n-1 or sortable") from None
    pairs = [(number[u], number[v]) for u, v in g.edges()]
    if not g.is_directed():
        pairs += [(v, u) for u, v in pairs]
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


def as_index_array(x: Any, name: str) -> np.ndarray:
    """Node numbers as int64, each in 0..MAX_NODE; anything else is a ConfigError naming `name`."""
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError, OverflowError) as e:
        raise ConfigError(f"graph: {name} must be an array of node numbers ({e})") from None
    if arr.ndim != 1:
        raise ConfigError(f"graph: {name} must be a 1-D array, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ConfigError(f"graph: {name} must hold integers, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() > MAX_NODE):
        bad = arr.min() if arr.min() < 0 else arr.max()
        raise ConfigError(f"graph: {name} holds node {int(bad)}; node numbers must lie in 0..{MAX_NODE}")
    return arr.astype(np.int64)
