"""Reading retrieved passages: windows around the best sentences, spans that are exact passage offsets."""

from __future__ import annotations

import pytest

from assistant.query import plan_query
from assistant.reader.read import Reader, choose_windows, sentence_scores
from assistant.reader.weights import load_config
from assistant.reader.windows import encode
from assistant.retriever import retrieve_plan

QUESTION = "How many visitors did the river festival attract?"


@pytest.fixture(scope="module")
def tiny(tiny_reader, tiny_e5_dir):
    folder, _, graph = tiny_reader
    return Reader(tiny_e5_dir, graph, load_config(folder), threads=1)


@pytest.fixture(scope="module")
def case(sample_sanad):
    snap = sample_sanad.snapshot()
    plan = plan_query(QUESTION, "en", snap)
    return snap, plan, retrieve_plan(plan, snap, 3)


def test_sentences_are_ranked_by_the_questions_terms(case):
    snap, plan, hits = case
    sents = sentence_scores(plan, hits, snap)
    best = sents[0]
    assert "visitors" in hits[best.hit].text[best.start : best.end]
    assert all(0 <= s.coverage <= 1 for s in sents)
    assert [s.score for s in sents] == sorted((s.score for s in sents), reverse=True)


def test_windows_respect_the_budget_and_hold_their_sentence(case, tiny):
    snap, plan, hits = case
    sents = sentence_scores(plan, hits, snap)
    q = encode(tiny.tokenizer, QUESTION)
    passages = [encode(tiny.tokenizer, h.text) for h in hits]
    for budget in (1, 2, 3):
        ws = choose_windows(q, passages, sents, max_len=120, stride=16, budget=budget)
        assert 1 <= len(ws) <= budget
        assert all(len(w.ids) <= 120 for w in ws)
    first = choose_windows(q, passages, sents, 120, 16, 1)[0]
    s = sents[0]
    assert first.passage == s.hit
    assert first.offsets[0][0] <= s.start + 1 and s.start < first.offsets[-1][1]


def test_spans_are_exact_passage_text(case, tiny):
    snap, plan, hits = case
    reading = tiny.read(QUESTION, plan, hits, snap, budget=3)
    assert reading.windows_read <= 3 and reading.spans
    for sp in reading.spans:
        text = hits[sp.passage].text
        assert 0 <= sp.start < sp.end <= len(text)
        assert text[sp.start : sp.end] == text[sp.start : sp.end].strip()
    assert [sp.score for sp in reading.spans] == sorted((sp.score for sp in reading.spans), reverse=True)


def test_no_hits_reads_nothing(case, tiny):
    snap, plan, _ = case
    reading = tiny.read(QUESTION, plan, [], snap, budget=3)
    assert reading.best is None and reading.windows_read == 0
