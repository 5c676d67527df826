"""Weighted reciprocal rank fusion: rankings from different channels, one list.

RRF needs no score calibration between BM25 and cosine similarity, which differ in scale per
query; the weights say how much each channel is trusted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def rrf(
    rankings: Mapping[str, Sequence[int]],
    weights: Mapping[str, float],
    k: float = 60.0,
) -> list[tuple[int, float, dict[str, float]]]:
    """[(item, fused score, {channel: contribution})], best first; ties broken by item id."""
    fused: dict[int, float] = {}
    parts: dict[int, dict[str, float]] = {}
    for channel, ranked in rankings.items():
        w = weights.get(channel, 1.0)
        if w <= 0:
            continue
        for rank, item in enumerate(ranked):
            c = w / (k + rank + 1)
            fused[item] = fused.get(item, 0.0) + c
            parts.setdefault(item, {})[channel] = c
    order = sorted(fused, key=lambda i: (-fused[i], i))
    return [(i, fused[i], parts[i]) for i in order]
