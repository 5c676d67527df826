"""Extractive answers: the sentence(s) of the retrieved passages that best support the question.

No model generates text here, so nothing can be invented: every answer is a quote with its exact
offsets. When no sentence carries enough of the question's key terms, the answer is an honest
abstention in the question's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer import Answer, Citation, Hit
from assistant.query import QueryPlan
from assistant.snapshot import Snapshot
from index.builder import TEXT_FIELD
from index.passages import sentences_in
from index.tokens import analyze

ABSTAIN = {
    "ar": "لا تذكر المقالات المفهرسة إجابة عن هذا السؤال.",
    "en": "The articles do not say.",
}


@dataclass
class Scored:
    hit_rank: int
    start: int
    end: int
    coverage: float  # idf-weighted share of the question's terms found in the sentence
    score: float


def score_sentences(plan: QueryPlan, hits: list[Hit], snap: Snapshot) -> list[Scored]:
    lex = snap.index.lexical[TEXT_FIELD]
    terms = plan.all_terms()
    weights = {t: w * max(lex.idf(t), 0.1) for t, w in terms.items()}
    total = sum(weights.values()) or 1.0
    out = []
    for rank, h in enumerate(hits):
        doc = snap.index.document_text(h.doc_id)
        for s, e in sentences_in(h.start, h.end, doc):
            present = set(analyze(doc[s:e]))
            got = sum(w for t, w in weights.items() if t in present)
            coverage = got / total
            out.append(Scored(rank, s, e, coverage, coverage + 0.05 / (rank + 1)))
    out.sort(key=lambda x: (-x.score, x.hit_rank, x.start))
    return out


def _dedupe(scored: list[Scored]) -> list[Scored]:
    seen, out = set(), []
    for s in scored:
        if (s.start, s.end, s.hit_rank) in seen:
            continue
        if any(o.start == s.start and o.end == s.end for o in out):
            continue  # the same sentence reached through an overlapping passage
        seen.add((s.start, s.end, s.hit_rank))
        out.append(s)
    return out


def extractive_answer(plan: QueryPlan, hits: list[Hit], snap: Snapshot, max_sentences: int = 2) -> Answer:
    scored = _dedupe(score_sentences(plan, hits, snap)) if hits else []
    if not scored or scored[0].coverage < snap.settings.min_evidence:
        return Answer(plan.question, plan.lang, ABSTAIN[plan.lang], True, [], hits)
    best = scored[0]
    chosen = [best]
    for s in scored[1:max_sentences]:
        if s.coverage >= max(snap.settings.min_evidence, 0.8 * best.coverage) and s.score >= 0.8 * best.score:
            chosen.append(s)
    citations, parts = [], []
    for n, s in enumerate(chosen, start=1):
        h = hits[s.hit_rank]
        doc = snap.index.document_text(h.doc_id)
        quote = doc[s.start : s.end]
        citations.append(Citation(n, h.doc_id, s.start, s.end, quote, h.start, h.end, h.text))
        parts.append(f"{quote} [{n}]")
    return Answer(plan.question, plan.lang, " ".join(parts), False, citations, hits)
