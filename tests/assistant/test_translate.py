"""English question -> Arabic BM25 terms, on a small hand-made lexicon."""

from __future__ import annotations

import pytest

from assistant import translate as tr
from assistant.translate import QueryTranslation, english_lemmas, translate_query
from index.lexicon import DEFAULT_GLOSSARY, Lexicon, build_lexicon, read_glossary
from index.normalize import normalize
from index.stem import stem
from index.tokens import analyze
from index.translit import skeleton_en


def lexicon() -> Lexicon:
    en_to_ar = {
        "negotiations": ["المفاوضات"],
        "talk": ["الكلام"],
        "talks": ["المحادثات"],
        "envoy": ["المبعوث"],
        "prime minister": ["رئيس الوزراء"],
        "minister": ["الوزير"],
        "prime": ["أولي"],
        "state": ["الحالة", "الدولة", "يقرّ", "يصرّح"],
        "point": ["النقطة"],
        "points": ["النقاط"],
        "run": ["ركض"],
        "jar": ["الجرة"],
        "amazon": ["امرأة قوية"],
        "city": ["المدينة"],
    }
    norm = {k: [normalize(v) for v in vs] for k, vs in en_to_ar.items()}
    return Lexicon(en_to_ar=norm, ar_to_en={})


def terms_of(arabic: str) -> list[str]:
    return analyze(arabic)


def test_terms_are_in_index_form() -> None:
    out = translate_query("Where did the negotiations stall?", lexicon())
    assert isinstance(out, QueryTranslation)
    # the Arabic terms are exactly what index.tokens.analyze makes of the translation
    assert {t for t in out.terms if t.isascii()} == {"stall"}  # untranslated English, kept lightly
    assert {t for t in out.terms if not t.isascii()} == set(terms_of("المفاوضات"))
    assert out.terms["stall"] == pytest.approx(tr.LATIN_WEIGHT)


def test_stop_words_give_nothing() -> None:
    out = translate_query("What is the of and in?", lexicon())
    assert out.terms == {} and out.untranslated == [] and out.name_keys == []


def test_multi_word_entry_first() -> None:
    out = translate_query("Who is the prime minister?", lexicon())
    assert set(out.terms) == set(terms_of("رئيس الوزراء"))
    assert terms_of("أولي")[0] not in out.terms  # "prime" alone is not used


def test_senses_capped_and_weighted_by_rank() -> None:
    out = translate_query("state", lexicon())
    w = [out.terms[terms_of(s)[0]] for s in ["الحالة", "الدولة", "يقرّ"]]
    assert w[0] > w[1] > w[2] > 0
    assert terms_of("يصرّح")[0] not in out.terms  # fourth sense: over MAX_SENSES
    assert sum(w) == pytest.approx(1.0)  # one word's senses share one unit of weight


def test_inflections_reach_the_dictionary() -> None:
    lex = lexicon()
    assert terms_of("المبعوث")[0] in translate_query("the envoys", lex).terms
    assert terms_of("ركض")[0] in translate_query("running", lex).terms
    assert terms_of("المدينة")[0] in translate_query("cities", lex).terms
    assert english_lemmas("stopped")[0] == "stopped"
    assert "stop" in english_lemmas("stopped") and "city" in english_lemmas("cities")
    assert english_lemmas("people") == ["people", "person"] and "begin" in english_lemmas("began")


def test_broken_plural_sibling_added_with_less_weight() -> None:
    out = translate_query("How many points?", lexicon())
    plural, singular = terms_of("النقاط")[0], terms_of("النقطة")[0]
    assert out.terms[plural] == pytest.approx(1.0)
    assert 0 < out.terms[singular] < out.terms[plural]


def test_numbers_and_dates_pass_through() -> None:
    out = translate_query("What happened on 5 January 2024 and on Friday, with five envoys?", lexicon())
    assert {"5", "2024"} <= set(out.terms)
    assert terms_of("يناير")[0] in out.terms
    assert terms_of("كانون الثاني")[0] in out.terms  # Levantine name too
    assert terms_of("الجمعة")[0] in out.terms
    assert out.terms["5"] > 1.0  # the digit and the number word "five" both ask for it


def test_may_is_a_month_only_when_capitalized() -> None:
    assert terms_of("مايو")[0] in translate_query("Talks in May", lexicon()).terms
    assert terms_of("مايو")[0] not in translate_query("Talks may resume", lexicon()).terms


def test_names_give_keys_and_untranslated_words() -> None:
    out = translate_query("Did Zelensky meet the envoy in Kyiv?", lexicon())
    assert skeleton_en("Zelensky") in out.name_keys
    assert "Zelensky" in out.untranslated and "Kyiv" in out.untranslated
    assert terms_of("المبعوث")[0] in out.terms
    assert skeleton_en("envoy") not in out.name_keys  # a known lowercase word is no name


def test_capitalized_run_gives_joined_key() -> None:
    out = translate_query("Who won the Super Bowl?", lexicon())
    assert skeleton_en("superbowl") in out.name_keys
    assert skeleton_en("super") in out.name_keys


def test_capitalized_word_not_lemmatized_into_another_word() -> None:
    out = translate_query("Where did Jared go?", lexicon())
    assert terms_of("الجرة")[0] not in out.terms
    assert "Jared" in out.untranslated


def test_name_index_resolves_keys_to_index_terms() -> None:
    amazon = stem(normalize("الأمازون"))
    names = {skeleton_en("Amazon"): [amazon]}
    out = translate_query("How big is the Amazon city?", lexicon(), names=names)
    assert out.terms[amazon] == pytest.approx(tr.NAME_WEIGHT)
    assert terms_of("امرأة قوية")[0] in out.terms  # the dictionary reading stays, ranked by BM25
    without = translate_query("How big is the Amazon city?", lexicon())
    assert amazon not in without.terms


