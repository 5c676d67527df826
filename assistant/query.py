"""From a question to what each retrieval channel searches for.

Channels: `lexical` (the question's own terms; an Arabic question's without its interrogative
frame and with its words' other inflections that the index holds, see `query_ar`), `grams`
(character 4-grams of an Arabic question, or of an English question's Arabic translations),
`translated` (English question -> Arabic terms through the dictionary, one synonym set per
English word), `dense` (the question, glossed into English when the embedder is English-only and
the question Arabic) and `names` (cross-script name keys, when available).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.query_ar import add_inflections, arabic_terms
from assistant.snapshot import Snapshot
from index.bridge import dense_text
from index.builder import TEXT_FIELD
from index.tokens import analyze, char_grams


@dataclass
class QueryPlan:
    question: str
    lang: str
    terms: dict[str, float]
    grams: dict[str, float] = field(default_factory=dict)
    translated: dict[str, float] = field(default_factory=dict)
    # The translated terms as one synonym set per English word (assistant.translate), for scoring
    # where a word's alternatives count once; `translated` is their flat sum, for everything else.
    translated_groups: list[dict[str, float]] = field(default_factory=list)
    dense_text: str | None = None
    name_keys: list[str] = field(default_factory=list)

    def all_terms(self) -> dict[str, float]:
        """Original and translated terms together, for evidence checks in answer extraction."""
        out = dict(self.translated)
        for t, w in self.terms.items():
            out[t] = max(out.get(t, 0.0), w)
        return out


def _counts(terms: list[str], weight: float = 1.0, into: dict[str, float] | None = None) -> dict[str, float]:
    out: dict[str, float] = {} if into is None else into
    for t in terms:
        out[t] = out.get(t, 0.0) + weight
    return out


def sense_grams(senses: dict[str, float]) -> dict[str, float]:
    """Character n-grams of the translations as written, each weighted by its sense's share:
    they meet the article's inflected and derived forms (a dictionary gives المفاوضات, the
    article says مفاوضاته or تفاوض) that whole-stem matching misses."""
    out: dict[str, float] = {}
    for sense, w in senses.items():
        _counts(char_grams(sense), w, out)
    return out


CONTEXT_WEIGHT = 0.35


def plan_query(question: str, lang: str, snap: Snapshot, context: str | None = None) -> QueryPlan:
    """`context` (an earlier question, for follow-ups) adds its terms at a low weight."""
    if lang == "ar":
        terms, grams = arabic_terms(question)
        if TEXT_FIELD in snap.index.lexical:
            terms = add_inflections(terms, snap.index.lexical[TEXT_FIELD].vocab)
        plan = QueryPlan(question, lang, terms, grams)
    else:
        plan = QueryPlan(question, lang, _counts(analyze(question)))
    if context:
        for t in analyze(context):
            plan.terms.setdefault(t, CONTEXT_WEIGHT)
    if lang == "en" and snap.lexicon is not None:
        try:
            from assistant.translate import translate_query
        except ImportError:  # cross-lingual module not installed: monolingual retrieval only
            translate_query = None
        if translate_query is not None:
            tr = translate_query(question, snap.lexicon, names=snap.index.names)
            plan.translated = dict(tr.terms)
            plan.translated_groups = [dict(g) for g in getattr(tr, "groups", [])]
            plan.grams = sense_grams(getattr(tr, "senses", {}))
            if context:
                earlier = translate_query(context, snap.lexicon, names=snap.index.names)
                for t, w in earlier.terms.items():
                    plan.translated.setdefault(t, w * CONTEXT_WEIGHT)
                have = {t for g in plan.translated_groups for t in g}
                for g in getattr(earlier, "groups", []):
                    rest = {t: w * CONTEXT_WEIGHT for t, w in g.items() if t not in have}
                    if rest:
                        plan.translated_groups.append(rest)
            plan.name_keys = list(getattr(tr, "name_keys", []))
    plan.dense_text = dense_text(f"{context} {question}" if context else question, snap.bridge, snap.glosser)
    return plan
