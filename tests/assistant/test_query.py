"""Query plans: the character n-grams of translated senses."""

from __future__ import annotations

import pytest

from assistant.query import sense_grams
from index.tokens import char_grams


def test_sense_grams_carry_the_sense_weight() -> None:
    grams = sense_grams({"المفاوضات": 1.0, "الدولة": 0.25})
    assert set(grams) == set(char_grams("المفاوضات")) | set(char_grams("الدولة"))
    assert grams[char_grams("المفاوضات")[2]] == pytest.approx(1.0)
    assert grams["#الد"] == pytest.approx(0.25)


def test_grams_shared_by_two_senses_add_up() -> None:
    grams = sense_grams({"المفاوضات": 1.0, "مفاوضة": 0.5})
    assert grams["مفاو"] == pytest.approx(1.5)
    assert grams["#الم"] == pytest.approx(1.0)


def test_inflected_article_form_shares_grams_with_the_dictionary_form() -> None:
    grams = sense_grams({"المفاوضات": 1.0})
    assert set(grams) & set(char_grams("ومفاوضاته"))
