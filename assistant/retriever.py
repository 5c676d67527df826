"""Hybrid retrieval: lexical, translated and dense rankings fused by weighted RRF.

`retrieve` is the plain function; `SanadRetriever` is the same thing as a langchain-core
`BaseRetriever`, so the answer chain (and anyone composing their own) can use it as a Runnable.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.answer import Hit
from assistant.fusion import rrf
from assistant.query import QueryPlan, plan_query
from assistant.question import question_language
from assistant.snapshot import Snapshot
from index.builder import TEXT_FIELD


def channel_rankings(plan: QueryPlan, snap: Snapshot) -> dict[str, list[int]]:
    """Each channel's ranked passage rows (best first), `candidates` deep."""
    n = snap.settings.candidates
    lex = snap.index.lexical[TEXT_FIELD]
    out: dict[str, list[int]] = {}
    if plan.terms:
        out["lexical"] = lex.search(plan.terms, n)[0].tolist()
    if plan.translated:
        out["translated"] = lex.search(plan.translated, n)[0].tolist()
    if plan.dense_text and snap.index.n_passages:
        qv = snap.embedder.embed_query(plan.dense_text)
        out["dense"] = snap.index.dense.search(qv, n)[0].tolist()
    return out


def channel_weights(snap: Snapshot) -> dict[str, float]:
    s = snap.settings
    return {"lexical": s.w_lexical, "translated": s.w_translated, "dense": s.w_dense, "names": s.w_names}


def retrieve_plan(plan: QueryPlan, snap: Snapshot, top_k: int) -> list[Hit]:
    fused = rrf(channel_rankings(plan, snap), channel_weights(snap), snap.settings.rrf_k)
    hits = []
    for row, score, parts in fused[:top_k]:
        p = snap.index.passage(row)
        hits.append(Hit(row, p.doc_id, p.start, p.end, score, p.text, parts))
    return hits


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
