"""SQuAD-format sets (SQuAD, XQuAD, ARCD, MLQA) as a corpus plus questions, with no conversion script.

Each paragraph becomes one document file, named `<article-slug>/<NNN>.txt` inside the corpus folder,
so the index calls it exactly what the question's `doc_id` says. A parallel file (XQuAD ships the
same questions in several languages under the same ids) adds those questions in its language; they
are scored against the main file's answers, which are spans of the indexed paragraphs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.questions import Problem, Question
from index.normalize import script_counts


class SquadFileError(ValueError):
    """The file is not SQuAD JSON at all (as opposed to one bad question, which is skipped)."""


@dataclass(frozen=True)
class Paragraph:
    doc_id: str
    text: str


@dataclass
class SquadSet:
    paragraphs: list[Paragraph] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def slug(title: str) -> str:
    """A file-name-safe, readable form of an article title ("Fresno,_California" -> "fresno-california")."""
    s = re.sub(r"[\W_]+", "-", title.strip().lower()).strip("-")
    return s or "article"


def guess_lang(text: str) -> str:
    """'ar' when Arabic letters outnumber Latin ones, else 'en'."""
    arabic, latin = script_counts(text)
    return "ar" if arabic > latin else "en"


def _read_articles(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as e:
        raise SquadFileError(f"{path}: not valid JSON ({e.msg}, line {e.lineno})") from e
    articles = data.get("data") if isinstance(data, dict) else None
    if not isinstance(articles, list):
        raise SquadFileError(f"{path}: not a SQuAD file (no top-level 'data' list)")
    return articles


def _iter_paragraphs(path: Path):
    """(doc_id, context, qas) for every paragraph, with unique readable ids."""
    used: set[str] = set()
    for a_num, article in enumerate(_read_articles(path), start=1):
        if not isinstance(article, dict):
            continue
        base = slug(str(article.get("title") or f"article-{a_num}"))
        name, n = base, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        for p_num, para in enumerate(article.get("paragraphs") or [], start=1):
            if isinstance(para, dict) and isinstance(para.get("context"), str):
                yield f"{name}/{p_num:03d}.txt", para["context"], para.get("qas") or []


def _answers(qa: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for ans in qa.get("answers") or []:
        text = ans.get("text") if isinstance(ans, dict) else None
        if isinstance(text, str) and text.strip() and text.strip() not in out:
            out.append(text.strip())
    return out


def load_squad(path: Path) -> SquadSet:
    """Paragraph documents and one question per SQuAD question (ids become `<id>/<lang>`)."""
    result = SquadSet()
    for doc_id, context, qas in _iter_paragraphs(path):
        text = context.strip()
        result.paragraphs.append(Paragraph(doc_id, text))
        for qa in qas:
            qid, question = qa.get("id"), qa.get("question")
            if not isinstance(qid, str) or not isinstance(question, str) or not question.strip():
                result.problems.append(Problem(str(path), None, f"a question in {doc_id} has no id or text"))
                continue
            impossible = bool(qa.get("is_impossible", False))
            answers = [] if impossible else _answers(qa)
            if not impossible and not answers:
                result.problems.append(Problem(str(path), None, f"question {qid} has no answer"))
                continue
            lang = guess_lang(question)
            # The gold answer's own words are the evidence: a passage of this paragraph holding them
            # is one a reader could answer from.
            evidence = answers[0] if answers and answers[0] in text else None
            result.questions.append(
                Question(f"{qid}/{lang}", lang, question.strip(), tuple(answers), not impossible, evidence, doc_id)
            )
    return result


def add_parallel(squad: SquadSet, path: Path) -> None:
    """Add the questions of `path` whose ids match the main file's; other ids are reported and skipped."""
    by_id = {q.id.rsplit("/", 1)[0]: q for q in squad.questions}
    used = {q.id for q in squad.questions}
    for doc_id, _context, qas in _iter_paragraphs(path):
        for qa in qas:
            qid, question = qa.get("id"), qa.get("question")
            if not isinstance(qid, str) or not isinstance(question, str) or not question.strip():
                squad.problems.append(Problem(str(path), None, f"a question in {doc_id} has no id or text"))
                continue
            gold = by_id.get(qid)
            if gold is None:
                squad.problems.append(Problem(str(path), None, f"unknown question id {qid!r} (not in the main file)"))
                continue
            lang = guess_lang(question)
            new_id = f"{qid}/{lang}"
            if new_id in used:
                squad.problems.append(Problem(str(path), None, f"question id {new_id!r} is already used"))
                continue
            used.add(new_id)
            squad.questions.append(
                Question(new_id, lang, question.strip(), gold.answers, gold.answerable, gold.evidence, gold.doc_id)
            )


def write_corpus(paragraphs: list[Paragraph], corpus_dir: Path, *, prune: bool = False) -> int:
    """Write one UTF-8 file per paragraph; files already holding the same text are left untouched
    (so a reused index sees them as unchanged). With `prune`, other .txt files below `corpus_dir`
    are deleted: only for folders this tool owns. Returns how many files were written."""
    written = 0
    wanted = set()
    for para in paragraphs:
        path = corpus_dir / para.doc_id
        wanted.add(path.resolve())
        content = para.text + "\n"
        if path.is_file() and path.read_text(encoding="utf-8") == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written += 1
    if prune:
        for stale in corpus_dir.rglob("*.txt"):
            if stale.resolve() not in wanted:
                stale.unlink()
    return written


def other_files(paragraphs: list[Paragraph], corpus_dir: Path) -> list[str]:
    """Articles in `corpus_dir` that are not paragraphs of the set (they would be indexed too)."""
    wanted = {p.doc_id for p in paragraphs}
    found = (p.relative_to(corpus_dir).as_posix() for p in corpus_dir.rglob("*") if p.suffix in (".txt", ".md"))
    return sorted(f for f in found if f not in wanted)
