"""light10 for Arabic (one rule per test), Snowball for English, pass-through for the rest."""

from __future__ import annotations

import pytest

from index.normalize import normalize
from index.stem import light10, stem


# -- prefixes: each one, with its minimum length ------------------------------------------------
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("الكتاب", "كتاب"),  # ال
        ("والكتاب", "كتاب"),  # وال
        ("بالكتاب", "كتاب"),  # بال
        ("كالكتاب", "كتاب"),  # كال
        ("فالكتاب", "كتاب"),  # فال
        ("للكتاب", "كتاب"),  # لل
        ("وكتب", "كتب"),  # و
    ],
)
def test_each_prefix(word: str, expected: str) -> None:
    assert light10(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("الف", "الف"),  # ال + 1 letter: kept (2 must remain)
        ("الفن", "فن"),  # ال + 2 letters: stripped
        ("بالغ", "بالغ"),  # بال + 1 letter: kept
        ("فالح", "فالح"),  # فال + 1 letter: kept
        ("للعب", "عب"),  # لل + 2 letters: stripped
    ],
)
def test_prefix_needs_two_letters_left(word: str, expected: str) -> None:
    assert light10(word) == expected


def test_waw_needs_a_four_letter_word() -> None:
    assert light10("ولد") == "ولد"  # 3 letters: the و is part of the word
    assert light10("وطن") == "وطن"
    assert light10("وقال") == "قال"  # 4 letters: conjunction stripped


def test_only_the_first_matching_prefix_is_stripped() -> None:
    # و matches first (ال..لل do not), so the لل behind it stays.
    assert light10("وللكتاب") == "للكتاب"
    # ال matches first, so a و behind it stays.
    assert light10("الوزير") == "وزير"


def test_prefix_order_prefers_al_over_waw() -> None:
    # وال is listed before و: the whole article goes, not just the conjunction.
    assert light10("والسلام") == "سلام"


# -- suffixes: one pass over the list, in order --------------------------------------------------
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("كتابها", "كتاب"),  # ها
        ("مسلمان", "مسلم"),  # ان
        ("سيارات", "سيار"),  # ات
        ("معلمون", "معلم"),  # ون
        ("معلمين", "معلم"),  # ين
        ("كتابيه", "كتاب"),  # يه, then nothing left to strip
        ("كتابه", "كتاب"),  # ه
        ("عربي", "عرب"),  # ي
    ],
)
def test_each_suffix(word: str, expected: str) -> None:
    assert light10(word) == expected


def test_suffixes_chain_in_one_pass() -> None:
    assert light10("سياراتها") == "سيار"  # ها, then ات
    assert light10("كتابيها") == "كتاب"  # ها, then ي


def test_teh_marbuta_suffix_after_normalization() -> None:
    # ة is already ه when the stemmer runs, so the ه rule removes it.
    assert light10(normalize("مدرسة")) == "مدرس"


@pytest.mark.parametrize("word", ["مها", "بان", "نات", "به", "لي"])
def test_suffix_needs_two_letters_left(word: str) -> None:
    assert light10(word) == word


def test_prefix_and_suffix_together() -> None:
    assert light10(normalize("والمفاوضات")) == "مفاوض"
    assert light10(normalize("للمفاوضات")) == "مفاوض"


# -- the final alef extension --------------------------------------------------------------------
def test_final_accusative_alef_removed_when_four_letters_remain() -> None:
    assert light10("تقدما") == "تقدم"
    assert light10("تحركا") == "تحرك"


def test_final_alef_kept_on_short_words() -> None:
    assert light10("دنيا") == "دنيا"  # only 3 letters would remain
    assert light10("هذا") == "هذا"


def test_accusative_and_bare_forms_meet() -> None:
    assert stem(normalize("تقدما")) == stem(normalize("تقدم"))


# -- dispatch by script ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("running", "run"),
        ("negotiations", "negoti"),
        ("talks", "talk"),
        ("delegation", "deleg"),
        ("cities", "citi"),
    ],
)
def test_english_snowball(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_digits_and_other_scripts_pass_through() -> None:
    assert stem("2025") == "2025"
    assert stem("1,512,300") == "1,512,300"
    assert stem("café") == "café"  # not ASCII: not given to the English stemmer
    assert stem("") == ""


def test_arabic_goes_to_light10() -> None:
    assert stem("الكتاب") == "كتاب"
