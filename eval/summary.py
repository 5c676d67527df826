"""From report records to scores: one `scores` dict per record, then figures per language and overall.

Everything here reads only the records, so an old report can be re-scored after a metric changes.
Each figure is a ratio of per-record sums (`_COLUMNS`), so the point estimate and its bootstrap
interval come from one formula (`_figures`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from eval import metrics
from eval.citations import cites_evidence
from eval.textnorm import strip_citation_marks

Record = dict[str, Any]

# Figures where higher is better: the ones `--fail-under` accepts and that get intervals.
HEADLINE = (
    "recall@1",
    "recall@5",
    "mrr@10",
    "em",
    "f1",
    "contains",
    "abstention_precision",
    "abstention_recall",
    "abstention_f1",
    "evidence_cited",
)
FIGURES = (*HEADLINE, "wrong_abstention_rate")
_COLUMNS = (
    "answer_scored", "em", "f1", "contains",
    "ranked", "r1", "r5", "rr10",
    "cite_scored", "cited",
    "abstained_unanswerable", "abstained_answerable", "unanswerable", "answerable",
)  # fmt: skip


def prediction(record: Record) -> str:
    """The string the answer metrics compare: nothing when Sanad abstained, else the short answer
    when one was extracted, else the shown answer without its [n] markers."""
    if record.get("abstained") or record.get("error"):
        return ""
    return record.get("short_answer") or strip_citation_marks(record.get("answer") or "")


def score_record(record: Record) -> dict[str, Any]:
    """Per-question scores; None where a metric does not apply (e.g. EM on an unanswerable question)."""
    evidence, doc_id = record.get("evidence"), record.get("doc_id")
    scores: dict[str, Any] = {"em": None, "f1": None, "contains": None, "rank": None, "evidence_cited": None}
    if record.get("answerable", True):
        pred, golds = prediction(record), record.get("answers") or []
        scores["em"] = metrics.exact_match(pred, golds)
        scores["f1"] = round(metrics.token_f1(pred, golds), 4)
        scores["contains"] = metrics.contains(pred, golds)
        if evidence or doc_id:
            scores["rank"] = metrics.first_relevant_rank(record.get("retrieved") or [], evidence, doc_id)
            if not record.get("abstained") and not record.get("error"):
                scores["evidence_cited"] = float(cites_evidence(record.get("citations") or [], evidence, doc_id))
    return scores


def _row(record: Record) -> list[float]:
    s = record["scores"]
    answerable = bool(record.get("answerable", True))
    abstained = bool(record.get("abstained"))
    ranked = answerable and bool(record.get("evidence") or record.get("doc_id"))
    rank = s.get("rank")
    return [
        float(s.get("em") is not None), s.get("em") or 0.0, s.get("f1") or 0.0, s.get("contains") or 0.0,
        float(ranked), metrics.recall_at(rank, 1), metrics.recall_at(rank, 5), metrics.reciprocal_rank(rank, 10),
        float(s.get("evidence_cited") is not None), s.get("evidence_cited") or 0.0,
        float(abstained and not answerable), float(abstained and answerable), float(not answerable), float(answerable),
    ]  # fmt: skip


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _figures(sums: np.ndarray) -> dict[str, np.ndarray]:
    """Every figure from column sums; `sums` is (columns,) or (resamples, columns); NaN = undefined."""
    c = {name: sums[..., i] for i, name in enumerate(_COLUMNS)}
    precision = _ratio(c["abstained_unanswerable"], c["abstained_unanswerable"] + c["abstained_answerable"])
    precision = np.where(c["unanswerable"] > 0, precision, np.nan)  # no unanswerable question: not measured
    recall = _ratio(c["abstained_unanswerable"], c["unanswerable"])
    p0 = np.nan_to_num(precision)  # no abstention at all: precision counts as 0 inside F1
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(p0 + recall > 0, 2 * p0 * recall / (p0 + recall), 0.0)
    f1 = np.where(np.isnan(recall), np.nan, f1)
    return {
        "recall@1": _ratio(c["r1"], c["ranked"]),
        "recall@5": _ratio(c["r5"], c["ranked"]),
        "mrr@10": _ratio(c["rr10"], c["ranked"]),
        "em": _ratio(c["em"], c["answer_scored"]),
        "f1": _ratio(c["f1"], c["answer_scored"]),
        "contains": _ratio(c["contains"], c["answer_scored"]),
        "abstention_precision": precision,
        "abstention_recall": recall,
        "abstention_f1": f1,
        "wrong_abstention_rate": _ratio(c["abstained_answerable"], c["answerable"]),
        "evidence_cited": _ratio(c["cited"], c["cite_scored"]),
    }


def _plain(value: Any, digits: int = 4) -> float | None:
    value = float(value)
    return None if np.isnan(value) else round(value, digits)


def summarize_group(records: Sequence[Record], *, bootstrap: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Counts, every figure, latency percentiles and 95% bootstrap intervals for one group."""
    table = np.array([_row(r) for r in records], dtype=np.float64).reshape(len(records), len(_COLUMNS))
    sums = table.sum(axis=0)
    c = dict(zip(_COLUMNS, sums.tolist(), strict=True))
    latencies = [r["latency_ms"] for r in records if r.get("latency_ms") is not None]
    out: dict[str, Any] = {
        "questions": len(records),
        "answerable": int(c["answerable"]),
        "unanswerable": int(c["unanswerable"]),
        "with_gold_source": int(c["ranked"]),
        "abstained": int(c["abstained_answerable"] + c["abstained_unanswerable"]),
        "wrong_abstentions": int(c["abstained_answerable"]),
        "errors": sum(1 for r in records if r.get("error")),
    }
    out.update({name: _plain(value) for name, value in _figures(sums).items()})
    for q in (50, 95):
        value = metrics.percentile(latencies, q)
        out[f"latency_p{q}_ms"] = None if value is None else round(value, 1)
    ci: dict[str, list[float] | None] = {}
    if bootstrap > 0 and records:
        resampled = _figures(metrics.bootstrap_counts(len(records), samples=bootstrap, seed=seed) @ table)
        for name in HEADLINE:
            found = metrics.interval(resampled[name]) if out[name] is not None else None
            ci[name] = None if found is None else [round(found[0], 4), round(found[1], 4)]
    out["ci95"] = ci
    return out


def summarize(records: Sequence[Record], *, bootstrap: int = 1000, seed: int = 0) -> dict[str, dict[str, Any]]:
    """{"ar": {...}, "en": {...}, "all": {...}}: each language that has questions, then overall."""
    groups: dict[str, dict[str, Any]] = {}
    for lang in ("ar", "en"):
        subset = [r for r in records if r.get("lang") == lang]
        if subset:
            groups[lang] = summarize_group(subset, bootstrap=bootstrap, seed=seed)
    groups["all"] = summarize_group(records, bootstrap=bootstrap, seed=seed)
    return groups
