"""Answer normalization for scoring, in the spirit of the MLQA evaluation script, extended for Arabic.

An answer is right or wrong by its words, not by its spelling: diacritics, alef/ya/teh-marbuta
forms, hamza carriers, the article (ال, a/an/the), punctuation, spacing and the way a number is
written (1,512,300 / 1512300 / مليون و512 ألفا و300) must not change a score. Both the gold answer
and the prediction go through `answer_tokens`, so the folding is symmetric.
"""

from __future__ import annotations

import re

from index.normalize import fold_hamza, normalize
from index.numbers import find_numbers

# Words: a number (digits with inner separators kept so 2.5 stays one token) or a run of letters.
_WORD_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
# 1512300, 1,512,300, 2.5: read as values; anything else with separators is left as written.
_PLAIN_NUMBER_RE = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$")
_EN_ARTICLES = frozenset({"a", "an", "the"})
_AR_ARTICLE = "ال"
_CITATION_MARK_RE = re.compile(r"\s*\[\d+\]")


def strip_citation_marks(text: str) -> str:
    """Drop the `[n]` markers an answer carries; they are not part of what it says."""
    return _CITATION_MARK_RE.sub("", text).strip()


def canonical_number(value: float) -> str:
    """One spelling per value: 1512300, 2.5 (never 1512300.0 or 1.5123e6)."""
    if value == int(value) and abs(value) < 1e18:
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def spell_numbers(text: str) -> str:
    """Replace every number phrase (digits, Arabic or English number words, mixtures) by its value."""
    out, pos = [], 0
    for span in sorted(find_numbers(text), key=lambda s: s.start):
        if span.start < pos:
            continue
        out.append(text[pos : span.start])
        out.append(f" {canonical_number(float(span.value))} ")
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def _fold_token(tok: str) -> str:
    if _PLAIN_NUMBER_RE.match(tok):
        return canonical_number(float(tok.replace(",", "")))
    if tok.startswith(_AR_ARTICLE) and len(tok) >= len(_AR_ARTICLE) + 2:
        return tok[len(_AR_ARTICLE) :]
    return tok


def answer_tokens(text: str) -> list[str]:
    """The normalized words of an answer: what exact match, F1 and 'contains' compare."""
    text = strip_citation_marks(text)
    text = spell_numbers(text)
    text = fold_hamza(normalize(text))
    tokens = [_fold_token(t) for t in _WORD_RE.findall(text)]
    return [t for t in tokens if t and t not in _EN_ARTICLES]


def normalize_answer(text: str) -> str:
    """`answer_tokens` joined by single spaces (the MLQA `normalize_answer` equivalent)."""
    return " ".join(answer_tokens(text))


def normalize_evidence(text: str) -> str:
    """Lighter folding for locating evidence inside passages: letters and digits only, spaced."""
    text = fold_hamza(normalize(text))
    return " ".join(_WORD_RE.findall(text))
