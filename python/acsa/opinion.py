"""The opinion-dynamics layer on its own, over any graph.

`friedkin_johnsen` runs the same update the voters' grievance follows inside the model,
x(t+1) = s * x0 + (1 - s) * W x(t), where W is the row-normalised adjacency, in the Rust
core on all cores with the GIL released. It is meant for comparing acsa with other tools
and for studying the opinion layer apart from the rest of the model.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import _core
from ._core import ConfigError
from .graph import as_index_array, is_sparse, to_csr

__all__ = ["friedkin_johnsen"]

# Node numbers are 32-bit in the kernel; the last one is kept free.
MAX_NODES = 2**32 - 1
# More steps than a 64-bit counter: far more than any run converges in.
MAX_STEPS = 2**63 - 1


def friedkin_johnsen(adjacency: Any, x0: Any, stubbornness: Any, steps: int) -> np.ndarray:
    """Final opinions after `steps` synchronous Friedkin-Johnsen updates.

    adjacency: a scipy.sparse matrix or array of shape (n, n); entry (i, j) is the weight
        node i gives node j (W is each row divided by its sum). A networkx graph or a pair
        of edge arrays (src, dst) is also accepted, with unit weights.
    x0: initial opinions (and anchors), an array of length n or one number for all.
    stubbornness: weight s on the anchor, an array of length n or one number, in [0, 1].
    steps: number of updates (an integer >= 0).

    A node with no neighbours (or only zero weights) keeps its value: (W x)_i = x_i.
    The result does not depend on the number of threads.
    """
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or not 0 <= steps <= MAX_STEPS:
        raise ConfigError(f"steps: must be an integer from 0 to {MAX_STEPS}, got {steps!r}")
    indptr, indices, weights, n = _csr(adjacency)
    x0 = _vector(x0, n, "x0")
    s = np.atleast_1d(_vector(stubbornness, None, "stubbornness"))
    if s.ndim != 1 or s.size not in (1, n):
        raise ConfigError(f"stubbornness: needs 1 or {n} values, got shape {s.shape}")
    return _core.friedkin_johnsen(indptr, indices, weights, x0, s, int(steps))


def _csr(adjacency: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, int]:
    if is_sparse(adjacency):
        m = adjacency.tocsr()
        if m.shape[0] != m.shape[1]:
            raise ConfigError(f"adjacency: must be square, got shape {m.shape}")
        if m.shape[0] > MAX_NODES:
            raise ConfigError(f"adjacency: has {m.shape[0]} nodes, more than the {MAX_NODES} the kernel numbers")
        m.sum_duplicates()
        try:
            data = np.asarray(m.data, dtype=np.float64)
        except (TypeError, ValueError):
            raise ConfigError(f"adjacency: weights must be numbers, got dtype {m.data.dtype}") from None
        if not np.isfinite(data).all() or (data < 0).any():
            raise ConfigError("adjacency: weights must be finite and non-negative")
        weights = None if np.all(data == 1.0) else np.ascontiguousarray(data)
        return (
            np.ascontiguousarray(m.indptr, dtype=np.uint64),
            np.ascontiguousarray(m.indices, dtype=np.uint32),
            weights,
            m.shape[0],
        )
    n = _node_count(adjacency)
    indptr, indices = to_csr(adjacency, n)
    return indptr, indices, None, n


def _node_count(adjacency: Any) -> int:
    if hasattr(adjacency, "number_of_nodes"):
        return int(adjacency.number_of_nodes())
    if isinstance(adjacency, (tuple, list)) and len(adjacency) == 2:
        src, dst = (as_index_array(a, name) for a, name in zip(adjacency, ("src", "dst")))
        return int(max(src.max(initial=-1), dst.max(initial=-1)) + 1)
    raise ConfigError(f"adjacency: expected a scipy.sparse matrix, got {type(adjacency).__name__}")


def _vector(x: Any, n: int | None, name: str) -> np.ndarray:
    """x as n float64 values (a single number is repeated; n None keeps the shape)."""
    try:
        v = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as e:
        raise ConfigError(f"{name}: must be numbers ({e})") from None
    if n is None:
        return np.ascontiguousarray(v)
    if v.ndim == 0:
        v = np.full(n, float(v))
    if v.shape != (n,):
        raise ConfigError(f"{name}: needs {n} values, got shape {v.shape}")
    return np.ascontiguousarray(v)
