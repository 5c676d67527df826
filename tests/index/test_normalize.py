"""The normalizer, one rule per test (shared/docs/arabic-text.md §2)."""

from __future__ import annotations

import pytest

from index.normalize import fold_hamza, normalize, script_counts


# -- 1. NFKC and the rial sign ------------------------------------------------------------------
def test_nfkc_splits_presentation_forms() -> None:
    # ﻣﺮﺣﺒﺎ written with contextual presentation forms (U+FExx) becomes the base letters.
    assert normalize("\ufee3\ufeae\ufea3\ufe92\ufe8e") == "مرحبا"


def test_nfkc_splits_lam_alef_ligature() -> None:
    assert normalize("\ufefb") == "لا"  # ﻻ isolated ligature
    assert normalize("\ufef5") == "لا"  # ﻵ lam with alef madda: NFKC gives لآ, then آ folds to ا


def test_nfkc_fullwidth_latin_and_digits() -> None:
    assert normalize("ＡＢＣ１２") == "abc12"


def test_rial_sign_becomes_word_with_arabic_yeh() -> None:
    out = normalize("\ufdfc")
    assert out == "ريال"
    assert "\u06cc" not in out  # plain NFKC would produce a Persian yeh here


# -- 2. Deleted classes ---------------------------------------------------------------------
def test_tatweel_deleted() -> None:
    assert normalize("إلـــــى") == "الي"
    assert normalize("كتـاب") == "كتاب"


@pytest.mark.parametrize("mark", [chr(c) for c in range(0x064B, 0x0653)])
def test_each_haraka_deleted(mark: str) -> None:
    # fathatan, dammatan, kasratan, fatha, damma, kasra, shadda, sukun
    assert normalize(f"كت{mark}ب") == "كتب"


def test_superscript_alef_deleted() -> None:
    assert normalize("هٰذا") == "هذا"


@pytest.mark.parametrize(
    "mark", ["\u0610", "\u0615", "\u061a", "\u0653", "\u0654", "\u065f", "\u06d6", "\u06e5", "\u06ed"]
)
def test_quranic_and_extended_marks_deleted(mark: str) -> None:
    assert normalize(f"رب{mark}ك") == "ربك"


@pytest.mark.parametrize(
    "ctrl",
    [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u200e",
        "\u200f",
        "\u061c",
        "\ufeff",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202e",
        "\u2066",
        "\u2069",
    ],
)
def test_bidi_and_zero_width_controls_deleted(ctrl: str) -> None:
    assert normalize(f"سلا{ctrl}م") == "سلام"
    assert normalize(f"ab{ctrl}c") == "abc"


def test_full_sentence_of_diacritics() -> None:
    assert normalize("المُفَاوَضَاتِ") == "المفاوضات"


# -- 3. Letter folds ---------------------------------------------------------------------------
@pytest.mark.parametrize("alef", ["أ", "إ", "آ", "ٱ"])
def test_alef_variants_fold_to_bare_alef(alef: str) -> None:
    assert normalize(f"{alef}حمد") == "احمد"


def test_alef_maksura_folds_to_yeh() -> None:
    assert normalize("مستشفى") == "مستشفي"


def test_teh_marbuta_folds_to_heh() -> None:
    assert normalize("مدرسة") == "مدرسه"


def test_persian_yeh_folds_to_arabic_yeh() -> None:
    assert normalize("\u06cc") == "\u064a"
    assert normalize("فارسی") == "فارسي"


def test_keheh_folds_to_kaf() -> None:
    assert normalize("\u06a9تاب") == "كتاب"


def test_hamza_carriers_kept() -> None:
    # ؤ and ئ are kept (Lucene's behaviour); fold_hamza is the separate, optional fold.
    assert normalize("مسؤول") == "مسؤول"
    assert normalize("رئيس") == "رئيس"
    assert fold_hamza("مسؤول رئيس") == "مسوول رييس"


# -- 4. Digits ---------------------------------------------------------------------------------
def test_arabic_indic_digits() -> None:
    assert normalize("٠١٢٣٤٥٦٧٨٩") == "0123456789"


def test_persian_digits() -> None:
    assert normalize("۰۱۲۳۴۵۶۷۸۹") == "0123456789"


def test_arabic_decimal_separator() -> None:
    assert normalize("٢٫٥") == "2.5"


def test_arabic_thousands_separator() -> None:
    assert normalize("١٬٥١٢٬٣٠٠") == "1,512,300"


# -- 5. Latin ----------------------------------------------------------------------------------
def test_latin_lowercased() -> None:
    assert normalize("Kyiv TALKS") == "kyiv talks"


def test_arabic_punctuation_untouched() -> None:
    # Punctuation is the tokenizer's business, not the normalizer's.
    assert normalize("نعم، لا؟") == "نعم، لا؟"


def test_empty() -> None:
    assert normalize("") == ""


def test_idempotent() -> None:
    s = "إلـى المُفاوضات ﻻ ١٢٫٥ ﷼ Kyiv"
    assert normalize(normalize(s)) == normalize(s)


def test_script_counts() -> None:
    assert script_counts("abc دمشق 12") == (4, 3)
