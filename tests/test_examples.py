"""Every example spec, at a size that runs in CI, gives a result that is not empty."""

import warnings
from pathlib import Path

import pytest

import acsa
from acsa.cli import spec_sweep_args

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))


@pytest.mark.parametrize("spec", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_can_reach_a_viable_acsa(spec):
    kw = spec_sweep_args(spec)
    sc = kw["scenario"]
    # Smaller by voters and points, never by the horizon: viability takes years to come.
    assert sc["horizon_weeks"] >= 520
    points = kw["design"].to_frame().drop(columns="point").head(12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # an all-zero result or a short horizon fails here
        sw = acsa.sweep(sc.replace({"voters.n": 1000}), acsa.designs.table(points, replicates=3), seed=kw["seed"],
                        progress=False)
    assert sw.runs["viable"].any()
