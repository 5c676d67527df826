"""Text direction per message, decided by the message's own letters.

The page holds Arabic and English side by side, so one global `dir` is wrong for half of it:
each message, quote and passage gets the direction of the script most of its letters use.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

Direction = Literal["rtl", "ltr"]

_SCAN_CHARS = 4000  # enough letters to decide; a 1 MB question must not cost a full scan


def direction(text: str) -> Direction:
    """'rtl' when most strong letters are right-to-left (Arabic, Hebrew...), else 'ltr'.

    A tie goes to the first strong letter, like the HTML `dir=auto` rule; no letters at all -> 'ltr'.
    """
    rtl = ltr = 0
    first: Direction | None = None
    for ch in text[:_SCAN_CHARS]:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            rtl += 1
            first = first or "rtl"
        elif kind == "L":
            ltr += 1
            first = first or "ltr"
    if rtl == ltr:
        return first or "ltr"
    return "rtl" if rtl > ltr else "ltr"


def language(text: str) -> Literal["ar", "en"]:
    """The page's two languages, guessed from the script (for labels before the answer knows better)."""
    return "ar" if direction(text) == "rtl" else "en"


def _strong(ch: str) -> Direction | None:
    kind = unicodedata.bidirectional(ch)
    if kind in ("R", "AL"):
        return "rtl"
    return "ltr" if kind == "L" else None


# Numbers, their separators and spaces: they join the run next to them ("11642 دبابة" is one phrase).
_JOINS = {"EN", "AN", "WS", "CS", "ES", "ET", "NSM", "BN"}


def _keeps_edge(ch: str) -> bool:
    return ch.isalnum() or unicodedata.bidirectional(ch) == "NSM"


def foreign_runs(text: str, base: Direction) -> list[tuple[int, int]]:
    """[start, end) spans of `text` written in the other direction than `base`.

    A run goes from a strong letter of the other direction to the last one before a letter of `base`,
    takes in the numbers beside it, and ends on a letter, digit or mark (spaces and punctuation at its
    edges stay outside). Wrapped in <bdi dir=...>, it keeps its own order inside the surrounding line.
    """
    cores: list[tuple[int, int]] = []
    start = last = -1
    for i, ch in enumerate(text):
        d = _strong(ch)
        if d is None:
            continue
        if d != base:
            if start < 0:
                start = i
            last = i
        elif start >= 0:
            cores.append((start, last + 1))
            start = -1
    if start >= 0:
        cores.append((start, last + 1))
    runs = []
    for a, b in cores:
        while a > 0 and unicodedata.bidirectional(text[a - 1]) in _JOINS:
            a -= 1
        while b < len(text) and unicodedata.bidirectional(text[b]) in _JOINS:
            b += 1
        while not _keeps_edge(text[a]):
            a += 1
        while not _keeps_edge(text[b - 1]):
            b -= 1
        if runs and a <= runs[-1][1]:
            a = runs.pop()[0]
        runs.append((a, b))
    return runs
