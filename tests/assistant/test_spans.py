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


def test_a_verb_after_a_number_counts_no_noun() -> None:
    # 80 is the subject of قتلوا, which shares the root of the asked قتلى: it counts nothing
    s = "وارتفع عدد القتلى إلى 1200 قتيل، وقال إن 80 قتلوا أمس."
    spans = spans_for("كم بلغ عدد القتلى؟", s)
    assert spans[0].display == "1200" and spans[0].counts_target
    assert not any(sp.display == "80" and sp.counts_target for sp in spans)
    # ... unless من بينهم makes it a share of the number before: then it counts the dead too,
    # and the whole still answers the plain question
    s = "وارتفع عدد القتلى إلى 1200 قتيل، من بينهم 80 قتلوا أمس."
    spans = spans_for("كم بلغ عدد القتلى؟", s)
    assert spans[0].display == "1200" and any(sp.display == "80" and sp.counts_target for sp in spans)


def test_an_adjective_after_the_counted_noun_counts_only_by_stem() -> None:
    # قتالية (an adjective of مركبة) shares the root of قتلى but names no dead
    s = "وسقط 50 قتيلا، ودمرت 40 مركبة قتالية."
    spans = spans_for("كم بلغ عدد القتلى؟", s)
    assert spans[0].display == "50"
    assert not any(sp.display == "40" and sp.counts_target for sp in spans)


def test_the_day_or_year_inside_a_date_is_no_count() -> None:
    s = "وصوت 5200 ناخب في الاستفتاء الذي جرى في 1 مارس 1979."
    spans = spans_for("كم ناخبا صوت في الاستفتاء؟", s)
    assert spans[0].display == "5200"
    assert all(sp.display not in ("1", "1979") for sp in spans)


def test_the_name_after_the_title_the_question_names(lexicon) -> None:
    s = "وحضر الاجتماع الرئيس الفرنسي جان دوبونيه، والمبعوث الألماني كارل شميت."
    best = spans_for("من هو المبعوث الألماني؟", s, lexicon=lexicon)[0]
    assert "كارل" in best.text and "جان" not in best.text


def test_a_surname_after_a_first_name_is_no_verb(lexicon) -> None:
    # يانغ is shaped like an imperfect verb (ي + انغ); after بيتر it is the surname
    from assistant.spans import _static

    s = "وقال المدرب بيتر يانغ إن الفريق جاهز."
    view = sentence_view(s, 0, len(s), lexicon)
    st = _static(view, lexicon)
    k = next(i for i, t in enumerate(view.tokens) if t.text == "يانغ")
    assert st.name[k] == 1.0 and st.verb[k] == 0.0


def test_a_glued_preposition_marks_a_place_only_on_a_name(lexicon) -> None:
    qtype = detect_type("أين جرت المحادثات؟", "ar")
    s = "وجرت المحادثات بحضور الوفود في دوبونيه."
    lex = LexicalIndex.build([analyze(s)])
    keys = question_keys("أين جرت المحادثات؟", "ar", qtype, lex, lexicon)
    view = sentence_view(s, 0, len(s), lexicon)
    cands = candidates(view, match(view, keys), keys, qtype, "ar", SentenceInfo(1.0, 0, 0), lexicon)
    assert "place_before_where" not in row_of(cands, "بحضور الوفود")
    row = row_of(cands, "دوبونيه")
    assert row.get("place_before_where") == 1.0 and row.get("place_name_where") == 1.0
    assert best_spans(cands)[0].text == "دوبونيه"


def _best_count(question: str, sentence: str, others: list[str], lexicon):
    """Spans of `sentence` for an English count question, idf from an index of it and `others`."""
    qtype = detect_type(question, "en")
    lex = LexicalIndex.build([analyze(t) for t in [sentence, *others]])
    keys = question_keys(question, "en", qtype, lex, lexicon)
    view = sentence_view(sentence, 0, len(sentence), lexicon, True)
    cands = candidates(view, match(view, keys), keys, qtype, "en", SentenceInfo(1.0, 0, 0), lexicon)
    return typed_first(best_spans(cands, limit=50), qtype)


def test_a_number_of_the_asked_nouns_adjectives_when_the_noun_itself_is_missed(lexicon) -> None:
    # "vehicles" is read as عربة; the article says مركبة, with the asked adjective مدرعة
    others = ["وقال الجيش الأوكراني إن المعارك مستمرة.", "وزار الوفد الأوكراني العاصمة.", "وتحدث الرئيس عن الاقتصاد."]
    s = "ودمرت القوات 500 دبابة، و240 مركبة مدرعة في المعارك."
    best = _best_count("How many armored vehicles were destroyed?", s, others, lexicon)[0]
    assert best.display == "240" and best.counts_target
    # an adjective as common as a nationality does not make a count of the asked noun
    s = "وقتل 300 جندي أوكراني في المعارك."
    spans = _best_count("How many Ukrainian civilians were killed?", s, others, lexicon)
    assert not any(sp.counts_target for sp in spans)


