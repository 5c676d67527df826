"""The abstention decision: each evidence rule on its own, then questions about the sample article."""

from __future__ import annotations

import pytest

from assistant.abstain import (
    MAX_UNSEEN,
    MIN_COVERAGE,
    MIN_COVERAGE_TYPED,
    MIN_SUPPORT,
    Evidence,
    needs_type,
    should_abstain,
)
from assistant.answer_type import COUNT, WHAT, QuestionType
from assistant.extract import ABSTAIN


def ev(coverage: float = 1.0, unseen: float = 0.0, typed: bool = True, needed: bool = False, support: float = 1.0):
    return Evidence(coverage, unseen, typed, needed, support)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_full_evidence_answers(lang: str) -> None:
    assert not should_abstain(ev(), lang)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_each_rule_alone_abstains(lang: str) -> None:
    assert should_abstain(ev(needed=True, typed=False), lang)  # "how many" with no fitting number
    assert should_abstain(ev(unseen=MAX_UNSEEN[lang] + 0.01), lang)  # key words the articles never use
    assert should_abstain(ev(coverage=MIN_COVERAGE[lang] - 0.01), lang)
    assert should_abstain(ev(coverage=MIN_COVERAGE_TYPED[lang] - 0.01, needed=True), lang)
    assert should_abstain(ev(support=MIN_SUPPORT / 2), lang)


def test_thresholds_at_the_boundary_answer() -> None:
    for lang in ("ar", "en"):
        assert not should_abstain(ev(coverage=MIN_COVERAGE[lang], unseen=MAX_UNSEEN[lang]), lang)


def test_override_of_the_coverage_floor() -> None:
    assert should_abstain(ev(coverage=0.6), "ar", min_coverage=0.7)
    assert not should_abstain(ev(coverage=0.6), "ar", min_coverage=0.5)


def test_unknown_language_uses_the_lenient_english_thresholds() -> None:
    assert should_abstain(ev(coverage=0.0), "fr") == should_abstain(ev(coverage=0.0), "en")


def test_value_types_need_a_value() -> None:
    assert needs_type(QuestionType(COUNT)) and not needs_type(QuestionType(WHAT))


def test_explain_names_every_signal() -> None:
    text = ev(coverage=0.5, unseen=0.25, support=0.75).explain()
    assert "coverage=0.50" in text and "unseen=0.25" in text and "support=0.75" in text


# The sample article (tests may name its facts; the code may not).
@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("ما موقف الصين من محادثات أبوظبي؟", "ar"),
        ("ما خسائر القوات الروسية في مقاطعة كورسك؟", "ar"),
        ("كم عدد المدنيين الأوكرانيين الذين قتلوا منذ بداية الحرب؟", "ar"),
        ("ما حجم التبادل التجاري بين روسيا والولايات المتحدة؟", "ar"),
        ("What has China said about the Abu Dhabi talks?", "en"),
        ("How much trade is there between Russia and the United States?", "en"),
        ("How many prisoners were released in the last swap?", "en"),
    ],
)
def test_unanswerable_questions_about_the_sample_abstain(sample_sanad, question: str, lang: str) -> None:
    answer = sample_sanad.ask(question)
    assert answer.abstained and answer.text == ABSTAIN[lang]


@pytest.mark.parametrize(
    "question",
    ["من يرأس الوفد الأوكراني في مفاوضات أبوظبي؟", "كم غواصة روسية دُمّرت وفق البيان؟", "How many cruise missiles did Ukraine shoot down?"],
)
def test_answerable_questions_about_the_sample_are_answered(sample_sanad, question: str) -> None:
    assert not sample_sanad.ask(question).abstained
