"""Small statistics the report and the drift check share: a share's confidence interval and
the test of whether two shares differ."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np


def normal_sf(z: float) -> float:
    """P(Z >= z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def two_proportion_test(k1: int, n1: int, k2: int, n2: int, alternative: str = "two-sided") -> float:
    """p-value of the pooled two-proportion z-test of k1/n1 against k2/n2.

    `alternative`: 'two-sided', or 'greater' (first share larger than the second).
    """
    if n1 == 0 or n2 == 0:
        return 1.0
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    diff = k1 / n1 - k2 / n2
    if se == 0:
        return 1.0 if diff == 0 else 0.0
    z = diff / se
    if alternative == "greater":
        return normal_sf(z)
    return min(1.0, 2 * normal_sf(abs(z)))


def wilson_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials; (nan, nan) when n is 0."""
    if n <= 0:
        return float("nan"), float("nan")
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson_lower_bound(k, n, level: float = 0.95):
    """One-sided Wilson lower bound of k successes in n trials at `level` (vectorised):
    with 95 %, the share is at least this with 95 % confidence. 0 where n is 0."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = NormalDist().inv_cdf(level)
    safe = np.where(n > 0, n, 1.0)
    p = k / safe
    centre = p + z * z / (2 * safe)
    half = z * np.sqrt(p * (1 - p) / safe + z * z / (4 * safe * safe))
    return np.where(n > 0, (centre - half) / (1 + z * z / safe), 0.0)


def kish_effective_n(weights) -> float:
    """Kish's effective sample size (sum w)^2 / sum w^2: n when all weights are equal, less
    when a few units weigh much (an answer repeated by many respondents)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w * w).sum()) if w.size and (w * w).sum() > 0 else 0.0


def weighted_wilson_interval(shares, weights, level: float = 0.95) -> tuple[float, float]:
    """Wilson interval of the weighted share sum(w * y) / sum(w) at Kish's effective sample
    size; with equal weights and 0/1 shares, exactly `wilson_interval(k, n)`."""
    w = np.asarray(weights, dtype=float)
    y = np.asarray(shares, dtype=float)
    if not w.size or w.sum() <= 0:
        return float("nan"), float("nan")
    n = kish_effective_n(w)
    return wilson_interval(float((w * y).sum() / w.sum()) * n, n, level)
