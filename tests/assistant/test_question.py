"""Questions at the door: refusals, cleaning, language."""

from __future__ import annotations

import pytest

from assistant.question import clean_question, question_language, without_markup
from index.errors import BadQuestionError, SanadError


@pytest.mark.parametrize(
    "q", ["", " ", "\n\t  \r\n", "\u200f\u202b \u2066"], ids=["empty", "space", "whitespace", "bidi-only"]
)
def test_empty_questions_refused(q: str) -> None:
    with pytest.raises(BadQuestionError, match="empty"):
        clean_question(q)


def test_too_long_refused_with_default_limit() -> None:
    clean_question("س" * 2000)
    with pytest.raises(BadQuestionError, match="too long") as err:
        clean_question("س" * 2001)
    assert "2,000" in str(err.value)


def test_limit_is_configurable() -> None:
    clean_question("abcde", max_chars=5)
    with pytest.raises(BadQuestionError, match="limit is 4"):
        clean_question("abcde", max_chars=4)


@pytest.mark.parametrize("ch", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_refused(ch: str) -> None:
    with pytest.raises(BadQuestionError, match=f"U\\+{ord(ch):04X}"):
        clean_question(f"كم طائرة{ch}؟")


def test_lone_surrogate_refused() -> None:
    with pytest.raises(BadQuestionError, match="surrogate"):
        clean_question("what\ud800?")


def test_not_text_refused() -> None:
    with pytest.raises(BadQuestionError):
        clean_question(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(BadQuestionError):
        clean_question(None)  # type: ignore[arg-type]


def test_is_a_sanad_error() -> None:
    assert issubclass(BadQuestionError, SanadError)


def test_bidi_controls_stripped_and_spaces_collapsed() -> None:
    q = "\u202bكم\u200f  طائرة\u2067 حربية\u2069؟\u202c\n"
    assert clean_question(q) == "كم طائرة حربية؟"


def test_tabs_and_newlines_allowed() -> None:
    assert clean_question("who\tleads\nthe talks?\r\n") == "who leads the talks?"


@pytest.mark.parametrize(
    ("q", "lang"),
    [
        ("كم طائرة حربية دمرت منذ بداية الحرب؟", "ar"),
        ("Who leads the Ukrainian delegation?", "en"),
        ("ما دور Steve Witkoff في المحادثات؟", "ar"),
        ("What does «أبوظبي» mean here?", "en"),
        ("2025?", "en"),
    ],
)
def test_language(q: str, lang: str) -> None:
    assert question_language(q) == lang


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("<b>كم طائرة حربية دمرت؟</b>", "كم طائرة حربية دمرت؟"),
        ('<script>alert("x")</script><img src=x onerror=alert(1)> who leads the talks?', "who leads the talks?"),
        ("<p class='q'>Where <i>are</i> the talks?</p>", "Where are the talks?"),
        ("<!-- hidden --> who won? <style>p{}</style>", "who won?"),
        ("**bold** [link](javascript:alert(1)) who leads?", "**bold** link who leads?"),
        ("AT&amp;T and &lt;b&gt;Q&lt;/b&gt;?", "AT&T and Q?"),
        ("a < b and c > d?", "a < b and c > d?"),  # comparison signs are not tags
    ],
)
def test_markup_is_left_out_of_the_words_to_look_for(q: str, words: str) -> None:
    assert without_markup(q) == words
    assert clean_question(q) == words


@pytest.mark.parametrize(
    "q", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b></b> <br/>", "<script>alert(1)"]
)
def test_a_question_of_markup_only_is_refused(q: str) -> None:
    with pytest.raises(BadQuestionError, match="only markup"):
        clean_question(q)
