"""Word tokens with offsets into the original text, and the analysed terms BM25 sees.

Tokens are found on the raw text (so a diacritic or a tatweel never splits a word) and each is
normalized on its own; `Token.start/end` always index the original string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.normalize import MARKS, normalize
from index.stem import stem
from index.stopwords import is_stopword

_MARK_CLASS = "".join(re.escape(c) for c in MARKS)
# A number, with inner separators (1,512,300 / 2.5 / ٢٫٥), or a run of letters and marks.
TOKEN_RE = re.compile(
    rf"\d+(?:[.,\u066B\u066C]\d+)*|(?:[^\W\d_]|[{_MARK_CLASS}])+",
)


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # original surface form
    norm: str  # normalized form
    start: int
    end: int


_normalize_word = lru_cache(maxsize=200_000)(normalize)  # words repeat; NFKC per word is not free


def tokenize(text: str) -> list[Token]:
    """Every word of `text` with its normalized form and original offsets."""
    out: list[Token] = []
    for m in TOKEN_RE.finditer(text):
        word = m.group()
        norm = _normalize_word(word)
        if norm:
            out.append(Token(word, norm, m.start(), m.end()))
    return out


def analyze(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """The terms BM25 indexes for `text`: normalized, stop words dropped, stemmed."""
    terms = []
    for tok in tokenize(text):
        if not keep_stopwords and is_stopword(tok.norm):
            continue
        term = stem(tok.norm)
        if term:
            terms.append(term)
    return terms


def terms_of_tokens(tokens: list[Token]) -> list[str]:
    """Same as `analyze` for already-tokenized text; keeps stop words out."""
    return [stem(t.norm) for t in tokens if not is_stopword(t.norm)]


def char_grams(text: str, n: int = 4) -> list[str]:
    """Character n-grams of each normalized content word, with word-boundary marks.

    They match Arabic words across the derivations a light stemmer leaves apart (دمرت ~ تدمير
    share "دمر"), which is where most same-topic passages differ from each other.
    """
    out: list[str] = []
    for tok in tokenize(text):
        if not is_stopword(tok.norm):
            out.extend(word_grams(tok.norm, n))
    return out


def word_grams(norm: str, n: int = 4) -> list[str]:
    """Character n-grams of one normalized word, with word-boundary marks (as `char_grams` indexes them)."""
    w = f"#{norm}#"
    return [w[i : i + n] for i in range(max(1, len(w) - n + 1))]
