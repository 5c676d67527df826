"""Date reader: Gregorian-transliterated and Levantine month names, English forms, weekdays, years."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.dates import (
    MONTHS_AR,
    MONTHS_EN,
    WEEKDAYS_AR,
    WEEKDAYS_EN,
    DateSpan,
    find_dates,
    format_date,
)
from index.normalize import normalize


def only(text: str) -> DateSpan:
    spans = find_dates(text)
    assert len(spans) == 1, spans
    assert text[spans[0].start : spans[0].end] == spans[0].text
    return spans[0]


def fields(span: DateSpan) -> tuple[int | None, ...]:
    return (span.day, span.day_end, span.month, span.year, span.weekday)


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        # Arabic: day [range] month[/month] [year]
        ("23 و24 يناير/كانون الثاني", "23 و24 يناير/كانون الثاني", (23, 24, 1, None, None)),
        (
            "في 23 و 24 كانون الثاني/يناير 2024 بدأت",
            "23 و 24 كانون الثاني/يناير 2024",
            (23, 24, 1, 2024, None),
        ),
        ("12 و13 مارس", "12 و13 مارس", (12, 13, 3, None, None)),
        ("12 مارس 2024", "12 مارس 2024", (12, None, 3, 2024, None)),
        ("١٢ مارس ٢٠٢٤", "١٢ مارس ٢٠٢٤", (12, None, 3, 2024, None)),
        ("3 آذار", "3 آذار", (3, None, 3, None, None)),
        ("من 12 إلى 14 نيسان", "12 إلى 14 نيسان", (12, 14, 4, None, None)),
        ("12-14 أبريل", "12-14 أبريل", (12, 14, 4, None, None)),
        ("5 تشرين الأول", "5 تشرين الأول", (5, None, 10, None, None)),
        ("5 كانون الأول 2023", "5 كانون الأول 2023", (5, None, 12, 2023, None)),
        ("شباط (فبراير) 2023", "شباط (فبراير) 2023", (None, None, 2, 2023, None)),
        ("يونيو 2024", "يونيو 2024", (None, None, 6, 2024, None)),
        ("حتى أغسطس", "أغسطس", (None, None, 8, None, None)),
        ("وأيلول", "أيلول", (None, None, 9, None, None)),
        ("في شهر مارس", "مارس", (None, None, 3, None, None)),
        ("في آب", "آب", (None, None, 8, None, None)),
        # weekdays, alone and before a date
        ("الخميس", "الخميس", (None, None, None, None, 3)),
        ("أمس الأربعاء", "الأربعاء", (None, None, None, None, 2)),
        ("يوم الإثنين", "الإثنين", (None, None, None, None, 0)),
        ("والجمعة", "الجمعة", (None, None, None, None, 4)),
        ("الخميس 12 مارس", "الخميس 12 مارس", (12, None, 3, None, 3)),
        ("الخميس الموافق 12 مارس", "الخميس الموافق 12 مارس", (12, None, 3, None, 3)),
        ("Thursday", "Thursday", (None, None, None, None, 3)),
        ("on sunday", "sunday", (None, None, None, None, 6)),
        ("Thursday, March 12, 2024", "Thursday, March 12, 2024", (12, None, 3, 2024, 3)),
        # English
        ("March 12-13", "March 12-13", (12, 13, 3, None, None)),
        ("March 12 – 13", "March 12 – 13", (12, 13, 3, None, None)),
        ("January 23-24, 2024", "January 23-24, 2024", (23, 24, 1, 2024, None)),
        ("12 March 2024", "12 March 2024", (12, None, 3, 2024, None)),
        ("12 and 13 March", "12 and 13 March", (12, 13, 3, None, None)),
        ("the 12th of March", "12th of March", (12, None, 3, None, None)),
        ("March 12th", "March 12th", (12, None, 3, None, None)),
        ("Jan. 5, 2020", "Jan. 5, 2020", (5, None, 1, 2020, None)),
        ("Sept 9", "Sept 9", (9, None, 9, None, None)),
        ("March 2024", "March 2024", (None, None, 3, 2024, None)),
        ("in May", "May", (None, None, 5, None, None)),
        ("October", "October", (None, None, 10, None, None)),
        # years
        ("2024", "2024", (None, None, None, 2024, None)),
        ("عام 2000 جندي", "2000", (None, None, None, 2000, None)),
        ("منذ ١٩٤٨", "١٩٤٨", (None, None, None, 1948, None)),
        ("in 2024 the", "2024", (None, None, None, 2024, None)),
        ("وفي 2023", "2023", (None, None, None, 2023, None)),
        ("المؤتمر (2019) انعقد", "2019", (None, None, None, 2019, None)),
        ("تأسست 1932م.", "1932", (None, None, None, 1932, None)),
        # numeric
        ("12/3/2024", "12/3/2024", (12, None, 3, 2024, None)),
        ("3/25/2024", "3/25/2024", (25, None, 3, 2024, None)),  # only month-first makes sense
        ("١٢/٣/٢٠٢٤", "١٢/٣/٢٠٢٤", (12, None, 3, 2024, None)),
        ("2024-03-12", "2024-03-12", (12, None, 3, 2024, None)),
    ],
)
def test_date_forms(text: str, span: str, expected: tuple[int | None, ...]) -> None:
    found = only(text)
    assert found.text == span
    assert fields(found) == expected


@pytest.mark.parametrize(
    "text",
    [
        "مارس الضغط على الحكومة",  # مارس = "practised"
        "فتح الباب",  # ب + آب
        "لاب توب",
        "سيارة نيسان",
        "أحد المسؤولين",  # not الأحد
        "you may go",
        "of march",
        "2000 جندي",  # a count, not a year
        "و1500 من الأنظمة",
        "عام 1436هـ",  # Hijri
        "عام 1436 هـ",
        "12 شخصا",  # a bare day is no date
        "1,999",
        "99/99/2024",
        "1.2.3",
    ],
)
def test_not_dates(text: str) -> None:
    assert find_dates(text) == []


def test_several_dates_in_order() -> None:
    text = "بدأت المحادثات الخميس 23 و24 يناير/كانون الثاني، وتستأنف في 12 مارس 2024."
    spans = find_dates(text)
    assert [fields(s) for s in spans] == [(23, 24, 1, None, 3), (12, None, 3, 2024, None)]
    for s in spans:
        assert text[s.start : s.end] == s.text


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("12 و13 مارس", "March 12-13"),
        ("23 و24 يناير/كانون الثاني 2024", "January 23-24, 2024"),
        ("آذار 2024", "March 2024"),
        ("عام 2024", "2024"),
        ("الخميس", "Thursday"),
        ("الخميس 12 مارس 2024", "Thursday, March 12, 2024"),
    ],
)
def test_format_date(text: str, english: str) -> None:
    span = find_dates(text)[-1]
    assert format_date(span, "en") == english
    assert format_date(span, "ar") == span.text


def test_format_date_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="lang"):
        format_date(only("2024"), "fr")


def test_both_calendars_share_month_numbers() -> None:
    levantine = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران"]
    levantine += ["تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"]
    gregorian = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو"]
    gregorian += ["يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
    english = ["january", "february", "march", "april", "may", "june"]
    english += ["july", "august", "september", "october", "november", "december"]
    for n, (lev, greg, en) in enumerate(zip(levantine, gregorian, english, strict=True), start=1):
        assert MONTHS_AR[normalize(lev)] == MONTHS_AR[normalize(greg)] == MONTHS_EN[en] == n


def test_lexicon_keys_are_normalized() -> None:
    for table in (MONTHS_AR, MONTHS_EN, WEEKDAYS_AR, WEEKDAYS_EN):
        assert all(normalize(k) == k for k in table)
    assert WEEKDAYS_AR[normalize("الأربعاء")] == WEEKDAYS_EN["wednesday"] == 2


_TEXT = st.text(
    alphabet=st.sampled_from(list("0123456789٠١٢٣٤٥٦٧٨٩/-–.,،() وبلالخميسمارسآبكانونثيابرMarchMy th"))
    | st.characters(),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_never_crashes_and_spans_are_in_bounds(text: str) -> None:
    spans = find_dates(text)
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        format_date(s, "en")
    assert [s.start for s in spans] == sorted(s.start for s in spans)
