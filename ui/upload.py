"""The web upload's own gate: only .txt/.md files under the per-file size limit reach the index.

The facade checks content (binary, encoding); this checks what only the web surface limits, so a
visitor cannot push a 200 MB file or an executable through the page, and the same text uploaded
again under another name is not indexed twice. Refusals carry the reason in the page's two languages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from index.documents import Document, decode_article

ALLOWED_SUFFIXES = (".txt", ".md")
MAX_REPORTED = 100  # oversized files the page's script may report at once

Reason = dict[str, str]  # {"en": ..., "ar": ...}


def too_large(size: int, max_mb: float) -> Reason:
    mb = f"{size / 1e6:.1f}"
    return {
        "en": f"too large ({mb} MB; the limit is {max_mb:g} MB per file)",
        "ar": f"أكبر من الحد ({mb} ميغابايت؛ الحد {max_mb:g} ميغابايت لكل ملف)",
    }


def wrong_type() -> Reason:
    return {
        "en": f"only {' and '.join(ALLOWED_SUFFIXES)} files can be added",
        "ar": f"لا تُقبل إلا ملفات {' و'.join(ALLOWED_SUFFIXES)}",
    }


def unreadable(e: OSError) -> Reason:
    why = e.strerror or type(e).__name__  # never the path: it is the server's upload folder
    return {"en": f"could not read the uploaded file ({why})", "ar": f"تعذّرت قراءة الملف المرفوع ({why})"}


def same_text_as(doc_id: str) -> Reason:
    return {"en": f"the same text as {doc_id}", "ar": f"النص نفسه موجود في {doc_id}"}


def display_name(path: Path) -> str:
    """The name the visitor uploaded (Gradio keeps it, cleaned, as the temp file's name)."""
    return path.name


def uploaded_paths(payload: Iterable[Any] | None) -> list[Path]:
    """Server paths of the files in a File component's raw value (FileData dicts, or plain paths)."""
    paths = []
    for item in payload or []:
        path = item.get("path") if isinstance(item, Mapping) else item
        if isinstance(path, str) and path:
            paths.append(Path(path))
    return paths


def read_accepted(paths: list[Path]) -> tuple[list[tuple[str, bytes]], list[tuple[str, Reason]]]:
    """(name, bytes) for the facade's `add_texts`, so document ids are the names visitors gave."""
    items: list[tuple[str, bytes]] = []
    refused: list[tuple[str, Reason]] = []
    for p in paths:
        try:
            items.append((display_name(p), p.read_bytes()))
        except OSError as e:
            refused.append((display_name(p), unreadable(e)))
    return items, refused


def screen(paths: list[Path], max_mb: float) -> tuple[list[Path], list[tuple[str, Reason]]]:
    """Split uploads into (accepted, refused[(name, reason)]) by type and size."""
    accepted: list[Path] = []
    refused: list[tuple[str, Reason]] = []
    limit = int(max_mb * 1e6)  # decimal MB, as the facade counts
    for p in paths:
        name = display_name(p)
        if p.suffix.lower() not in ALLOWED_SUFFIXES:
            refused.append((name, wrong_type()))
            continue
        try:
            size = p.stat().st_size
        except OSError as e:
            refused.append((name, unreadable(e)))
            continue
        if size > limit:
            refused.append((name, too_large(size, max_mb)))
            continue
        accepted.append(p)
    return accepted, refused


def text_hashes(items: list[tuple[str, bytes]], max_mb: float) -> list[str | None]:
    """The sha256 the index keeps for each item's text (None for what the index will refuse anyway)."""
    limit = int(max_mb * 1e6)
    out: list[str | None] = []
    for name, data in items:
        doc = decode_article(name, data, limit)
        out.append(doc.sha256 if isinstance(doc, Document) else None)
    return out


def drop_same_text(
    items: list[tuple[str, bytes]], hashes: list[str | None], indexed: Mapping[str, str]
) -> tuple[list[tuple[str, bytes]], list[tuple[str, Reason]]]:
    """Items whose text is not indexed yet under another name, and the others as (name, which document).

    `indexed` maps text hashes to indexed document ids. Re-sending a file under its own name is left to
    the index (it reports it unchanged, or replaces it when the text changed).
    """
    keep: list[tuple[str, bytes]] = []
    same: list[tuple[str, Reason]] = []
    first: dict[str, str] = {}
    for (name, data), h in zip(items, hashes, strict=True):
        owner = None if h is None else indexed.get(h) or first.get(h)
        if owner is not None and owner != name:
            same.append((name, same_text_as(owner)))
            continue
        if h is not None:
            first.setdefault(h, name)
        keep.append((name, data))
    return keep, same


def oversized_from_page(payload: str | None, max_mb: float) -> list[tuple[str, Reason]]:
    """Refusals for the files the page's script kept back as too large (JSON [{name, size}], untrusted)."""
    try:
        data = json.loads(payload or "[]")
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    out: list[tuple[str, Reason]] = []
    for d in data[:MAX_REPORTED]:
        if not isinstance(d, dict):
            continue
        name, size = d.get("name"), d.get("size")
        if isinstance(name, str) and isinstance(size, int | float) and not isinstance(size, bool) and size >= 0:
            out.append((Path(name[:255]).name or "?", too_large(int(size), max_mb)))
    return out