def test_a_name_or_place_starting_on_a_question_word_is_flagged() -> None:
    # مقتل echoes قتل (by its root); the place is the name after في
    cands, qtype = cands_for("أين قتل الجنود؟", "وأعلن الجيش مقتل الجنود في دوبونيه أمس.")
    assert qtype.kind == "where"
    assert row_of(cands, "مقتل").get("echo_edge_ent") == 1.0
    assert "echo_edge_ent" not in row_of(cands, "دوبونيه")


def test_others_after_a_number_count_the_noun_of_the_number_before() -> None:
    # "21 آخرين" are 21 other people: it counts the noun of the number before it
    s = "وأسفر القصف عن مقتل 8 أشخاص وإصابة 21 آخرين، وتدمير 5 منازل."
    spans = spans_for("كم شخصا أصيب في القصف؟", s)
    counted = {sp.display for sp in spans if sp.counts_target}
    assert counted == {"8", "21"}


def test_the_name_in_brackets_after_the_asked_noun() -> None:
    cands, qtype = cands_for("ما الصحيفة التي نشرت الخبر؟", "ونشرت الصحيفة الفرنسية الكبرى (لوموند) الخبر أمس.")
    assert qtype.kind == "who"
    assert row_of(cands, "لوموند").get("paren_name_ent") == 1.0
    assert "paren_name_ent" not in row_of(cands, "الفرنسية الكبرى")
    cands, _ = cands_for("ما الصحيفة التي نشرت الخبر؟", "ونشرت الصحيفة الخبر أمس، ثم (لوموند) نفته.")
    assert "paren_name_ent" not in row_of(cands, "لوموند")  # brackets far from the asked noun


def test_what_the_asked_speaker_said_follows_their_name_and_that() -> None:
    cands, qtype = cands_for("ماذا قال الوزير عن المفاوضات؟", "وقال الوزير إن هناك تقدما كبيرا في المفاوضات رغم ضغوط الحلفاء.")
    assert qtype.speech
    assert row_of(cands, "هناك تقدما كبيرا").get("said_clause_what") == 1.0
    assert "said_clause_what" not in row_of(cands, "ضغوط الحلفاء")
    cands, qtype = cands_for("ماذا دمرت القوات؟", "وقالت القوات إن الجسر دمر.")
    assert not qtype.speech and "said_clause_what" not in row_of(cands, "الجسر")


def test_the_word_between_the_two_names_a_relation_question_asks_about() -> None:
    question = "ما صلة سامر الخطيب بالوزير كمال حداد؟"
    cands, qtype = cands_for(question, "وحضر سامر الخطيب شقيق الوزير كمال حداد الاجتماع، قال الرئيس إنه ناجح.")
    assert qtype.relation
    assert row_of(cands, "شقيق").get("relation_between") == 1.0
    assert "relation_between" not in row_of(cands, "الاجتماع")


def test_the_date_part_the_questions_time_word_asks_for() -> None:
    s = "وعقدت اللجنة اجتماعها يومي 5 و6 مايو، واستؤنف الاجتماع الثلاثاء."
    cands, qtype = cands_for("في أي يوم استؤنف الاجتماع؟", s)
    assert qtype.kind == "when"
    assert row_of(cands, "الثلاثاء").get("date_grain_when") == 1.0
    assert "date_grain_when" not in row_of(cands, "5 و6 مايو")  # a range is no one day
    cands, _ = cands_for("متى عقدت اللجنة اجتماعها؟", s)
    assert row_of(cands, "5 و6 مايو").get("date_grain_when") == 1.0  # a plain "when": a calendar date
    assert "date_grain_when" not in row_of(cands, "الثلاثاء")


def test_the_name_comes_after_the_titles_complement() -> None:
    # المبعوث الفرنسي [للمفاوضات مع الجانب] جان دوبونيه: "envoy for the talks with the party", then the name
    cands, qtype = cands_for("من هو المبعوث الفرنسي؟", "وقال المبعوث الفرنسي للمفاوضات مع الجانب جان دوبونيه إن الاتفاق قريب.")
    assert qtype.kind == "who"
    row = row_of(cands, "جان دوبونيه")
    assert row.get("title_before_who") == 1.0 and row.get("asked_title_before_who") == 1.0
    assert "title_before_who" not in row_of(cands, "للمفاوضات مع الجانب جان دوبونيه")
    assert "title_before_who" not in row_of(cands, "الجانب جان دوبونيه")


