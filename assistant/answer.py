"""Plain data the answer path returns: retrieved passages, citations and the answer itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """What a reader needs to check a source: its title, outlet, publication date and link ("" = unknown)."""

    doc_id: str
    title: str = ""
    source: str = ""
    date: str = ""  # ISO 8601
    url: str = ""

    def fields(self) -> dict[str, str | None]:
        """title/source/date/url, null where unknown (the JSON contract)."""
        return {"title": self.title or None, "source": self.source or None, "date": self.date or None, "url": self.url or None}

    def to_dict(self) -> dict[str, str | None]:
        return {"doc_id": self.doc_id, **self.fields()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArticleMeta:
        return cls(d["doc_id"], *((d.get(k) or "") for k in ("title", "source", "date", "url")))


def _meta_fields(meta: ArticleMeta | None, also: tuple[ArticleMeta, ...]) -> dict[str, Any]:
    base = meta.fields() if meta is not None else ArticleMeta("").fields()
    return {**base, "also_published_by": [a.to_dict() for a in also]}


@dataclass(slots=True)
class Hit:
    """One retrieved passage, in rank order. `text == document[start:end]`."""

    passage_id: int
    doc_id: str
    start: int
    end: int
    score: float
    text: str
    channels: dict[str, float] = field(default_factory=dict)  # channel -> rank-fusion contribution
    meta: ArticleMeta | None = None
    also: tuple[ArticleMeta, ...] = ()  # near-duplicate copies of the article, earliest first

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id, "start": self.start, "end": self.end, "score": self.score, "text": self.text,
            **_meta_fields(self.meta, self.also),
        }  # fmt: skip


@dataclass(slots=True)
class Citation:
    """Where an answer comes from: `quote == document[start:end]`, inside the cited passage."""

    n: int  # the marker number, [n]
    doc_id: str
    start: int
    end: int
    quote: str
    passage_start: int
    passage_end: int
    passage_text: str
    # The short answer's span inside the document, when one was extracted from this quote.
    span_start: int | None = None
    span_end: int | None = None
    meta: ArticleMeta | None = None
    also: tuple[ArticleMeta, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n, "doc_id": self.doc_id, "start": self.start, "end": self.end, "quote": self.quote,
            **_meta_fields(self.meta, self.also),
        }  # fmt: skip


@dataclass(slots=True)
class Answer:
    question: str
    lang: str  # "ar" | "en": the question's language
    text: str  # the answer shown to people, with [n] markers
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[Hit] = field(default_factory=list)
    short: str | None = None  # the short answer span (value, name, date...), when one was found
    standalone_question: str | None = None  # the question after follow-up resolution, if it changed
    latency_ms: float = 0.0
    # A relative date the short answer was resolved from: {date, words, doc_id, start, end, published}.
    resolved_date: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {
            "question": self.question,
            "lang": self.lang,
            "answer": self.text,
            "short_answer": self.short,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "retrieved": [h.to_dict() for h in self.retrieved],
            "latency_ms": round(self.latency_ms, 2),
        }
        if self.standalone_question:
            d["standalone_question"] = self.standalone_question
        if self.resolved_date:
            d["resolved_date"] = self.resolved_date
        return d


def as_plain(obj: Any) -> Any:
    """dataclass -> dict, for JSON output of nested structures."""
    return asdict(obj)
