"""Light stemming: Lucene's light10 rules for Arabic, Snowball for English.

Light stemming keeps names intact (news is full of them) while still matching the common
prefixed and suffixed forms (والمفاوضات ~ مفاوضات). Input is already normalized.
"""

from __future__ import annotations

from functools import lru_cache

import Stemmer

_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")
_EN = Stemmer.Stemmer("english")


def light10(word: str) -> str:
    """Lucene light10 plus one extension: a final accusative alef goes when 4+ letters remain."""
    for p in _PREFIXES:
        if word.startswith(p):
            if p == "و":
                if len(word) >= 4:
                    word = word[1:]
            elif len(word) >= len(p) + 2:
                word = word[len(p):]
            break
    for s in _SUFFIXES:
        if word.endswith(s) and len(word) >= len(s) + 2:
            word = word[: -len(s)]
    if word.endswith("ا") and len(word) >= 5:
        word = word[:-1]
    return word


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in word)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem one normalized word in its own script; digits and other scripts pass through."""
    if not word:
        return word
    if _is_arabic(word):
        return light10(word)
    if word.isascii() and word.isalpha():
        return _EN.stemWord(word)
    return word
