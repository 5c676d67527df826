"""Relative dates in a news passage, resolved against the article's publication day.

News writes days relative to its own date: «أمس», «أول أمس», «الخميس الماضي», «الأحد المقبل»,
«اليوم (الاثنين)», "yesterday", "last Tuesday", "two days ago". Given the article's date, each
becomes a calendar day; the span keeps the source words' offsets, so a citation can quote them
while the answer shows the day they mean.

Rules: yesterday -1, the day before yesterday -2, today 0, tomorrow +1, the day after tomorrow
+2; "N days ago" / «قبل N أيام» -N; a weekday with «الماضي/الفائت/المنصرم» or "last" is the latest
such day strictly before the article's date, with «المقبل/القادم» or "next" the first strictly
after; a bare weekday («يوم الخميس», "on Thursday"), and «اليوم (الاثنين)», is the latest such day
on or before it (news reports what happened; a story announcing a future event says «المقبل»;
an archive often stamps a story the night after the day it names).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from index.dates import MONTH_NAMES_EN, WEEKDAY_NAMES_EN, WEEKDAYS_AR, WEEKDAYS_EN
from index.normalize import normalize
from index.tokens import Token, tokenize

MONTH_NAMES_AR = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)  # fmt: skip
WEEKDAY_NAMES_AR = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")


@dataclass(frozen=True)
class RelativeDate:
    start: int  # offsets of the source words in the text given
    end: int
    text: str
    date: dt.date


def _n(words: str) -> tuple[str, ...]:
    return tuple(normalize(w) for w in words.split())


# Phrases -> day offset, longest first. Normalized (أ/إ/آ -> ا, ة -> ه, diacritics dropped).
_FIXED: list[tuple[tuple[str, ...], int]] = sorted(
    [
        (_n("أول أمس"), -2), (_n("أول من أمس"), -2), (_n("أمس الأول"), -2),
        (_n("يوم أمس"), -1), (_n("أمس"), -1), (_n("بالأمس"), -1), (_n("الأمس"), -1), (_n("البارحة"), -1),
        (_n("اليوم"), 0), (_n("غدا"), 1), (_n("يوم غد"), 1), (_n("بعد غد"), 2),
        (_n("the day before yesterday"), -2), (_n("yesterday"), -1), (_n("today"), 0),
        (_n("the day after tomorrow"), 2), (_n("tomorrow"), 1),
    ],
    key=lambda p: -len(p[0]),
)  # fmt: skip
_PAST = frozenset(_n("الماضي الفائت المنصرم المنقضي السابق"))
_NEXT = frozenset(_n("المقبل القادم"))
_DAY_WORDS = frozenset(_n("يوم"))
_DAYS_AR = frozenset(_n("أيام يوما يوم"))
_TWO_DAYS_AR = frozenset(_n("يومين"))
_AGO_AR = frozenset(_n("قبل منذ"))
_SMALL_EN = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _weekday(norm: str) -> int | None:
    """Weekday number of a word, with a leading و/ب/ل/ف clitic (والخميس, بالخميس) allowed."""
    if norm in WEEKDAYS_AR:
        return WEEKDAYS_AR[norm]
    if norm in WEEKDAYS_EN:
        return WEEKDAYS_EN[norm]
    for cut in (1, 2):
        if len(norm) > cut + 4 and all(c in "وبلف" for c in norm[:cut]):
            rest = norm[cut:]
            rest = rest if rest.startswith("ال") else "ال" + rest.removeprefix("ل")
            if rest in WEEKDAYS_AR:
                return WEEKDAYS_AR[rest]
    return None


def _matches(tokens: list[Token], i: int, phrase: tuple[str, ...]) -> bool:
    return i + len(phrase) <= len(tokens) and all(tokens[i + k].norm == w for k, w in enumerate(phrase))


def _previous(published: dt.date, weekday: int, strictly: bool) -> dt.date:
    back = (published.weekday() - weekday) % 7
    if back == 0 and strictly:
        back = 7
    return published - dt.timedelta(days=back)


def _next(published: dt.date, weekday: int) -> dt.date:
    ahead = (weekday - published.weekday()) % 7 or 7
    return published + dt.timedelta(days=ahead)


def _at(text: str, tokens: list[Token], i: int, published: dt.date) -> tuple[RelativeDate, int] | None:
    """The relative date starting at token i, and the token after it."""

    def span(j: int, day: dt.date) -> tuple[RelativeDate, int]:
        s, e = tokens[i].start, tokens[j - 1].end
        return RelativeDate(s, e, text[s:e], day), j

    tok = tokens[i].norm
    nxt = tokens[i + 1].norm if i + 1 < len(tokens) else ""
    # "last/next/this/on Tuesday"
    if tok in ("last", "next", "this", "on") and _weekday(nxt) is not None and nxt in WEEKDAYS_EN:
        wd = WEEKDAYS_EN[nxt]
        day = _next(published, wd) if tok == "next" else _previous(published, wd, strictly=tok == "last")
        return span(i + 2, day)
    # "N days ago", "two days ago"
    if i + 2 < len(tokens) and nxt in ("days", "day") and tokens[i + 2].norm == "ago":
        n = int(tok) if tok.isdigit() else _SMALL_EN.get(tok)
        if n is not None and 0 < n < 60:
            return span(i + 3, published - dt.timedelta(days=n))
    # «قبل يومين», «قبل 3 أيام», «منذ يومين»
    if tok in _AGO_AR and nxt:
        if nxt in _TWO_DAYS_AR:
            return span(i + 2, published - dt.timedelta(days=2))
        if nxt.isdigit() and i + 2 < len(tokens) and tokens[i + 2].norm in _DAYS_AR and 0 < int(nxt) < 60:
            return span(i + 3, published - dt.timedelta(days=int(nxt)))
    for phrase, offset in _FIXED:
        if _matches(tokens, i, phrase):
            j = i + len(phrase)
            # «اليوم (الاثنين)»: the writer names the day; it wins over a date stamped later
            # (an archive's date is often the night after), so take the latest such weekday.
            wd = _weekday(tokens[j].norm) if offset == 0 and j < len(tokens) else None
            if wd is not None and text[tokens[i].end : tokens[j].start].strip() in ("(", "،", ",", ""):
                close = tokens[j].end + (1 if text[tokens[j].end : tokens[j].end + 1] == ")" else 0)
                day = _previous(published, wd, strictly=False)
                return RelativeDate(tokens[i].start, close, text[tokens[i].start : close], day), j + 1
            return span(j, published + dt.timedelta(days=offset))
    start = i + 1 if tok in _DAY_WORDS else i
    wd = _weekday(tokens[start].norm) if start < len(tokens) else None
    if wd is None or (tokens[start].norm in WEEKDAYS_EN and start == i):
        return None  # an English bare weekday needs "on"/"last"/"next"/"this" (handled above)
    after = tokens[start + 1].norm if start + 1 < len(tokens) else ""
    if after in _PAST:
        return span(start + 2, _previous(published, wd, strictly=True))
    if after in _NEXT:
        return span(start + 2, _next(published, wd))
    return span(start + 1, _previous(published, wd, strictly=False))


def find_relative_dates(text: str, published: dt.date, start: int = 0, end: int | None = None) -> list[RelativeDate]:
    """Every relative date in `text[start:end]`, resolved against `published`, left to right."""
    end = len(text) if end is None else end
    tokens = [t for t in tokenize(text) if t.start >= start and t.end <= end]
    out: list[RelativeDate] = []
    i = 0
    while i < len(tokens):
        found = _at(text, tokens, i, published)
        if found is None:
            i += 1
            continue
        rel, i = found
        out.append(rel)
    return out


def resolve_relative_date(
    text: str, start: int, end: int, published: dt.date, near: tuple[int, int] | None = None
) -> RelativeDate | None:
    """The relative date in `text[start:end]` that a short answer means: the one overlapping
    `near` (the answer's span) when there is one, else the first; None when there is none."""
    found = find_relative_dates(text, published, start, end)
    if not found:
        return None
    if near is not None:
        lo, hi = near
        for rel in found:
            if rel.start < hi and lo < rel.end:
                return rel
    return found[0]


def format_day(day: dt.date, lang: str) -> str:
    """'Monday, July 20, 2015' / «الاثنين 20 يوليو 2015»."""
    if lang == "ar":
        return f"{WEEKDAY_NAMES_AR[day.weekday()]} {day.day} {MONTH_NAMES_AR[day.month - 1]} {day.year}"
    return f"{WEEKDAY_NAMES_EN[day.weekday()]}, {MONTH_NAMES_EN[day.month - 1]} {day.day}, {day.year}"
