"""An article's publication date, from whatever its export wrote: ISO 8601, RFC 2822, or words.

Archives write dates every way: `2015-07-21 02:51:32`, `2015-07-21T02:51:32Z`, `Tue, 21 Jul 2015
02:51:32 GMT`, `21 يوليو 2015`, `الثلاثاء 21 تموز/يوليو 2015`, `July 21, 2015`, `21/07/2015` (day
first, as Arabic news writes it). Each is read into one ISO form, `YYYY-MM-DD` or
`YYYY-MM-DDTHH:MM:SS[+HH:MM]` when a time was given, so dates compare and filter as text; the
calendar day (`day_number`) is what filters and the recency prior use. Month and weekday names
come from `index.dates`, the same tables the answer step reads.
"""

from __future__ import annotations

import datetime as dt
import email.utils

from index.dates import find_dates

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
YEARS = (1800, 2200)  # outside this, a "date" is a typo or a different field


class BadDate(ValueError):
    """A date field that is present but cannot be read as a calendar date."""


def _iso(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def _check_year(value: dt.date) -> None:
    if not YEARS[0] <= value.year <= YEARS[1]:
        msg = f"year {value.year} is out of range"
        raise BadDate(msg)


def parse_published(value: object) -> str | None:
    """The ISO form of a record's date field; None when it is absent or blank; BadDate when unreadable."""
    if value is None:
        return None
    if not isinstance(value, str):
        msg = f"not a date string ({type(value).__name__})"
        raise BadDate(msg)
    raw = value.strip().translate(_DIGITS)
    if not raw:
        return None
    parsed: dt.date | dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            parsed = _from_words(raw)
    if parsed is None:
        msg = f"unreadable date {value.strip()[:60]!r}"
        raise BadDate(msg)
    _check_year(parsed)
    return _iso(parsed)


def _from_words(raw: str) -> dt.date | None:
    """One full date written with month names or day/month/year digits, ignoring any time after it."""
    full = [s for s in find_dates(raw) if s.day is not None and s.month is not None and s.year is not None]
    if len(full) != 1 or full[0].day_end is not None:
        return None
    s = full[0]
    try:
        return dt.date(s.year, s.month, s.day)
    except ValueError:
        return None


def day_number(iso: str | None) -> int:
    """The calendar day of an ISO date (proleptic ordinal, 1 = 0001-01-01); 0 when there is none."""
    if not iso:
        return 0
    return dt.date.fromisoformat(iso[:10]).toordinal()


def parse_day(value: str, *, flag: str = "date") -> dt.date:
    """A day given by a person (`--since 2015-07-21`, `21 يوليو 2015`); ValueError says what is wrong."""
    try:
        iso = parse_published(value)
    except BadDate as e:
        msg = f"{flag}: {e}; write it as YYYY-MM-DD"
        raise ValueError(msg) from None
    if iso is None:
        msg = f"{flag}: empty date; write it as YYYY-MM-DD"
        raise ValueError(msg)
    return dt.date.fromisoformat(iso[:10])
