"""Fusing channel rankings into one list: z-score sum (default) or weighted reciprocal rank fusion.

Z-scores keep how far a passage stands out in each channel (a name match that towers over the
rest counts for more than rank 1 of a flat list), while putting BM25 and cosine similarity on one
scale per query. RRF needs only ranks and is kept as the robust alternative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class ChannelScores:
    """One channel's candidates, its exact scores for any passage, and its score distribution."""

    candidates: np.ndarray  # passage rows, best first
    score_of: object  # callable: np.ndarray of rows -> np.ndarray of scores
    mean: float
    std: float
    moments: object = None  # index.moments.Moments the mean and std come from (None: not summable)


def rrf(
    rankings: Mapping[str, Sequence[int]],
    weights: Mapping[str, float],
    k: float = 60.0,
) -> list[tuple[int, float, dict[str, float]]]:
    """[(item, fused score, {channel: contribution})], best first; ties broken by item id."""
    fused: dict[int, float] = {}
    parts: dict[int, dict[str, float]] = {}
    for channel, ranked in rankings.items():
        w = weights.get(channel, 0.0)
        if w <= 0:
            continue
        for rank, item in enumerate(ranked):
            c = w / (k + rank + 1)
            fused[item] = fused.get(item, 0.0) + c
            parts.setdefault(item, {})[channel] = c
    order = sorted(fused, key=lambda i: (-fused[i], i))
    return [(i, fused[i], parts[i]) for i in order]


def zsum(channels: Mapping[str, ChannelScores], weights: Mapping[str, float]) -> list[tuple[int, float, dict[str, float]]]:
    """Weighted sum of per-channel z-scores over the union of all channels' candidates."""
    live = {c: ch for c, ch in channels.items() if weights.get(c, 0.0) > 0 and ch.std > 1e-9 and len(ch.candidates)}
    if not live:
        return []
    union = np.unique(np.concatenate([ch.candidates for ch in live.values()]))
    total = np.zeros(len(union), dtype=np.float64)
    parts: dict[str, np.ndarray] = {}
    for c, ch in live.items():
        z = (np.asarray(ch.score_of(union), dtype=np.float64) - ch.mean) / ch.std
        parts[c] = weights[c] * z
        total += parts[c]
    order = np.lexsort((union, -total))
    return [(int(union[i]), float(total[i]), {c: float(p[i]) for c, p in parts.items()}) for i in order]


# Per embedder and question language, chosen by scripts/tune_fusion.py on the fit splits only (XQuAD dev
# H1, TyDi T1); a model not listed gets MiniLM's. MiniLM's were chosen by earlier sessions on H1.
MODEL_WEIGHTS = {
    "sentence-transformers/all-MiniLM-L6-v2": {
        "ar": "lexical=1,grams=1.5,dense=0.25",
        "en": "lexical=0.3,translated=1.2,dense=1.5,grams=0.35",
    },
    "intfloat/multilingual-e5-small": {
        "ar": "lexical=0.15,grams=0.3,dense=1.5",
        "en": "grams=0.3,translated=0.15,dense=1.5",
    },
}


def default_weights(model: str, lang: str) -> str:
    """The fusion weights chosen for this embedder and question language."""
    table = MODEL_WEIGHTS.get(model, MODEL_WEIGHTS["sentence-transformers/all-MiniLM-L6-v2"])
    return table["ar" if lang == "ar" else "en"]


def parse_weights(spec: str) -> dict[str, float]:
    """'lexical=1,dense=0.5' -> {'lexical': 1.0, 'dense': 0.5}."""
    out: dict[str, float] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            msg = f"fusion weight {part.strip()!r} is not name=number"
            raise ValueError(msg) from None
    return out
