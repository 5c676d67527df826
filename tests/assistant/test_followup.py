"""Follow-up questions carry the previous question along when they cannot stand alone."""

from __future__ import annotations

import pytest

from assistant.followup import (
    content_words,
    is_elliptical,
    previous_user_question,
    reader_question,
    resolve_followup,
)

HISTORY = [
    {"role": "user", "content": "كم طائرة حربية دمرت منذ بداية الحرب؟"},
    {"role": "assistant", "content": "دمرت 435 طائرة [1]"},
]


@pytest.mark.parametrize(
    "q", ["وماذا عن المروحيات؟", "وكم سفينة؟", "And helicopters?", "what about tanks?", "المروحيات؟"]
)
def test_elliptical(q: str) -> None:
    assert is_elliptical(q)


@pytest.mark.parametrize(
    "q", ["كم سفينة حربية دمرت القوات الأوكرانية؟", "Who leads the Ukrainian delegation in the talks?"]
)
def test_standalone(q: str) -> None:
    assert not is_elliptical(q)


def test_content_words_drop_stop_words() -> None:
    assert content_words("ما هي نقطة الخلاف في المحادثات؟") == ["نقطه", "الخلاف", "المحادثات"]


def test_previous_user_question_skips_assistant_and_junk() -> None:
    history = [
        {"role": "user", "content": "first?"},
        {"role": "user", "content": "second?"},
        {"role": "assistant", "content": "an answer"},
        {"role": "user", "content": "   "},
        {"role": "user", "content": None},
        "not a message",
    ]
    assert previous_user_question(history) == "second?"
    assert previous_user_question([]) is None
    assert previous_user_question(None) is None


def test_followup_resolves_to_previous_question() -> None:
    assert resolve_followup("وكم مروحية؟", HISTORY) == HISTORY[0]["content"]


def test_standalone_question_does_not_carry_context() -> None:
    assert resolve_followup("من يرأس الوفد الأوكراني للمفاوضات؟", HISTORY) is None


def test_no_history_no_context() -> None:
    assert resolve_followup("وكم مروحية؟", []) is None
    assert resolve_followup("وكم مروحية؟", None) is None


def test_long_question_with_a_cue_stands_alone() -> None:
    q = "and what did the Ukrainian army announce about Russian tanks, helicopters, warships and drones destroyed?"
    assert is_elliptical(q)  # it starts with a cue...
    assert resolve_followup(q, HISTORY) is None  # ...but has too many words of its own to need context


def test_a_history_entry_that_could_not_be_asked_is_not_carried() -> None:
    ok = {"role": "user", "content": "how many tanks?"}
    assert previous_user_question([ok, {"role": "user", "content": "\ud800 tanks"}]) == "how many tanks?"
    assert previous_user_question([ok, {"role": "user", "content": "x" * 100_000}]) == "how many tanks?"
    assert previous_user_question([{"role": "user", "content": "\udc80"}]) is None


def test_the_reader_reads_the_follow_up_in_the_previous_questions_frame() -> None:
    assert reader_question("and warships?", "How many tanks were destroyed?") == "How many warships were destroyed?"
    assert reader_question("وماذا عن السفن الحربية؟", "كم دبابة دمرت؟") == "كم السفن الحربية دمرت؟"
    assert reader_question("and?", "How many tanks were destroyed?") == "How many tanks were destroyed?"
