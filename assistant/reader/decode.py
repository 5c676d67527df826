"""Start/end logits -> scored character spans, and the window's no-answer score.

The reader scores a span by start logit + end logit (the usual extractive QA reading); its
no-answer score is the same sum at `<s>` (SQuAD 2.0 style). Spans are confined to passage tokens
and at most `max_tokens` long; leading and trailing spaces are trimmed so a span never starts on
the space a SentencePiece token carries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.reader.windows import Window

TOP_EDGES = 20  # start and end candidates kept per window before pairing


@dataclass(frozen=True)
class Span:
    passage: int  # index of the passage in the batch the windows came from
    start: int  # character offsets into that passage's text
    end: int
    score: float  # start + end logit
    null: float  # the window's no-answer score (start + end logit at <s>)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def window_spans(
    window: Window,
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    text: str,
    max_tokens: int = 30,
    top: int = TOP_EDGES,
) -> list[Span]:
    """The window's best spans, best first (at most `top`)."""
    first, n = window.first, len(window.offsets)
    if n == 0:
        return []
    s = np.asarray(start_logits[first : first + n], dtype=np.float32)
    e = np.asarray(end_logits[first : first + n], dtype=np.float32)
    null = float(start_logits[0] + end_logits[0])
    k = min(top, n)
    starts = np.argpartition(-s, k - 1)[:k]
    ends = np.argpartition(-e, k - 1)[:k]
    cands: dict[tuple[int, int], float] = {}
    for i in starts:
        for j in ends:
            if j < i or j - i + 1 > max_tokens:
                continue
            a, b = _trim(text, window.offsets[i][0], window.offsets[j][1])
            if b <= a:
                continue
            score = float(s[i] + e[j])
            if score > cands.get((a, b), -np.inf):
                cands[(a, b)] = score
    best = sorted(cands.items(), key=lambda kv: -kv[1])[:top]
    return [Span(window.passage, a, b, sc, null) for (a, b), sc in best]
