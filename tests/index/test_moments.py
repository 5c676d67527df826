"""Score moments: the statistics of parts add up to the statistics of the whole."""

from __future__ import annotations

import numpy as np

from index.moments import Moments


def test_mean_and_std_are_numpys() -> None:
    v = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    mean, std = Moments.of(v).mean_std()
    assert abs(mean - float(v.astype(np.float64).mean())) < 1e-12
    assert abs(std - float(v.astype(np.float64).std())) < 1e-12


def test_parts_add_up_to_the_whole() -> None:
    v = np.random.default_rng(1).exponential(size=5000).astype(np.float32)
    whole = Moments.of(v)
    parts = Moments.merge(Moments.of(p) for p in np.array_split(v, 7))
    assert parts.n == whole.n
    for a, b in zip(parts.mean_std(), whole.mean_std(), strict=True):
        assert abs(a - b) <= 1e-12 * max(1.0, abs(b))


def test_no_values() -> None:
    assert Moments().mean_std() == (0.0, 0.0)
    assert Moments.of(np.zeros(0)).n == 0
    assert (Moments.of(np.ones(3)) + Moments()).mean_std() == (1.0, 0.0)
