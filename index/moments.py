"""Count, sum and sum of squares of a score distribution: statistics that add up across shards.

Fusion standardizes each channel's scores by their mean and standard deviation over every allowed
passage. Kept as moments (in float64), the statistics of a corpus split into shards are the sum
of the shards' own, so a sharded index standardizes exactly as the same passages in one index
(up to the order of float64 additions, a relative 1e-16).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Moments:
    n: int = 0
    total: float = 0.0
    squares: float = 0.0

    @classmethod
    def of(cls, values: np.ndarray) -> Moments:
        v = np.asarray(values, dtype=np.float64)
        return cls(int(v.size), float(v.sum()), float(np.dot(v, v)))

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, self.total + other.total, self.squares + other.squares)

    @classmethod
    def merge(cls, parts: Iterable[Moments]) -> Moments:
        out = cls()
        for p in parts:
            out = out + p
        return out

    def mean_std(self) -> tuple[float, float]:
        """(mean, population standard deviation); (0, 0) for no values."""
        if self.n == 0:
            return 0.0, 0.0
        mean = self.total / self.n
        return mean, math.sqrt(max(self.squares / self.n - mean * mean, 0.0))
