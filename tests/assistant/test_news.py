"""A news archive end to end (real model, real index): metadata out, filters, duplicates, dates, recency.

The archive is tests/conftest.py's NEWS_RECORDS, imported from JSON lines with --field date=date_extracted.
"""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.query import plan_query
from assistant.retriever import channel_scores
from index.errors import BadQuestionError
from index.filters import SearchFilter, passage_mask

HOSPITAL_AR = "كم سريرا في مستشفى النخيل الجديد؟"


def sources(hits) -> list[str]:
    return [h.meta.source for h in hits]


def test_citations_and_retrieved_passages_carry_metadata(news_sanad) -> None:
    d = news_sanad.ask(HOSPITAL_AR).to_dict()
    assert not d["abstained"]
    [c] = d["citations"]
    assert (c["source"], c["date"], c["title"], c["url"]) == (
        "spa", "2015-07-10T08:00:00", "افتتاح مستشفى النخيل في الدمام", "https://news.example/spa/1",
    )  # fmt: skip
    for r in d["retrieved"]:
        assert {"title", "source", "date", "url", "also_published_by"} <= set(r)
        assert r["date"][:4] == "2015"
    team = [r for r in d["retrieved"] if r["source"] == "arriyadiyah"]
    assert all(r["url"] is None for r in team)  # unknown: null, not ""


def test_wire_copies_collapse_to_the_earliest_with_the_others_listed(news_sanad) -> None:
    hits = news_sanad.retrieve(HOSPITAL_AR, top_k=5)
    hospital = [h for h in hits if "النخيل" in h.text]
    assert len(hospital) == 1  # three outlets' copies, one hit
    [h] = hospital
    assert h.meta.source == "spa"  # the earliest (July 10)
    assert [(a.source, a.date[:10]) for a in h.also] == [("okaz", "2015-07-11"), ("alriyadh", "2015-07-12")]


@pytest.mark.parametrize(
    ("filt", "allowed"),
    [
        (SearchFilter.build(None, None, ["OKAZ"]), {"okaz"}),
        (SearchFilter.build("2015-07-11", "2015-07-12", []), {"okaz", "alriyadh"}),
        (SearchFilter.build("2015-07-20", None, []), {"almadina", "arriyadiyah"}),
        (SearchFilter.build(None, "2015-07-05", ["sabq", "arriyadiyah"]), {"sabq", "arriyadiyah"}),
    ],
)
def test_filters_return_only_matching_articles(news_sanad, filt: SearchFilter, allowed: set[str]) -> None:
    hits = news_sanad.retrieve(HOSPITAL_AR, top_k=8, filter=filt)
    assert hits and set(sources(hits)) <= allowed
    for h in hits:
        day = dt.date.fromisoformat(h.meta.date[:10])
        assert (filt.since is None or day >= filt.since) and (filt.until is None or day <= filt.until)


def test_within_a_filter_the_copy_that_passes_it_is_the_hit(news_sanad) -> None:
    [h] = news_sanad.retrieve(HOSPITAL_AR, top_k=1, filter=SearchFilter.build(None, None, ["alriyadh"]))
    assert h.meta.source == "alriyadh" and "النخيل" in h.text
    assert {a.source for a in h.also} == {"spa", "okaz"}


def test_the_top_k_are_the_best_matches_within_the_filter_not_a_filtered_top_k(news_sanad) -> None:
    # sabq's one article says nothing about the hospital: an unfiltered top 1 never holds it, so
    # filtering after retrieval would leave nothing. Retrieval inside the filter still finds it.
    assert news_sanad.retrieve(HOSPITAL_AR, top_k=1)[0].meta.source != "sabq"
    hits = news_sanad.retrieve(HOSPITAL_AR, top_k=1, filter=SearchFilter.build(None, None, ["sabq"]))
    assert sources(hits) == ["sabq"]


@pytest.mark.parametrize(
    "question",
    ["What did the port of Dammam do after the repairs?", "ماذا افتتحت وزارة الصحة في مدينة الدمام؟"],
)
def test_every_channel_keeps_to_the_filter(news_sanad, question: str) -> None:
    snap = news_sanad.snapshot()
    lang = "en" if question.isascii() else "ar"
    plan = plan_query(question, lang, snap)
    filt = SearchFilter.build("2015-07-06", None, ["Gulf News", "okaz", "almadina"])
    mask = passage_mask(snap.index, filt)
    channels = channel_scores(plan, snap, mask)
    expected = {"lexical", "grams", "dense"} | ({"translated"} if lang == "en" else set())
    assert expected <= set(channels)
    for name, ch in channels.items():
        assert len(ch.candidates), name
        assert mask[ch.candidates].all(), name
    unfiltered = channel_scores(plan, snap, passage_mask(snap.index, None))
    assert any(not mask[ch.candidates].all() for ch in unfiltered.values())  # the filter did something


def test_the_retriever_takes_the_filter_through_langchains_interface(news_sanad) -> None:
    docs = news_sanad.retriever.invoke(HOSPITAL_AR, filter={"source": "okaz"})
    assert docs and {d.metadata["source"] for d in docs} == {"okaz"}
    docs = news_sanad.retriever.invoke(HOSPITAL_AR, filter={"since": "2015-07-20"})
    assert docs and all(d.metadata["date"] >= "2015-07-20" for d in docs)


def test_an_outlet_no_article_has_is_refused_with_the_list(news_sanad) -> None:
    with pytest.raises(BadQuestionError, match="no indexed article is from reuters; the outlets are: .*okaz"):
        news_sanad.check_filter(SearchFilter.build(None, None, ["Reuters"]))


@pytest.mark.parametrize(
    ("question", "short", "words", "day"),
    [
        ("متى افتتح مستشفى النخيل؟", "الخميس 9 يوليو 2015", "أمس", "2015-07-09"),
        ("When did the port of Dammam reopen?", "Tuesday, July 14, 2015", "yesterday", "2015-07-14"),
        ("متى استقبل ميناء جدة أكبر سفينة حاويات؟", "الخميس 2 يوليو 2015", "الخميس الماضي", "2015-07-02"),
    ],
)
def test_when_answers_resolve_relative_dates_against_the_article(news_sanad, question, short, words, day) -> None:
    answer = news_sanad.ask(question)
    assert not answer.abstained
    assert answer.short == short and answer.text.startswith(short)
    [c] = answer.citations
    text = news_sanad.snapshot().index.document_text(c.doc_id)
    assert words in c.quote and text[c.start : c.end] == c.quote  # the citation quotes the source words
    assert text[c.span_start : c.span_end] == words  # and highlights them
    assert answer.resolved_date["date"] == day and answer.resolved_date["words"] == words


def test_a_question_for_the_latest_prefers_the_recent_report(news_sanad) -> None:
    plain = news_sanad.retrieve("ما نتيجة مباراة المنتخب الوطني الودية؟", top_k=2)
    latest = news_sanad.retrieve("ما آخر نتائج المنتخب الوطني؟", top_k=2)
    assert {h.doc_id for h in plain} == {h.doc_id for h in latest} == {"news.jsonl#team-1", "news.jsonl#team-2"}
    assert latest[0].doc_id == "news.jsonl#team-2"  # July 25th, over July 1st
    assert latest[0].channels["recency"] > latest[1].channels["recency"]
    assert "recency" not in plain[0].channels
