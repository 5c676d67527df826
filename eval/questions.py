"""The questions file: one JSON object per line (see eval/README.md for the contract).

A broken line must not cost a whole run: it is reported with its line number and skipped, and the
report lists it, so a typo in line 412 is visible without hiding the other 999 results.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LANGS = ("ar", "en")


@dataclass(frozen=True)
class Question:
    id: str
    lang: str  # "ar" | "en"
    question: str
    answers: tuple[str, ...]
    answerable: bool = True
    evidence: str | None = None
    doc_id: str | None = None


@dataclass(frozen=True)
class Problem:
    """A line that was skipped, and why."""

    source: str
    line: int | None  # None for sources without lines (a SQuAD file)
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message} (skipped)"


class InvalidQuestion(ValueError):
    pass


def _optional_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidQuestion(f"{key!r} must be a non-empty string when given")
    return value


def question_from_dict(obj: Any) -> Question:
    """Validate one decoded line; unknown keys are ignored so files can carry extra notes."""
    if not isinstance(obj, dict):
        raise InvalidQuestion("expected a JSON object")
    qid = obj.get("id")
    if not isinstance(qid, str) or not qid.strip():
        raise InvalidQuestion("'id' must be a non-empty string")
    lang = obj.get("lang")
    if lang not in LANGS:
        raise InvalidQuestion(f"'lang' must be one of {', '.join(LANGS)}, got {lang!r}")
    text = obj.get("question")
    if not isinstance(text, str) or not text.strip():
        raise InvalidQuestion("'question' must be a non-empty string")
    answers = obj.get("answers", [])
    if not isinstance(answers, list) or not all(isinstance(a, str) and a.strip() for a in answers):
        raise InvalidQuestion("'answers' must be a list of non-empty strings")
    answerable = obj.get("answerable", True)
    if not isinstance(answerable, bool):
        raise InvalidQuestion("'answerable' must be true or false")
    if answerable and not answers:
        raise InvalidQuestion("an answerable question needs at least one answer in 'answers'")
    if not answerable and answers:
        raise InvalidQuestion("an unanswerable question must have 'answers': []")
    return Question(
        id=qid,
        lang=lang,
        question=text,
        answers=tuple(answers),
        answerable=answerable,
        evidence=_optional_str(obj, "evidence"),
        doc_id=_optional_str(obj, "doc_id"),
    )


def parse_lines(lines: list[str], source: str = "<questions>") -> tuple[list[Question], list[Problem]]:
    """Questions from JSONL lines, and the problems of the lines that were skipped."""
    questions: list[Question] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        line = line.lstrip("\ufeff").strip()
        if not line:
            continue
        try:
            q = question_from_dict(json.loads(line))
        except json.JSONDecodeError as e:
            problems.append(Problem(source, number, f"not valid JSON ({e.msg}, column {e.colno})"))
            continue
        except InvalidQuestion as e:
            problems.append(Problem(source, number, str(e)))
            continue
        except RecursionError:
            problems.append(Problem(source, number, "not valid JSON (nested too deeply)"))
            continue
        except ValueError as e:  # e.g. an integer longer than Python converts
            problems.append(Problem(source, number, f"not valid JSON ({str(e).split(':')[0][:80]})"))
            continue
        if q.id in seen:
            problems.append(Problem(source, number, f"duplicate id {q.id!r}"))
            continue
        seen.add(q.id)
        questions.append(q)
    return questions, problems


def read_questions(path: Path) -> tuple[list[Question], list[Problem]]:
    """Read a JSONL questions file (UTF-8)."""
    text = Path(path).read_text(encoding="utf-8")
    # Split on newlines only: str.splitlines() would also break inside strings holding U+2028.
    return parse_lines(text.split("\n"), source=str(path))


def question_to_dict(q: Question) -> dict[str, Any]:
    """The JSONL form of a question (what `read_questions` accepts)."""
    d: dict[str, Any] = {"id": q.id, "lang": q.lang, "question": q.question, "answers": list(q.answers)}
    if not q.answerable:
        d["answerable"] = False
    if q.evidence is not None:
        d["evidence"] = q.evidence
    if q.doc_id is not None:
        d["doc_id"] = q.doc_id
    return d
