"""Question types in Arabic and English: what kind of answer each question asks for."""

from __future__ import annotations

import pytest

from assistant.answer_type import (
    COUNT,
    DURATION,
    HOW,
    QUANTITY,
    WHAT,
    WHEN,
    WHERE,
    WHO,
    WHY,
    YESNO,
    detect_type,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("من هو وزير الخارجية؟", WHO),
        ("ومن قاد الفريق؟", WHO),
        ("ما اسم المدرب الجديد؟", WHO),
        ("أي وكالة نشرت الخبر؟", WHO),
        ("أين عقد المؤتمر؟", WHERE),
        ("في أي مدينة ولد الكاتب؟", WHERE),
        ("من أي إقليم انسحبت القوات؟", WHERE),
        ("متى افتتح المعرض؟", WHEN),
        ("في أي عام تأسست الشركة؟", WHEN),
        ("منذ متى يعمل المصنع؟", DURATION),
        ("كم دبابة دمرت؟", COUNT),
        ("كم عدد الطلاب في المدرسة؟", COUNT),
        ("ما عدد الضحايا؟", COUNT),
        ("ما نسبة البطالة؟", QUANTITY),
        ("كم عمر الرئيس؟", QUANTITY),
        ("لماذا تأخرت الرحلة؟", WHY),
        ("ما سبب الحريق؟", WHY),
        ("كيف وصل الوفد؟", HOW),
        ("هل انتهت المحادثات؟", YESNO),
        ("ماذا قال الوزير؟", WHAT),
        ("ما موقف الحكومة من الاتفاق؟", WHAT),
    ],
)
def test_arabic_kinds(question: str, kind: str) -> None:
    assert detect_type(question, "ar").kind == kind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who leads the delegation?", WHO),
        ("Which news agency reported the strike?", WHO),
        ("What is the name of the coach?", WHO),
        ("Where were the talks held?", WHERE),
        ("Which city hosted the summit?", WHERE),
        ("When did the talks begin?", WHEN),
        ("In what year was the company founded?", WHEN),
        ("On which day did the army release the figures?", WHEN),
        ("How long ago did the war start?", DURATION),
        ("How many tanks were destroyed?", COUNT),
        ("How much did the bridge cost?", QUANTITY),
        ("What percentage of voters took part?", QUANTITY),
        ("Why were two people hurt?", WHY),
        ("How did the fire start?", HOW),
        ("Did the talks end?", YESNO),
        ("What happened near the border?", WHAT),
        ("What does the minister hope for?", WHAT),
        ("The Panthers beat which team?", WHO),
    ],
)
def test_english_kinds(question: str, kind: str) -> None:
    assert detect_type(question, "en").kind == kind


def test_how_many_keeps_the_counted_noun_head_first() -> None:
    assert detect_type("How many armored combat vehicles were destroyed?", "en").target == (
        "vehicles",
        "combat",
        "armored",
    )
    assert detect_type("Which Russian envoy said the talks made progress?", "en").target == ("envoy", "Russian")
    assert detect_type("كم طائرة حربية دمرت منذ بداية الحرب؟", "ar").target == ("طائرة", "حربية")
    assert detect_type("كم عدد الطائرات الحربية التي دمرت؟", "ar").target == ("الطائرات", "الحربية")


def test_arabic_counted_noun_stops_at_the_verb() -> None:
    # قتلوا is a verb, not an adjective of the counted noun
    assert detect_type("كم شخصا قتلوا في الهجوم؟", "ar").target == ("شخصا",)


def test_question_words_are_marked_so_they_are_not_topic_words() -> None:
    t = detect_type("How many tanks were destroyed?", "en")
    assert t.wh_tokens == frozenset({0, 1})
    t = detect_type("في أي مدينة عقد المؤتمر؟", "ar")
    assert {0, 1, 2} <= t.wh_tokens  # في أي مدينة


def test_empty_or_wordless_question_is_a_plain_what() -> None:
    assert detect_type("؟؟", "ar").kind == WHAT
    assert detect_type("123", "en").kind == WHAT


def test_a_what_question_on_a_verb_of_saying_asks_for_the_reported_words() -> None:
    assert detect_type("ماذا قال الوزير عن الاتفاق؟", "ar").speech
    assert detect_type("What did the minister say about the deal?", "en").speech
    assert not detect_type("ماذا دمرت القوات؟", "ar").speech
    assert not detect_type("من قال إن الاتفاق قريب؟", "ar").speech  # a who question, not a what


def test_a_question_about_how_two_people_are_related() -> None:
    assert detect_type("ما صلة سامر الخطيب بالوزير؟", "ar").relation
    assert detect_type("What is the relationship between Smith and Jones?", "en").relation
    assert not detect_type("ما الجهة التي نشرت البيان؟", "ar").relation


def test_a_question_about_who_reported_something_asks_for_a_source() -> None:
    assert detect_type("من المصدر الذي نقل خبر الاتفاق؟", "ar").source
    assert detect_type("Which source reported the deal?", "en").source
    assert not detect_type("من وقع الاتفاق؟", "ar").source


def test_a_count_of_people_in_general_is_not_a_count_of_a_kind_of_people() -> None:
    from assistant.answer_type import counts_people

    assert counts_people(detect_type("كم عدد الأشخاص الذين أصيبوا؟", "ar"))
    assert counts_people(detect_type("How many people were injured?", "en"))
    assert not counts_people(detect_type("كم عدد المدنيين الذين أصيبوا؟", "ar"))
    assert not counts_people(detect_type("How many soldiers were injured?", "en"))


def test_how_long_something_lasted_asks_for_a_duration() -> None:
    assert detect_type("كم دام القتال في المدينة؟", "ar").kind == "duration"
    assert detect_type("كم استمرت المفاوضات؟", "ar").kind == "duration"
    assert detect_type("كم دبابة دمرت؟", "ar").kind == "count"


def test_an_english_asked_noun_ends_on_its_plural_head() -> None:
    assert detect_type("How many nations control the region?", "en").target == ("nations",)
    assert detect_type("How many examination boards exist in India?", "en").target == ("boards", "examination")
    assert detect_type("Which news agency reported it?", "en").target[0] == "agency"  # news is no plural
    assert detect_type("Which Panthers player scored?", "en").target[0] == "player"  # a name as modifier


def test_a_verb_after_how_much_is_no_counted_noun() -> None:
    qtype = detect_type("كم يجب أن يدفع المشتري؟", "ar")
    assert qtype.kind == "quantity" and qtype.target == ()
    assert detect_type("كم دبابة دمرت؟", "ar").target == ("دبابة",)
