"""The answer people see: the reader's span as the short answer, cited by the sentence that holds it.

Nothing is generated, so nothing can be invented: the short answer is a span of a retrieved
passage and the citation quotes the sentence around it with exact offsets (`quote ==
document[start:end]`, the span highlighted inside it). For an English question, number phrases
and dates inside the span are written in English by the readers of `index.numbers` and
`index.dates` (مليون و243 ألفا -> 1,243,000, ١٢ مارس -> March 12); names stay in the source script.
When the evidence does not support an answer, the answer says so in the question's language.
"""

from __future__ import annotations

from assistant.answer import Answer, Citation, Hit
from assistant.reader.decode import Span
from index.dates import find_dates, format_date
from index.numbers import find_numbers, format_number
from index.sentences import split_sentences

ABSTAIN = {
    "ar": "لا تذكر المقالات المفهرسة إجابة عن هذا السؤال.",
    "en": "The articles do not say.",
}


def abstention(question: str, lang: str, hits: list[Hit]) -> Answer:
    return Answer(question, lang, ABSTAIN.get(lang, ABSTAIN["en"]), True, [], hits)


def in_language(text: str, lang: str) -> str:
    """`text` with its number phrases and dates written for a reader of `lang`."""
    if lang != "en":
        return text
    found = [(d.start, d.end, format_date(d, "en") or d.text) for d in find_dates(text)]
    taken = [(a, b) for a, b, _ in found]
    for n in find_numbers(text):
        if not any(a < n.end and n.start < b for a, b in taken):
            found.append((n.start, n.end, format_number(n.value, "en")))
    out, pos = [], 0
    for a, b, shown in sorted(found):
        if a >= pos:
            out += [text[pos:a], shown]
            pos = b
    return "".join(out + [text[pos:]]).strip()


def holding_sentence(passage: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or run of sentences) of `passage` that contains [start, end)."""
    sents = split_sentences(passage) or [(0, len(passage))]
    first = next((s for s, e in sents if s <= start < e), start)
    last = next((e for s, e in sents if s < end <= e), end)
    return min(first, start), max(last, end)


def span_answer(question: str, lang: str, hits: list[Hit], span: Span) -> Answer:
    """The short answer `span` (offsets into hit `span.passage`'s text) with its citation."""
    h = hits[span.passage]
    s, e = holding_sentence(h.text, span.start, span.end)
    quote = h.text[s:e]
    short = in_language(h.text[span.start : span.end], lang)
    citation = Citation(1, h.doc_id, h.start + s, h.start + e, quote, h.start, h.end, h.text, h.start + span.start, h.start + span.end)
    return Answer(question, lang, f"{short} [1]\n\n«{quote}»", False, [citation], hits, short=short)


def sentence_answer(question: str, lang: str, hits: list[Hit], hit: int, start: int, end: int) -> Answer:
    """A quote-only answer (no short span): what Sanad says when no reader model is installed."""
    h = hits[hit]
    quote = h.text[start:end]
    citation = Citation(1, h.doc_id, h.start + start, h.start + end, quote, h.start, h.end, h.text)
    return Answer(question, lang, f"{quote} [1]", False, [citation], hits)
