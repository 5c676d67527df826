"""Checking a question at the door: what is refused, what is cleaned, which language it is in.

Markup in a question is text to show, not words to look for: a question pasted with its HTML tags,
or wrapped in a script, is answered from its words alone, the same as the plain question, and a
"question" that is nothing but markup (`<script>alert(1)</script>`) is refused with the reason
instead of being matched, digit by digit, against the articles.
"""

from __future__ import annotations

import html
import re
import unicodedata

from index.bridge import text_language
from index.errors import BadQuestionError

# Bidi embedding/override/isolate controls: harmless once removed, confusing if kept.
_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"), None)


# Script and style bodies are code; an unclosed one runs to the end, as a browser would read it.
_CODE_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>|<[!?][^<>]*>")
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*[^()\s]*(?:\([^()]*\))?[^()\s]*\s*\)")  # [text](target) -> text
_SPACE_BEFORE_MARK = re.compile(r"\s+([?؟!.,،:;])(?=\s|$)")
_CODE_URL = re.compile(r"\b(?:javascript|vbscript|data):\S*", re.IGNORECASE)


def _strip_markup(text: str) -> str:
    for pattern in (_CODE_BLOCK, _COMMENT, _TAG):
        text = pattern.sub(" ", text)
    return _CODE_URL.sub(" ", _MD_LINK.sub(r"\1", text))


def without_markup(text: str) -> str:
    """The words of `text`: HTML tags and comments, script/style bodies, `javascript:` URLs and Markdown
    link targets left out, character references read (`&amp;` -> &), spaces collapsed."""
    plain = " ".join(text.split())
    words = " ".join(_strip_markup(html.unescape(_strip_markup(text))).split())
    if words == plain:
        return plain
    return _SPACE_BEFORE_MARK.sub(r"\1", words)  # "<b>Q</b>?" -> "Q?", not "Q ?"


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
    words = without_markup(q)
    if not words:
        msg = "the question is only markup (HTML tags or a script), with no words to look for; type it as plain text"
        raise BadQuestionError(msg)
    return words


def question_language(question: str) -> str:
    """'ar' or 'en', by the question's own script (digits-only or emoji-only questions count as 'en')."""
    return text_language(question)
