"""Sentence boundaries for Arabic and Latin text, as (start, end) offsets into the original text.

Rules from shared/docs/arabic-text.md §4: hard stops on . ! ? ؟ … and line breaks; the Arabic
semicolon only inside long sentences; never on the Arabic comma or a colon; decimals and
one-letter abbreviations (د. / U.S.) stay whole. Over-long runs are wrapped at spaces so that one
10 MB line cannot become one passage.
"""

from __future__ import annotations

import re

_CLOSERS = "\"'»”’)]}"
_HARD = re.compile(rf"(?:[.!?\u061F\u2026]+[{re.escape(_CLOSERS)}]*)|\n")
_SOFT = re.compile(r"\u061B")
_WORD = re.compile(r"\S+")

SOFT_SPLIT_WORDS = 40
MAX_SENTENCE_CHARS = 1200


def _is_abbreviation_dot(text: str, dot: int) -> bool:
    """A dot inside a number (2.5) or after a one-letter word (د. / U.S. / أ.ف.ب)."""
    before = text[dot - 1] if dot > 0 else ""
    after = text[dot + 1] if dot + 1 < len(text) else ""
    if before.isdigit() and after.isdigit():
        return True
    if after.isalnum():  # a dot inside a token: example.com, document.title, U.S.A
        return True
    j = dot - 1
    while j > 0 and text[j] == "\u0640":  # هـ. (hijri year): the letter is drawn out with a tatweel
        j -= 1
    letter = text[j] if j >= 0 else ""
    return letter.isalpha() and letter != "\u0640" and (j < 1 or not text[j - 1].isalpha())


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _wrap(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut an over-long span at spaces (or hard, if it has none) into pieces of <= limit chars."""
    out = []
    while end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        if cut <= start:
            cut = start + limit
        piece = _trim(text, start, cut)
        if piece:
            out.append(piece)
        start = cut
    piece = _trim(text, start, end)
    if piece:
        out.append(piece)
    return out


def _soft_split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if len(_WORD.findall(text, start, end)) <= SOFT_SPLIT_WORDS:
        return [(start, end)]
    out, cur = [], start
    for m in _SOFT.finditer(text, start, end):
        span = _trim(text, cur, m.end())
        if span:
            out.append(span)
        cur = m.end()
    span = _trim(text, cur, end)
    if span:
        out.append(span)
    return out


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """Sentence spans of `text`; `text[s:e]` is a sentence with no outer whitespace."""
    spans: list[tuple[int, int]] = []
    cur = 0
    for m in _HARD.finditer(text):
        if m.group() != "\n" and m.group()[0] == "." and len(m.group()) == 1 and _is_abbreviation_dot(text, m.start()):
            continue
        span = _trim(text, cur, m.end())
        if span:
            spans.append(span)
        cur = m.end()
    span = _trim(text, cur, len(text))
    if span:
        spans.append(span)
    out: list[tuple[int, int]] = []
    for s, e in spans:
        for s2, e2 in _soft_split(text, s, e):
            out.extend(_wrap(text, s2, e2, max_chars) if e2 - s2 > max_chars else [(s2, e2)])
    return out
