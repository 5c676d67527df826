"""Running Sanad over a question set: index the corpus, ask every question, build the records.

The records follow the report contract in eval/README.md. Every citation quote and every
retrieved passage is checked against the source file at `[start, end)`; a mismatch is collected
and makes the run fail, because it means readers are sent to the wrong place.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.config import Settings
from eval.citations import quote_problems
from eval.questions import Question
from eval.summary import score_record
from index.documents import Document, read_articles
from index.errors import SanadError
from index.filters import SearchFilter
from index.records import FieldMap


class SourceTexts:
    """The corpus' articles as the index read them (same readers, decoding and newline folding), by doc_id.

    A document id names its file (`a.txt`), a record in it (`news.jsonl#17`) or a file packed in
    a zip (`2015.zip/day.json#3`); the file is read once and every article in it is kept.
    """

    def __init__(self, corpus_dir: Path, fields: FieldMap | None = None) -> None:
        self.root = Path(corpus_dir).resolve()
        self.fields = fields
        self._cache: dict[str, str | None] = {}
        self._files_read: set[str] = set()

    def __call__(self, doc_id: str) -> str | None:
        if doc_id not in self._cache:
            self._read_file_of(doc_id)
        return self._cache.setdefault(doc_id, None)

    def _read_file_of(self, doc_id: str) -> None:
        parts = doc_id.split("#", 1)[0].split("/")
        for i in range(len(parts), 0, -1):  # the longest prefix that is a file: the article's own, or its zip
            name = "/".join(parts[:i])
            path = (self.root / name).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                break
        else:
            return
        if name in self._files_read:
            return
        self._files_read.add(name)
        for doc in read_articles(name, path.read_bytes(), None, self.fields):
            if isinstance(doc, Document):
                self._cache[doc.doc_id] = doc.text


@dataclass
class RunResult:
    records: list[dict[str, Any]]
    index: dict[str, Any]  # what indexing did: counts, refusals, stats
    offset_problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build_record(q: Question, answer: Any | None, latency_ms: float, error: str | None = None) -> dict[str, Any]:
    """One report record (contract fields first, then the gold data the scores need)."""
    record: dict[str, Any] = {
        "id": q.id,
        "lang": q.lang,
        "question": q.question,
        "answer": answer.text if answer is not None else "",
        "short_answer": getattr(answer, "short", None),
        "abstained": bool(answer.abstained) if answer is not None else False,
        "citations": [
            {"doc_id": c.doc_id, "start": c.start, "end": c.end, "quote": c.quote, **_source(c)}
            for c in (answer.citations if answer is not None else [])
        ],
        "retrieved": [
            {"doc_id": h.doc_id, "start": h.start, "end": h.end, "score": round(float(h.score), 6), "text": h.text,
             **_source(h)}
            for h in (answer.retrieved if answer is not None else [])
        ],
        "latency_ms": round(latency_ms, 2),
        "answerable": q.answerable,
        "answers": list(q.answers),
        "evidence": q.evidence,
        "doc_id": q.doc_id,
        "error": error,
    }
    record["scores"] = score_record(record)
    return record


def _source(item: Any) -> dict[str, Any]:
    """title/source/date/url (null where unknown) and the near-duplicate copies of a cited or retrieved article."""
    d = item.to_dict()
    return {k: d.get(k) for k in ("title", "source", "date", "url", "also_published_by")}


def check_offsets(records: Sequence[dict[str, Any]], source: Callable[[str], str | None]) -> list[str]:
    """Every citation and retrieved passage must be its source document's text at [start, end)."""
    problems: list[str] = []
    for r in records:
        problems += quote_problems(r["id"], r["citations"], source, what="citation")
        problems += quote_problems(r["id"], r["retrieved"], source, what="retrieved passage")
    return problems


class _IndexBar:
    """The indexer's progress callback (done, total, stage) shown as one tqdm bar."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int, stage: str) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = tqdm(total=total, desc="indexing", leave=False)
        self.bar.total = total
        self.bar.set_postfix_str(stage[-40:], refresh=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def index_corpus(
    sanad: Any, corpus_dir: Path, *, progress: bool, fields: FieldMap | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Add the corpus (unchanged files are skipped, so a matching index is reused as is)."""
    bar = _IndexBar(progress)
    t0 = time.perf_counter()
    try:
        report = sanad.add_paths([Path(corpus_dir)], progress=bar, fields=fields)
    finally:
        bar.close()
    seconds = time.perf_counter() - t0
    stats = dict(sanad.stats())
    in_corpus = len(report.added) + len(report.replaced) + len(report.unchanged)
    warnings = [f"{name}: not indexed ({reason})" for name, reason in report.refused]
    extra = int(stats.get("documents", in_corpus)) - in_corpus
    if extra > 0:
        warnings.append(
            f"the index in {stats.get('index_dir')} holds {extra} document(s) that are not in {corpus_dir}; "
            "they take part in retrieval (use a fresh --index-dir to score this corpus alone)"
        )
    summary = {
        "added": len(report.added),
        "replaced": len(report.replaced),
        "unchanged": len(report.unchanged),
        "refused": [list(x) for x in report.refused],
        "extra_documents": max(extra, 0),
        # Building from nothing, or only checking that a reused index matches the corpus.
        "index_s": round(seconds, 2),
        "stats": {k: (str(v) if isinstance(v, Path) else v) for k, v in stats.items()},
    }
    return summary, warnings


def run(
    questions: Sequence[Question],
    settings: Settings,
    corpus_dir: Path,
    *,
    top_k: int | None = None,
    progress: bool = True,
    sanad: Any | None = None,
    filt: SearchFilter | None = None,
    fields: FieldMap | None = None,
) -> RunResult:
    """Index `corpus_dir` into `settings.index_dir` (or into the given `sanad`), answer every
    question (within `filt`, when given), check every offset."""
    if sanad is None:
        from assistant.sanad import open_sanad  # heavy (models); only needed once a run starts

        sanad = open_sanad(settings)
        try:
            return run(questions, settings, corpus_dir, top_k=top_k, progress=progress, sanad=sanad, filt=filt, fields=fields)
        finally:
            sanad.close()  # a Ray engine's shard actors and local cluster
    index_summary, warnings = index_corpus(sanad, corpus_dir, progress=progress, fields=fields)
    if filt is not None and not filt.empty:
        sanad.check_filter(filt)
    if questions:  # load the models before the clock starts, so question 1 is not charged for it
        with contextlib.suppress(SanadError):  # a bad question is reported when it is asked
            sanad.retrieve(questions[0].question, top_k=1, filter=filt)
    records = []
    for q in tqdm(questions, desc="questions", unit="q", disable=not progress):
        answer, error = None, None
        start = time.perf_counter()
        try:
            answer = sanad.ask(q.question, top_k=top_k, filter=filt)
        except SanadError as e:
            error = f"{type(e).__name__}: {e}"
        records.append(build_record(q, answer, (time.perf_counter() - start) * 1000, error))
    problems = check_offsets(records, SourceTexts(corpus_dir, fields))
    return RunResult(records, index_summary, problems, warnings)
