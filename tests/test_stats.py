"""Wilson interval against values computed by hand."""

import numpy as np
import pytest

from acsa.stats import wilson


def test_wilson_known_values():
    lo, hi = wilson(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4)
    assert hi == pytest.approx(0.7634, abs=1e-4)


def test_wilson_edges_stay_in_unit_interval():
    lo, hi = wilson(0, 20)
    assert lo == 0.0 and 0.1 < hi < 0.2
    lo, hi = wilson(20, 20)
    assert hi == 1.0 and 0.8 < lo < 0.9


def test_wilson_vectorised_and_empty():
    lo, hi = wilson(np.array([0, 3]), np.array([0, 10]))
    assert np.isnan(lo[0]) and np.isnan(hi[0])
    assert lo[1] < 0.3 < hi[1]
