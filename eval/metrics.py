"""Scoring functions: answers, retrieval ranks, abstention, latency and bootstrap intervals.

Every function is pure and works on plain values, so a report can be re-scored without running
Sanad again, and each metric can be checked against hand-computed numbers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from eval.textnorm import answer_tokens, normalize_evidence


def _gold_token_lists(golds: Sequence[str]) -> list[list[str]]:
    return [toks for toks in (answer_tokens(g) for g in golds) if toks]


def exact_match(prediction: str, golds: Sequence[str]) -> float:
    """1.0 when the normalized prediction equals some normalized gold answer."""
    pred = answer_tokens(prediction)
    return float(any(pred == gold for gold in _gold_token_lists(golds)))


def _f1(pred: list[str], gold: list[str]) -> float:
    common = Counter(pred) & Counter(gold)
    overlap = sum(common.values())
    if overlap == 0:
        return 0.0
    precision = overlap / len(pred)
    recall = overlap / len(gold)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str, golds: Sequence[str]) -> float:
    """SQuAD/MLQA token F1 against the best-matching gold answer."""
    pred = answer_tokens(prediction)
    return max((_f1(pred, gold) for gold in _gold_token_lists(golds)), default=0.0)


def _contains_seq(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def contains(prediction: str, golds: Sequence[str]) -> float:
    """1.0 when some gold answer occurs, word for word after normalization, inside the prediction."""
    pred = answer_tokens(prediction)
    return float(any(_contains_seq(pred, gold) for gold in _gold_token_lists(golds)))


# --- retrieval ---------------------------------------------------------------------------------


def passage_relevant(text: str, passage_doc_id: str, evidence: str | None, doc_id: str | None) -> bool:
    """Does this passage support the question? It must contain the evidence as a substring (after
    folding; Arabic clitics mean evidence may start inside a word), and come from the gold document
    when one is named; with no evidence, the document alone decides."""
    if doc_id is not None and passage_doc_id != doc_id:
        return False
    if evidence:
        needle = normalize_evidence(evidence)
        return bool(needle) and needle in normalize_evidence(text)
    return doc_id is not None


def first_relevant_rank(
    retrieved: Sequence[dict[str, Any]], evidence: str | None, doc_id: str | None
) -> int | None:
    """1-based rank of the first relevant passage, or None when none of them is."""
    for rank, hit in enumerate(retrieved, start=1):
        if passage_relevant(hit.get("text", ""), hit.get("doc_id", ""), evidence, doc_id):
            return rank
    return None


def recall_at(rank: int | None, k: int) -> float:
    return float(rank is not None and rank <= k)


def reciprocal_rank(rank: int | None, k: int = 10) -> float:
    return 1.0 / rank if rank is not None and rank <= k else 0.0


# --- abstention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AbstentionScores:
    """Abstaining is the positive class: it is right on unanswerable questions, wrong elsewhere."""

    abstained_unanswerable: int  # true positives
    abstained_answerable: int  # false positives (wrong abstentions)
    answered_unanswerable: int  # false negatives
    answerable: int
    unanswerable: int

    @property
    def precision(self) -> float | None:
        abstained = self.abstained_unanswerable + self.abstained_answerable
        return self.abstained_unanswerable / abstained if abstained else None

    @property
    def recall(self) -> float | None:
        return self.abstained_unanswerable / self.unanswerable if self.unanswerable else None

    @property
    def f1(self) -> float | None:
        if self.recall is None:
            return None
        p, r = self.precision or 0.0, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def wrong_abstention_rate(self) -> float | None:
        return self.abstained_answerable / self.answerable if self.answerable else None


def abstention_scores(abstained: Sequence[bool], answerable: Sequence[bool]) -> AbstentionScores:
    """Count abstentions against answerability, question by question."""
    if len(abstained) != len(answerable):
        msg = f"abstained ({len(abstained)}) and answerable ({len(answerable)}) differ in length"
        raise ValueError(msg)
    pairs = list(zip(abstained, answerable, strict=True))
    return AbstentionScores(
        abstained_unanswerable=sum(1 for a, ok in pairs if a and not ok),
        abstained_answerable=sum(1 for a, ok in pairs if a and ok),
        answered_unanswerable=sum(1 for a, ok in pairs if not a and not ok),
        answerable=sum(1 for _, ok in pairs if ok),
        unanswerable=sum(1 for _, ok in pairs if not ok),
    )


# --- latency and intervals ---------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation, as numpy's default does."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def bootstrap_counts(n: int, *, samples: int = 1000, seed: int = 0) -> np.ndarray:
    """How often each of `n` items is drawn in each bootstrap resample (shape samples x n).

    Every metric here is a ratio of per-item sums, so `counts @ column` gives the resampled sums
    of all metrics at once; seeded, so the same report always gets the same interval.
    """
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(samples, n))
    counts = np.zeros((samples, n), dtype=np.float64)
    np.add.at(counts, (np.repeat(np.arange(samples), n), draws.ravel()), 1.0)
    return counts


def interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float] | None:
    """Percentile interval of resampled statistics; undefined (NaN) resamples are dropped."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return None
    tail = (1.0 - level) / 2 * 100
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)
