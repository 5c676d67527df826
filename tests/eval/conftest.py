"""Hand-made report records for the summary and report tests: every figure is computed by hand."""

from __future__ import annotations

import pytest

from eval.summary import score_record

DOC = "a.txt"
TEXT = "تواصل المحادثات في أبوظبي. دمرت القوات 435 طائرة حربية."


def _hit(text: str) -> dict:
    start = TEXT.find(text)
    return {"doc_id": DOC, "start": start, "end": start + len(text), "score": 0.5, "text": text}


FIRST, SECOND = "تواصل المحادثات في أبوظبي.", "دمرت القوات 435 طائرة حربية."


def record(rid: str, lang: str, *, answers=(), answerable=True, answer="", short=None, abstained=False,
           retrieved=(), citations=(), evidence=None, doc_id=None, error=None, latency=10.0) -> dict:  # fmt: skip
    r = {
        "id": rid, "lang": lang, "question": "?", "answer": answer, "short_answer": short, "abstained": abstained,
        "citations": [{k: h[k] for k in ("doc_id", "start", "end")} | {"quote": h["text"]} for h in citations],
        "retrieved": list(retrieved), "latency_ms": latency, "answerable": answerable, "answers": list(answers),
        "evidence": evidence, "doc_id": doc_id, "error": error,
    }  # fmt: skip
    r["scores"] = score_record(r)
    return r


def _records() -> list[dict]:
    return [
        # Right short answer, evidence ranked first and cited.
        record("ar1", "ar", answers=["أبوظبي"], answer="أبوظبي [1]", short="أبوظبي", retrieved=[_hit(FIRST)],
               citations=[_hit(FIRST)], evidence="في أبوظبي", doc_id=DOC, latency=10),  # fmt: skip
        # A sentence holding the number: F1 = 0.5 (1 of 3 words), evidence at rank 2, the wrong sentence cited.
        record("ar2", "ar", answers=["435"], answer="دمرت 435 طائرة [1]", retrieved=[_hit(FIRST), _hit(SECOND)],
               citations=[_hit(FIRST)], evidence="435 طائرة", doc_id=DOC, latency=20),  # fmt: skip
        record("ar3", "ar", answerable=False, abstained=True, answer="لا تذكر المقالات ذلك.", latency=30),
        # Wrong abstention; the evidence was at rank 3.
        record("en1", "en", answers=["Abu Dhabi"], abstained=True, answer="The articles do not say.",
               retrieved=[_hit(SECOND), _hit(SECOND), _hit(FIRST)], evidence="أبوظبي", doc_id=DOC, latency=40),  # fmt: skip
        record("en2", "en", answerable=False, answer="Something made up [1]", latency=50),
        record("en3", "en", answers=["Kyiv"], error="BadQuestionError: too long", latency=60),
    ]


@pytest.fixture
def records() -> list[dict]:
    """ar1 right; ar2 partly right; ar3 unanswerable, abstained; en1 wrong abstention;
    en2 unanswerable, answered; en3 an error."""
    return _records()
