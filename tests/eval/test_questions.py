from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.questions import Question, parse_lines, question_to_dict, read_questions

GOOD = {"id": "q1", "lang": "ar", "question": "أين تجري المحادثات؟", "answers": ["أبوظبي", "Abu Dhabi"]}


def _line(**changes) -> str:
    obj = {**GOOD, **changes}
    return json.dumps({k: v for k, v in obj.items() if v is not ...}, ensure_ascii=False)


def test_defaults_and_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(_line(kind="where", note={"any": "thing"}) + "\n", encoding="utf-8")
    questions, problems = read_questions(path)
    assert problems == []
    assert questions == [Question("q1", "ar", GOOD["question"], ("أبوظبي", "Abu Dhabi"), True, None, None)]


def test_unanswerable_and_optional_fields() -> None:
    lines = [_line(id="u", answers=[], answerable=False), _line(evidence="في أبوظبي", doc_id="news/a.txt")]
    questions, problems = parse_lines(lines)
    assert problems == []
    assert questions[0].answerable is False and questions[0].answers == ()
    assert (questions[1].evidence, questions[1].doc_id) == ("في أبوظبي", "news/a.txt")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (_line(id=7), "'id' must be a non-empty string"),
        (_line(id=...), "'id' must be a non-empty string"),
        (_line(lang="fr"), "'lang' must be one of ar, en"),
        (_line(question="  "), "'question' must be a non-empty string"),
        (_line(answers="Abu Dhabi"), "'answers' must be a list"),
        (_line(answers=["ok", 3]), "'answers' must be a list"),
        (_line(answers=[]), "needs at least one answer"),
        (_line(answerable="no"), "'answerable' must be true or false"),
        (_line(answerable=False), "must have 'answers': []"),
        (_line(evidence=""), "'evidence' must be a non-empty string"),
        (_line(doc_id=3), "'doc_id' must be a non-empty string"),
    ],
)
def test_malformed_line_is_reported_with_its_number_and_skipped(line: str, message: str) -> None:
    questions, problems = parse_lines([_line(id="a"), "", line, _line(id="b")], source="q.jsonl")
    assert [q.id for q in questions] == ["a", "b"]
    assert len(problems) == 1
    assert problems[0].line == 3
    assert message in problems[0].message
    assert str(problems[0]).startswith("q.jsonl:3: ")


def test_duplicate_ids_keep_the_first() -> None:
    questions, problems = parse_lines([_line(), _line(question="another")])
    assert [q.question for q in questions] == [GOOD["question"]]
    assert problems[0].line == 2 and "duplicate id 'q1'" in problems[0].message


def test_bom_and_line_separator_inside_a_string(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    odd = _line(id="x", question="first\u2028second")
    path.write_text("\ufeff" + _line() + "\n" + odd + "\n", encoding="utf-8")
    questions, problems = read_questions(path)
    assert problems == []
    assert [q.id for q in questions] == ["q1", "x"]


def test_round_trip() -> None:
    q = Question("u1", "en", "Who?", (), False, "some text", "a.txt")
    (back,), problems = parse_lines([json.dumps(question_to_dict(q))])
    assert problems == [] and back == q


def test_the_dev_set_is_valid_and_grounded() -> None:
    """eval/data/sample.jsonl: every line valid, both languages, every evidence in the article."""
    root = Path(__file__).resolve().parents[2]
    questions, problems = read_questions(root / "eval" / "data" / "sample.jsonl")
    article = (root / "assistant" / "data" / "sample" / "abu-dhabi-talks.ar.txt").read_text(encoding="utf-8")
    assert problems == []
    assert len(questions) >= 60
    by_lang = {lang: [q for q in questions if q.lang == lang] for lang in ("ar", "en")}
    assert len(by_lang["ar"]) == len(by_lang["en"])
    assert sum(not q.answerable for q in questions) >= 10
    for q in questions:
        if q.answerable:
            assert q.evidence in article, q.id
            assert q.doc_id == "abu-dhabi-talks.ar.txt"
