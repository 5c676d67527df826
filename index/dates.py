"""Dates in Arabic and English text ("when" answers), with offsets into the original text.

Arabic news writes months two ways, often together: transliterated Gregorian names (يناير…ديسمبر)
and Levantine ones (كانون الثاني…كانون الأول), e.g. «5 و6 يناير/كانون الثاني». Both map to the
same month number, and the English names are here too, so a question in one language can match
a date written in the other (`MONTHS_AR`, `MONTHS_EN`, `WEEKDAYS_AR`, `WEEKDAYS_EN`, keys folded
by `index.normalize.normalize`; weekdays count from Monday = 0 like `datetime.weekday()`).

Forms read: day [range] month[/month] [year], month day [range] [, year], month year, a bare
month, a weekday (optionally followed by a date), a year (see `_bare_year`), and numeric
D/M/YYYY or YYYY-MM-DD. Hijri months, ordinal words (الثاني عشر من مارس) and relative dates
(أمس, last week) are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.normalize import normalize
from index.numbers import arabic_prefixes, could_be, raw_prefix_len
from index.tokens import Token, tokenize


@dataclass(frozen=True)
class DateSpan:
    start: int
    end: int
    text: str
    day: int | None
    day_end: int | None  # last day of a range: 5 و6 يناير -> day 5, day_end 6
    month: int | None
    year: int | None
    weekday: int | None  # Monday = 0 ... Sunday = 6


def _keys(table: dict[int, str]) -> dict[str, int]:
    return {normalize(name): number for number, names in table.items() for name in names.split(",")}


def _norm_set(words: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in words.split())


MONTHS_AR: dict[str, int] = _keys(
    {
        1: "يناير,كانون الثاني,كانون ثاني,جانفي",
        2: "فبراير,شباط,فيفري",
        3: "مارس,آذار",
        4: "أبريل,إبريل,نيسان,أفريل",
        5: "مايو,أيار",
        6: "يونيو,يونيه,حزيران,جوان",
        7: "يوليو,يوليه,تموز,جويلية,يوليوز",
        8: "أغسطس,آب,غشت",
        9: "سبتمبر,أيلول,شتنبر",
        10: "أكتوبر,تشرين الأول,تشرين أول",
        11: "نوفمبر,تشرين الثاني,تشرين ثاني,نونبر",
        12: "ديسمبر,كانون الأول,كانون أول,دجنبر",
    }
)
MONTH_NAMES_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTHS_EN: dict[str, int] = {name.lower(): i for i, name in enumerate(MONTH_NAMES_EN, start=1)}
_FULL_MONTHS_EN = frozenset(MONTHS_EN)
_MONTH_ABBR_EN = {name.lower()[:3]: i for i, name in enumerate(MONTH_NAMES_EN, start=1)} | {"sept": 9}
MONTHS_EN.update({k: v for k, v in _MONTH_ABBR_EN.items() if k not in MONTHS_EN})

WEEKDAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_EN: dict[str, int] = {name.lower(): i for i, name in enumerate(WEEKDAY_NAMES_EN)}
WEEKDAYS_AR: dict[str, int] = _keys(
    {0: "الاثنين,الإثنين", 1: "الثلاثاء", 2: "الأربعاء", 3: "الخميس", 4: "الجمعة", 5: "السبت", 6: "الأحد"}
)

# Month names that are also ordinary words (مارس "practised", آب "father", نيسان the car maker,
# may, march): a date only with a day or year next to them, or after شهر.
_AMBIGUOUS = _norm_set("مارس آب نيسان may march")
_MONTH_CUES = _norm_set("شهر الشهر لشهر بشهر month of")


_YEAR_CUES = _norm_set(
    "عام العام لعام بعام سنة السنة لسنة منذ حتى في خلال مطلع أوائل أواخر منتصف بداية نهاية قبل بعد "
    "in since year until till by during early late mid before after from"
)
_BARE_MONTH_CUES = _MONTH_CUES | _YEAR_CUES
_RANGE_WORDS = _norm_set("و إلى الى حتى to and through till until")
_ORDINAL_SUFFIX = frozenset({"st", "nd", "rd", "th"})
_DASHES = frozenset({"-", "\u2013", "\u2014"})

_NUMERIC_DMY = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?![\d/.\-]?\d)")
_NUMERIC_ISO = re.compile(r"(?<![\d/.\-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d/.\-]?\d)")


def _gap(text: str, a: Token, b: Token) -> str:
    return text[a.end : b.start].strip()


def _ws(text: str, a: Token, b: Token) -> bool:
    return _gap(text, a, b) == ""


def _plain_int(tok: Token, digits: tuple[int, ...]) -> int | None:
    norm = tok.norm
    if len(norm) not in digits or not norm.isascii() or not norm.isdigit():
        return None
    return int(norm)


def _day(tokens: list[Token], k: int) -> tuple[int, int] | None:
    """(day, index after it) for a 1-2 digit day, with an English ordinal suffix (12th) if any."""
    if k >= len(tokens):
        return None
    day = _plain_int(tokens[k], (1, 2))
    if day is None or not 1 <= day <= 31:
        return None
    nxt = k + 1
    if nxt < len(tokens) and tokens[nxt].norm in _ORDINAL_SUFFIX and tokens[nxt].start == tokens[k].end:
        nxt += 1
    return day, nxt


def _year(tokens: list[Token], k: int, lo: int = 1000, hi: int = 2999) -> int | None:
    if k >= len(tokens):
        return None
    year = _plain_int(tokens[k], (4,))
    return year if year is not None and lo <= year <= hi else None


@dataclass(frozen=True)
class _Month:
    month: int
    start: int  # raw start (after a و/ب/ل prefix)
    end: int
    next: int  # token index after the name(s)
    bare_ok: bool  # may stand alone as a date


# Every way a month or weekday word can end; a token that ends otherwise is skipped cheaply.
_MONTH_ENDINGS = frozenset(MONTHS_EN) | {key.split()[0] for key in MONTHS_AR} | frozenset(MONTHS_AR)
_WEEKDAY_ENDINGS = frozenset(WEEKDAYS_EN) | frozenset(WEEKDAYS_AR)


def _one_month(text: str, tokens: list[Token], k: int) -> _Month | None:
    if k >= len(tokens) or not could_be(tokens[k].norm, _MONTH_ENDINGS):
        return None
    tok = tokens[k]
    if k + 1 < len(tokens) and _ws(text, tok, tokens[k + 1]):
        for plen, rest, definite in arabic_prefixes(tok.norm):
            two = f"{rest} {tokens[k + 1].norm}"
            if not definite and two in MONTHS_AR:
                start = tok.start + raw_prefix_len(tok.text, plen)
                return _Month(MONTHS_AR[two], start, tokens[k + 1].end, k + 2, True)
    if tok.norm in MONTHS_EN:
        end = tok.end
        full = tok.norm in _FULL_MONTHS_EN
        if not full and text[end : end + 1] == ".":
            end += 1
        bare_ok = full and tok.text[:1].isupper() and tok.norm not in _AMBIGUOUS
        return _Month(MONTHS_EN[tok.norm], tok.start, end, k + 1, bare_ok)
    for plen, rest, definite in arabic_prefixes(tok.norm):
        if definite or rest not in MONTHS_AR or (plen and len(rest) < 4):
            continue  # a prefix only before a long name: باب is "door", not ب + آب
        start = tok.start + raw_prefix_len(tok.text, plen)
        return _Month(MONTHS_AR[rest], start, tok.end, k + 1, rest not in _AMBIGUOUS)
    return None


def _month(text: str, tokens: list[Token], k: int) -> _Month | None:
    """A month name at token k, with a second name for the same month: يناير/كانون الثاني, شباط (فبراير)."""
    first = _one_month(text, tokens, k)
    if first is None or first.next >= len(tokens):
        return first
    gap = text[first.end : tokens[first.next].start].strip()
    if gap not in ("/", "("):
        return first
    second = _one_month(text, tokens, first.next)
    if second is None or second.month != first.month:
        return first
    end = second.end
    if gap == "(":
        close = text[end:].lstrip()
        if not close.startswith(")"):
            return first
        end = len(text) - len(close) + 1
    return _Month(first.month, first.start, end, second.next, first.bare_ok or second.bare_ok)


def _range(text: str, tokens: list[Token], k: int) -> tuple[int, int] | None:
    """(last day, index after it) for "-13", "و24", "to 13" after a day ending before token k."""
    if k >= len(tokens) or k == 0:
        return None
    if _gap(text, tokens[k - 1], tokens[k]) in _DASHES:
        return _day(tokens, k)
    word = tokens[k].norm in _RANGE_WORDS and k + 1 < len(tokens)
    if word and _ws(text, tokens[k - 1], tokens[k]) and _ws(text, tokens[k], tokens[k + 1]):
        return _day(tokens, k + 1)
    return None


def _day_range(text: str, tokens: list[Token], day: int, k: int) -> tuple[int | None, int]:
    """(last day or None, index after the days) for the days ending before token k."""
    rng = _range(text, tokens, k)
    if rng is not None and rng[0] > day:
        return rng
    return None, k


def _year_after(text: str, tokens: list[Token], end: int, k: int) -> tuple[int, int, int] | None:
    """(year, end, next index) for a year right after a date part ending at `end`."""
    if k >= len(tokens) or text[end : tokens[k].start].strip() not in ("", ",", "،"):
        return None
    year = _year(tokens, k)
    return None if year is None else (year, tokens[k].end, k + 1)


def _date(text: str, tokens: list[Token], i: int) -> tuple[DateSpan, int] | None:
    """A day-first or month-first date starting at token i, and the token index after it."""
    found = _day(tokens, i)
    if found is not None:  # 12 March 2024, 5 و6 يناير/كانون الثاني, 12th of March
        day, k = found
        day_end, k = _day_range(text, tokens, day, k)
        if k < len(tokens) and tokens[k].norm == "of" and _ws(text, tokens[k - 1], tokens[k]):
            k += 1
        if k >= len(tokens) or not _ws(text, tokens[k - 1], tokens[k]):
            return None
        month = _month(text, tokens, k)
        if month is None:
            return None
        year = _year_after(text, tokens, month.end, month.next)
        end, nxt = (year[1], year[2]) if year else (month.end, month.next)
        return _span(text, tokens[i].start, end, day, day_end, month.month, year[0] if year else None), nxt
    month = _month(text, tokens, i)
    if month is None:
        return None
    k = month.next
    if k < len(tokens) and text[month.end : tokens[k].start].strip() == "":
        found = _day(tokens, k)
        if found is not None:  # March 12-13, 2024
            day, k = found
            day_end, k = _day_range(text, tokens, day, k)
            end = tokens[k - 1].end
            year = _year_after(text, tokens, end, k)
            end, nxt = (year[1], year[2]) if year else (end, k)
            return _span(text, month.start, end, day, day_end, month.month, year[0] if year else None), nxt
    year = _year_after(text, tokens, month.end, k)
    if year is not None:  # March 2024
        return _span(text, month.start, year[1], None, None, month.month, year[0]), year[2]
    if month.bare_ok or _month_cue(text, tokens, i):
        return _span(text, month.start, month.end, None, None, month.month, None), month.next
    return None


def _month_cue(text: str, tokens: list[Token], i: int) -> bool:
    """An ambiguous month name alone is a month after شهر / في / in (English: only capitalized)."""
    if i == 0 or not _ws(text, tokens[i - 1], tokens[i]):
        return False
    if tokens[i].norm.isascii() and not tokens[i].text[:1].isupper():
        return False
    return any(rest in _BARE_MONTH_CUES for _, rest, _ in arabic_prefixes(tokens[i - 1].norm))


def _span(
    text: str, start: int, end: int, day: int | None, day_end: int | None, month: int | None,
    year: int | None, weekday: int | None = None,
) -> DateSpan:  # fmt: skip
    return DateSpan(start, end, text[start:end], day, day_end, month, year, weekday)


def _weekday(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """(weekday, raw start) for الخميس / والخميس / Thursday at token i."""
    tok = tokens[i]
    if not could_be(tok.norm, _WEEKDAY_ENDINGS):
        return None
    if tok.norm in WEEKDAYS_EN:
        return WEEKDAYS_EN[tok.norm], tok.start
    for plen, rest, definite in arabic_prefixes(tok.norm):
        if not definite and rest in WEEKDAYS_AR:
            return WEEKDAYS_AR[rest], tok.start + raw_prefix_len(tok.text, plen)
    return None


def _bare_year(text: str, tokens: list[Token], i: int) -> DateSpan | None:
    """A year on its own: after a cue (عام, في, in, since…), or standing apart between punctuation.

    "2000 جندي" and "و1500 من الأنظمة" are counts; "عام 2000", "(2000)" and a bare "2024" are years.
    """
    year = _year(tokens, i, 1000, 2100)
    if year is None:
        return None
    tok = tokens[i]
    if text[tok.start - 1 : tok.start] in ("/", ":") or text[tok.end : tok.end + 1] in ("/", ":"):
        return None  # part of 99/99/2024 or 2024:15, not a year on its own
    after = tokens[i + 1] if i + 1 < len(tokens) and _ws(text, tok, tokens[i + 1]) else None
    if after is not None and after.norm == "ه":
        return None  # 1436 هـ: a Hijri year
    if after is not None and after.norm == "م" and after.start == tok.end:
        return _span(text, tok.start, tok.end, None, None, None, year)  # 2024م: AD, mark left out
    if i > 0 and _ws(text, tokens[i - 1], tok):
        if any(rest in _YEAR_CUES for _, rest, _ in arabic_prefixes(tokens[i - 1].norm)):
            return _span(text, tok.start, tok.end, None, None, None, year)
        return None
    if after is not None:
        return None
    return _span(text, tok.start, tok.end, None, None, None, year)


def _numeric(text: str) -> list[DateSpan]:
    """12/3/2024 (day first, as Arabic news writes it; swapped when only that makes sense), 2024-03-12."""
    out = []
    for m in _NUMERIC_DMY.finditer(text):
        day, month, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if month > 12 >= day:
            day, month = month, day
        if 1 <= day <= 31 and 1 <= month <= 12:
            out.append(_span(text, m.start(), m.end(), day, None, month, year))
    for m in _NUMERIC_ISO.finditer(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= day <= 31 and 1 <= month <= 12:
            out.append(_span(text, m.start(), m.end(), day, None, month, year))
    return out


def find_dates(text: str) -> list[DateSpan]:
    """Every date, weekday or year in `text`, left to right, without overlaps."""
    spans = _numeric(text)
    taken = [(s.start, s.end) for s in spans]
    tokens = tokenize(text)
    i = 0
    while i < len(tokens):
        if taken and any(a <= tokens[i].start < b for a, b in taken):
            i += 1
            continue
        found = _match(text, tokens, i)
        if found is None:
            i += 1
            continue
        span, i = found
        spans.append(span)
    return sorted(spans, key=lambda s: s.start)


def _match(text: str, tokens: list[Token], i: int) -> tuple[DateSpan, int] | None:
    wd = _weekday(tokens, i)
    if wd is not None:  # الخميس, Thursday, March 12; الخميس الموافق 12 مارس
        weekday, start = wd
        k = i + 1
        if k < len(tokens) and _gap(text, tokens[i], tokens[k]) in ("", ",", "،"):
            if tokens[k].norm == normalize("الموافق") and k + 1 < len(tokens):
                k += 1
            date = _date(text, tokens, k)
            if date is not None:
                d, nxt = date
                return _span(text, start, d.end, d.day, d.day_end, d.month, d.year, weekday), nxt
        return _span(text, start, tokens[i].end, None, None, None, None, weekday), i + 1
    date = _date(text, tokens, i)
    if date is not None:
        return date
    year = _bare_year(text, tokens, i)
    return (year, i + 1) if year is not None else None


def format_date(span: DateSpan, lang: str) -> str:
    """Display form. en: "March 12-13", "January 5-6, 2024", "Thursday, March 12"; ar: the source text."""
    if lang == "ar":
        return span.text
    if lang != "en":
        raise ValueError(f"lang must be 'ar' or 'en', not {lang!r}")
    parts = []
    if span.month is not None:
        date = MONTH_NAMES_EN[span.month - 1]
        if span.day is not None:
            date += f" {span.day}" + (f"-{span.day_end}" if span.day_end else "")
            if span.year is not None:
                date += f", {span.year}"
        elif span.year is not None:
            date += f" {span.year}"
        parts.append(date)
    elif span.year is not None:
        parts.append(str(span.year))
    if span.weekday is not None:
        parts.insert(0, WEEKDAY_NAMES_EN[span.weekday])
    return ", ".join(parts)
