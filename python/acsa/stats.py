"""Small statistics helpers for summarising replicate runs."""

from __future__ import annotations

import numpy as np

__all__ = ["deviance_removed", "wilson"]

Z95 = 1.959963984540054


def wilson(successes, n, z: float = Z95):
    """Wilson score interval for a binomial proportion.

    Works on scalars or arrays. Unlike the normal approximation it stays
    inside [0, 1] and behaves well at 0 or n successes, which is common
    when an ACSA is rarely (or almost always) viable. Returns (lo, hi);
    NaN where n == 0.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1.0 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        # At 0 or n successes the bound is exactly 0 or 1; avoid rounding dust.
        lo = np.where(k == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        hi = np.where(k == n, 1.0, np.clip(centre + half, 0.0, 1.0))
        lo = np.where(n > 0, lo, np.nan)
        hi = np.where(n > 0, hi, np.nan)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def _logistic_deviance(X: np.ndarray, y: np.ndarray, iterations: int = 100) -> float:
    """Deviance (-2 log-likelihood) of the maximum-likelihood logistic fit of y on X."""
    X = np.column_stack([np.ones(len(y)), X])
    beta = np.zeros(X.shape[1])
    for _ in range(iterations):  # Newton's method (iteratively reweighted least squares)
        p = 1.0 / (1.0 + np.exp(-(X @ beta)))
        w = np.clip(p * (1 - p), 1e-12, None)
        step = np.linalg.lstsq(X.T @ (X * w[:, None]), X.T @ (y - p), rcond=None)[0]
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    p = np.clip(1.0 / (1.0 + np.exp(-(X @ beta))), 1e-15, 1 - 1e-15)
    return float(-2 * np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))


def deviance_removed(outcome, predictors) -> dict[str, float]:
    """What each predictor adds to a logistic regression of a 0/1 outcome on all of them:
    the deviance of the fit without it minus the deviance of the full fit (a likelihood
    ratio statistic, chi-squared with one degree of freedom if it does nothing).

    ``predictors`` maps names to columns of the same length as ``outcome``.
    """
    y = np.asarray(outcome, dtype=float)
    columns = {name: np.asarray(x, dtype=float) for name, x in predictors.items()}
    full = _logistic_deviance(np.column_stack(list(columns.values())), y)
    removed = {}
    for name in columns:
        rest = [x for other, x in columns.items() if other != name]
        reduced = _logistic_deviance(np.column_stack(rest) if rest else np.empty((len(y), 0)), y)
        removed[name] = reduced - full
    return removed
