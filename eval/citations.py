"""Citation checks: does an answer cite the gold evidence, and does every quote match its source?

A quote that differs from the document at `[start, end)` means the offsets the reader is sent to
are wrong; that is a bug, not a miss, so the runner fails the whole run on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eval.textnorm import normalize_evidence


def cites_evidence(citations: Sequence[dict[str, Any]], evidence: str | None, doc_id: str | None) -> bool:
    """True when some citation points into the gold document (if named) and its quote and the
    evidence overlap: the quote holds the evidence, or the quote is a piece of the evidence."""
    for cit in citations:
        if doc_id is not None and cit.get("doc_id") != doc_id:
            continue
        if not evidence:
            if doc_id is not None:
                return True
            continue
        quote, needle = normalize_evidence(cit.get("quote", "")), normalize_evidence(evidence)
        if needle and quote and (needle in quote or quote in needle):
            return True
    return False


def quote_problems(
    record_id: str,
    citations: Sequence[dict[str, Any]],
    source_text: Callable[[str], str | None],
    *,
    what: str = "citation",
) -> list[str]:
    """One line per citation whose quote is not exactly `source_text(doc_id)[start:end]`."""
    problems = []
    for i, cit in enumerate(citations, start=1):
        doc_id, start, end = cit.get("doc_id"), cit.get("start"), cit.get("end")
        quote = cit.get("quote", cit.get("text"))
        text = source_text(doc_id) if isinstance(doc_id, str) else None
        where = f"{record_id}: {what} {i} ({doc_id} [{start}, {end}))"
        if text is None:
            problems.append(f"{where}: the source document is not in the corpus")
        elif not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
            problems.append(f"{where}: offsets outside the document (length {len(text)})")
        elif text[start:end] != quote:
            problems.append(f"{where}: quote {_short(quote)!r} but the source has {_short(text[start:end])!r}")
    return problems


def _short(text: Any, limit: int = 60) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
