"""Hybrid retrieval: lexical, translated and dense channels fused by z-score sum (or RRF).

`retrieve` is the plain function; `SanadRetriever` is the same thing as a langchain-core
`BaseRetriever`, so the answer chain (and anyone composing their own) can use it as a Runnable.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.answer import Hit
from assistant.fusion import ChannelScores, default_weights, parse_weights, rrf, zsum
from assistant.neighbours import MERGE_DEPTH, join_neighbours
from assistant.query import QueryPlan, plan_query
from assistant.question import question_language
from assistant.snapshot import Snapshot
from index.builder import GRAMS_FIELD, TEXT_FIELD
from index.lexical import top_k


def _scored_channel(scores: np.ndarray, n: int) -> ChannelScores:
    ids, _ = top_k(scores, n)
    return ChannelScores(ids, lambda rows, s=scores: s[rows], float(scores.mean()), float(scores.std()))


def _lexical_channel(snap: Snapshot, terms: dict[str, float], n: int, field: str = TEXT_FIELD) -> ChannelScores:
    return _scored_channel(snap.index.lexical[field].scores(terms), n)


def _translated_channel(snap: Snapshot, plan: QueryPlan, n: int) -> ChannelScores:
    """English words' synonym sets, each counting once per passage (its best sense)."""
    if not plan.translated_groups:
        return _lexical_channel(snap, plan.translated, n)
    return _scored_channel(snap.index.lexical[TEXT_FIELD].scores_grouped(plan.translated_groups), n)


def _dense_channel(snap: Snapshot, text: str, n: int) -> ChannelScores:
    dense = snap.index.dense
    qv = snap.embedder.embed_query(text)
    ids, _ = dense.search(qv, n)
    mean, std = dense.score_stats(qv)
    return ChannelScores(ids, lambda rows: dense.vectors[rows] @ qv, mean, std)


def channel_scores(plan: QueryPlan, snap: Snapshot) -> dict[str, ChannelScores]:
    """Each channel's candidates (`candidates` deep) and exact scores."""
    n = snap.settings.candidates
    out: dict[str, ChannelScores] = {}
    if plan.terms:
        out["lexical"] = _lexical_channel(snap, plan.terms, n)
    if plan.grams and GRAMS_FIELD in snap.index.lexical:
        out["grams"] = _lexical_channel(snap, plan.grams, n, GRAMS_FIELD)
    if plan.translated:
        out["translated"] = _translated_channel(snap, plan, n)
    if plan.dense_text and snap.index.n_passages:
        out["dense"] = _dense_channel(snap, plan.dense_text, n)
    return out


def channel_weights(snap: Snapshot, lang: str) -> dict[str, float]:
    s = snap.settings
    spec = s.weights_ar if lang == "ar" else s.weights_en
    return parse_weights(spec or default_weights(snap.embedder.name, lang))


def retrieve_plan(plan: QueryPlan, snap: Snapshot, top_k: int) -> list[Hit]:
    channels = channel_scores(plan, snap)
    weights = channel_weights(snap, plan.lang)
    if snap.settings.fusion == "rrf":
        fused = rrf({c: ch.candidates.tolist() for c, ch in channels.items()}, weights, snap.settings.rrf_k)
    else:
        fused = zsum(channels, weights)
        if not fused:  # every weighted channel flat (e.g. a one-passage index): ranks still order it
            fused = rrf({c: ch.candidates.tolist() for c, ch in channels.items()}, weights, snap.settings.rrf_k)
    hits = []
    for row, score, parts in fused[: top_k + MERGE_DEPTH]:
        p = snap.index.passage(row)
        hits.append(Hit(row, p.doc_id, p.start, p.end, score, p.text, parts))
    return join_neighbours(hits)[:top_k]


def retrieve(question: str, snap: Snapshot, top_k: int, lang: str | None = None) -> list[Hit]:
    lang = lang or question_language(question)
    return retrieve_plan(plan_query(question, lang, snap), snap, top_k)


def hit_to_document(h: Hit) -> Document:
    return Document(
        page_content=h.text,
        metadata={
            "passage_id": h.passage_id,
            "doc_id": h.doc_id,
            "start": h.start,
            "end": h.end,
            "score": h.score,
            "channels": dict(h.channels),
        },
    )


def document_to_hit(d: Document) -> Hit:
    m = d.metadata
    return Hit(m["passage_id"], m["doc_id"], m["start"], m["end"], m["score"], d.page_content, m.get("channels", {}))


class SanadRetriever(BaseRetriever):
    """Fused hybrid retrieval over the current index snapshot."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    snapshot: Callable[[], Snapshot]
    top_k: int = 5

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        plan: QueryPlan | None = None,
        snapshot: Snapshot | None = None,
        top_k: int | None = None,
    ) -> list[Document]:
        """`plan`/`snapshot` let the chain pass what it already computed, so one answer sees one index."""
        snap = snapshot or self.snapshot()
        k = top_k or self.top_k
        hits = retrieve_plan(plan, snap, k) if plan is not None else retrieve(query, snap, k)
        return [hit_to_document(h) for h in hits]
