from __future__ import annotations

import pytest

from eval.textnorm import answer_tokens, canonical_number, normalize_answer, strip_citation_marks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Abu Dhabi talks.", "abu dhabi talks"),
        ("an apple, a pear", "apple pear"),
        ("  many   spaces\tand\nlines ", "many spaces and lines"),
        ("مُحَادَثَاتٌ", "محادثات"),  # diacritics
        ("أبوظبي", "ابوظبي"),  # alef with hamza
        ("إلى مستشفى", "الي مستشفي"),  # alef, alef maksura; إلى is too short to lose "ال"
        ("الحرب", "حرب"),  # the article
        ("المدينة", "مدينه"),  # article and teh marbuta
        ("«الحرب»، (أوكرانيا)!", "حرب اوكرانيا"),  # Arabic punctuation
        ("435 [1] [2]", "435"),
    ],
)
def test_normalize_answer(text: str, expected: str) -> None:
    assert normalize_answer(text) == expected


def test_article_needs_two_letters_after_it() -> None:
    assert answer_tokens("الي") == ["الي"]
    assert answer_tokens("الحرب") == answer_tokens("حرب") == ["حرب"]


def test_numbers_written_differently_are_the_same_token() -> None:
    assert answer_tokens("1,512,300") == answer_tokens("1512300") == ["1512300"]
    assert answer_tokens("٤٣٥") == ["435"]
    assert answer_tokens("2.5") == ["2.5"]


def test_arabic_number_words_read_as_values() -> None:
    assert answer_tokens("مليون و512 ألفا و300") == ["1512300"]
    assert answer_tokens("55 ألف جندي") == ["55000", "جندي"]


def test_canonical_number() -> None:
    assert canonical_number(1512300.0) == "1512300"
    assert canonical_number(2.5) == "2.5"
    assert canonical_number(0.125) == "0.125"


def test_strip_citation_marks() -> None:
    assert strip_citation_marks("Abu Dhabi [1], then Kyiv [12].") == "Abu Dhabi, then Kyiv."
