"""Sentence boundaries, one rule of shared/docs/arabic-text.md §4 per test."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from index.sentences import SOFT_SPLIT_WORDS, split_sentences


def sents(text: str, **kw) -> list[str]:
    spans = split_sentences(text, **kw)
    for s, e in spans:
        piece = text[s:e]
        assert piece and piece == piece.strip()
    assert spans == sorted(spans)
    return [text[s:e] for s, e in spans]


def test_full_stop() -> None:
    assert sents("وصل الوفد. بدأت المحادثات.") == ["وصل الوفد.", "بدأت المحادثات."]


def test_arabic_question_mark() -> None:
    assert sents("هل انتهت الحرب؟ لا أحد يعرف") == ["هل انتهت الحرب؟", "لا أحد يعرف"]


def test_exclamation_and_latin_question_mark() -> None:
    assert sents("Stop! Why? Because.") == ["Stop!", "Why?", "Because."]


def test_ellipsis_character_and_dots() -> None:
    assert sents("ربما… ثم عاد") == ["ربما…", "ثم عاد"]
    assert sents("wait... then go") == ["wait...", "then go"]


def test_closers_stay_with_their_sentence() -> None:
    assert sents('قال: "انتهى الأمر." ثم غادر') == ['قال: "انتهى الأمر."', "ثم غادر"]
    assert sents("قال «انتهى؟» وغادر") == ["قال «انتهى؟»", "وغادر"]
    assert sents("(it ended!) Then") == ["(it ended!)", "Then"]
    assert sents("He said “done.” Then") == ["He said “done.”", "Then"]


def test_decimal_point_is_not_a_boundary() -> None:
    assert sents("ارتفع بنسبة 2.5 في المئة. ثم هبط") == ["ارتفع بنسبة 2.5 في المئة.", "ثم هبط"]


def test_arabic_decimal_separator_is_not_a_boundary() -> None:
    assert sents("ارتفع بنسبة ٢٫٥ في المئة") == ["ارتفع بنسبة ٢٫٥ في المئة"]


def test_one_letter_abbreviation_dal() -> None:
    assert sents("قال د. أحمد إن الوضع جيد. ثم غادر") == ["قال د. أحمد إن الوضع جيد.", "ثم غادر"]


def test_one_letter_abbreviation_mim() -> None:
    assert sents("ولد عام 1950 م. في القاهرة") == ["ولد عام 1950 م. في القاهرة"]


def test_hijri_abbreviation_with_tatweel() -> None:
    assert sents("في عام 1445 هـ. شهدت المدينة") == ["في عام 1445 هـ. شهدت المدينة"]


def test_agency_abbreviation() -> None:
    assert sents("نقلت (أ.ف.ب) عن مسؤول قوله. وأضاف") == ["نقلت (أ.ف.ب) عن مسؤول قوله.", "وأضاف"]
    assert sents("قالت أ.ف.ب إن الجلسة انتهت") == ["قالت أ.ف.ب إن الجلسة انتهت"]


def test_latin_initials() -> None:
    assert sents("the U.S. envoy arrived. Talks began.") == ["the U.S. envoy arrived.", "Talks began."]


def test_never_on_arabic_comma_or_colon() -> None:
    text = "قال رئيس الوفد: نعمل بالصيغ نفسها، مشاورات ثلاثية، مجموعات عمل"
    assert sents(text) == [text]


def test_arabic_semicolon_kept_in_short_sentences() -> None:
    text = "انتهت الجولة؛ وستبدأ جولة أخرى"
    assert sents(text) == [text]


def test_arabic_semicolon_splits_long_sentences() -> None:
    first = " ".join(["كلمة"] * (SOFT_SPLIT_WORDS - 5)) + "؛"
    second = " ".join(["أخرى"] * 10)
    assert sents(f"{first} {second}") == [first, second]


def test_newline_is_a_boundary() -> None:
    assert sents("المعركة متواصلة\nميدانيا، أفادت السلطات") == ["المعركة متواصلة", "ميدانيا، أفادت السلطات"]
    assert sents("title\n\n\nbody text") == ["title", "body text"]


def test_blank_and_whitespace_only_text() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t\n ") == []


def test_over_long_line_wrapped_at_spaces() -> None:
    text = " ".join(f"w{i}" for i in range(200))  # ~ 900 characters, no punctuation
    pieces = sents(text, max_chars=100)
    assert len(pieces) > 1
    assert all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces).split() == text.split()  # wrapped at spaces: no word cut


def test_over_long_line_without_spaces_cut_hard() -> None:
    text = "ب" * 250
    pieces = sents(text, max_chars=100)
    assert [len(p) for p in pieces] == [100, 100, 50]
    assert "".join(pieces) == text


def test_offsets_on_mixed_text() -> None:
    text = "  قال المتحدث: Talks resumed in Abu Dhabi.  ثم أضاف؟ Yes!\r\n"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["قال المتحدث: Talks resumed in Abu Dhabi.", "ثم أضاف؟", "Yes!"]


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=5, max_value=300))
def test_spans_are_ordered_disjoint_trimmed_and_cover_all_words(text: str, max_chars: int) -> None:
    spans = split_sentences(text, max_chars=max_chars)
    prev = 0
    for s, e in spans:
        assert prev <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip()
        assert e - s <= max_chars
        prev = e
    # Every non-space character belongs to some sentence.
    covered = set()
    for s, e in spans:
        covered.update(range(s, e))
    assert all(i in covered for i, c in enumerate(text) if not c.isspace())
