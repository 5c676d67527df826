"""Arabic query terms: the interrogative frame stays out, each word's n-grams share one weight."""

from __future__ import annotations

import math

import pytest

from assistant.query_ar import INFLECTION_WEIGHT, add_inflections, arabic_terms, inflected_forms, topic_tokens
from index.stem import stem
from index.tokens import char_grams, word_grams


def test_frame_words_are_left_out() -> None:
    terms, grams = arabic_terms("كم عدد سكان مصر؟")
    assert stem("عدد") not in terms
    assert {stem("سكان"), stem("مصر")} <= set(terms)
    assert "#عدد" not in grams


def test_which_year_frame_is_left_out_but_the_topic_stays() -> None:
    norms = [t.norm for t in topic_tokens("في أي عام توفي ألبرت أينشتاين؟")]
    assert "عام" not in norms
    assert norms[-1] == "اينشتاين"


def test_a_question_that_is_all_frame_keeps_its_words() -> None:
    terms, _ = arabic_terms("كم عدد؟")
    assert terms == {stem("عدد"): 1.0}


def test_a_word_weighs_the_square_root_of_its_gram_count() -> None:
    _, grams = arabic_terms("بالمستوطنين 49")
    long = word_grams("بالمستوطنين")
    assert len(long) > 4
    assert sum(grams[g] for g in long) == pytest.approx(math.sqrt(len(long)))
    assert grams["#49#"] == pytest.approx(1.0)


def test_word_grams_are_what_the_index_stores() -> None:
    assert word_grams("سوبر") == char_grams("سوبر") == ["#سوب", "سوبر", "وبر#"]
    assert word_grams("49") == ["#49#"]


def test_inflected_forms_of_a_past_verb() -> None:
    forms = inflected_forms("نشر")
    assert {"نشرت", "ينشر", "تنشر"} <= forms
    assert "نشر" not in forms


def test_a_word_in_ta_also_looks_for_the_form_without_it() -> None:
    assert "نشر" in inflected_forms("نشرت")
    assert "بي" not in inflected_forms("بيت")  # too short to be a verb with its suffix


def test_only_forms_the_index_holds_are_added_at_a_lower_weight() -> None:
    out = add_inflections({"نشر": 2.0, "تقرير": 1.0}, {"نشر", "نشرت", "تقرير"})
    assert out == {"نشر": 2.0, "تقرير": 1.0, "نشرت": pytest.approx(2.0 * INFLECTION_WEIGHT)}


def test_a_form_the_question_uses_keeps_its_own_weight() -> None:
    out = add_inflections({"نشر": 1.0, "نشرت": 1.0}, {"نشر", "نشرت"})
    assert out == {"نشر": 1.0, "نشرت": 1.0}


def test_the_plan_searches_the_article_form_of_the_asked_verb(tmp_path) -> None:
    from assistant.config import Settings
    from assistant.query import plan_query
    from assistant.sanad import Sanad

    (tmp_path / "news.txt").write_text("نشرت الوزارة تقريرها السنوي عن المياه يوم الأحد.", encoding="utf-8")
    sanad = Sanad(Settings.from_env(environ={}, index_dir=tmp_path / "idx", progress=False))
    sanad.add_paths([tmp_path / "news.txt"])
    plan = plan_query("متى نشر تقرير المياه؟", "ar", sanad.snapshot())
    assert plan.terms[stem("نشر")] == pytest.approx(1.0)
    assert plan.terms[stem("نشرت")] == pytest.approx(INFLECTION_WEIGHT)


def test_a_noun_in_ta_marbuta_meets_its_form_before_a_pronoun() -> None:
    assert stem("صعوبتها") in inflected_forms(stem("صعوبة"))
    assert stem("صعوبة") in inflected_forms(stem("صعوبتها"))


def test_a_dual_nisba_adjective_meets_its_singular() -> None:
    assert stem("الرئيسية") in inflected_forms(stem("الرئيسيتان"))
