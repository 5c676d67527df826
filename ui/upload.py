"""The web upload's own gate: only .txt/.md files under the per-file size limit reach the index.

The facade checks content (binary, encoding); this checks what only the web surface limits, so a
visitor cannot push a 200 MB file or an executable through the page. Refusals carry the reason.
"""

from __future__ import annotations

from pathlib import Path

ALLOWED_SUFFIXES = (".txt", ".md")


def display_name(path: Path) -> str:
    """The name the visitor uploaded (Gradio keeps it as the temp file's name)."""
    return path.name


def read_accepted(paths: list[Path]) -> tuple[list[tuple[str, bytes]], list[tuple[str, str]]]:
    """(name, bytes) for the facade's `add_texts`, so document ids are the names visitors gave."""
    items: list[tuple[str, bytes]] = []
    refused: list[tuple[str, str]] = []
    for p in paths:
        try:
            items.append((display_name(p), p.read_bytes()))
        except OSError as e:
            refused.append((display_name(p), f"could not read the uploaded file ({e.strerror or e})"))
    return items, refused


def screen(paths: list[Path], max_mb: float) -> tuple[list[Path], list[tuple[str, str]]]:
    """Split uploads into (accepted, refused[(name, reason)]) by type and size."""
    accepted: list[Path] = []
    refused: list[tuple[str, str]] = []
    limit = int(max_mb * 1e6)  # decimal MB, as the facade counts
    for p in paths:
        name = display_name(p)
        if p.suffix.lower() not in ALLOWED_SUFFIXES:
            refused.append((name, f"only {' and '.join(ALLOWED_SUFFIXES)} files can be added"))
            continue
        try:
            size = p.stat().st_size
        except OSError as e:
            refused.append((name, f"could not read the uploaded file ({e.strerror or e})"))
            continue
        if size > limit:
            refused.append((name, f"too large ({size / 1e6:.1f} MB; the limit is {max_mb:g} MB per file)"))
            continue
        accepted.append(p)
    return accepted, refused
