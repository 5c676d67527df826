"""Span decoding: the best start/end pair inside the passage, trimmed, with the window's no-answer score."""

from __future__ import annotations

import numpy as np

from assistant.reader.decode import window_spans
from assistant.reader.windows import Window

TEXT = "alpha beta gamma delta"
OFFS = ((0, 5), (5, 10), (10, 16), (16, 22))  # tokens carry their leading space, as SentencePiece's do


def _window() -> Window:
    return Window(ids=(0, 9, 2, 2, 5, 6, 7, 8, 2), first=4, offsets=OFFS)


def _logits(start_at: int, end_at: int, null: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    s, e = np.full(9, -5.0, np.float32), np.full(9, -5.0, np.float32)
    s[start_at], e[end_at] = 4.0, 3.0
    s[0] = e[0] = null / 2
    return s, e


def test_best_pair_and_trimmed_offsets():
    s, e = _logits(5, 6, null=1.0)
    best = window_spans(_window(), s, e, TEXT)[0]
    assert TEXT[best.start : best.end] == "beta gamma"  # the leading space of " beta" is trimmed
    assert best.score == 7.0 and best.null == 1.0


def test_end_before_start_and_overlong_spans_are_never_chosen():
    s, e = _logits(7, 5)
    spans = window_spans(_window(), s, e, TEXT)
    assert all(sp.start < sp.end for sp in spans)
    assert all(not (sp.start == 16 and sp.end == 10) for sp in spans)
    s, e = _logits(4, 7)
    assert all(TEXT[sp.start : sp.end] != "alpha beta gamma delta" for sp in window_spans(_window(), s, e, TEXT, max_tokens=2))


def test_question_tokens_are_not_answers():
    s, e = _logits(1, 1)  # the highest logits sit on a question token
    for sp in window_spans(_window(), s, e, TEXT):
        assert 0 <= sp.start < sp.end <= len(TEXT)
