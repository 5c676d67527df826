"""Reading articles from disk: which files are accepted, what their ids are, why others are refused.

A `.txt`/`.md` file is one article; a `.jsonl`/`.json`/`.csv` export holds many, with metadata
(`index.records`); a saved `.html` page is one article whose main text and metadata a maintained
extractor finds (`index.html_pages`); a `.zip` is read as the folder it packs. A refusal is data
(the file's name, or `file:line` for a record, and a one-line reason), never an exception, so
that one bad file or record does not stop the rest of a batch.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.records import FieldMap

TEXT_SUFFIXES = (".txt", ".md")
RECORD_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv")
HTML_SUFFIXES = (".html", ".htm")
ACCEPTED_SUFFIXES = (*TEXT_SUFFIXES, *RECORD_SUFFIXES, *HTML_SUFFIXES, ".zip")


@dataclass(frozen=True, slots=True)
class Document:
    """An article: its text and what is known about it ("" where unknown; `date` is ISO 8601)."""

    doc_id: str
    text: str
    sha256: str
    title: str = ""
    source: str = ""
    date: str = ""
    url: str = ""


def make_document(doc_id: str, text: str, *, title: str = "", source: str = "", date: str = "", url: str = "") -> Document:
    """A Document with its content hash: of the text alone for a plain file, of text and metadata
    otherwise, so a corrected date or title replaces the stored article on the next import."""
    if source or date or url:
        payload = json.dumps([text, title, source, date, url], ensure_ascii=False)
    else:
        payload = text if not title else json.dumps([text, title], ensure_ascii=False)
    return Document(doc_id, text, hashlib.sha256(payload.encode("utf-8")).hexdigest(), title, source, date, url)


@dataclass(frozen=True, slots=True)
class Refusal:
    name: str
    reason: str


def _title_of(text: str, suffix: str) -> str:
    first = text.lstrip().split("\n", 1)[0].strip()
    if suffix == ".md" and first.startswith("#"):
        return first.lstrip("#").strip()
    return ""


def decode_text(name: str, data: bytes, max_bytes: int | None = None) -> str | Refusal:
    """Bytes -> UTF-8 text with `\n` line endings, or why they are not text we can index."""
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
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_article(name: str, data: bytes, max_bytes: int | None = None) -> Document | Refusal:
    """The bytes of a .txt/.md file -> Document, or the reason they are not an article we can index."""
    text = decode_text(name, data, max_bytes)
    if isinstance(text, Refusal):
        return text
    suffix = os.path.splitext(name)[1].lower()
    return Document(name, text, hashlib.sha256(text.encode("utf-8")).hexdigest(), _title_of(text, suffix))


def read_articles(
    name: str, data: bytes, max_bytes: int | None = None, fields: FieldMap | None = None
) -> Iterator[Document | Refusal]:
    """Every article in one file's bytes, by its suffix (see the module docstring)."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix == ".zip":
        yield from _zip_articles(name, data, max_bytes, fields)
        return
    if suffix in TEXT_SUFFIXES:
        yield decode_article(name, data, max_bytes)
        return
    if suffix not in RECORD_SUFFIXES + HTML_SUFFIXES:
        yield Refusal(name, f"not an article file ({suffix or 'no extension'}; {', '.join(ACCEPTED_SUFFIXES)} are read)")
        return
    text = decode_text(name, data, max_bytes)
    if isinstance(text, Refusal):
        yield text
        return
    if suffix in HTML_SUFFIXES:
        from index.html_pages import page_document  # trafilatura: imported only when a page comes

        yield page_document(name, text)
        return
    from index.records import READERS, FieldMap

    yield from READERS[suffix](name, text, fields or FieldMap())


def _zip_articles(name: str, data: bytes, max_bytes: int | None, fields: FieldMap | None) -> Iterator[Document | Refusal]:
    """The article files packed in a zip, as if it were a folder named like the zip."""

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        yield Refusal(name, "not a readable zip archive")
        return
    with zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            member = PurePosixPath(info.filename)
            if info.is_dir() or any(part.startswith(".") or part == ".." for part in member.parts):
                continue
            if member.suffix.lower() not in ACCEPTED_SUFFIXES or member.suffix.lower() == ".zip":
                continue
            inner = f"{name}/{member.as_posix()}"
            if max_bytes is not None and info.file_size > max_bytes:
                yield Refusal(inner, f"too large ({info.file_size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)")
                continue
            try:
                blob = zf.read(info)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as e:
                yield Refusal(inner, f"cannot be unpacked ({e})")
                continue
            yield from read_articles(inner, blob, max_bytes, fields)


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


def article_files(paths: Iterable[Path], max_bytes: int | None = None) -> Iterator[tuple[str, Path] | Refusal]:
    """(document id, file) of every article file under `paths`, in a stable order, or why a file
    is refused before it is read (missing, not an article file, a link out of its folder, too large)."""
    for given in paths:
        given = Path(given)
        if not given.exists():
            yield Refusal(str(given), "no such file or folder")
            continue
        in_folder = given.is_dir()
        for full, doc_id, root in _candidates(given):
            if full.suffix.lower() not in ACCEPTED_SUFFIXES:
                if not in_folder:
                    yield Refusal(doc_id, f"not an article file ({full.suffix or 'no extension'}; {', '.join(ACCEPTED_SUFFIXES)} are read)")
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
            except OSError as e:
                yield Refusal(doc_id, f"cannot be read ({e.strerror or e})")
                continue
            if max_bytes is not None and size > max_bytes:
                yield Refusal(doc_id, f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)")
                continue
            yield doc_id, full


def read_file(
    doc_id: str, path: Path, max_bytes: int | None = None, fields: FieldMap | None = None
) -> Iterator[Document | Refusal]:
    """Every article in one file found by `article_files` (a worker elsewhere may do the reading)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        yield Refusal(doc_id, f"cannot be read ({e.strerror or e})")
        return
    yield from read_articles(doc_id, data, max_bytes, fields)


def iter_articles(
    paths: Iterable[Path], max_bytes: int | None = None, fields: FieldMap | None = None
) -> Iterator[Document | Refusal]:
    """Every article under `paths` (files and folders; see the module docstring), or why it was refused."""
    for item in article_files(paths, max_bytes):
        if isinstance(item, Refusal):
            yield item
        else:
            yield from read_file(*item, max_bytes, fields)
