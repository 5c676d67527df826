"""The runner on the shared session index (the sample article plus one English article).

Questions come from the dev set; every record must follow the report contract and every citation
and passage must match the corpus files at [start, end).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eval.questions import Question, read_questions
from eval.runner import RunResult, SourceTexts, build_record, check_offsets, run

ROOT = Path(__file__).resolve().parents[2]
DEV_IDS = {"ar-09", "ar-19", "en-19", "en-12", "ar-35", "en-35"}  # where, how many, and two unanswerable


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, english_article_dir: Path) -> Path:
    """The same two files the session index holds, in one folder, as `--corpus` would see them."""
    from assistant.sanad import sample_corpus_dir

    d = tmp_path_factory.mktemp("corpus")
    for src in (sample_corpus_dir() / "abu-dhabi-talks.ar.txt", english_article_dir / "river-festival.md"):
        shutil.copy(src, d / src.name)
    return d


@pytest.fixture(scope="module")
def questions() -> list[Question]:
    found, problems = read_questions(ROOT / "eval" / "data" / "sample.jsonl")
    assert problems == []
    picked = [q for q in found if q.id in DEV_IDS]
    assert len(picked) == len(DEV_IDS)
    return picked


@pytest.fixture(scope="module")
def result(sample_sanad, corpus: Path, questions: list[Question]) -> RunResult:
    return run(questions, sample_sanad.settings, corpus, top_k=5, progress=False, sanad=sample_sanad)


def test_reusing_a_matching_index_changes_nothing(result: RunResult) -> None:
    assert (result.index["added"], result.index["replaced"], result.index["unchanged"]) == (0, 0, 2)
    assert result.index["extra_documents"] == 0 and result.warnings == []


def test_records_follow_the_contract(result: RunResult, questions: list[Question]) -> None:
    assert [r["id"] for r in result.records] == [q.id for q in questions]
    for r in result.records:
        assert r["error"] is None
        assert isinstance(r["answer"], str) and isinstance(r["abstained"], bool) and r["latency_ms"] > 0
        assert 1 <= len(r["retrieved"]) <= 5
        meta = {"title", "source", "date", "url", "also_published_by"}
        assert all(set(h) == {"doc_id", "start", "end", "score", "text"} | meta for h in r["retrieved"])
        assert all(set(c) == {"doc_id", "start", "end", "quote"} | meta for c in r["citations"])
        assert set(r["scores"]) == {"em", "f1", "contains", "rank", "evidence_cited"}
        assert (r["scores"]["f1"] is None) == (not r["answerable"])
    scores = {r["id"]: r["scores"] for r in result.records}
    assert scores["ar-09"]["rank"] is not None  # the evidence of "where are the talks" is retrieved


def test_every_offset_matches_the_source(result: RunResult, corpus: Path) -> None:
    assert result.offset_problems == []
    assert sum(len(r["citations"]) for r in result.records) > 0


def test_a_tampered_quote_fails_the_check(result: RunResult, corpus: Path) -> None:
    records = [dict(r, citations=[dict(c) for c in r["citations"]]) for r in result.records]
    target = next(r for r in records if r["citations"])
    target["citations"][0]["quote"] = "x" + target["citations"][0]["quote"][1:]
    (problem,) = check_offsets(records, SourceTexts(corpus))
    assert problem.startswith(f"{target['id']}: citation 1 (abu-dhabi-talks.ar.txt [")


def test_a_question_the_facade_refuses_becomes_an_error_record(sample_sanad, corpus: Path) -> None:
    too_long = Question("long", "en", "why " * 5000, ("x",))
    (record,) = run([too_long], sample_sanad.settings, corpus, progress=False, sanad=sample_sanad).records
    assert record["error"] and record["answer"] == "" and record["abstained"] is False
    assert record["scores"]["f1"] == 0.0


def test_source_texts_read_files_as_the_index_does(tmp_path: Path) -> None:
    (tmp_path / "crlf.txt").write_bytes("\ufeffسطر\r\nline two\r\n".encode())
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02")
    source = SourceTexts(tmp_path)
    assert source("crlf.txt") == "سطر\nline two\n"  # BOM dropped, newlines folded
    assert source("bin.txt") is None
    assert source("missing.txt") is None
    assert source("../crlf.txt") is None  # never outside the corpus


def test_build_record_without_an_answer() -> None:
    q = Question("u", "en", "Who?", (), False)
    record = build_record(q, None, 12.345, "IndexNotFoundError: no index")
    assert record["answer"] == "" and record["citations"] == [] and record["retrieved"] == []
    assert record["latency_ms"] == 12.35 and record["answerable"] is False


def test_the_dev_set_stays_above_its_floors(sample_sanad, corpus: Path) -> None:
    """A guard on our dev questions at the trained reader's level, a few questions below what it
    measures (contains .59 ar / .56 en; refusals: 2 and 4 of 9 unanswerable, wrong refusals 6% / 15%
    of answerable; README, "Scoring from scripts"). Issue #15's targets (contains .95,
    refusal precision and recall .9) are not met yet. A change that loses dev answers fails here."""
    found, problems = read_questions(ROOT / "eval" / "data" / "sample.jsonl")
    assert problems == []
    records = run(found, sample_sanad.settings, corpus, top_k=5, progress=False, sanad=sample_sanad).records
    for lang, floor in (("ar", 0.50), ("en", 0.45)):
        mine = [r for r in records if r["lang"] == lang]
        answerable = [r for r in mine if r["answerable"]]
        contains = sum(bool(r["scores"]["contains"]) for r in answerable) / len(answerable)
        refused = sum(r["abstained"] for r in mine if not r["answerable"])
        wrong = sum(r["abstained"] for r in answerable) / len(answerable)
        assert contains >= floor, (lang, contains)
        assert refused >= 1 and wrong <= 0.2, (lang, refused, wrong)


# -- a news archive: records with metadata, a filter, offsets checked against the records ------------
def test_a_news_export_is_scored_within_a_filter_with_sources_in_the_records(news_sanad, news_corpus: Path) -> None:
    from index.filters import SearchFilter
    from index.records import FieldMap

    qs = [
        Question("h1", "ar", "كم سريرا في مستشفى النخيل الجديد؟", ("320",), True, "ثلاثمئة وعشرين سريرا", "news.jsonl#okaz-1"),
        Question("p1", "en", "When did the port of Dammam reopen?", ("July 14, 2015",), True, None, "news.jsonl#gulf-1"),
    ]
    out = run(qs, news_sanad.settings, news_corpus, top_k=3, progress=False, sanad=news_sanad,
              filt=SearchFilter.build("2015-07-11", None, []), fields=FieldMap.parse(["date=date_extracted"]))  # fmt: skip
    assert out.offset_problems == []  # quotes checked against the JSON-lines records, as indexed
    assert out.index["unchanged"] == 8
    hospital, port = out.records
    assert hospital["citations"][0]["source"] == "okaz"  # spa's copy (July 10) is outside the filter
    assert all(h["date"] >= "2015-07-11" for r in out.records for h in r["retrieved"])
    assert port["short_answer"] == "Tuesday, July 14, 2015" and port["scores"]["contains"] == 1.0
