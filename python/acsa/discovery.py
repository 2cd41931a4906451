"""Scenario discovery: which ranges of the parameters make an ACSA viable?

    sw = acsa.sweep(sc, acsa.designs.latin_hypercube(bounds, 200), replicates=4)
    boxes = sw.prim()                  # PRIM (EMA Workbench): boxes of high P(viable)
    boxes.trajectory                   # coverage, density, mass, restricted dimensions per step
    boxes.limits()                     # the chosen box: each restricted parameter's range
    rules = sw.cart(max_depth=3)       # CART (scikit-learn): the leaves as readable rules

Each finished run is one case: its parameter values and whether it was
viable (or any 0/1 outcome, such as ``viable_by_260``). PRIM peels the
parameter space towards the region where the outcome is most often 1:
*coverage* is the share of all viable runs that fall inside the box,
*density* the share of runs inside the box that are viable, *mass* the
share of all runs inside it. Both methods work on any design, grids and
categorical parameters included. They need the `analysis` extra
(``pip install 'acsa[analysis]'``).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import outcomes
from ._core import ConfigError

if TYPE_CHECKING:
    from .sweep import Sweep

__all__ = ["prim", "cart", "PrimResult", "cases"]


def cases(sw: "Sweep", outcome: str = "viable") -> tuple[pd.DataFrame, np.ndarray]:
    """The cases of a sweep: one row per finished run of the parameters that vary, and the 0/1 outcome."""
    runs = outcomes.finished(sw.runs)
    y = outcomes.values(runs, outcome)
    if y.isna().any():
        raise ConfigError(
            f"outcome: {outcome} has no value for {int(y.isna().sum())} runs (horizons shorter than its week); "
            "choose a week within every run's horizon"
        )
    if not set(np.unique(y)) <= {0.0, 1.0}:
        raise ConfigError(f"outcome: scenario discovery needs a 0/1 outcome (viable, viable_by_K), not {outcome}")
    names = [n for n in sw.design.names if runs[n].map(_key).nunique() > 1]
    if not names:
        raise ConfigError("design: no parameter varies across the runs, so there is nothing to discover")
    x = pd.DataFrame(index=runs.index)
    for n in names:
        col = runs[n]
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            x[n] = pd.Categorical(col.map(lambda v: str(_key(v))))
        else:
            x[n] = col.astype(float)
    return x.reset_index(drop=True), y.to_numpy(dtype=float).astype(bool)


class PrimResult:
    """A PRIM box search: the peeling trajectory and the limits of each step's box."""

    def __init__(self, box: Any, x: pd.DataFrame, threshold: float, outcome: str):
        self._box = box
        self.x = x
        self.threshold = threshold
        self.outcome = outcome

    @property
    def trajectory(self) -> pd.DataFrame:
        """One row per peeling step: coverage, density, mass, n (runs in the box), res_dim."""
        t = self._box.peeling_trajectory
        return t[["id", "coverage", "density", "mass", "n", "k", "res_dim"]].rename(columns={"id": "step"}).copy()

    @property
    def step(self) -> int:
        """The chosen step: the last, unless `select` picked another."""
        return int(self._box._cur_box)

    def select(self, step: int) -> "PrimResult":
        """Choose another step of the trajectory (e.g. more coverage for less density)."""
        if not 0 <= step < len(self._box.peeling_trajectory):
            raise ConfigError(f"step: must be in 0..{len(self._box.peeling_trajectory) - 1}, got {step}")
        self._box.select(step)
        return self

    def limits(self, step: int | None = None, restricted_only: bool = True) -> pd.DataFrame:
        """Each parameter's range in the box of `step` (default: the chosen one).

        Only restricted parameters unless restricted_only=False: columns low, high (numbers)
        or values (categories kept), and restricted (bool).
        """
        step = self.step if step is None else step
        lims = self._box.box_lims[step]
        rows = []
        for name in self.x.columns:
            lo, hi = lims[name].iloc[0], lims[name].iloc[1]
            col = self.x[name]
            if isinstance(col.dtype, pd.CategoricalDtype):
                kept = sorted(lo)
                restricted = len(kept) < len(col.cat.categories)
                rows.append({"parameter": name, "low": np.nan, "high": np.nan, "values": kept, "restricted": restricted})
            else:
                restricted = bool(lo > col.min() or hi < col.max())
                rows.append({"parameter": name, "low": float(lo), "high": float(hi), "values": None, "restricted": restricted})
        frame = pd.DataFrame(rows)
        return frame[frame["restricted"]].reset_index(drop=True) if restricted_only else frame

    @property
    def coverage(self) -> float:
        return float(self._box.coverage)

    @property
    def density(self) -> float:
        return float(self._box.density)

    @property
    def mass(self) -> float:
        return float(self._box.mass)

    def __repr__(self) -> str:
        dims = ", ".join(
            f"{r.parameter} in {r['values']}" if r["values"] is not None else f"{r.parameter} in [{r.low:g}, {r.high:g}]"
            for _, r in self.limits().iterrows()
        )
        return (
            f"<acsa PRIM box for {self.outcome}, step {self.step}: coverage {self.coverage:.2f}, "
            f"density {self.density:.2f}, mass {self.mass:.2f}; {dims or 'no restriction'}>"
        )


