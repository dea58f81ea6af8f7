"""Small, pure statistics for released aggregates: means, the t-based 95% confidence
interval and combining released units. No scipy: the t quantiles are tabulated."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Two-sided 95% Student t quantiles (t_{0.975, df}) for df 1-30, then selected df.
# Between tabulated values the next lower df is used, which errs on the wide side.
_T975 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    11: 2.201,
    12: 2.179,
    13: 2.160,
    14: 2.145,
    15: 2.131,
    16: 2.120,
    17: 2.110,
    18: 2.101,
    19: 2.093,
    20: 2.086,
    21: 2.080,
    22: 2.074,
    23: 2.069,
    24: 2.064,
    25: 2.060,
    26: 2.056,
    27: 2.052,
    28: 2.048,
    29: 2.045,
    30: 2.042,
    40: 2.021,
    50: 2.009,
    60: 2.000,
    80: 1.990,
    100: 1.984,
    120: 1.980,
    1000: 1.962,
}
_Z975 = 1.960


def t_quantile_975(df: int) -> float:
    if df < 1:
        raise ValueError("a confidence interval needs at least two values")
    if df > 1000:
        return _Z975
    return _T975[max(key for key in _T975 if key <= df)]


@dataclass(frozen=True)
class MeanCI:
    n: int
    mean: float
    low: float | None
    high: float | None


def mean_ci(*, n: int, total: float, total_sq: float, lo: float, hi: float) -> MeanCI:
    """Mean and 95% CI from n, the sum and the sum of squares; the interval is
    clipped to the scale [lo, hi] (a WHO-5 mean cannot pass 0 or 100)."""
    mean = total / n
    if n < 2:
        return MeanCI(n=n, mean=mean, low=None, high=None)
    variance = max(0.0, (total_sq - n * mean * mean) / (n - 1))
    half = t_quantile_975(n - 1) * math.sqrt(variance / n)
    return MeanCI(n=n, mean=mean, low=max(lo, mean - half), high=min(hi, mean + half))
