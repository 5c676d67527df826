"""Which text the dense channel embeds, given the languages the embedder serves.

An English-only embedder cannot read Arabic, so Arabic text is glossed into English (dictionary,
word by word) before embedding, at index time and for Arabic questions alike. A multilingual
embedder gets the text as it is. Switching the model switches the bridge; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable

from index.normalize import script_counts

DIRECT = "direct"
GLOSS_EN = "gloss-en"


def text_language(text: str) -> str:
    """'ar' when Arabic letters are the majority of letters, else 'en'."""
    ar, lat = script_counts(text)
    return "ar" if ar >= lat and ar > 0 else "en"


def bridge_mode(languages: frozenset[str], glosser: Callable[[str], str] | None) -> str:
    if "multi" in languages or "ar" in languages:
        return DIRECT
    return GLOSS_EN if glosser is not None else DIRECT


def dense_text(text: str, mode: str, glosser: Callable[[str], str] | None) -> str:
    """The string to embed for `text` under bridge `mode`."""
    if mode == GLOSS_EN and glosser is not None and text_language(text) == "ar":
        gloss = glosser(text)
        return gloss if gloss.strip() else text
    return text
