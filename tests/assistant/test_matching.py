"""Finding question words in a sentence: roots that meet broken plurals, cached sentence views."""

from __future__ import annotations

from assistant.answer_type import detect_type
from assistant.matching import ROOT, key_hits, match, question_keys, root_keys, sentence_view, view_cache
from index.lexical import LexicalIndex
from index.tokens import analyze


def test_broken_plural_meets_its_singular_through_a_root_reading() -> None:
    assert root_keys("النقاط") & root_keys("نقطة")
    assert root_keys("السفن") & root_keys("سفينة")
    assert root_keys("تدمير") & root_keys("دمرت")
    assert not root_keys("النقاط") & root_keys("الأوراق")


def test_question_word_found_by_its_root_in_a_sentence() -> None:
    sentence = "وسجل الفريق 11 نقطة في الدقائق الأخيرة."
    question = "كم عدد النقاط التي سجلها الفريق؟"
    qtype = detect_type(question, "ar")
    keys = question_keys(question, "ar", qtype, LexicalIndex.build([analyze(sentence)]))
    view = sentence_view(sentence, 0, len(sentence))
    key = next(k for k in keys if k.label == "النقاط")
    assert (3, ROOT) in key_hits(view, key)  # نقطة, the fourth token
    assert match(view, keys).per_token[3] == ROOT


def test_a_number_in_the_question_meets_the_same_value_written_otherwise() -> None:
    sentence = "وقال الوزير إن 55 ألف جندي قتلوا، وإن خمسة آلاف أسير عادوا."
    view = sentence_view(sentence, 0, len(sentence), None, english=True)
    for question, token in (("Who said 55,000 soldiers were killed?", 3), ("Who said 5000 prisoners returned?", 8)):
        qtype = detect_type(question, "en")
        keys = question_keys(question, "en", qtype, LexicalIndex.build([analyze(sentence)]))
        key = next(k for k in keys if k.label[0].isdigit())
        assert key_hits(view, key) == [(token, 1.0)], question
    assert "numbers" in view.memo  # read once, for a question with a number; the spans step reuses them


def test_view_cache_analyses_a_sentence_once_per_index() -> None:
    doc = "الجملة الأولى هنا. والجملة الثانية هناك."
    index_a, index_b = object(), object()
    cache = view_cache(index_a, None)
    view = cache.get("d", doc, 0, 18, False)
    assert view.text == doc[0:18]
    assert view_cache(index_a, None).get("d", doc, 0, 18, False) is view
    assert view_cache(index_b, None) is not cache  # a new index starts afresh
    assert cache.sentences("d", doc, 0, len(doc)) == cache.sentences("d", doc, 0, len(doc))


def test_gloss_families_and_past_verbs_meet_an_english_question(sample_sanad) -> None:
    from assistant.matching import _gloss_close

    assert _gloss_close("destroy", "destruct") and _gloss_close("injur", "injuri")
    assert not _gloss_close("state", "station") and not _gloss_close("dest", "destin")
    lexicon = sample_sanad.lexicon()
    if lexicon is None:
        import pytest

        pytest.skip("no FreeDict dictionary installed")
    sentence = "ودمرت القوات الجسر."
    question = "What did the forces destroy?"
    qtype = detect_type(question, "en")
    keys = question_keys(question, "en", qtype, LexicalIndex.build([analyze(sentence)]), lexicon)
    view = sentence_view(sentence, 0, len(sentence), lexicon, english=True)
    key = next(k for k in keys if k.label == "destroy")
    assert any(i == 0 and s >= ROOT for i, s in key_hits(view, key))  # ودمرت, read as دمر "destruct"


def test_the_asked_noun_of_a_where_question_counts_less_in_coverage() -> None:
    # the sentence that answers "which town" names the town; it seldom says "town"
    from assistant.matching import PLACE_NOUN_SHARE

    lex = LexicalIndex.build([analyze("دخل الجيش المدينة.")])
    where = detect_type("Which town did the army enter?", "en")
    count = detect_type("How many town did the army enter?", "en")
    assert where.kind == "where" and count.kind == "count"
    w = next(k for k in question_keys("Which town did the army enter?", "en", where, lex) if k.target)
    c = next(k for k in question_keys("How many town did the army enter?", "en", count, lex) if k.target)
    assert w.weight == PLACE_NOUN_SHARE * c.weight


