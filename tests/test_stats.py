"""Wilson interval against values computed by hand; logistic deviance against scikit-learn."""

import numpy as np
import pytest

from acsa.stats import deviance_removed, wilson


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


def test_deviance_removed_matches_an_unpenalised_fit_and_finds_the_predictor_that_matters():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    n = 2000
    strong, idle = rng.uniform(0, 3, n), rng.uniform(0, 30, n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(2 * strong - 3)))).astype(float)
    removed = deviance_removed(y, {"strong": strong, "idle": idle})
    assert removed["strong"] > 500
    assert 0 <= removed["idle"] < 10

    def deviance(X):
        p = LogisticRegression(penalty=None, tol=1e-10, max_iter=10_000).fit(X, y).predict_proba(X)[:, 1]
        return -2 * np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))

    both = deviance(np.column_stack([strong, idle]))
    assert removed["strong"] == pytest.approx(deviance(idle[:, None]) - both, abs=1e-3)
    assert removed["idle"] == pytest.approx(deviance(strong[:, None]) - both, abs=1e-3)
