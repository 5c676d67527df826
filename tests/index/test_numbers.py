"""Number reader: one case per rule of docs/arabic-text.md §5, plus English, duals and negatives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.numbers import (
    NumberSpan,
    dual_count,
    find_duals,
    find_numbers,
    format_number,
    parse_number,
)
from index.tokens import tokenize


def values(text: str) -> list[float]:
    return [s.value for s in find_numbers(text)]


def only(text: str) -> NumberSpan:
    spans = find_numbers(text)
    assert len(spans) == 1, spans
    assert text[spans[0].start : spans[0].end] == spans[0].text
    return spans[0]


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [
        # digits
        ("1,234", 1234, "1,234"),
        ("1,512,300", 1512300, "1,512,300"),
        ("2.5", 2.5, "2.5"),
        ("٢٫٥", 2.5, "٢٫٥"),
        ("١٢", 12, "١٢"),
        ("١٬٥٠٠", 1500, "١٬٥٠٠"),
        ("2,5", 2.5, "2,5"),
        ("1.234.567", 1234567, "1.234.567"),
        # Arabic units, teens, tens, hundreds
        ("سبعة", 7, "سبعة"),
        ("ثماني", 8, "ثماني"),
        ("عشرة", 10, "عشرة"),
        ("خمسة عشر", 15, "خمسة عشر"),
        ("إحدى عشرة", 11, "إحدى عشرة"),
        ("أحد عشر", 11, "أحد عشر"),
        ("اثنا عشر", 12, "اثنا عشر"),
        ("اثنتي عشرة", 12, "اثنتي عشرة"),
        ("خمسة وعشرون", 25, "خمسة وعشرون"),
        ("واحد وعشرين", 21, "واحد وعشرين"),
        ("تسعين", 90, "تسعين"),
        ("مئة", 100, "مئة"),
        ("مائة وخمسون", 150, "مائة وخمسون"),
        ("مئتا", 200, "مئتا"),
        ("ثلاثمائة وخمسة وستون", 365, "ثلاثمائة وخمسة وستون"),
        ("ثلاث مئة", 300, "ثلاث مئة"),
        ("مئة وخمسة عشر", 115, "مئة وخمسة عشر"),
        # scales, singular / plural / dual
        ("ألف", 1000, "ألف"),
        ("ألفين", 2000, "ألفين"),
        ("مليونان", 2e6, "مليونان"),
        ("ثلاثة آلاف", 3000, "ثلاثة آلاف"),
        ("ثلاثة ملايين ومئتا ألف", 3_200_000, "ثلاثة ملايين ومئتا ألف"),
        ("ثلاثة عشر ألفا", 13000, "ثلاثة عشر ألفا"),
        ("ألف وتسعمائة وأربعة وثمانون", 1984, "ألف وتسعمائة وأربعة وثمانون"),
        ("مليون وألف", 1_001_000, "مليون وألف"),
        # digit / word mixtures
        ("مليون و512 ألفا و300", 1_512_300, "مليون و512 ألفا و300"),
        ("مليون و 512 ألفا و 300", 1_512_300, "مليون و 512 ألفا و 300"),
        ("2.5 مليار", 2.5e9, "2.5 مليار"),
        ("١٢ ألفا", 12000, "١٢ ألفا"),
        ("٢٫٥ مليون", 2.5e6, "٢٫٥ مليون"),
        ("نحو 24 ألف", 24000, "24 ألف"),
        # prefixes: و/ف, ب/ل, ال (kept in the span), diacritics and tatweel
        ("وخمسة", 5, "خمسة"),
        ("بخمسة ملايين", 5e6, "خمسة ملايين"),
        ("للعشرين", 20, "عشرين"),
        ("الخمسة", 5, "الخمسة"),
        ("وَخَمْسَة", 5, "خَمْسَة"),
        ("خمســة", 5, "خمســة"),
        ("و٢٫٥", 2.5, "٢٫٥"),
        # English
        ("two", 2, "two"),
        ("Seventeen", 17, "Seventeen"),
        ("twenty-one", 21, "twenty-one"),
        ("twenty one", 21, "twenty one"),
        ("1.5 million", 1.5e6, "1.5 million"),
        ("3 thousand", 3000, "3 thousand"),
        ("two hundred and fifty thousand", 250_000, "two hundred and fifty thousand"),
        ("one million two hundred thousand", 1_200_000, "one million two hundred thousand"),
        ("a million", 1e6, "million"),
    ],
)
def test_value_and_span(text: str, value: float, span: str) -> None:
    found = only(text)
    assert found.value == pytest.approx(value)
    assert found.text == span


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("2.5 مليار دولار", "دولار"),
        ("خمسة عشر جنديا", "جنديا"),
        ("نحو 24 ألف شخص", "شخص"),
        ("twenty-one tanks", "tanks"),
        ("1.5 million people", "people"),
        ("25%", "%"),
        ("٢٥ ٪", "٪"),
        ("25 في المئة", "في المئة"),
        ("25 بالمائة", "بالمائة"),
        ("three of them", None),  # stop word
        ("ثلاثة من الجنود", None),
        ("2024م", None),  # one letter: an abbreviation, not a noun
        ("12, 13", None),
    ],
)
def test_unit_is_the_noun_right_after(text: str, unit: str | None) -> None:
    assert find_numbers(text)[0].unit == unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 و13", [12, 13]),  # digits after digits never join
        ("2024 2025", [2024, 2025]),
        ("ثلاثة وأربعة", [3, 4]),  # listing, not 7
        ("ثلاثة، أربعة", [3, 4]),
        ("twenty, one", [20, 1]),
        ("two three", [2, 3]),
        ("خمسة twenty", [5, 20]),  # languages do not mix in one phrase
        ("ألف مليون", [1000, 1e6]),  # scales must decrease
        ("12-13", [12, 13]),
        ("سقط 1,200 صاروخ و3 طائرات", [1200, 3]),
    ],
)
def test_phrase_boundaries(text: str, expected: list[float]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "الفريق الفلسطيني الفائز",  # words starting with الف
        "آلاف المتظاهرين",  # plural scale alone: vague
        "ملايين الدولارات",
        "الآلاف",
        "عشرات القتلى",
        "مئات الأشخاص",
        "أحد المسؤولين",  # "one of"
        "إحدى الدول",
        "وأحد المخبرين",  # و + أحد folds to واحد
        "وَأحد السكان",
        "يوم الأحد",  # weekday
        "يوم الاثنين",
        "الجزء الثاني",  # ordinals are not cardinals
        "ثاني أكبر مدينة",
        "الثالث",
        "بعد ثانية",
        "لست أدري",  # ل + ست
        "في اليوم الواحد",  # "single"
        "the second round",
        "hundreds of people",
        "thousands",
        "someone",
        "1.2.3",
    ],
)
def test_ordinary_words_are_not_numbers(text: str) -> None:
    assert find_numbers(text) == []


def test_percent_word_is_not_a_hundred() -> None:
    assert values("ارتفع 25 في المئة") == [25]


@pytest.mark.parametrize(
    "text",
    ["1,512,300", "1512300", "مليون و512 ألفا و300", "١٬٥١٢٬٣٠٠", " 1,512,300. "],
)
def test_parse_number_same_value(text: str) -> None:
    assert parse_number(text) == 1_512_300


@pytest.mark.parametrize("text", ["", "نحو 24 ألف", "24 ألف شخص", "12 و13", "لا شيء", "و300"])
def test_parse_number_needs_one_whole_phrase(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("token", "noun"),
    [
        ("دبابتين", "دبابة"),
        ("دبابتان", "دبابة"),
        ("دبابتا", "دبابة"),  # construct
        ("دبابتي", "دبابة"),
        ("غواصتين", "غواصة"),
        ("والغواصتان", "غواصة"),  # و + ال
        ("بدبابتين", "دبابة"),
        ("للغواصتين", "غواصة"),  # ل + ال
        ("صاروخين", "صاروخ"),  # masculine: stem + ين / ان
        ("صاروخان", "صاروخ"),
        ("جنديين", "جنديا"),  # accusative noun from the question
        ("الدبابتين", "الدبابة"),
    ],
)
def test_dual_count(token: str, noun: str) -> None:
    assert dual_count(token, noun) == 2


@pytest.mark.parametrize(
    ("token", "noun"),
    [
        ("دبابة", "دبابة"),  # singular
        ("دبابات", "دبابة"),  # plural
        ("غواصتين", "دبابة"),  # another noun
        ("صاروخا", "صاروخ"),  # masculine -ا is an accusative singular, not a construct dual
        ("صاروخي", "صاروخ"),  # nisba adjective
        ("دبابتين", ""),
    ],
)
def test_not_a_dual(token: str, noun: str) -> None:
    assert dual_count(token, noun) is None


def test_find_duals_offsets() -> None:
    text = "أطلقت الغواصتين وبدبابتين"
    spans = find_duals(text, "غواصة")
    assert [(s.text, s.value, s.unit) for s in spans] == [("الغواصتين", 2, "الغواصتين")]
    spans = find_duals(text, "دبابة")
    assert [s.text for s in spans] == ["دبابتين"]
    assert all(text[s.start : s.end] == s.text for s in spans)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1_512_300, "1,512,300"), (2.5, "2.5"), (2.5e9, "2,500,000,000"), (12.0, "12"), (-1234, "-1,234")],
)
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_format_number(value: float, expected: str, lang: str) -> None:
    assert format_number(value, lang) == expected
    assert parse_number(format_number(value, lang)) == abs(value)


def test_format_number_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="lang"):
        format_number(1, "fr")


def test_offsets_in_a_sentence() -> None:
    text = "قالت الوزارة إن نحو ١٢ ألفا من الجنود و3 دبابات وصلوا، ومليون و512 ألفا و300 نسمة."
    spans = find_numbers(text)
    assert [s.value for s in spans] == [12000, 3, 1_512_300]
    assert [s.unit for s in spans] == [None, "دبابات", "نسمة"]
    for s in spans:
        assert text[s.start : s.end] == s.text


_TEXT = st.text(
    alphabet=st.sampled_from(
        list("0123456789٠١٢٣٤٥٦٧٨٩٫٬.,-/ %٪وفبلالفمئةعشرينخمستثآأإىيabcdefghijklmnoptw \u064e\u0640")
    )
    | st.characters(),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_never_crashes_and_spans_are_in_bounds(text: str) -> None:
    for s in find_numbers(text):
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
    parse_number(text)
    for tok in tokenize(text)[:3]:
        for s in find_duals(text, tok.text):
            assert text[s.start : s.end] == s.text