def test_a_name_spelled_with_one_consonant_off_still_matches_in_english_questions() -> None:
    from assistant.matching import NAME, _one_off

    assert _one_off("drskfk", "drjkfk") and not _one_off("drskfk", "drjkfm") and not _one_off("kf", "kf")
    # Ukrainian г is written غ or ه: Hostomel (hstml) against غوستوميل (gstml)
    sentence = "واستهدف القصف بلدة غوستوميل أمس."
    question = "Which town near Hostomel was hit?"
    qtype = detect_type(question, "en")
    keys = question_keys(question, "en", qtype, LexicalIndex.build([analyze(sentence)]))
    view = sentence_view(sentence, 0, len(sentence), None, english=True)
    view.gloss = [frozenset() for _ in view.tokens]  # an English view, as with a dictionary loaded
    key = next(k for k in keys if k.label == "Hostomel")
    assert any(i == 3 and ROOT < s < NAME for i, s in key_hits(view, key))


def test_a_form_viii_verb_meets_its_root_noun_in_arabic_questions() -> None:
    from assistant.matching import derived_roots

    assert derived_roots("وتشترط") & derived_roots("شروط")
    assert derived_roots("اصطدمت") & derived_roots("صدمة")
    assert not root_keys("وتشترط") & root_keys("شروط")  # English readings keep the plain roots
    sentence = "وتشترط الحكومة لأي اتفاق أن ينسحب الجيش."
    question = "ما شروط الحكومة؟"
    keys = question_keys(question, "ar", detect_type(question, "ar"), LexicalIndex.build([analyze(sentence)]))
    key = next(k for k in keys if k.label == "شروط")
    assert (0, ROOT) in key_hits(sentence_view(sentence, 0, len(sentence)), key)


def test_a_function_word_is_no_root_reading_of_a_content_word() -> None:
    # المقبلة (next) shares the letters of قبل (before), which says nothing about it
    sentence = "وقعت الحرب قبل أربع سنوات."
    question = "متى الجولة المقبلة؟"
    keys = question_keys(question, "ar", detect_type(question, "ar"), LexicalIndex.build([analyze(sentence)]))
    key = next(k for k in keys if k.label == "المقبلة")
    assert key_hits(sentence_view(sentence, 0, len(sentence)), key) == []
    assert key_hits(sentence_view("الأسابيع المقبلة", 0, 16), key)


def test_a_verb_the_articles_never_use_weighs_half_an_unseen_noun() -> None:
    from assistant.matching import UNSEEN_VERB_SHARE

    lex = LexicalIndex.build([analyze("الحرب مستمرة منذ سنوات.")])
    question = "منذ متى تدور الحرب والمعارك؟"
    keys = {k.label: k for k in question_keys(question, "ar", detect_type(question, "ar"), lex)}
    assert not keys["تدور"].seen and not keys["والمعارك"].seen
    assert keys["تدور"].weight == UNSEEN_VERB_SHARE * keys["والمعارك"].weight


def test_a_word_with_a_glued_preposition_or_pronoun_is_known_by_its_base() -> None:
    lex = LexicalIndex.build([analyze("تستخدم الأقمار أجهزة القياس لرصد المعرفة العلمية.")])
    question = "ما الجهاز المستخدم لقياس معرفته؟"
    keys = {k.label: k for k in question_keys(question, "ar", detect_type(question, "ar"), lex)}
    assert keys["لقياس"].seen and "قياس" in keys["لقياس"].exact
    assert keys["معرفته"].seen and "معرف" in keys["معرفته"].exact
    lex = LexicalIndex.build([analyze("لقياس الأثر أهمية.")])  # the index knows the word as written
    keys = {k.label: k for k in question_keys(question, "ar", detect_type(question, "ar"), lex)}
    assert keys["لقياس"].exact == {"لقياس"}


def test_a_form_v_imperfect_is_a_verb_and_thing_only_describes_the_answer() -> None:
    from assistant.matching import verb_like

    assert verb_like("تتحكم") and verb_like("تتعلق")
    assert not verb_like("تتمه")  # a noun in ة
    lex = LexicalIndex.build([analyze("فرضت الحكومة ضريبة جديدة.")])
    question = "ما هو الشيء الذي فرضته الحكومة؟"
    labels = {k.label for k in question_keys(question, "ar", detect_type(question, "ar"), lex)}
    assert "الشيء" not in labels and "الحكومة" in labels


