"""Reading articles from disk: which files are accepted, what their ids are, why others are refused.

A refusal is data (the file's name and a one-line reason), never an exception, so that one bad file
does not stop the rest of a batch.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ACCEPTED_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    text: str
    sha256: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Refusal:
    name: str
    reason: str


def _title_of(text: str, suffix: str) -> str:
    first = text.lstrip().split("\n", 1)[0].strip()
    if suffix == ".md" and first.startswith("#"):
        return first.lstrip("#").strip()
    return ""


def decode_article(name: str, data: bytes, max_bytes: int | None = None) -> Document | Refusal:
    """Bytes -> Document, or the reason they are not an article we can index."""
    if max_bytes is not None and len(data) > max_bytes:
        return Refusal(name, f"too large ({len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)")
    if not data.strip():
        return Refusal(name, "empty file")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return Refusal(name, "UTF-16 encoded; save it as UTF-8")
    if b"\x00" in data[:65536] or b"\x00" in data[-65536:]:
        return Refusal(name, "binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return Refusal(name, f"not valid UTF-8 (byte {e.start}); save it as UTF-8")
    if not text.strip():
        return Refusal(name, "empty file")
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\n\r\t\f\v")
    if controls > 0.01 * min(len(text), 65536):
        return Refusal(name, "binary file (control characters), not text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    suffix = os.path.splitext(name)[1].lower()
    return Document(name, text, hashlib.sha256(text.encode("utf-8")).hexdigest(), _title_of(text, suffix))


def _candidates(path: Path) -> Iterator[tuple[Path, str, Path]]:
    """(file, doc_id, root) for a file or every file below a folder, in a stable order."""
    if path.is_dir():
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for f in sorted(filenames):
                if f.startswith("."):
                    continue
                full = Path(dirpath) / f
                yield full, full.relative_to(path).as_posix(), path
    else:
        yield path, path.name, path.parent


def iter_articles(paths: Iterable[Path], max_bytes: int | None = None) -> Iterator[Document | Refusal]:
    """Every article under `paths` (files and folders of .txt/.md), or why it was refused."""
    for given in paths:
        given = Path(given)
        if not given.exists():
            yield Refusal(str(given), "no such file or folder")
            continue
        in_folder = given.is_dir()
        for full, doc_id, root in _candidates(given):
            if full.suffix.lower() not in ACCEPTED_SUFFIXES:
                if not in_folder:
                    yield Refusal(doc_id, f"not a .txt or .md file ({full.suffix or 'no extension'})")
                continue
            if in_folder and full.is_symlink():
                try:
                    target = full.resolve()
                except (OSError, RuntimeError):  # a link loop: RuntimeError up to 3.12, OSError after
                    yield Refusal(doc_id, "symbolic link loop")
                    continue
                if not target.is_relative_to(root.resolve()):
                    yield Refusal(doc_id, "symbolic link pointing outside the folder")
                    continue
            if not full.is_file():
                yield Refusal(doc_id, "not a regular file")
                continue
            try:
                size = full.stat().st_size
                if max_bytes is not None and size > max_bytes:
                    yield Refusal(doc_id, f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)")
                    continue
                data = full.read_bytes()
            except OSError as e:
                yield Refusal(doc_id, f"cannot be read ({e.strerror or e})")
                continue
            result = decode_article(doc_id, data, max_bytes)
            yield result