def test_a_title_in_the_construct_state_takes_its_noun_along() -> None:
    # رئيس الوفد الفرنسي للمفاوضات جان دوبون: "head of the delegation", then its nisba and complement, then the name
    cands, qtype = cands_for("من يرأس الوفد الفرنسي؟", "وقال رئيس الوفد الفرنسي للمفاوضات جان دوبون إن الاتفاق قريب.")
    assert qtype.kind == "who"
    assert row_of(cands, "جان دوبون").get("title_before_who") == 1.0
    assert "title_before_who" not in row_of(cands, "للمفاوضات جان دوبون")


def test_across_sentences_the_number_naming_more_of_the_asked_phrase_wins() -> None:
    qtype = detect_type("How many air defense systems were destroyed?", "en")
    full = spans.AnswerSpan(0, 4, "1293", "1,293", "number", 5.0, "systems", True, False, 0.8)
    part = spans.AnswerSpan(10, 11, "9", "9", "number", 6.0, "systems", True, False, 0.6)
    assert spans.fits_better(part, full, qtype) is False and spans.fits_better(full, part, qtype) is True
    near = spans.AnswerSpan(10, 11, "9", "9", "number", 6.0, "systems", True, False, 0.8 - spans.FIT_TIE / 2)
    assert spans.fits_better(near, full, qtype) is None  # a tie: the span score decides
    loose = spans.AnswerSpan(10, 11, "9", "9", "number", 6.0, None, False, False, 0.0)
    assert spans.fits_better(loose, full, qtype) is None  # only numbers that both count the asked noun


def test_a_word_found_by_a_question_words_root_is_no_name() -> None:
    cands, _ = cands_for("أين قتل الجنود؟", "وأعلن الجيش بمقتل الجنود في دوبونيه.")
    assert "name_mean_where" not in row_of(cands, "بمقتل")  # مقتل: the family of قتل
    assert row_of(cands, "دوبونيه").get("name_mean_where", 0.0) > 0


def test_a_name_after_a_place_noun_is_a_place(lexicon) -> None:
    question, s = "أين وقع القصف؟", "ووقع القصف أمس واستهدف مقاطعات دوبونيه وكارلسبرغ."
    qtype = detect_type(question, "ar")
    keys = question_keys(question, "ar", qtype, LexicalIndex.build([analyze(s)]), lexicon)
    view = sentence_view(s, 0, len(s), lexicon)
    cands = candidates(view, match(view, keys), keys, qtype, "ar", SentenceInfo(1.0, 0, 0), lexicon)
    assert row_of(cands, "دوبونيه وكارلسبرغ").get("place_name_where") == 1.0
    assert "place_name_where" not in row_of(cands, "أمس")


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


def test_a_source_question_takes_the_name_a_report_is_attributed_to() -> None:
    from assistant.spans import best_spans

    s = "وتطالب الحكومة بانسحاب الجيش من المدينة قبل أي اتفاق، وفق صحيفة المساء اليومية."
    cands, qtype = cands_for("من المصدر الذي نقل خبر مطالب الحكومة؟", s)
    assert qtype.source
    assert row_of(cands, "صحيفة المساء اليومية").get("source_after_attrib") == 1.0
    assert "source_after_attrib" not in row_of(cands, "المدينة")
    assert best_spans(cands, qtype=qtype)[0].display.startswith("صحيفة المساء")
    cands, qtype = cands_for("من طالب بانسحاب الجيش؟", s)
    assert not qtype.source and "source_after_attrib" not in row_of(cands, "صحيفة المساء اليومية")


def test_a_bare_four_digit_number_answers_when_as_a_year() -> None:
    from assistant.spans import best_spans

    s = "طبعت 3000 نسخة من الكتب التي انتشرت في المدن بداية من 1519."
    cands, qtype = cands_for("متى انتشرت الكتب في المدن؟", s)
    spans = best_spans(cands, limit=50, qtype=qtype)
    assert spans[0].text == "1519" and spans[0].kind == "date" and spans[0].display == "1519"
    assert all(sp.text != "3000" for sp in spans)  # an amount, not a year
    cands, qtype = cands_for("كم نسخة طبعت؟", s)
    assert all(sp.kind == "number" for sp in best_spans(cands, limit=50, qtype=qtype) if sp.text in ("1519", "3000"))


