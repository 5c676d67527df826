"""A "when" answer that the article gives relative to its own date («أمس», "last Tuesday") is
shown as the calendar day it means.

This runs once, after the answer step has built the answer (extractive or not): it finds the
relative date in the cited sentence (the one under the short answer's span, else the first),
resolves it against the cited article's publication date (`index.relative_dates`), and makes the
short answer that day. The citation still quotes the source words, and its highlighted span
becomes them, so a reader sees both what the article says and what it means.
"""

from __future__ import annotations

import datetime as dt
import re

from assistant.answer import Answer
from assistant.snapshot import Snapshot
from index.normalize import normalize
from index.relative_dates import find_relative_dates, format_day, resolve_relative_date

_WORD = re.compile(r"\w+")
_WHEN = frozenset(normalize(w) for w in "متى ومتى when".split())
_WHEN_PAIRS = frozenset(
    tuple(normalize(w) for w in p.split())
    for p in ("أي يوم", "اي يوم", "أي تاريخ", "ما تاريخ", "what day", "which day", "what date", "which date")
)


def asks_when(question: str) -> bool:
    """Does the question ask for a time («متى», «في أي يوم», "when", "what day")?"""
    words = _WORD.findall(normalize(question))
    return any(w in _WHEN for w in words) or any(p in _WHEN_PAIRS for p in zip(words, words[1:], strict=False))


def _published(snap: Snapshot, doc_id: str) -> dt.date | None:
    i = snap.index.doc_index(doc_id)
    date = snap.index.documents[i].date if i is not None else ""
    return dt.date.fromisoformat(date[:10]) if date else None


def dated_relative_day(snap: Snapshot, doc_id: str, start: int, end: int) -> bool:
    """Does `document[start:end]` hold a relative date («أمس») that its article's date resolves?
    (For the answer step: such a sentence answers a "when" question.)"""
    published = _published(snap, doc_id)
    return published is not None and bool(find_relative_dates(snap.index.document_text(doc_id), published, start, end))


def resolve_answer_date(answer: Answer, snap: Snapshot) -> Answer:
    """`answer` with a relative date in its first citation resolved (see the module docstring);
    unchanged when the question is not a "when" question, the article has no date, or the cited
    sentence has no relative date."""
    if answer.abstained or not answer.citations or not asks_when(answer.question):
        return answer
    c = answer.citations[0]
    if c.meta is None or not c.meta.date:
        return answer
    published = dt.date.fromisoformat(c.meta.date[:10])
    try:
        text = snap.index.document_text(c.doc_id)
    except KeyError:
        return answer
    near = (c.span_start, c.span_end) if c.span_start is not None and c.span_end is not None else None
    rel = resolve_relative_date(text, c.start, c.end, published, near)
    if rel is None:
        return answer
    shown = format_day(rel.date, answer.lang)
    if answer.short and answer.short in answer.text:
        answer.text = answer.text.replace(answer.short, shown, 1)
    else:
        answer.text = f"{shown}: {answer.text}"
    answer.short = shown
    c.span_start, c.span_end = rel.start, rel.end
    answer.resolved_date = {
        "date": rel.date.isoformat(),
        "words": rel.text,
        "doc_id": c.doc_id,
        "start": rel.start,
        "end": rel.end,
        "published": c.meta.date,
    }
    return answer
