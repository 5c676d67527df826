"""Composing answers: short answers in the question's language, citations that quote their source exactly."""

from __future__ import annotations

import pytest

from assistant.answer import Hit
from assistant.compose import ABSTAIN, abstention, holding_sentence, in_language, span_answer
from assistant.reader.decode import Span

DOC = "مقدمة الخبر. وقال المسؤول إن مليون و243 ألفا و840 شخصا غادروا المدينة في 12 مارس 2024. ثم عاد الهدوء."


@pytest.mark.parametrize(
    ("text", "lang", "want"),
    [
        ("مليون و243 ألفا و840", "en", "1,243,840"),
        ("12 مارس 2024", "en", "March 12, 2024"),
        ("نحو 435 طائرة", "en", "نحو 435 طائرة"),  # a plain number stays as written
        ("كيريل", "en", "كيريل"),  # names stay in the source script
        ("مليون و243 ألفا و840", "ar", "مليون و243 ألفا و840"),  # Arabic questions see the source words
    ],
)
def test_numbers_and_dates_in_the_questions_language(text: str, lang: str, want: str):
    assert in_language(text, lang) == want


def test_holding_sentence_is_the_sentence_around_the_span():
    a = DOC.index("مليون")
    s, e = holding_sentence(DOC, a, a + 5)
    assert DOC[s:e].startswith("وقال") and DOC[s:e].endswith("2024.")


def test_citation_quotes_the_document_exactly():
    offset = 40  # the passage starts inside a longer document
    document = "x" * offset + DOC
    hit = Hit(0, "doc.txt", offset, offset + len(DOC), 1.0, DOC)
    a = DOC.index("مليون")
    b = DOC.index("شخصا") - 1
    ans = span_answer("How many people left?", "en", [hit], Span(0, a, b, 5.0, 0.0))
    c = ans.citations[0]
    assert document[c.start : c.end] == c.quote
    assert c.start <= c.span_start < c.span_end <= c.end
    assert document[c.span_start : c.span_end] == DOC[a:b]
    assert ans.short == "1,243,840" and not ans.abstained
    assert ans.text.startswith("1,243,840 [1]")


def test_abstention_speaks_the_questions_language():
    assert abstention("q", "ar", []).text == ABSTAIN["ar"]
    assert abstention("q", "en", []).abstained
