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
