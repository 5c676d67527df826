"""Which questions ask "when"; a relative date is resolved once, whatever step built the answer."""

from __future__ import annotations

import pytest

from assistant.answer import Answer, Citation
from assistant.when import asks_when, resolve_answer_date


@pytest.mark.parametrize(
    ("question", "when"),
    [
        ("متى افتتح المستشفى؟", True),
        ("في أي يوم عقد الاجتماع؟", True),
        ("ما تاريخ توقيع الاتفاق؟", True),
        ("When did the port reopen?", True),
        ("What day was the vote?", True),
        ("كم سريرا في المستشفى؟", False),
        ("Who opened the hospital?", False),
    ],
)
def test_asks_when(question: str, when: bool) -> None:
    assert asks_when(question) is when


def cited_answer(news_sanad, question: str, doc_id: str, words: str, lang: str = "ar") -> Answer:
    """An answer built by hand (as an LLM answer step would), citing the sentence that holds `words`."""
    from assistant.retriever import attach_sources

    text = news_sanad.snapshot().index.document_text(doc_id)
    start = text.index(words)
    s, e = text.rfind(".", 0, start) + 1, text.index(".", start) + 1
    c = Citation(1, doc_id, s, e, text[s:e], 0, len(text), text)
    return attach_sources(Answer(question, lang, f"{text[s:e]} [1]", False, [c]), news_sanad.snapshot())


def test_a_hand_built_answer_is_resolved_too(news_sanad) -> None:
    answer = cited_answer(news_sanad, "متى دشنت محطة التحلية في ينبع؟", "news.jsonl#madina-1", "اليوم (الاثنين)")
    out = resolve_answer_date(answer, news_sanad.snapshot())
    assert out.short == "الاثنين 20 يوليو 2015" and out.text.startswith("الاثنين 20 يوليو 2015: ")
    assert out.resolved_date["published"] == "2015-07-21T01:30:00"


def test_left_alone_without_a_when_question_or_a_date(news_sanad, sample_sanad) -> None:
    answer = cited_answer(news_sanad, "ماذا دشنت المؤسسة؟", "news.jsonl#madina-1", "اليوم (الاثنين)")
    assert resolve_answer_date(answer, news_sanad.snapshot()).resolved_date is None
    undated = sample_sanad.ask("متى بدأت الحرب؟")  # the sample article has no date: nothing to resolve against
    assert undated.resolved_date is None
