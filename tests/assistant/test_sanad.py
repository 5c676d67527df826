"""The facade end to end: real model, real index, the sample article; cited answers or abstentions."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from assistant.config import DEFAULT_MODEL, Settings
from assistant.extract import ABSTAIN
from assistant.sanad import Sanad, sample_corpus_dir
from index.errors import BadQuestionError, IndexNotFoundError

SAMPLE = "abu-dhabi-talks.ar.txt"


def assert_citations_exact(sanad: Sanad, answer) -> None:
    index = sanad.snapshot().index
    for c in answer.citations:
        text = index.document_text(c.doc_id)
        assert text[c.start : c.end] == c.quote
        assert c.passage_start <= c.start < c.end <= c.passage_end
        assert text[c.passage_start : c.passage_end] == c.passage_text
        assert f"[{c.n}]" in answer.text
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


def test_sample_article_is_the_one_shipped(sample_sanad) -> None:
    on_disk = (sample_corpus_dir() / SAMPLE).read_text(encoding="utf-8").replace("\r\n", "\n")
    assert sample_sanad.snapshot().index.document_text(SAMPLE) == on_disk


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param(
            "كم طائرة حربية دمرت منذ بداية الحرب؟", "435 طائرة حربية",
            marks=pytest.mark.xfail(strict=True, reason="the reader takes the first count of a list sentence (11642 "
                                    "tanks); a counted-noun bonus measured -1 question on XQuAD H1 and was not shipped"),
        ),
        ("من يرأس الوفد الأوكراني للمفاوضات؟", "رستم عمروف"),
        ("كم جنديا أوكرانيا قتلوا منذ بدء الحرب؟", "55 ألف جندي"),
        ("ما هي نقطة الخلاف الرئيسية في المحادثات؟", "مصير أراض"),
        ("كم دبابة دمرت القوات الأوكرانية منذ بداية الحرب؟", "11642 دبابة"),
    ],
)
def test_arabic_questions_cite_the_sample_article(sample_sanad, question: str, expected: str | None) -> None:
    answer = sample_sanad.ask(question)
    assert answer.lang == "ar"
    assert not answer.abstained
    assert answer.citations
    assert all(c.doc_id == SAMPLE for c in answer.citations)
    assert_citations_exact(sample_sanad, answer)
    if expected:
        assert any(expected in c.quote for c in answer.citations)


def test_warplanes_question_retrieves_the_passage_with_the_count(sample_sanad) -> None:
    answer = sample_sanad.ask("كم طائرة حربية دمرت منذ بداية الحرب؟")
    assert any("435 طائرة حربية" in h.text for h in answer.retrieved)


def test_english_question_about_the_arabic_article(sample_sanad) -> None:
    answer = sample_sanad.ask("Who leads the Ukrainian delegation in the talks?")
    assert answer.lang == "en" and not answer.abstained
    assert answer.citations[0].doc_id == SAMPLE
    assert_citations_exact(sample_sanad, answer)


def test_english_question_about_the_english_article(sample_sanad) -> None:
    answer = sample_sanad.ask("How many visitors did the river festival attract?")
    assert not answer.abstained
    assert answer.citations[0].doc_id == "river-festival.md"
    assert "40,000 visitors" in answer.citations[0].quote
    assert_citations_exact(sample_sanad, answer)


@pytest.mark.parametrize(
    ("question", "lang"),
    [("كيف أطبخ الكسكس بالخضار في المنزل؟", "ar"), ("What is the recipe for a chocolate soufflé?", "en")],
)
def test_unrelated_question_abstains_in_its_language(sample_sanad, question: str, lang: str) -> None:
    answer = sample_sanad.ask(question)
    assert answer.abstained
    assert answer.text == ABSTAIN[lang]
    assert answer.citations == []


def test_answer_as_dict(sample_sanad) -> None:
    d = sample_sanad.ask("من يرأس الوفد الأوكراني للمفاوضات؟", top_k=2).to_dict()
    assert set(d) >= {"question", "lang", "answer", "abstained", "citations", "retrieved", "latency_ms"}
    assert len(d["retrieved"]) == 2
    meta = {"title", "source", "date", "url", "also_published_by"}
    assert set(d["citations"][0]) == {"n", "doc_id", "start", "end", "quote"} | meta
    assert set(d["retrieved"][0]) == {"doc_id", "start", "end", "score", "text"} | meta
    # the sample article is a plain text file: nothing is known about it, and the JSON says so
    assert [d["citations"][0][k] for k in ("title", "source", "date", "url")] == [None] * 4
    assert d["latency_ms"] > 0


def test_followup_question_uses_the_previous_one(sample_sanad) -> None:
    first = "كم طائرة حربية دمرت منذ بداية الحرب؟"
    history = [
        {"role": "user", "content": first},
        {"role": "assistant", "content": sample_sanad.ask(first).text},
    ]
    answer = sample_sanad.ask("وكم مروحية؟", history=history)
    assert answer.standalone_question and first in answer.standalone_question
    assert any("347 مروحية" in h.text for h in answer.retrieved[:2])
    assert_citations_exact(sample_sanad, answer)


def test_bad_questions_refused(sample_sanad) -> None:
    for q in ["", "   ", "\x00", "x" * (sample_sanad.settings.max_question_chars + 1)]:
        with pytest.raises(BadQuestionError):
            sample_sanad.ask(q)


def test_retrieve_returns_hits(sample_sanad) -> None:
    hits = sample_sanad.retrieve("كم مروحية دمرت؟", top_k=3)
    assert len(hits) == 3
    index = sample_sanad.snapshot().index
    assert all(index.document_text(h.doc_id)[h.start : h.end] == h.text for h in hits)


def test_stats(sample_sanad) -> None:
    stats = sample_sanad.stats()
    assert stats["documents"] == 2
    assert stats["passages"] == sample_sanad.snapshot().index.n_passages > 2
    assert stats["model"] == DEFAULT_MODEL and stats["dim"] == 384


def test_concurrent_questions_get_their_own_answers(sample_sanad) -> None:
    questions = [
        "كم طائرة حربية دمرت منذ بداية الحرب؟",
        "من يرأس الوفد الأوكراني للمفاوضات؟",
        "كم جنديا أوكرانيا قتلوا منذ بدء الحرب؟",
        "ما هي نقطة الخلاف الرئيسية في المحادثات؟",
        "كم دبابة دمرت القوات الأوكرانية؟",
        "How many visitors did the river festival attract?",
        "كيف أطبخ الكسكس بالخضار في المنزل؟",
        "كم سفينة حربية دمرت؟",
    ]
    expected = {q: sample_sanad.ask(q) for q in questions}
    results: dict[str, object] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(questions))

    def worker(q: str) -> None:
        try:
            barrier.wait(10)
            for _ in range(2):
                results[q] = sample_sanad.ask(q)
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    for q in questions:
        got, want = results[q], expected[q]
        assert got.question == q
        assert got.text == want.text
        assert [c.to_dict() for c in got.citations] == [c.to_dict() for c in want.citations]


def test_fresh_sanad_has_no_index_until_asked(sanad_home: Path) -> None:
    sanad = Sanad(Settings.from_env(environ={}, index_dir=sanad_home / "fresh"))
    assert not sanad.has_index()
    assert sanad.stats()["documents"] == 0
    with pytest.raises(IndexNotFoundError):
        sanad.ask("من يرأس الوفد الأوكراني للمفاوضات؟")
    assert not (sanad_home / "fresh").exists()  # asking wrote nothing


def test_ensure_index_adds_the_sample_once_and_readding_changes_nothing(sanad_home: Path) -> None:
    sanad = Sanad(Settings.from_env(environ={}, index_dir=sanad_home / "ensure"))
    report = sanad.ensure_index()
    assert report is not None and report.added == [SAMPLE]
    assert sanad.ensure_index() is None
    generation = sanad.store.current()
    again = sanad.add_paths([sample_corpus_dir()])
    assert again.unchanged == [SAMPLE] and not again.changed
    assert sanad.store.current() == generation  # nothing was written


def test_second_sanad_sees_new_documents(sanad_home: Path, tmp_path: Path) -> None:
    settings = Settings.from_env(environ={}, index_dir=sanad_home / "shared")
    writer, reader = Sanad(settings), Sanad(settings)
    (tmp_path / "a.txt").write_text(
        "The lighthouse keeper painted the tower red in spring.\n", encoding="utf-8"
    )
    writer.add_paths([tmp_path / "a.txt"])
    assert reader.stats()["documents"] == 1
    (tmp_path / "b.txt").write_text(
        "The ferry company hired a new captain named Omar Haddad.\n", encoding="utf-8"
    )
    writer.add_paths([tmp_path / "b.txt"])
    answer = reader.ask("Who did the ferry company hire as its new captain?")
    assert answer.citations and answer.citations[0].doc_id == "b.txt"


def test_a_large_addition_commits_in_groups_and_a_stopped_run_resumes(sanad_home: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    for i in range(7):
        (corpus / f"n{i}.txt").write_text(f"Report {i}: the port {i} reopened after the storm number {i}.\n", encoding="utf-8")
    settings = Settings.from_env(environ={}, index_dir=sanad_home / "groups", progress=False)
    first = Sanad(settings)
    first.commit_every = 3

    def stop_after_first_group(done: int, total: int, stage: str) -> None:
        if stage == "indexing" and done > 3:  # inside the second group
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        first.add_paths([corpus], stop_after_first_group)
    second = Sanad(settings)
    second.commit_every = 3
    assert second.stats()["documents"] == 3  # the first group was committed
    before = second.snapshot().index
    kept = {before.documents[int(before.doc_of[i])].doc_id: before.dense.vectors[i].copy() for i in range(before.n_passages)}
    report = second.add_paths([corpus])
    assert len(report.unchanged) == 3 and len(report.added) == 4
    after = second.snapshot().index
    assert len(after.documents) == 7
    for i in range(after.n_passages):  # earlier passages' vectors are untouched, by document id
        doc_id = after.documents[int(after.doc_of[i])].doc_id
        if doc_id in kept:
            np.testing.assert_array_equal(after.dense.vectors[i], kept[doc_id])


def test_multilingual_model_embeds_arabic_as_it_is_and_is_refused_by_another(tiny_e5_dir, tmp_path) -> None:
    """A multilingual embedder gets Arabic without the English gloss; its index refuses other embedders."""
    from assistant.config import Settings
    from assistant.sanad import Sanad
    from index.errors import IndexMismatchError

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("في الأخبار أن الاجتماع عقد في العاصمة.\n", encoding="utf-8")
    settings = Settings.from_env(environ={}, index_dir=tmp_path / "idx", model=str(tiny_e5_dir), progress=False)
    sanad = Sanad(settings)
    sanad.add_paths([docs])
    snap = sanad.snapshot()
    assert snap.bridge == "direct"
    assert "multi" in snap.embedder.languages
    p = snap.index.passage(0)
    want = snap.embedder.embed([p.text])[0]  # the passage as written ("passage: " + Arabic), not a gloss
    assert abs(float(snap.index.dense.vectors[0] @ want) - 1.0) < 1e-4
    with pytest.raises(IndexMismatchError, match="sanad index rebuild"):
        Sanad(Settings.from_env(environ={}, index_dir=tmp_path / "idx", progress=False)).snapshot()
