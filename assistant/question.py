"""Checking a question at the door: what is refused, what is cleaned, which language it is in."""

from __future__ import annotations

import unicodedata

from index.bridge import text_language
from index.errors import BadQuestionError

# Bidi embedding/override/isolate controls: harmless once removed, confusing if kept.
_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"), None)


def clean_question(question: object, max_chars: int = 2000) -> str:
    """The question ready to answer, or BadQuestionError saying why it cannot be."""
    if not isinstance(question, str):
        msg = "the question must be text"
        raise BadQuestionError(msg)
    if len(question) > max_chars:
        msg = f"the question is too long ({len(question):,} characters; the limit is {max_chars:,})"
        raise BadQuestionError(msg)
    for ch in question:
        cat = unicodedata.category(ch)
        if cat == "Cs":
            msg = "the question contains an invalid character (a lone surrogate); please retype it"
            raise BadQuestionError(msg)
        if cat == "Cc" and ch not in "\t\n\r":
            msg = f"the question contains a control character (U+{ord(ch):04X}); please remove it"
            raise BadQuestionError(msg)
    q = " ".join(question.translate(_BIDI).split())
    if not q:
        msg = "the question is empty; type a question in Arabic or English"
        raise BadQuestionError(msg)
    return q


def question_language(question: str) -> str:
    """'ar' or 'en', by the question's own script (digits-only or emoji-only questions count as 'en')."""
    return text_language(question)
