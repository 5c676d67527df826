"""Follow-up questions: "and warships?" is read in the light of the previous question.

Offline there is no model to rewrite the question, so an elliptical follow-up (a cue such as
"and", "what about", «وماذا عن», or very few content words) carries the previous question along
as low-weight context; the new words still dominate retrieval.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.normalize import normalize
from index.stopwords import is_stopword
from index.tokens import tokenize

_CUES_EN = re.compile(r"^\s*(and|also|what about|how about|and what about|then|same for)\b", re.I)
_CUES_AR = re.compile(r"^\s*(وماذا عن|ماذا عن|وماذا|وما|وكم|ومن|واين|وأين|ومتى|وكيف|ولماذا|وهل|و)")
MAX_CONTENT_WORDS = 3
# The cues' own words, normalized, which carry no content of their own.
_CUE_WORDS = {normalize(w) for w in "وماذا ماذا عن وما وكم ومن واين وأين ومتى وكيف ولماذا وهل also same then one".split()}


def content_words(text: str) -> list[str]:
    return [t.norm for t in tokenize(text) if not is_stopword(t.norm)]


def is_elliptical(question: str) -> bool:
    if _CUES_EN.match(question) or _CUES_AR.match(normalize(question)):
        return True
    return len(content_words(question)) <= 1


MAX_CONTEXT_CHARS = 2000


def _usable(text: str) -> bool:
    """A history entry is carried only if it could have been asked: valid UTF-8 (no lone surrogates,
    which the tokenizers reject) and of a question's length."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return 0 < len(text) <= MAX_CONTEXT_CHARS


def previous_user_question(history: Sequence[dict] | None) -> str | None:
    for msg in reversed(history or []):
        if isinstance(msg, dict) and msg.get("role") == "user" and isinstance(msg.get("content"), str):
            text = msg["content"].strip()
            if _usable(text):
                return text
    return None


def resolve_followup(question: str, history: Sequence[dict] | None) -> str | None:
    """The earlier question to carry as context, or None when `question` stands on its own."""
    prev = previous_user_question(history)
    if prev is None or not is_elliptical(question):
        return None
    if len(content_words(question)) > MAX_CONTENT_WORDS + 2:
        return None
    return prev


def reader_question(question: str, previous: str) -> str:
    """The question the reader reads for a follow-up: the previous question with its first content
    word replaced by the follow-up's content words ("How many tanks were destroyed?" + "and
    warships?" -> "How many warships were destroyed?"), so the reader looks for the new thing in
    the old frame rather than for the old thing. Without content words, the previous question."""
    new = [t for t in tokenize(question) if not is_stopword(t.norm) and t.norm not in _CUE_WORDS]
    old = [t for t in tokenize(previous) if not is_stopword(t.norm)]
    if not new or not old:
        return previous if not new else f"{question} {previous}"
    words = " ".join(t.text for t in new)
    return previous[: old[0].start] + words + previous[old[0].end :]
