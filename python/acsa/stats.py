"""Small statistics helpers for summarising replicate runs."""

from __future__ import annotations

import numpy as np

__all__ = ["wilson"]

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
