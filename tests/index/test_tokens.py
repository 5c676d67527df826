"""Tokens keep offsets into the original text; analysed terms are normalized, stop-word free, stemmed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from index.normalize import normalize
from index.tokens import analyze, terms_of_tokens, tokenize


def _check_offsets(text: str) -> None:
    prev_end = 0
    for tok in tokenize(text):
        assert text[tok.start : tok.end] == tok.text
        assert tok.start >= prev_end
        assert tok.norm == normalize(tok.text) and tok.norm
        prev_end = tok.end


def test_offsets_on_arabic_with_diacritics_inside_words() -> None:
    text = "قالَ المُفاوِضُ إنّ المحادثاتِ مستمرةٌ"
    toks = tokenize(text)
    assert [t.text for t in toks] == ["قالَ", "المُفاوِضُ", "إنّ", "المحادثاتِ", "مستمرةٌ"]
    assert [t.norm for t in toks] == ["قال", "المفاوض", "ان", "المحادثات", "مستمره"]
    _check_offsets(text)


def test_tatweel_and_zero_width_do_not_split_a_word() -> None:
    text = "إلـــــى الاتحاد\u200cالأوروبي"
    toks = tokenize(text)
    assert [t.norm for t in toks] == ["الي", "الاتحادالاوروبي"]
    _check_offsets(text)


def test_numbers_with_separators_are_one_token() -> None:
    text = "بلغ العدد 1,512,300 أو ١٬٥١٢٬٣٠٠ بنسبة 2.5 أو ٢٫٥ في 2025."
    toks = tokenize(text)
    nums = [t for t in toks if t.norm[0].isdigit()]
    assert [t.text for t in nums] == ["1,512,300", "١٬٥١٢٬٣٠٠", "2.5", "٢٫٥", "2025"]
    assert [t.norm for t in nums] == ["1,512,300", "1,512,300", "2.5", "2.5", "2025"]
    _check_offsets(text)


def test_trailing_punctuation_is_not_part_of_a_number() -> None:
    toks = tokenize("في 24، و23.")
    assert [t.text for t in toks] == ["في", "24", "و", "23"]


def test_mixed_scripts_offsets() -> None:
    text = "قالت وكالة Reuters إن Zelensky التقى «بوتين» في Abu Dhabi يوم 23/1."
    toks = tokenize(text)
    assert "reuters" in [t.norm for t in toks]
    assert "zelensky" in [t.norm for t in toks]
    assert [t.text for t in toks if t.text in ("Abu", "Dhabi")] == ["Abu", "Dhabi"]
    _check_offsets(text)


def test_presentation_forms_keep_original_offsets() -> None:
    text = "قال \ufefb شيء"  # the isolated لا ligature is one character in the text
    toks = tokenize(text)
    lam_alef = toks[1]
    assert lam_alef.text == "\ufefb" and lam_alef.norm == "لا"
    assert lam_alef.end - lam_alef.start == 1
    _check_offsets(text)


def test_punctuation_only_gives_no_tokens() -> None:
    assert tokenize("،؛؟!... - «»") == []


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_offsets_hold_on_any_text(text: str) -> None:
    _check_offsets(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ابتةىأإـًٌٍَُِّْ ٠١٢٫٬,.0123 abcXYZ\u200c\u200f،؟"))))
def test_offsets_hold_on_arabic_like_text(text: str) -> None:
    _check_offsets(text)


def test_analyze_drops_stopwords_normalizes_and_stems() -> None:
    assert analyze("والمفاوضات في أبوظبي") == ["مفاوض", "ابوظب"]
    assert analyze("The talks in Abu Dhabi") == ["talk", "abu", "dhabi"]


def test_analyze_keep_stopwords() -> None:
    assert analyze("في المدينة", keep_stopwords=True) == ["في", "مدين"]


def test_terms_of_tokens_matches_analyze() -> None:
    text = "أعلن الجيش الأوكراني حصيلة الخسائر the losses of the war"
    assert terms_of_tokens(tokenize(text)) == analyze(text)


def test_spelling_variants_analyse_to_the_same_terms() -> None:
    assert analyze("إلى المُستشفى") == analyze("الي المستشفي")
