"""Passages: whole sentences packed into windows, each pointing back into its document.

A passage never cuts a sentence, so a cited sentence is always whole inside one passage, and
`document[start:end] == passage.text` holds by construction (the text is sliced, never rebuilt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.sentences import split_sentences

_WORD = re.compile(r"\S+")
CHARS_PER_WORD = 12  # a generous average (Arabic words run 5-6 letters); caps passages in characters


@dataclass(frozen=True, slots=True)
class Passage:
    doc_id: str
    start: int
    end: int
    text: str


def split_passages(doc_id: str, text: str, max_words: int = 120, overlap: int = 1) -> list[Passage]:
    """Pack sentences of `text` into passages of about `max_words` words, sharing `overlap` sentences."""
    if max_words < 1 or overlap < 0:
        msg = f"max_words must be >= 1 and overlap >= 0 (got {max_words}, {overlap})"
        raise ValueError(msg)
    sents = split_sentences(text)
    if not sents:
        return []
    words = [len(_WORD.findall(text, s, e)) for s, e in sents]
    max_chars = max_words * CHARS_PER_WORD  # text with few spaces must not make huge passages
    out: list[Passage] = []
    i = 0
    while i < len(sents):
        j, total = i, 0
        while j < len(sents) and (
            j == i or (total + words[j] <= max_words and sents[j][1] - sents[i][0] <= max_chars)
        ):
            total += words[j]
            j += 1
        start, end = sents[i][0], sents[j - 1][1]
        out.append(Passage(doc_id, start, end, text[start:end]))
        if j >= len(sents):
            break
        # Step forward, keeping `overlap` sentences, but always make progress.
        i = max(i + 1, j - overlap)
    return out


def sentences_in(passage_start: int, passage_end: int, doc_text: str) -> list[tuple[int, int]]:
    """Sentence spans (document offsets) inside one passage."""
    return [(passage_start + s, passage_start + e) for s, e in split_sentences(doc_text[passage_start:passage_end])]
