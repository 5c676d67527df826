"""Hybrid retrieval: lexical, translated and dense channels fused by z-score sum (or RRF).

`retrieve` is the plain function; `SanadRetriever` is the same thing as a langchain-core
`BaseRetriever`, so the answer chain (and anyone composing their own) can use it as a Runnable.
A `SearchFilter` (dates, outlets) is applied inside every channel before its top k is taken, and
each near-duplicate group takes part once (`index.filters`); a question asking for the latest news
adds the recency prior (`assistant.recency`). Every hit carries its article's metadata and the
other outlets that published it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.answer import Answer, ArticleMeta, Hit
from assistant.fusion import ChannelScores, default_weights, parse_weights, rrf, zsum
from assistant.neighbours import MERGE_DEPTH, join_neighbours
from assistant.query import QueryPlan, plan_query
from assistant.question import question_language
from assistant.recency import add_recency, asks_for_latest
from assistant.snapshot import Snapshot
from index.builder import GRAMS_FIELD, TEXT_FIELD
from index.filters import SearchFilter, doc_table, passage_mask
from index.lexical import top_k
from index.moments import Moments

Mask = np.ndarray | None


def _scored_channel(scores: np.ndarray, n: int, mask: Mask = None) -> ChannelScores:
    """A channel's top `n` (positive scores) and its score distribution, over the allowed passages only."""
    if mask is not None:
        scores[~mask] = 0  # a fresh array per question: safe to change
        moments = Moments.of(scores[mask])
    else:
        moments = Moments.of(scores)
    ids, _ = top_k(scores, n)
    return ChannelScores(ids, lambda rows, s=scores: s[rows], *moments.mean_std(), moments)


def _lexical_channel(snap: Snapshot, terms: dict[str, float], n: int, field: str = TEXT_FIELD, mask: Mask = None) -> ChannelScores:
    return _scored_channel(snap.index.lexical[field].scores(terms), n, mask)


def _translated_channel(snap: Snapshot, plan: QueryPlan, n: int, mask: Mask = None) -> ChannelScores:
    """English words' synonym sets, each counting once per passage (its best sense)."""
    if not plan.translated_groups:
        return _lexical_channel(snap, plan.translated, n, mask=mask)
    return _scored_channel(snap.index.lexical[TEXT_FIELD].scores_grouped(plan.translated_groups), n, mask)


def _dense_channel(snap: Snapshot, qv: np.ndarray, n: int, mask: Mask = None) -> ChannelScores:
    """Moments are None where the statistics are the whole index's (`score_stats`), not the allowed rows'."""
    dense = snap.index.dense
    moments = None
    if mask is None:
        ids, _ = dense.search(qv, n)
    else:
        ids, _, moments = dense.search_moments(qv, n, mask)
    mean, std = moments.mean_std() if moments is not None else dense.score_stats(qv)
    return ChannelScores(ids, lambda rows: dense.scores(rows, qv), mean, std, moments)


def channel_scores(
    plan: QueryPlan, snap: Snapshot, mask: Mask = None, query_vector: np.ndarray | None = None
) -> dict[str, ChannelScores]:
    """Each channel's candidates (`candidates` deep, allowed passages only) and exact scores.

    `query_vector` is the embedded `plan.dense_text` when the caller has it (a shard is sent it).
    """
    n = snap.settings.candidates
    out: dict[str, ChannelScores] = {}
    if mask is not None and not mask.any():
        return out
    if plan.terms:
        out["lexical"] = _lexical_channel(snap, plan.terms, n, mask=mask)
    if plan.grams and GRAMS_FIELD in snap.index.lexical:
        out["grams"] = _lexical_channel(snap, plan.grams, n, GRAMS_FIELD, mask)
    if plan.translated:
        out["translated"] = _translated_channel(snap, plan, n, mask)
    if plan.dense_text and snap.index.n_passages:
        qv = query_vector if query_vector is not None else snap.embedder.embed_query(plan.dense_text)
        out["dense"] = _dense_channel(snap, qv, n, mask)
    return out


def channel_weights(snap: Snapshot, lang: str) -> dict[str, float]:
    s = snap.settings
    spec = s.weights_ar if lang == "ar" else s.weights_en
    return parse_weights(spec or default_weights(snap.embedder.name, lang))


