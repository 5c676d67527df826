"""Question + passage -> the reader's input windows, with each token's character span in the passage.

Training and answering build windows here and nowhere else, so what the reader learned is what it
reads. A window is `<s> question </s></s> passage tokens </s>`; a passage longer than one window is
covered by overlapping windows. Token offsets come from the fast tokenizer and point into the
passage text as given, so a predicted span is `passage[start:end]` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tokenizers import Tokenizer

BOS, PAD, EOS = 0, 1, 2  # XLM-R's <s>, <pad>, </s>
MAX_QUESTION_TOKENS = 48


@dataclass(frozen=True)
class Window:
    """One reader input. Passage tokens sit at positions `first .. first + len(offsets) - 1`."""

    ids: tuple[int, ...]
    first: int  # position of the first passage token
    offsets: tuple[tuple[int, int], ...]  # (start, end) in the passage text, per passage token
    passage: int = 0  # which passage of the question's batch this window reads


@dataclass(frozen=True)
class Encoded:
    ids: tuple[int, ...]
    offsets: tuple[tuple[int, int], ...]


def encode(tokenizer: Tokenizer, text: str) -> Encoded:
    """Token ids and character offsets of `text`, without special tokens."""
    enc = tokenizer.encode(text, add_special_tokens=False)
    return Encoded(tuple(enc.ids), tuple((int(a), int(b)) for a, b in enc.offsets))


def encode_batch(tokenizer: Tokenizer, texts: list[str]) -> list[Encoded]:
    encs = tokenizer.encode_batch(texts, add_special_tokens=False)
    return [Encoded(tuple(e.ids), tuple((int(a), int(b)) for a, b in e.offsets)) for e in encs]


def windows(
    question: Encoded,
    passage: Encoded,
    max_len: int,
    stride: int,
    passage_index: int = 0,
    span: tuple[int, int] | None = None,
) -> list[Window]:
    """Windows of at most `max_len` tokens covering the passage, consecutive ones sharing `stride` tokens.

    With `span` (character start, end), only windows whose passage tokens overlap it are made:
    the reader then reads the neighbourhood of a sentence instead of a whole passage.
    """
    q = question.ids[:MAX_QUESTION_TOKENS]
    head = (BOS, *q, EOS, EOS)
    room = max_len - len(head) - 1
    if room < 8:
        msg = f"max_len {max_len} leaves no room for the passage after a {len(q)}-token question"
        raise ValueError(msg)
    n = len(passage.ids)
    lo, hi = 0, n
    if span is not None:
        a, b = span
        inside = [i for i, (s, e) in enumerate(passage.offsets) if e > a and s < b]
        if not inside:
            return []
        lo, hi = inside[0], inside[-1] + 1
        # centre the span in one window when it fits
        extra = max(0, room - (hi - lo))
        lo = max(0, lo - extra // 2)
        hi = min(n, max(hi, lo + room))
        lo = max(0, min(lo, hi - room))
    step = max(1, room - stride)
    out: list[Window] = []
    start = lo
    while True:
        end = min(hi, start + room)
        ids = head + passage.ids[start:end] + (EOS,)
        out.append(Window(ids, len(head), passage.offsets[start:end], passage_index))
        if end >= hi:
            break
        start += step
    return out


def token_span(window: Window, char_start: int, char_end: int) -> tuple[int, int] | None:
    """Positions (start, end inclusive) of the tokens covering [char_start, char_end), if the window holds all of it."""
    offs = window.offsets
    if not offs or char_start < offs[0][0] or char_end > offs[-1][1]:
        return None
    s = next((i for i, (a, b) in enumerate(offs) if b > char_start), None)
    e = next((i for i in range(len(offs) - 1, -1, -1) if offs[i][0] < char_end), None)
    if s is None or e is None or e < s:
        return None
    return window.first + s, window.first + e
