"""Publication dates as exports write them -> one ISO form; unreadable ones are refused, not guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from index.pubdate import BadDate, day_number, parse_day, parse_published


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2015-07-21", "2015-07-21"),
        ("2015-07-21 02:51:32", "2015-07-21T02:51:32"),
        ("2015-07-21T02:51:32Z", "2015-07-21T02:51:32+00:00"),
        ("2015-07-21T10:00:00+03:00", "2015-07-21T10:00:00+03:00"),
        ("Tue, 21 Jul 2015 02:51:32 GMT", "2015-07-21T02:51:32+00:00"),
        ("21 يوليو 2015", "2015-07-21"),
        ("الثلاثاء 21 تموز/يوليو 2015", "2015-07-21"),
        ("21 يوليو 2015 الساعة 10:30", "2015-07-21"),
        ("July 21, 2015", "2015-07-21"),
        ("Jul 21 2015", "2015-07-21"),
        ("21/07/2015", "2015-07-21"),
        ("٢١/٠٧/٢٠١٥", "2015-07-21"),
        ("  2015-07-21  ", "2015-07-21"),
    ],
)
def test_common_forms_read(raw: str, iso: str) -> None:
    assert parse_published(raw) == iso


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_absent_is_none(raw: object) -> None:
    assert parse_published(raw) is None


@pytest.mark.parametrize(
    "raw",
    ["yesterday", "2015-13-45", "32/1/2015", "July 2015", "5 و6 يناير 2015", "0001-01-01", 20150721, ["2015"]],
)
def test_unreadable_refused(raw: object) -> None:
    with pytest.raises(BadDate):
        parse_published(raw)


def test_day_number_orders_days_and_zero_means_unknown() -> None:
    assert day_number("2015-07-21T23:59:00") == dt.date(2015, 7, 21).toordinal()
    assert day_number("2015-07-22") - day_number("2015-07-21") == 1
    assert day_number("") == 0 and day_number(None) == 0


def test_parse_day_names_the_flag() -> None:
    assert parse_day("2015-07-21") == dt.date(2015, 7, 21)
    with pytest.raises(ValueError, match="--since: unreadable date 'last week'; write it as YYYY-MM-DD"):
        parse_day("last week", flag="--since")
