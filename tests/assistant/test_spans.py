"""Short-answer spans inside one sentence: numbers, duals, dates, durations, names; exact offsets."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import spans
from assistant.answer_type import detect_type
from assistant.matching import match, question_keys, sentence_view
from assistant.spans import (
    FEATURES,
    RULES,
    SentenceInfo,
    arabic_name_score,
    best_spans,
    candidates,
    load_weights,
    typed_first,
)
from index.lexical import LexicalIndex
from index.normalize import normalize
from index.numbers import find_numbers
from index.tokens import analyze


@pytest.fixture(scope="module")
def lexicon(sample_sanad):
    lex = sample_sanad.lexicon()
    if lex is None:
        pytest.skip("no FreeDict dictionary installed")
    return lex


def spans_for(question: str, sentence: str, lang: str | None = None, base: int = 0, lexicon=None):
    """Best spans of `sentence` (placed at document offset `base`) for `question`, values first
    when the question asks for one (as the answer path does)."""
    lang = lang or ("en" if question.isascii() else "ar")
    qtype = detect_type(question, lang)
    lex = LexicalIndex.build([analyze(sentence)])
    keys = question_keys(question, lang, qtype, lex, lexicon)
    view = sentence_view(sentence, base, base + len(sentence), lexicon, lang == "en")
    values = frozenset(n.value for n in find_numbers(question))
    cands = candidates(view, match(view, keys), keys, qtype, lang, SentenceInfo(1.0, 0, 0), lexicon, values)
    return typed_first(best_spans(cands, limit=50), qtype)


def test_weights_cover_every_feature_and_include_the_rules() -> None:
    w = load_weights()
    assert w.shape == (len(FEATURES),) and np.isfinite(w).all()
    for name in RULES:
        assert name in FEATURES


def test_count_picks_the_number_before_the_asked_noun() -> None:
    s = "دمرت القوات 320 دبابة، و87 طائرة حربية، و12 مروحية."
    best = spans_for("كم طائرة حربية دمرت؟", s)[0]
    assert best.display == "87" and best.kind == "number" and best.counts_target


def test_dual_counts_as_two() -> None:
    s = "وأسقطت الدفاعات 30 طائرة مسيرة، ودمرت دبابتين."
    best = spans_for("كم دبابة دمرت؟", s)[0]
    assert best.display == "2" and best.text == "دبابتين" and best.counts_target
    s = "ودمرت 5 سفن وغواصتين في الميناء."
    best = spans_for("كم غواصة دمرت؟", s)[0]
    assert best.display == "2" and best.text == "غواصتين"  # the و is not part of the answer


def test_plural_nisba_is_not_read_as_a_dual() -> None:
    s = "وقتل 40 من العسكريين في الهجوم."
    assert all(sp.text != "العسكريين" for sp in spans_for("كم عسكريا قتل؟", s))


def test_mixed_digit_and_word_numbers_are_read_as_values() -> None:
    s = "وبلغ عدد الزوار مليون و512 ألفا و300 زائر."
    ar = spans_for("كم بلغ عدد الزوار؟", s)[0]
    assert ar.text == "مليون و512 ألفا و300" and ar.display == "1,512,300"
    s = "وحضر المؤتمر ثلاثة ملايين ومئتا ألف شخص."
    assert spans_for("كم شخصا حضر المؤتمر؟", s)[0].display == "3,200,000"
    s = "وأصيب خمسة عشر شخصا في الحادث."
    assert spans_for("كم شخصا أصيب؟", s)[0].display == "15"


def test_english_question_gets_the_value_and_the_counted_noun(lexicon) -> None:
    s = "دمرت القوات 320 دبابة وأطلقت 1512300 صاروخ."
    best = spans_for("How many tanks were destroyed?", s, "en", lexicon=lexicon)[0]
    assert best.display == "320" and best.unit == "tanks" and best.counts_target
    best = spans_for("How many missiles were fired?", s, "en", lexicon=lexicon)[0]
    assert best.display == "1,512,300" and best.text == "1512300"


def test_the_questions_own_number_is_never_the_answer() -> None:
    s = "وفي الساعات الـ24 الماضية قتل 770 جنديا."
    assert [sp.display for sp in spans_for("كم جنديا قتل خلال الساعات الـ24 الماضية؟", s)][0] == "770"


def test_dates_in_english_form_for_english_questions() -> None:
    s = "وعقدت اللجنة اجتماعها الأول يومي 12 و13 مارس في المدينة."
    best = spans_for("When did the committee hold its first meeting?", s, "en")[0]
    assert best.kind == "date" and best.display == "March 12-13" and best.text == "12 و13 مارس"
    best = spans_for("متى عقدت اللجنة اجتماعها الأول؟", s)[0]
    assert best.kind == "date" and best.display == "12 و13 مارس"


def test_date_may_cross_a_slash() -> None:
    s = "وعقدت الجولة الأولى يومي 23 و24 يناير/كانون الثاني الماضي."
    best = spans_for("متى عقدت الجولة الأولى؟", s)[0]
    assert best.text == "23 و24 يناير/كانون الثاني"


def test_duration_with_its_qualifier() -> None:
    s = "واندلعت الحرب قبل قرابة 4 سنوات في الإقليم."
    best = spans_for("How long ago did the war start?", s, "en")[0]
    assert best.kind == "duration" and best.display == "nearly 4 years ago"
    assert spans_for("منذ متى اندلعت الحرب؟", s)[0].text == "قبل قرابة 4 سنوات"


def test_span_offsets_point_into_the_document() -> None:
    prefix = "عنوان الخبر.\n\n"
    s = "وعقدت اللجنة اجتماعها يوم 5 مايو في العاصمة."
    doc = prefix + s
    for sp in spans_for("متى عقدت اللجنة اجتماعها؟", s, base=len(prefix)):
        assert doc[sp.start : sp.end] == sp.text


def test_who_question_prefers_the_name_after_the_title(lexicon) -> None:
    s = "وقال المتحدث باسم الوزارة العقيد سامر الخطيب إن العمليات ستتواصل."
    best = spans_for("من هو المتحدث باسم الوزارة؟", s, lexicon=lexicon)[0]
    assert "سامر" in best.text


def test_no_tokens_no_spans() -> None:
    assert spans_for("كم؟", "...") == []


@pytest.mark.parametrize(
    ("question", "words"), [("ماذا دمرت القوات؟", ("دمرت", "القوات")), ("ماذا فعلت القوات في المعارك؟", ("القوات", "المعارك"))]
)
def test_spans_never_start_or_end_on_a_question_word(question: str, words: tuple[str, ...], lexicon) -> None:
    s = "دمرت القوات 320 دبابة في المعارك."
    spans = spans_for(question, s, lexicon=lexicon)
    assert spans
    for sp in spans:
        for word in words:
            assert not sp.text.startswith(word) and not sp.text.endswith(word)


def test_the_number_whose_unit_is_the_whole_asked_noun_phrase() -> None:
    # طائرة alone also follows 900; the asked noun phrase is طائرة حربية
    sentence = "وجرى تدمير 900 طائرة مسيرة و87 طائرة حربية و14 سفينة حربية."
    assert spans_for("كم طائرة حربية دمرت؟", sentence)[0].display == "87"


def test_best_spans_with_a_question_type_keeps_the_best_typed_level() -> None:
    sentence = "وجرى تدمير 900 طائرة مسيرة و87 طائرة حربية في المعركة الكبيرة."
    question = "كم طائرة حربية دمرت؟"
    qtype = detect_type(question, "ar")
    lex = LexicalIndex.build([analyze(sentence)])
    keys = question_keys(question, "ar", qtype, lex)
    view = sentence_view(sentence, 0, len(sentence))
    cands = candidates(view, match(view, keys), keys, qtype, "ar", SentenceInfo(1.0, 0, 0))
    spans = best_spans(cands, qtype=qtype)
    assert [s.display for s in spans] == ["87"] and spans[0].counts_target


def cands_for(question: str, sentence: str):
    """The candidate spans of `sentence` for `question`, with their feature rows."""
    lang = "en" if question.isascii() else "ar"
    qtype = detect_type(question, lang)
    lex = LexicalIndex.build([analyze(sentence)])
    keys = question_keys(question, lang, qtype, lex, None)
    view = sentence_view(sentence, 0, len(sentence), None, lang == "en")
    return candidates(view, match(view, keys), keys, qtype, lang, SentenceInfo(1.0, 0, 0)), qtype


def row_of(cands, text: str) -> dict[str, float]:
    """The non-zero features of the candidate whose source text is `text`."""
    for r, (i, j) in enumerate(cands.ij):
        v = cands.view
        if v.text[v.tokens[i].start : v.tokens[j - 1].end] == text:
            return {FEATURES[c]: float(x) for c, x in enumerate(cands.X[r]) if x}
    raise AssertionError(f"no candidate {text!r}")


def test_the_word_after_a_span_and_a_break_after_it_are_features() -> None:
    cands, _ = cands_for("Who opened the new bridge?", "The mayor John Smith of Leeds, a big city, opened the new bridge.")
    row = row_of(cands, "John Smith")
    assert row.get("next_of_ent") == 1.0 and "next_break_ent" not in row
    row = row_of(cands, "Leeds")
    assert "next_of_ent" not in row and not any(k.startswith("next_") and k != "next_break_ent" for k in row)
    assert row.get("next_break_ent") == 1.0


def test_length_and_adjacency_are_also_read_by_the_question_type() -> None:
    cands, qtype = cands_for("When did the army enter the city?", "The army entered the city in the summer of 1990.")
    assert qtype.kind == "when"
    row = row_of(cands, "1990")
    assert row.get("klen1_when") == 1.0 and not any(k.startswith("klen") and k != "klen1_when" for k in row)
    row = row_of(cands, "summer")
    assert row.get("kadj_left_when", 0.0) == row.get("adj_left", 0.0)


def test_a_span_with_a_function_word_at_an_edge_is_flagged() -> None:
    cands, _ = cands_for("What did the army free?", "The army freed all prisoners at dawn.")
    assert "stop_edge_txt" not in row_of(cands, "prisoners")
    assert row_of(cands, "all prisoners").get("stop_edge_txt") == 1.0


@pytest.mark.parametrize(
    ("word", "score"),
    [
        ("عاما", 0.0),  # عام with the accusative -ا: an ordinary word
        ("بما", 0.0),  # a function word with a clitic
        ("لندن", 1.0),  # the dictionary's translation is the same name in Latin letters
        ("الروسي", 0.0),  # a nisba adjective the dictionary knows
        ("الزغلولي", 0.5),  # an unknown word shaped like a nisba adjective
        ("دوبونيه", 1.0),  # unknown: a name
    ],
)
def test_name_likeness_of_arabic_words(word: str, score: float, lexicon) -> None:
    assert arabic_name_score(normalize(word), lexicon) == score


def test_the_name_after_a_title_and_its_nisba_adjective() -> None:
    cands, qtype = cands_for("من قال إن الاتفاق قريب؟", "وقال الوزير الفرنسي جان دوبونيه إن الاتفاق قريب.")
    assert qtype.kind == "who"
    assert row_of(cands, "جان دوبونيه").get("title_before_who") == 1.0  # the title run goes past الفرنسي
    assert row_of(cands, "الفرنسي جان").get("nisba_first_ent") == 1.0
    assert "nisba_first_ent" not in row_of(cands, "جان دوبونيه")


def test_a_span_that_cuts_a_name_in_two_is_flagged() -> None:
    cands, _ = cands_for("Who opened the new bridge?", "The mayor John Smith of Leeds opened the new bridge.")
    assert row_of(cands, "John").get("name_cut_right") == 1.0
    assert row_of(cands, "Smith").get("name_cut_left") == 1.0
    row = row_of(cands, "John Smith")  # the whole name: only the lowercase "mayor" before it, a weak cut
    assert "name_cut_right" not in row and row.get("name_cut_left", 0.0) < 0.5



def test_the_shape_of_an_answer_who_gets_no_number_and_no_bare_question_words() -> None:
    cands, qtype = cands_for("Who did the army capture in Leeds?", "In Leeds the army captured John Smith and 300 men.")
    assert qtype.kind == "who"
    row = row_of(cands, "John Smith")
    assert "hit_all" not in row and "value_in_ent" not in row and "verb_only" not in row
    assert row_of(cands, "John Smith and 300 men").get("value_in_ent") == 1.0
    cands, _ = cands_for("What did the army capture in Leeds?", "The army captured castles in Leeds and York.")
    assert "value_in_ent" not in row_of(cands, "castles")  # only who/where answers are entities



def test_a_span_made_only_of_weakly_matched_question_words_is_flagged() -> None:
    # spans never start or end on a word matched as such (EDGE_HIT), so only weak matches (a shared
    # root, a translation) can make up a whole span: "تقترب" for the question's قريب
    hit = np.array([0.0, 0.7, 0.7, 0.0])
    si, sj = np.array([1, 1, 0]), np.array([2, 3, 2])
    X = np.zeros((3, len(FEATURES)))
    spans._type_fit(X, "txt", hit, np.zeros(4), np.array([0.0, 1.0, 0.0, 0.0]), si, sj)
    col = {n: X[:, FEATURES.index(n)].tolist() for n in ("hit_all", "verb_only", "value_in_ent")}
    assert col == {"hit_all": [1.0, 1.0, 0.0], "verb_only": [1.0, 0.0, 0.0], "value_in_ent": [0.0, 0.0, 0.0]}


def test_a_lone_verb_is_flagged() -> None:
    cands, _ = cands_for("من قال إن الاتفاق قريب؟", "وقال الوزير جان دوبونيه إن الاتفاق يقترب.")
    assert row_of(cands, "يقترب").get("verb_only") == 1.0
    assert "verb_only" not in row_of(cands, "جان دوبونيه")