def test_a_name_starting_with_ba_is_not_a_glued_preposition() -> None:
    from types import SimpleNamespace

    from assistant.spans import _prefix_prep

    lexicon = SimpleNamespace(ar_to_en={"بلجيكا": ["belgium"], "موسكو": ["moscow"]})
    assert _prefix_prep("وبموسكو", "ب", lexicon)  # بـ + موسكو
    assert not _prefix_prep("وبلجيكا", "ب", lexicon)  # the dictionary knows the whole name, not لجيكا
    assert _prefix_prep("وبلجيكا", "ب")  # without a dictionary, the old reading


def _hole_row(question: str, sentence: str, answer: str, lexicon=None) -> dict[str, float]:
    """The `hole_*` features of the candidate span that is exactly `answer`."""
    qtype = detect_type(question, "ar")
    lex = LexicalIndex.build([analyze(sentence)])
    keys = question_keys(question, "ar", qtype, lex, lexicon)
    view = sentence_view(sentence, 0, len(sentence), lexicon, False)
    cands = candidates(view, match(view, keys), keys, qtype, "ar", SentenceInfo(1.0, 0, 0), lexicon)
    s = sentence.index(answer)
    rows = [r for r, (i, j) in enumerate(cands.ij) if view.tokens[i].start == s and view.tokens[j - 1].end == s + len(answer)]
    assert rows, f"{answer!r} is no candidate"
    return {f: float(cands.X[rows[0], FEATURES.index(f)]) for f in FEATURES if f.startswith("hole_")}


def test_hole_marks_the_span_beside_the_word_after_the_wh_phrase() -> None:
    # VSO: "من رسم الخريطة" -> رسم [X] الخريطة: the span starts right after the question's next word
    row = _hole_row("من رسم الخريطة الأولى للنهر؟", "رسم جان ريبولت الخريطة الأولى للنهر عام 1562.", "جان ريبولت")
    assert row["hole_after_next"] == 1.0 and row["hole_before_next"] == 0.0
    # SVO: "أي هيئة تقدم التوجيهات" -> [X] تقدم التوجيهات: the span ends right before it
    row = _hole_row("أي هيئة تقدم التوجيهات للمدارس؟", "وفي الهند الحكومة الاتحادية تقدم التوجيهات للمدارس.", "الحكومة الاتحادية")
    assert row["hole_before_next"] == 1.0 and row["hole_after_next"] == 0.0
    # one word between (a particle) counts half; a clause break in between does not count
    row = _hole_row("من رسم الخريطة؟", "رسم فعلا جان ريبولت الخريطة.", "جان ريبولت")
    assert row["hole_after_next"] == 0.5
    row = _hole_row("من رسم الخريطة؟", "رسم. جان ريبولت الخريطة.", "جان ريبولت")
    assert row["hole_after_next"] == 0.0


def test_hole_is_for_arabic_questions_only() -> None:
    q, s = "Who drew the first map of the river?", "رسم جان ريبولت الخريطة الأولى للنهر."
    qtype = detect_type(q, "en")
    lex = LexicalIndex.build([analyze(s)])
    keys = question_keys(q, "en", qtype, lex, None)
    view = sentence_view(s, 0, len(s), None, True)
    cands = candidates(view, match(view, keys), keys, qtype, "en", SentenceInfo(1.0, 0, 0), None)
    cols = [FEATURES.index(f) for f in FEATURES if f.startswith("hole_")]
    assert len(cols) == 4 and not cands.X[:, cols].any()


def test_number_counts_the_noun_named_before_it_by_adad() -> None:
    # "the number of X rose to N": N counts X although its own following word does not say so
    s = "وأعلنت الوزارة ارتفاع عدد الجرحى المدنيين منذ بداية الأسبوع إلى 340 شخصا، ودمرت 12 سيارة."
    best = spans_for("كم عدد الجرحى المدنيين؟", s)[0]
    assert best.display == "340" and best.counts_target
    s = "وبلغ عدد المشاركين 900 في اليوم الأول، وحضر 40 صحفيا."
    best = spans_for("كم مشاركا حضر؟", s)[0]
    assert best.display == "900" and best.counts_target


def test_number_before_adad_needs_the_noun_not_only_its_root() -> None:
    # قتلى shares the root ق-ت-ل with مقاتلين but counts the killed, not fighters
    s = "وارتفع عدد القتلى منذ بداية الحرب إلى 340 شخصا."
    assert not any(sp.counts_target for sp in spans_for("كم مقاتلا في المدينة؟", s) if sp.display == "340")


def test_a_share_among_them_counts_the_same_noun() -> None:
    s = "وأصيب 300 جندي، من بينهم 70 خلال الساعات الأخيرة."
    spans = {sp.display: sp for sp in spans_for("كم جنديا أصيبوا خلال الساعات الأخيرة؟", s)}
    assert spans["70"].counts_target and spans["300"].counts_target
