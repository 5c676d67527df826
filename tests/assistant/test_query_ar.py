"""Arabic query terms: the interrogative frame stays out, each word's n-grams share one weight."""

from __future__ import annotations

import math

import pytest

from assistant.query_ar import arabic_terms, topic_tokens
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
