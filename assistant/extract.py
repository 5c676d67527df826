"""Extractive answers: the short answer, the sentence that supports it, and its citation.

No model generates text here, so nothing can be invented: the short answer is a span of the
best supporting sentence (a number, a date, a name, a phrase, by the question's type) and the
sentence is quoted with exact offsets. Sentences are ranked by how much of the question they
cover (stems, derivations, translations, names) and by whether they hold an answer of the
expected type, so "how many warplanes" lands on the sentence where a number counts warplanes
and not on one that merely repeats the question's verbs. When the evidence is too thin (see
`assistant.abstain`), the answer is an honest abstention in the question's language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.abstain import Evidence, needs_type, should_abstain
from assistant.answer import Answer, Citation, Hit
from assistant.answer_type import COUNT, QUANTITY, WHAT, QuestionType, counts_people, detect_type
from assistant.matching import (
    GLOSS,
    ROOT,
    Key,
    Match,
    SentenceView,
    match,
    phrase_share,
    question_keys,
    view_cache,
)
from assistant.query import QueryPlan
from assistant.question import question_language
from assistant.snapshot import Snapshot
from assistant.spans import (
    TYPED_KINDS,
    AnswerSpan,
    SentenceInfo,
    best_spans,
    candidates,
    fit_level,
    fits_better,
)
from assistant.when import dated_relative_day
from index.builder import TEXT_FIELD
from index.numbers import find_numbers
from index.stopwords import is_stopword
from index.tokens import tokenize

ABSTAIN = {
    "ar": "لا تذكر المقالات المفهرسة إجابة عن هذا السؤال.",
    "en": "The articles do not say.",
}
SPAN_SENTENCES = 3  # sentences (best by coverage) searched for a short answer
RANK_PRIOR = 0.08  # bonus of the first retrieved passage over the later ones, decaying by rank
NEIGHBOUR_CREDIT = 0.5  # a question word found only in the previous sentence counts this much
CONTEXT_WEIGHT = 0.35  # an earlier question's words, for a follow-up
PHRASE_CREDIT = 0.15  # coverage added per unit of `phrase_share` (English questions)
TIE = 0.1  # sentences covering this much less than the best still compete on their answer span


@dataclass
class Candidate:
    hit_rank: int
    doc_id: str
    view: SentenceView
    match: Match
    coverage: float  # with half credit from the previous sentence
    score: float = 0.0


# Words that only mark a follow-up ("and warships?", «وماذا عن السفن؟»), never the asked noun.
_CUES = frozenset({"and", "also", "about", "what", "how", "then", "وماذا", "ماذا", "وما", "وعن", "عن"})


def question_type(question: str, lang: str, context: str | None = None) -> QuestionType:
    """The question's type; an elliptical follow-up ("and warships?") borrows the earlier one's kind."""
    qtype = detect_type(question, lang)
    toks = tokenize(question)
    only_cues = all(toks[i].norm in _CUES for i in qtype.wh_tokens if i < len(toks))
    if context and qtype.kind == WHAT and only_cues:
        earlier = detect_type(context, question_language(context))
        if earlier.kind != WHAT:
            target = qtype.target
            if earlier.kind == COUNT:
                words = [
                    t.text
                    for t in toks
                    if t.norm.isalpha() and len(t.norm) > 2 and not is_stopword(t.norm) and t.norm not in _CUES
                ]
                # The head noun first: English puts it last ("air defense systems"), Arabic first.
                target = tuple(reversed(words[-2:])) if lang == "en" else tuple(words[:2])
            return QuestionType(earlier.kind, target or earlier.target, qtype.wh_tokens)
    return qtype


def _sentences(hits: list[Hit], snap: Snapshot) -> list[tuple[int, str, int, int, int | None]]:
    """(hit rank, doc id, start, end, previous sentence start) for every sentence of the hits, once."""
    seen: set[tuple[str, int]] = set()
    out = []
    views = view_cache(snap.index, snap.lexicon)
    for rank, h in enumerate(hits):
        doc = snap.index.document_text(h.doc_id)
        prev = None
        for s, e in views.sentences(h.doc_id, doc, h.start, h.end):
            if (h.doc_id, s) not in seen:
                seen.add((h.doc_id, s))
                out.append((rank, h.doc_id, s, e, prev))
            prev = s
    return out


def _coverage(keys: list[Key], m: Match, prev: Match | None) -> float:
    total = sum(k.weight for k in keys)
    if not total:
        return 0.0
    got = 0.0
    for i, k in enumerate(keys):
        s = m.per_key[i]
        if prev is not None:
            s = max(s, NEIGHBOUR_CREDIT * prev.per_key[i])
        got += k.weight * s
    return got / total


def rank_sentences(plan: QueryPlan, hits: list[Hit], snap: Snapshot, keys: list[Key]) -> list[Candidate]:
    """Every sentence of the retrieved passages, best covering the question first."""
    english = plan.lang == "en"
    matches: dict[tuple[str, int], Match] = {}
    cands = []
    views = view_cache(snap.index, snap.lexicon)
    for rank, doc_id, s, e, prev in _sentences(hits, snap):
        view = views.get(doc_id, snap.index.document_text(doc_id), s, e, english)
        m = match(view, keys)
        matches[(doc_id, s)] = m
        prev_m = matches.get((doc_id, prev)) if prev is not None else None
        cov = _coverage(keys, m, prev_m)
        if english:
            cov += PHRASE_CREDIT * phrase_share(view, keys)
        cands.append(Candidate(rank, doc_id, view, m, cov, cov + RANK_PRIOR / (rank + 1)))
    cands.sort(key=lambda c: (-c.score, c.hit_rank, c.view.start))
    return cands


@dataclass
class Found:
    """The chosen short answer, the sentence it came from, and the runner-up spans."""

    sentence: Candidate
    spans: list[AnswerSpan]
    keys: list[Key]


def find_answer(
    cands: list[Candidate], keys: list[Key], qtype: QuestionType, lang: str, lexicon, question: str
) -> Found | None:
    """The best span of the best-covering sentences (near ties share the chance).

    A question that asks for a value (how many, when) takes the best sentence that holds one
    among the top `SPAN_SENTENCES`, preferring a number that counts the asked noun.
    """
    if not cands:
        return None
    values = frozenset(n.value for n in find_numbers(question))
    typed = qtype.kind in TYPED_KINDS
    top = cands[0].coverage
    best: Found | None = None
    best_key: tuple[int, float] = (-1, 0.0)
    for pos, c in enumerate(cands[:SPAN_SENTENCES]):
        near = c.coverage >= top - TIE
        if not near and not typed:
            continue
        info = SentenceInfo(c.coverage, pos, c.hit_rank)
        spans = best_spans(candidates(c.view, c.match, keys, qtype, lang, info, lexicon, values), qtype=qtype)
        if not spans:
            continue
        key = (fit_level(qtype, spans[0]), spans[0].score)
        if not near and key[0] <= best_key[0]:
            continue  # a weaker sentence only wins with a better-typed answer
        by_unit = fits_better(spans[0], best.spans[0], qtype) if best is not None else None
        if (key > best_key) if by_unit is None else by_unit:
            best, best_key = Found(c, spans[:5], keys), key
    return best


def _support(keys: list[Key], cands: list[Candidate]) -> float:
    """Share of key weight the index knows at all: in its vocabulary, or found as such (not just
    by a rough root) in a retrieved sentence. A question about a topic no article mentions has
    almost none, whatever its best sentence looks like."""
    total = sum(k.weight for k in keys)
    if not total:
        return 0.0
    got = sum(
        k.weight for i, k in enumerate(keys) if k.seen or any(c.match.per_key[i] >= GLOSS for c in cands)
    )
    return got / total


def _unseen(keys: list[Key], cands: list[Candidate]) -> float:
    """Share of key weight neither in the index vocabulary nor matched in any retrieved sentence."""
    total = sum(k.weight for k in keys)
    if not total:
        return 0.0
    missing = 0.0
    for i, k in enumerate(keys):
        if not k.telling or k.seen or any(c.match.per_key[i] > 0 for c in cands):
            continue
        missing += k.weight
    return missing / total


def _typed(qtype: QuestionType, found: Found | None, lang: str) -> bool:
    """Is the short answer of the kind the question asks for (a number for "how many", a date for "when")?"""
    if found is None or not found.spans:
        return False
    kinds = TYPED_KINDS.get(qtype.kind)
    if kinds is None:
        return True
    span = found.spans[0]
    if span.kind not in kinds:
        return False
    if qtype.kind in (COUNT, QUANTITY) and span.timed and not _time_target(qtype):
        return False  # "4 years" answers no "how much trade"
    if qtype.kind == COUNT and qtype.target and not span.counts_target and not counts_people(qtype):
        # a number of something else: fine if the asked noun is in the sentence (770 قتلوا ...
        # من العسكريين), not when it is nowhere (soldiers, when civilians were asked about). An
        # Arabic question names the noun itself, so a shared root alone is another word (ميدانيا, "in the
        # field", shares م-د-ن with المدنيين); an English one reaches it only through translations, whose
        # roots are the best evidence there is.
        m = found.sentence.match
        floor = ROOT if lang == "ar" else 0.0
        return any(k.target and m.per_key[i] > floor for i, k in enumerate(found.keys))
    return True


def _time_target(qtype: QuestionType) -> bool:
    from assistant.spans import is_time_unit

    return bool(qtype.target) and is_time_unit(qtype.target[0])


def compose(lang: str, short: str | None, quote: str, span: AnswerSpan | None) -> str:
    """The answer as shown: the short answer first, then the supporting quote (Arabic questions,
    or English ones whose short answer is still in Arabic script)."""
    if not short:
        return f"{quote} [1]"
    if lang == "en" and span is not None and span.unit:
        return f"{short} {span.unit} [1]"
    if lang == "en" and not any("\u0600" <= ch <= "\u06ff" for ch in short):
        return f"{short} [1]\n\n«{quote}»"
    return f"{short} [1]\n\n«{quote}»"


def build_keys(question: str, lang: str, qtype: QuestionType, snap: Snapshot, context: str | None = None) -> list[Key]:
    """The question's key words against this index; a follow-up's earlier question counts less."""
    lex = snap.index.lexical[TEXT_FIELD]
    names = getattr(snap.index, "names", None)
    keys = question_keys(question, lang, qtype, lex, snap.lexicon, names=names)
    if context:
        # the earlier question in its own language; its asked noun gives way to the follow-up's
        clang = question_language(context)
        extra = question_keys(context, clang, detect_type(context, clang), lex, snap.lexicon, names=names)
        have = {k.label.lower() for k in keys}
        own_target = any(k.target for k in keys)
        keys += [
            replace(
                k,
                weight=CONTEXT_WEIGHT * k.weight,
                target=k.target and not own_target,
                dual_of="" if own_target else k.dual_of,
                at=-1,  # a word of the earlier question has no place in this one
            )
            for k in extra
            if k.label.lower() not in have
        ]
    return keys


def extractive_answer(plan: QueryPlan, hits: list[Hit], snap: Snapshot, context: str | None = None) -> Answer:
    """The short answer with its supporting sentence, or an abstention (see module docstring)."""
    qtype = question_type(plan.question, plan.lang, context)
    keys = build_keys(plan.question, plan.lang, qtype, snap, context)
    cands = rank_sentences(plan, hits, snap, keys) if hits and keys else []
    found = find_answer(cands, keys, qtype, plan.lang, snap.lexicon, plan.question) if cands else None
    if found is None:
        return Answer(plan.question, plan.lang, ABSTAIN[plan.lang], True, [], hits)
    best = found.sentence
    h = hits[best.hit_rank]
    v = best.view
    # A dated article's «أمس» answers "when": assistant.when resolves it once the answer is built.
    typed = _typed(qtype, found, plan.lang) or (qtype.kind == "when" and dated_relative_day(snap, h.doc_id, v.start, v.end))
    ev = Evidence(best.coverage, _unseen(keys, cands), typed, needs_type(qtype), _support(keys, cands))
    if should_abstain(ev, plan.lang):
        return Answer(plan.question, plan.lang, ABSTAIN[plan.lang], True, [], hits)
    span = found.spans[0]
    citation = Citation(1, h.doc_id, v.start, v.end, v.text, h.start, h.end, h.text, span.start, span.end)
    text = compose(plan.lang, span.display, v.text, span)
    return Answer(plan.question, plan.lang, text, False, [citation], hits, short=span.display)
