"""The recency prior: a question about the latest news («آخر», «أحدث», "latest", "most recent")
prefers recent articles.

After fusion, each candidate gains `weight x spread x 0.5 ** (age / half_life)`, where `age` is
its article's distance in days from the newest candidate's publication day (not from today: an
archive from 2015 still has a "latest"), and `spread` the standard deviation of the candidates'
fused scores, so the prior means the same under z-score sum and reciprocal rank fusion. An
article without a date gains nothing. `SANAD_RECENCY_WEIGHT` (default 1.0; 0 turns it off) and
`SANAD_RECENCY_HALF_LIFE_DAYS` (default 7) set it. Other questions are ranked as they were.
"""

from __future__ import annotations

import re

import numpy as np

from index.filters import doc_table
from index.normalize import normalize
from index.store import IndexData

_WORD = re.compile(r"\w+")
# Always about recency (folded by `normalize`): أحدث/الأحدث, مؤخرا, latest, newest, recently, lately.
_ALWAYS = frozenset(normalize(w) for w in "أحدث الأحدث وأحدث مؤخرا مؤخراً latest newest recently lately".split())
# «آخر» is "latest" before what it qualifies (آخر التطورات, آخر أخبار) or right after the question
# word (ما آخر ...), "another" after a noun (مسؤول آخر).
_LAST = frozenset(normalize(w) for w in ("آخر", "وآخر"))
_NEWS_NOUNS = frozenset(normalize(w) for w in "أخبار تطورات مستجدات تصريحات أنباء خبر نتائج نتيجة".split())
_ASKING = frozenset(normalize(w) for w in "ما ماذا هي ماهي".split())

Fused = list[tuple[int, float, dict[str, float]]]


def asks_for_latest(question: str) -> bool:
    """Does the question ask for the latest/most recent news?"""
    words = _WORD.findall(normalize(question))
    if any(w in _ALWAYS for w in words) or re.search(r"\bmost\s+recent(ly)?\b", question, re.IGNORECASE):
        return True
    for i, w in enumerate(words):
        if w not in _LAST:
            continue
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if nxt.startswith("ال") or nxt in _NEWS_NOUNS or (i and words[i - 1] in _ASKING):
            return True
    return False


def add_recency(fused: Fused, data: IndexData, weight: float, half_life_days: float) -> Fused:
    """`fused` re-ranked with the recency prior (see the module docstring); parts gain "recency"."""
    if not fused or weight <= 0 or half_life_days <= 0:
        return fused
    table = doc_table(data)
    rows = np.fromiter((r for r, _, _ in fused), dtype=np.int64, count=len(fused))
    days = table.day[data.doc_of[rows]]
    if not (days > 0).any():
        return fused
    scores = np.fromiter((s for _, s, _ in fused), dtype=np.float64, count=len(fused))
    spread = float(scores.std()) or 1.0
    age = days[days > 0].max() - days
    bonus = np.where(days > 0, weight * spread * 0.5 ** (age / half_life_days), 0.0)
    out = [(r, s + float(b), {**parts, "recency": float(b)}) for (r, s, parts), b in zip(fused, bonus, strict=True)]
    return sorted(out, key=lambda x: (-x[1], x[0]))