def test_an_unknown_acronym_is_no_evidence_of_a_missing_topic() -> None:
    lex = LexicalIndex.build([analyze("ترأس العالم الهيئة الحكومية الدولية المعنية بتغير المناخ.")])
    question = "Who is the chair of the IPCC?"
    keys = {k.label: k for k in question_keys(question, "en", detect_type(question, "en"), lex)}
    assert not keys["IPCC"].seen and not keys["IPCC"].telling
    question = "Who is the chair of Ipswich?"
    keys = {k.label: k for k in question_keys(question, "en", detect_type(question, "en"), lex)}
    assert not keys["Ipswich"].seen and keys["Ipswich"].telling  # a name could have been transliterated


def test_a_first_letter_that_looks_like_a_proclitic_can_be_a_radical() -> None:
    from assistant.matching import derived_roots

    assert derived_roots("فريقين") & derived_roots("الفرق")  # ف is the root's first letter
    assert derived_roots("بدأت") & derived_roots("بدأ")
    assert not root_keys("فريقين") & root_keys("الفرق")  # English readings keep the plain roots


def test_one_and_two_are_no_evidence_of_a_missing_topic() -> None:
    lex = LexicalIndex.build([analyze("وأصيب شخصان في القصف، وقتل 12 جنديا.")])
    question = "Why were two people hurt?"
    keys = {k.label: k for k in question_keys(question, "en", detect_type(question, "en"), lex)}
    assert not keys["two"].seen and not keys["two"].telling  # Arabic writes a dual (شخصان)
    question = "Why were 40 people hurt?"
    keys = {k.label: k for k in question_keys(question, "en", detect_type(question, "en"), lex)}
    assert not keys["40"].seen and keys["40"].telling


def test_take_place_is_the_question_frame_not_its_topic() -> None:
    lex = LexicalIndex.build([analyze("عقد الاجتماع في المدينة")])
    question = "Where is the meeting taking place?"
    labels = {k.label for k in question_keys(question, "en", detect_type(question, "en"), lex)}
    assert labels == {"meeting"}
    question = "Which place did the army take?"
    labels = {k.label for k in question_keys(question, "en", detect_type(question, "en"), lex)}
    assert "place" in labels or "take" in labels


def test_a_sentence_keeping_the_question_phrase_together_gets_phrase_credit() -> None:
    from assistant.matching import phrase_share

    together = "The main point of the dispute is the border."
    apart = "The main speaker arrived; his point about the dispute came later."
    question = "What is the main point of the dispute?"
    lex = LexicalIndex.build([analyze(together), analyze(apart)])
    keys = question_keys(question, "en", detect_type(question, "en"), lex)
    assert [k.at for k in keys if k.label in ("main", "point")] == [3, 4]
    near = phrase_share(sentence_view(together, 0, len(together), None, english=True), keys)
    far = phrase_share(sentence_view(apart, 0, len(apart), None, english=True), keys)
    assert near > far
    assert far == 0.0


def test_an_unseen_translation_meets_its_form_viii_verb_in_english_questions(sample_sanad) -> None:
    lexicon = sample_sanad.lexicon()
    if lexicon is None:
        import pytest

        pytest.skip("no FreeDict dictionary installed")
    sentence = "وتشترط النقابة زيادة الأجور."
    question = "What does the union set as a condition?"
    keys = question_keys(question, "en", detect_type(question, "en"), LexicalIndex.build([analyze(sentence)]), lexicon)
    key = next(k for k in keys if k.label == "condition")
    assert "شرط" in key.roots and key.derived  # the dictionary's شرط is nowhere in the index as written
    view = sentence_view(sentence, 0, len(sentence), lexicon, english=True)
    assert any(i == 0 and s >= ROOT for i, s in key_hits(view, key))  # وتشترط, form VIII of شرط
    seen = question_keys(question, "en", detect_type(question, "en"), LexicalIndex.build([analyze("شرط واحد")]), lexicon)
    assert not next(k for k in seen if k.label == "condition").derived


def test_a_views_positions_are_tuples_the_garbage_collector_can_skip() -> None:
    import gc

    view = sentence_view("وقال الوزير إن 40 طائرة وصلت إلى المطار.", 0, 40, None)
    assert view.at and all(isinstance(v, tuple) for v in view.at.values())
    gc.collect()  # a tuple of ints is untracked once a collection has looked at it
    assert not any(gc.is_tracked(v) for v in view.at.values())
    assert view.positions("s", "no-such-form") == ()
