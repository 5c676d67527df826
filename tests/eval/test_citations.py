from __future__ import annotations

from eval.citations import cites_evidence, quote_problems

DOCS = {"a.txt": "تواصل المحادثات في أبوظبي. دمرت القوات 435 طائرة حربية."}


def source(doc_id: str) -> str | None:
    return DOCS.get(doc_id)


def _cite(doc_id: str, start: int, end: int, quote: str | None = None) -> dict:
    text = DOCS.get(doc_id, "")
    return {"doc_id": doc_id, "start": start, "end": end, "quote": text[start:end] if quote is None else quote}


def test_matching_quotes_pass() -> None:
    start = DOCS["a.txt"].index("دمرت")
    assert quote_problems("q1", [_cite("a.txt", 0, 26), _cite("a.txt", start, len(DOCS["a.txt"]))], source) == []


def test_tampered_quote_fails() -> None:
    cite = _cite("a.txt", 0, 26)
    cite["quote"] = cite["quote"].replace("أبوظبي", "الدوحة")
    (problem,) = quote_problems("q1", [cite], source)
    assert problem.startswith("q1: citation 1 (a.txt [0, 26))")
    assert "الدوحة" in problem and "أبوظبي" in problem


def test_shifted_offsets_fail() -> None:
    cite = _cite("a.txt", 0, 26)
    cite["start"], cite["end"] = 1, 27
    assert len(quote_problems("q1", [cite], source)) == 1


def test_offsets_outside_the_document_and_unknown_documents_fail() -> None:
    problems = quote_problems("q1", [_cite("a.txt", 10, 9999, "x"), _cite("gone.txt", 0, 1, "x")], source)
    assert "outside the document" in problems[0]
    assert "not in the corpus" in problems[1]


def test_retrieved_passages_use_their_text_field() -> None:
    hit = {"doc_id": "a.txt", "start": 0, "end": 5, "score": 1.0, "text": "wrong"}
    (problem,) = quote_problems("q1", [hit], source, what="retrieved passage")
    assert "retrieved passage 1" in problem


def test_cites_evidence() -> None:
    full = _cite("a.txt", 0, len(DOCS["a.txt"]))
    assert cites_evidence([full], "435 طائرة", "a.txt")
    assert cites_evidence([full], "435 طائره", None)  # folded spelling
    assert not cites_evidence([full], "435 طائرة", "b.txt")  # wrong document
    assert not cites_evidence([full], "مروحية", "a.txt")
    # A quote that is part of the evidence also points at it.
    part = _cite("a.txt", 0, 16)
    assert cites_evidence([part], "تواصل المحادثات في أبوظبي", "a.txt")
    # Without evidence, the document decides; with neither, nothing can be cited.
    assert cites_evidence([full], None, "a.txt")
    assert not cites_evidence([full], None, None)
    assert not cites_evidence([], "435", "a.txt")