def retrieve_plan(plan: QueryPlan, snap: Snapshot, top_k: int, filt: SearchFilter | None = None) -> list[Hit]:
    mask = passage_mask(snap.index, filt)
    channels = (snap.channels or channel_scores)(plan, snap, mask)
    weights = channel_weights(snap, plan.lang)
    if snap.settings.fusion == "rrf":
        fused = rrf({c: ch.candidates.tolist() for c, ch in channels.items()}, weights, snap.settings.rrf_k)
    else:
        fused = zsum(channels, weights)
        if not fused:  # every weighted channel flat (e.g. a one-passage index): ranks still order it
            fused = rrf({c: ch.candidates.tolist() for c, ch in channels.items()}, weights, snap.settings.rrf_k)
    if snap.settings.recency_weight > 0 and asks_for_latest(plan.question):
        fused = add_recency(fused, snap.index, snap.settings.recency_weight, snap.settings.recency_half_life_days)
    hits = []
    top = fused[: top_k + MERGE_DEPTH]
    for (row, score, parts), p in zip(top, snap.index.passages([r for r, _, _ in top]), strict=True):
        meta, also = article_meta(snap, p.doc_id)
        hits.append(Hit(row, p.doc_id, p.start, p.end, score, p.text, parts, meta, also))
    return join_neighbours(hits)[:top_k]


def article_meta(snap: Snapshot, doc_id: str) -> tuple[ArticleMeta, tuple[ArticleMeta, ...]]:
    """The article's metadata and its near-duplicate copies' (earliest first)."""
    index = snap.index
    i = index.doc_index(doc_id)
    if i is None:
        return ArticleMeta(doc_id), ()
    table = doc_table(index)
    also = tuple(_meta(index.documents[j]) for j in table.members(i)) if table.duplicated else ()
    return _meta(index.documents[i]), also


def _meta(d) -> ArticleMeta:
    return ArticleMeta(d.doc_id, d.title, d.source, d.date, d.url)


def attach_sources(answer: Answer, snap: Snapshot) -> Answer:
    """Every citation carries its article's metadata and copies, whichever answer step made it."""
    for c in answer.citations:
        if c.meta is None:
            c.meta, c.also = article_meta(snap, c.doc_id)
    return answer


def retrieve(
    question: str, snap: Snapshot, top_k: int, lang: str | None = None, filt: SearchFilter | None = None
) -> list[Hit]:
    lang = lang or question_language(question)
    return retrieve_plan(plan_query(question, lang, snap), snap, top_k, filt)


def hit_to_document(h: Hit) -> Document:
    meta = h.meta or ArticleMeta(h.doc_id)
    return Document(
        page_content=h.text,
        metadata={
            "passage_id": h.passage_id,
            "doc_id": h.doc_id,
            "start": h.start,
            "end": h.end,
            "score": h.score,
            "channels": dict(h.channels),
            **meta.fields(),
            "also_published_by": [a.to_dict() for a in h.also],
        },
    )


def document_to_hit(d: Document) -> Hit:
    m = d.metadata
    fields = [m.get(k) or "" for k in ("title", "source", "date", "url")]
    meta = ArticleMeta(m["doc_id"], *fields) if any(fields) else None
    also = tuple(ArticleMeta.from_dict(a) for a in m.get("also_published_by", ()))
    return Hit(m["passage_id"], m["doc_id"], m["start"], m["end"], m["score"], d.page_content, m.get("channels", {}), meta, also)


class SanadRetriever(BaseRetriever):
    """Fused hybrid retrieval over the current index snapshot."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    snapshot: Callable[[], Snapshot]
    top_k: int = 5
    # The default filter; `invoke(query, filter=...)` gives one per call (a SearchFilter or a
    # mapping {"since": "2015-07-01", "until": ..., "source": [...]}, as vector stores take `filter`).
    filter: SearchFilter | None = None

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        plan: QueryPlan | None = None,
        snapshot: Snapshot | None = None,
        top_k: int | None = None,
        filter: SearchFilter | dict | None = None,  # noqa: A002 - the name LangChain retrievers use
    ) -> list[Document]:
        """`plan`/`snapshot` let the chain pass what it already computed, so one answer sees one index."""
        snap = snapshot or self.snapshot()
        k = top_k or self.top_k
        filt = SearchFilter.of(filter if filter is not None else self.filter)
        hits = retrieve_plan(plan, snap, k, filt) if plan is not None else retrieve(query, snap, k, filt=filt)
        return [hit_to_document(h) for h in hits]