def test_translated_question_matches_the_arabic_passage_best() -> None:
    passages = [
        "قال المبعوث إن المفاوضات مستمرة في المدينة",
        "ارتفعت أسعار النفط في الأسواق العالمية",
    ]
    q = translate_query("What did the envoy say about the negotiations?", lexicon()).terms
    scores = [sum(w for t, w in q.items() if t in set(analyze(p))) for p in passages]
    assert scores[0] > scores[1] == 0


def test_senses_as_written_are_kept_for_character_grams() -> None:
    out = translate_query("state negotiations", lexicon())
    assert out.senses[normalize("المفاوضات")] == pytest.approx(1.0)
    state = [out.senses[normalize(s)] for s in ["الحالة", "الدولة", "يقرّ"]]
    assert state[0] > state[1] > state[2] and sum(state) == pytest.approx(1.0)



def test_each_question_word_is_one_synonym_set() -> None:
    out = translate_query("state of the envoy in May", lexicon())
    state = next(g for g in out.groups if terms_of("الدولة")[0] in g)
    # all of the word's senses are in its set, the first at full weight, the rest decaying
    w = [state[terms_of(s)[0]] for s in ["الحالة", "الدولة", "يقرّ"]]
    assert w[0] == pytest.approx(1.0) and w[0] > w[1] > w[2] > 0
    assert terms_of("المبعوث")[0] not in state
    assert any(terms_of("المبعوث")[0] in g for g in out.groups if g is not state)
    may = next(g for g in out.groups if terms_of("مايو")[0] in g)
    assert terms_of("أيار")[0] in may  # every spelling of the month is one alternative
    assert {t for g in out.groups for t in g} == set(out.terms)


def test_sibling_and_name_match_join_their_word_set() -> None:
    plural, singular = terms_of("النقاط")[0], terms_of("النقطة")[0]
    points = translate_query("How many points?", lexicon()).groups
    assert len(points) == 1 and set(points[0]) == {plural, singular}
    assert points[0][plural] == pytest.approx(1.0)
    assert points[0][singular] == pytest.approx(tr.GROUP_SIBLING_WEIGHT)
    amazon = stem(normalize("الأمازون"))
    out = translate_query("How big is Amazon?", lexicon(), names={skeleton_en("Amazon"): [amazon]})
    (group,) = [g for g in out.groups if amazon in g]
    assert terms_of("امرأة قوية")[0] in group  # the dictionary's reading is an alternative, not an extra


def test_roman_numerals() -> None:
    assert [tr.roman_value(x) for x in ["XLIX", "II", "XIV", "MCMXCIV"]] == [49, 2, 14, 1994]
    assert [tr.roman_value(x) for x in ["I", "IIII", "VX", "Mix", "city"]] == [None] * 5


def test_roman_numeral_after_a_name_is_searched_as_digits() -> None:
    out = translate_query("Who won Super Bowl XLIX?", lexicon())
    assert "49" in out.terms
    assert "49" not in translate_query("What does XLIX mean?", lexicon()).terms  # no name before it


def test_digits_weigh_more_than_number_words_in_their_sets() -> None:
    out = translate_query("Which five envoys came in 2024?", lexicon())
    year = next(g for g in out.groups if "2024" in g)
    five = next(g for g in out.groups if "5" in g)
    assert year["2024"] == pytest.approx(tr.GROUP_NUMBER_WEIGHT)
    assert five["5"] == pytest.approx(tr.NUMBER_WEIGHT) and year["2024"] > five["5"]
    assert out.terms["2024"] == pytest.approx(tr.NUMBER_WEIGHT)  # the flat terms keep their weights


def test_word_only_the_news_glossary_knows_is_translated() -> None:
    """The word "drones" is in the shipped news glossary, not in the hand-made dictionary: merged in, its
    Arabic news forms (مسيرات, طائرات مسيرة) become the question's terms."""
    question = "How many drones were shot down?"
    assert terms_of("مسيرات")[0] not in translate_query(question, lexicon()).terms
    lex = build_lexicon(None, None, read_glossary(DEFAULT_GLOSSARY))
    out = translate_query(question, lex)
    assert out.terms[terms_of("مسيرات")[0]] > 0.5  # first sense, the biggest share
    assert set(terms_of("طائرات مسيرة")) <= set(out.terms)
    assert "drones" not in out.untranslated


def _with(extra: dict[str, list[str]]) -> Lexicon:
    base = lexicon()
    return Lexicon(en_to_ar={**base.en_to_ar, **{k: [normalize(v) for v in vs] for k, vs in extra.items()}}, ar_to_en={})


def test_a_country_also_searches_its_nationality_adjective(monkeypatch: pytest.MonkeyPatch) -> None:
    lex = _with({"american": ["أميركي", "أمريكي"], "russia": ["روسيا"], "russian": ["الروسي"], "french": ["الفرنسي"], "france": ["فرنسا"]})
    t = translate_query("Who is the envoy of the United States?", lex)
    adjectives = set(analyze("أميركي أمريكي"))
    assert adjectives <= set(t.terms)  # both spellings of the adjective
    group = next(g for g in t.groups if adjectives & set(g))
    assert all(group[a] == tr.GROUP_SIBLING_WEIGHT for a in adjectives)  # a sibling reading of the word
    assert set(analyze("الروسي")) <= set(translate_query("What did Russia say?", lex).terms)
    # not the pronoun "us", and not the way back: "a French colony" is no sign of France
    assert not adjectives & set(translate_query("Who told us about the talks?", lex).terms)
    french = translate_query("Where was the French colony?", lex)
    monkeypatch.setattr(tr, "_DEMONYMS", {})
    assert translate_query("Where was the French colony?", lex) == french
