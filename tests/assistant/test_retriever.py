"""SanadRetriever: a langchain-core retriever over the real index, the real model, the sample article."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from assistant import translate as tr
from assistant.answer import ArticleMeta, Hit
from assistant.query import CONTEXT_WEIGHT, plan_query
from assistant.retriever import SanadRetriever, channel_scores, document_to_hit, hit_to_document, retrieve

SAMPLE = "abu-dhabi-talks.ar.txt"
ENGLISH = "river-festival.md"


def test_is_a_langchain_retriever(sample_sanad) -> None:
    assert isinstance(sample_sanad.retriever, SanadRetriever)
    assert isinstance(sample_sanad.retriever, BaseRetriever)


def test_documents_carry_offsets_and_scores(sample_sanad) -> None:
    docs = sample_sanad.retriever.invoke("كم طائرة حربية دمرت منذ بداية الحرب؟")
    assert 0 < len(docs) <= sample_sanad.settings.top_k
    index = sample_sanad.snapshot().index
    for d in docs:
        assert isinstance(d, Document)
        m = d.metadata
        assert {"doc_id", "start", "end", "score", "passage_id", "channels"} <= set(m)
        assert index.document_text(m["doc_id"])[m["start"] : m["end"]] == d.page_content
        assert np.isfinite(m["score"])
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)
    assert docs[0].metadata["doc_id"] == SAMPLE
    assert any("435 طائرة حربية" in d.page_content for d in docs)


def test_top_k_is_respected(sample_sanad) -> None:
    assert len(sample_sanad.retriever.invoke("الحرب", top_k=2)) == 2
    assert len(SanadRetriever(snapshot=sample_sanad.snapshot, top_k=1).invoke("الحرب")) == 1


def test_batch_of_questions(sample_sanad) -> None:
    a, b = sample_sanad.retriever.batch(
        ["من يرأس الوفد الأوكراني للمفاوضات؟", "How many visitors came to the river festival?"]
    )
    assert a[0].metadata["doc_id"] == SAMPLE
    assert any("رستم عمروف" in d.page_content for d in a[:2])
    assert b[0].metadata["doc_id"] == ENGLISH


def test_channels_are_fused(sample_sanad) -> None:
    snap = sample_sanad.snapshot()
    plan = plan_query("كم دبابة دمرت القوات الأوكرانية؟", "ar", snap)
    channels = channel_scores(plan, snap)
    assert {"lexical", "grams", "dense"} <= set(channels)
    hits = retrieve("كم دبابة دمرت القوات الأوكرانية؟", snap, 3)
    assert hits and all(isinstance(h, Hit) for h in hits)
    top = hits[0]
    assert sum(top.channels.values()) == pytest.approx(top.score)
    assert "11642 دبابة" in top.text


def test_hit_document_roundtrip() -> None:
    hit = Hit(7, "a.txt", 10, 20, 0.5, "0123456789", {"lexical": 0.25, "dense": 0.25})
    assert document_to_hit(hit_to_document(hit)) == hit
    meta = ArticleMeta("a.txt", "Title", "okaz", "2015-07-21", "https://x/a")
    also = (ArticleMeta("b.txt", "Title", "sabq", "2015-07-22", ""),)
    with_meta = Hit(7, "a.txt", 10, 20, 0.5, "0123456789", {}, meta, also)
    doc = hit_to_document(with_meta)
    assert doc.metadata["source"] == "okaz" and doc.metadata["url"] == "https://x/a"
    assert document_to_hit(doc) == with_meta


def test_english_question_finds_the_english_article(sample_sanad) -> None:
    docs = sample_sanad.retriever.invoke("How many visitors came to the river festival?")
    assert docs[0].metadata["doc_id"] == ENGLISH
    assert "40,000 visitors" in docs[0].page_content


def test_a_one_passage_index_still_returns_its_passage(tmp_path) -> None:
    from assistant.config import Settings
    from assistant.sanad import Sanad

    (tmp_path / "one.txt").write_text("The harbour bridge reopened on Monday after repairs.", encoding="utf-8")
    sanad = Sanad(Settings.from_env(index_dir=tmp_path / "idx", progress=False))
    sanad.add_paths([tmp_path / "one.txt"])
    hits = sanad.retrieve("When did the harbour bridge reopen?")
    assert [h.doc_id for h in hits] == ["one.txt"]


@pytest.fixture(scope="module")
def with_lexicon(sample_sanad):
    if sample_sanad.lexicon() is None:
        pytest.skip("no FreeDict dictionary installed")
    return sample_sanad


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("How many air defense systems were destroyed?", "1293 من أنظمة الدفاع الجوي"),
        ("How many helicopters has Russia lost?", "347 مروحية"),
        ("Who is Rustem Umerov?", "رستم عمروف"),
        ("What did Kirill Dmitriev say about the talks?", "كيريل دميترييف"),
        ("Who is Jared Kushner?", "جاريد كوشنر"),
        ("What did Zelensky say about Ukrainian soldiers killed in the war?", "55 ألف جندي"),
        ("Which cities in Donetsk were attacked?", "دروجكيفكا وليمان"),
        ("What happened near Kupiansk?", "بلاغوداتوفكا في كوبيانسك"),
        ("What happened in Kherson, Sumy and Dnipro?", "خيرسون وسومي ودنيبرو"),
    ],
)
def test_english_questions_find_the_arabic_passage(with_lexicon, question, needle) -> None:
    """Figures, people and places of the Arabic sample article, asked in English."""
    hits = retrieve(question, with_lexicon.snapshot(), 1, "en")
    assert hits and hits[0].doc_id == SAMPLE
    assert needle in hits[0].text, (question, hits[0].text[:200])


def test_translated_channel_scores_each_word_once(with_lexicon) -> None:
    """The English channel scores one synonym set per question word, and a follow-up's earlier
    question only adds sets for terms the new question does not already ask for."""
    snap = with_lexicon.snapshot()
    question = "How many helicopters has Russia lost?"
    plan = plan_query(question, "en", snap)
    assert plan.translated_groups
    assert {t for g in plan.translated_groups for t in g} == set(plan.translated)
    translated = channel_scores(plan, snap)["translated"]
    expected = snap.index.lexical["text"].scores_grouped(plan.translated_groups)
    rows = translated.candidates
    np.testing.assert_allclose(translated.score_of(rows), expected[rows], rtol=1e-6)
    alone = plan_query("And how many tanks?", "en", snap).translated_groups
    follow = plan_query("And how many tanks?", "en", snap, context=question).translated_groups
    assert follow[: len(alone)] == alone
    earlier = follow[len(alone) :]
    assert earlier  # the earlier question's words, at a low weight and never repeating a term of the new one
    own = {t for g in alone for t in g}
    assert all(not own & set(g) and max(g.values()) <= CONTEXT_WEIGHT * tr.GROUP_NUMBER_WEIGHT for g in earlier)
