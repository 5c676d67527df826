"""Plain data the answer path returns: retrieved passages, citations and the answer itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "start": self.start, "end": self.end, "score": self.score, "text": self.text}


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

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "doc_id": self.doc_id, "start": self.start, "end": self.end, "quote": self.quote}


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
        return d


def as_plain(obj: Any) -> Any:
    """dataclass -> dict, for JSON output of nested structures."""
    return asdict(obj)
