"""Relative dates resolved against an article's date, in Arabic and English, with source offsets."""

from __future__ import annotations

import datetime as dt

import pytest

from index.relative_dates import find_relative_dates, format_day, resolve_relative_date

TUESDAY = dt.date(2015, 7, 21)


@pytest.mark.parametrize(
    ("text", "words", "day"),
    [
        ("أعلنت الوزارة أمس افتتاح الجسر.", "أمس", "2015-07-20"),
        ("وقال الوزير يوم أمس إن", "يوم أمس", "2015-07-20"),
        ("وقال بالأمس إن", "بالأمس", "2015-07-20"),
        ("وقع الحادث أول من أمس في جدة", "أول من أمس", "2015-07-19"),
        ("وقع الحادث أول أمس", "أول أمس", "2015-07-19"),
        ("يبدأ التسجيل غداً في المدارس", "غداً", "2015-07-22"),
        ("تنطلق البطولة بعد غد", "بعد غد", "2015-07-23"),
        ("وصل الوفد الخميس الماضي إلى الرياض.", "الخميس الماضي", "2015-07-16"),
        ("عقد الاجتماع الثلاثاء الماضي", "الثلاثاء الماضي", "2015-07-14"),  # strictly before the same weekday
        ("ستعقد القمة الأحد المقبل.", "الأحد المقبل", "2015-07-26"),
        ("اجتمع المجلس يوم الخميس", "يوم الخميس", "2015-07-16"),
        ("اجتمع المجلس الثلاثاء", "الثلاثاء", "2015-07-21"),  # a bare weekday may be the day itself
        ("حدد رئيس الوزراء اليوم (الاثنين)، ملامح", "اليوم (الاثنين)", "2015-07-20"),  # the named day wins
        ("قال مسؤول قبل يومين إن", "قبل يومين", "2015-07-19"),
        ("وقع قبل 3 أيام", "قبل 3 أيام", "2015-07-18"),
        ("The minister said yesterday that talks resumed.", "yesterday", "2015-07-20"),
        ("They met last Tuesday.", "last Tuesday", "2015-07-14"),
        ("Talks resume next Monday.", "next Monday", "2015-07-27"),
        ("The vote was held on Friday.", "on Friday", "2015-07-17"),
        ("It happened two days ago.", "two days ago", "2015-07-19"),
        ("It happened 5 days ago.", "5 days ago", "2015-07-16"),
        ("It was the day before yesterday.", "the day before yesterday", "2015-07-19"),
        ("Results come tomorrow.", "tomorrow", "2015-07-22"),
    ],
)
def test_resolved_with_source_offsets(text: str, words: str, day: str) -> None:
    [rel] = find_relative_dates(text, TUESDAY)
    assert rel.text == words and text[rel.start : rel.end] == words
    assert rel.date.isoformat() == day


@pytest.mark.parametrize(
    "text", ["واليوم الوطني مناسبة سنوية", "Friday prayers were held.", "أمسية شعرية في النادي", "قبل الحرب"]
)
def test_not_relative_dates(text: str) -> None:
    assert find_relative_dates(text, TUESDAY) == []


def test_the_one_under_the_answer_span_is_chosen_within_the_range() -> None:
    text = "قال الوزير أمس إن الاجتماع سيعقد الأحد المقبل. وأعلن غدا."
    sentence_end = text.index(".") + 1
    under = text.index("الأحد")
    rel = resolve_relative_date(text, 0, sentence_end, TUESDAY, near=(under, under + 5))
    assert rel is not None and rel.text == "الأحد المقبل"
    first = resolve_relative_date(text, 0, sentence_end, TUESDAY)
    assert first is not None and first.text == "أمس"
    assert resolve_relative_date(text, sentence_end, len(text), TUESDAY).text == "غدا"
    assert resolve_relative_date("لا تاريخ هنا", 0, 12, TUESDAY) is None


def test_format_day() -> None:
    assert format_day(dt.date(2015, 7, 20), "ar") == "الاثنين 20 يوليو 2015"
    assert format_day(dt.date(2015, 7, 20), "en") == "Monday, July 20, 2015"