def prim(
    sw: "Sweep", outcome: str = "viable",
    threshold: float = 0.8, peel_alpha: float = 0.05, mass_min: float = 0.05,
) -> PrimResult:
    """PRIM (EMA Workbench's) over the runs: peel towards the region where `outcome` is 1.

    threshold: the density the box should reach (the search stops peeling at mass_min).
    peel_alpha: share of the runs peeled off at each step.
    mass_min: the smallest share of runs a box may hold.
    """
    prim_module = _ema_prim()
    x, y = cases(sw, outcome)
    if not y.any():
        raise ConfigError(f"outcome: no run has {outcome} = 1, so there is no region to find")
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"threshold: must be in (0, 1], got {threshold!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = prim_module.Prim(x, y, threshold=threshold, peel_alpha=peel_alpha, mass_min=mass_min)
        box = search.find_box()
    return PrimResult(box, x, threshold, outcome)


def cart(
    sw: "Sweep", outcome: str = "viable",
    max_depth: int = 3, min_leaf: float = 0.05, seed: int = 0,
) -> pd.DataFrame:
    """A classification tree (scikit-learn's CART) of `outcome` on the parameters; one row per leaf.

    max_depth: the depth of the tree; min_leaf: the smallest share of runs in a leaf.
    Returns rule (the conditions, readable), n, viable (runs with outcome 1), density (their share
    in the leaf), coverage (share of all outcome-1 runs in the leaf), mass; sorted by density. The
    fitted tree is in ``attrs["tree"]`` and its feature names in ``attrs["features"]``.
    """
    try:
        from sklearn.tree import DecisionTreeClassifier
    except ImportError:
        raise ImportError("CART needs scikit-learn: pip install 'acsa[analysis]'") from None
    x, y = cases(sw, outcome)
    features = pd.get_dummies(x, prefix_sep="=", dtype=float)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_leaf, random_state=seed)
    tree.fit(features.to_numpy(), y)
    leaf = tree.apply(features.to_numpy())
    t = tree.tree_
    names = list(features.columns)
    rules: dict[int, list[str]] = {0: []}
    for node in range(t.node_count):
        left, right = t.children_left[node], t.children_right[node]
        if left == right:
            continue
        name, cut = names[t.feature[node]], t.threshold[node]
        if "=" in name and name.split("=", 1)[0] in x.columns and isinstance(x[name.split("=", 1)[0]].dtype, pd.CategoricalDtype):
            rules[left] = rules[node] + [f"{name.replace('=', ' != ', 1)}"]
            rules[right] = rules[node] + [f"{name.replace('=', ' == ', 1)}"]
        else:
            rules[left] = rules[node] + [f"{name} <= {cut:.4g}"]
            rules[right] = rules[node] + [f"{name} > {cut:.4g}"]
    total = max(int(y.sum()), 1)
    rows = []
    for node in np.unique(leaf):
        inside = leaf == node
        k = int(y[inside].sum())
        rows.append({
            "leaf": int(node),
            "rule": " and ".join(rules[node]) or "all runs",
            "n": int(inside.sum()),
            "viable": k,
            "density": k / inside.sum(),
            "coverage": k / total,
            "mass": inside.mean(),
        })
    frame = pd.DataFrame(rows).sort_values(["density", "n"], ascending=[False, False]).reset_index(drop=True)
    frame.attrs["tree"] = tree
    frame.attrs["features"] = names
    return frame


def _ema_prim() -> Any:
    try:
        with warnings.catch_warnings():
            # EMA Workbench warns about optional parallel back-ends it does not need here.
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim as prim_module
    except ImportError:
        raise ImportError("PRIM needs EMA Workbench: pip install 'acsa[analysis]'") from None
    return prim_module


def _key(v: Any) -> Any:
    """A hashable, readable key for a parameter value (lists become their text)."""
    if isinstance(v, (list, dict)):
        import json

        return json.dumps(v, sort_keys=True)
    return v
