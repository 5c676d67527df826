"""The article archive of one index generation: documents, metadata and passages in SQLite.

`archive.sqlite` sits beside the lexical and vector files of its generation and is written the
same way: a new generation starts from a copy of the live one's file, takes one group's changes
in ONE transaction (WAL journal, foreign keys on: a passage cannot outlive its document), is
checkpointed into a single file and only then counted in the manifest with its sha256. A crash
mid-group leaves the live generation's file untouched. Readers open a published file as
immutable (no locks, no journal: nothing will ever write to it again).

Rows are ordered by `id`; passage order is the row order of the lexical and vector files, so
dropping a replaced document's passages (ON DELETE CASCADE) and appending new ones keep the two
aligned without renumbering.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ARCHIVE_FILE = "archive.sqlite"
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,           -- stable key; the in-memory document order
    doc_id TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',  -- the outlet
    date TEXT NOT NULL DEFAULT '',    -- ISO 8601 publication date, '' when unknown
    url TEXT NOT NULL DEFAULT '',
    dup_group INTEGER NOT NULL,       -- near-duplicate group: the key of one of its members
    text TEXT NOT NULL
);
CREATE INDEX documents_date ON documents(date);
CREATE INDEX documents_source ON documents(source);
CREATE INDEX documents_group ON documents(dup_group);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,           -- its order is the row order of the lexical and vector files
    doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    CHECK (0 <= start_char AND start_char < end_char)
);
CREATE INDEX passages_doc ON passages(doc);
CREATE TABLE signatures (             -- MinHash of each document, for near-duplicate grouping
    doc INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    minhash BLOB NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class DocRecord:
    """A document's metadata in memory; `text` is set only until it is stored (then read on demand)."""

    doc_id: str
    sha256: str
    text: str | None
    title: str = ""
    source: str = ""
    date: str = ""
    url: str = ""
    key: int = -1  # archive key; -1 until stored
    group: int = -1  # near-duplicate group; -1: its own
    signature: np.ndarray | None = None  # MinHash, until stored


class Archive:
    """A published `archive.sqlite`, read-only: metadata in bulk at load, texts on demand (cached)."""

    CACHE = 512  # document texts kept: every answer re-reads its few hits' articles

    def __init__(self, path: Path):
        self.path = Path(path)
        self._conn = sqlite3.connect(self.path.resolve().as_uri() + "?immutable=1", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._texts: OrderedDict[int, str] = OrderedDict()

    def _rows(self, sql: str, args: Sequence[object] = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def check(self) -> None:
        """Refuse a file that is not a whole archive of this version (ValueError says what is wrong)."""
        rows = self._rows("SELECT value FROM meta WHERE key = 'schema'")
        if not rows or rows[0][0] != str(SCHEMA_VERSION):
            msg = f"{ARCHIVE_FILE} has schema {rows[0][0] if rows else None}, expected {SCHEMA_VERSION}"
            raise ValueError(msg)

    def documents(self) -> list[DocRecord]:
        rows = self._rows("SELECT id, doc_id, sha256, title, source, date, url, dup_group FROM documents ORDER BY id")
        return [DocRecord(r[1], r[2], None, r[3], r[4], r[5], r[6], r[0], r[7]) for r in rows]

    def passages(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(document key, start, end) of every passage, in row order."""
        rows = self._rows("SELECT doc, start_char, end_char FROM passages ORDER BY id")
        arr = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
        return arr[:, 0], arr[:, 1], arr[:, 2]

    def signatures(self) -> Iterator[tuple[int, bytes]]:
        """(document key, MinHash bytes) of every stored document."""
        yield from self._rows("SELECT doc, minhash FROM signatures ORDER BY doc")

    def max_key(self) -> int:
        return int(self._rows("SELECT coalesce(max(id), -1) FROM documents")[0][0])

    def text(self, key: int) -> str:
        with self._lock:
            cached = self._texts.get(key)
            if cached is not None:
                self._texts.move_to_end(key)
                return cached
            row = self._conn.execute("SELECT text FROM documents WHERE id = ?", (key,)).fetchone()
            if row is None:
                msg = f"{ARCHIVE_FILE} has no document {key}"
                raise KeyError(msg)
            self._texts[key] = row[0]
            if len(self._texts) > self.CACHE:
                self._texts.popitem(last=False)
            return row[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _connect_for_writing(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)  # transactions are explicit
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def write_archive(
    path: Path,
    base: Archive | None,
    documents: Sequence[DocRecord],
    doc_of: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
) -> list[tuple[int, int]]:
    """Write the archive for `documents` and passages at `path`: a copy of `base` changed in one
    transaction. Documents without a key are new (they carry their text) and get keys after every
    existing one; the passages of new documents must come after all others, as the builder appends.
    Returns each document's (key, group); the records themselves are not changed."""
    if base is not None:
        shutil.copyfile(base.path, path)
    conn = _connect_for_writing(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if base is None:
                for stmt in re.sub(r"--[^\n]*", "", SCHEMA).split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
                conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            assigned = _apply(conn, documents, doc_of, starts, ends)
            problems = conn.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                msg = f"{ARCHIVE_FILE}: {len(problems)} rows point at missing rows"
                raise RuntimeError(msg)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)  # empty after the checkpoint; the file alone is the archive
    return assigned


def _apply(
    conn: sqlite3.Connection, documents: Sequence[DocRecord], doc_of: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> list[tuple[int, int]]:
    stored = dict(conn.execute("SELECT id, dup_group FROM documents").fetchall())
    kept = {d.key for d in documents if d.text is None}  # stored ones are read from the archive
    if kept - stored.keys():
        msg = f"{ARCHIVE_FILE}: {len(kept - stored.keys())} documents are not in the archive they were read from"
        raise RuntimeError(msg)
    conn.executemany("DELETE FROM documents WHERE id = ?", [(k,) for k in stored if k not in kept])  # cascades
    next_key = max([*stored, *(d.key for d in documents), -1]) + 1
    keys: list[int] = []
    for d in documents:
        if d.key < 0:
            next_key += 1
        keys.append(d.key if d.key >= 0 else next_key - 1)
    if any(b <= a for a, b in zip(keys, keys[1:], strict=False)):
        msg = "documents must be in key order, new ones last"
        raise RuntimeError(msg)
    groups = [d.group if d.group >= 0 else k for d, k in zip(documents, keys, strict=True)]
    is_new = [d.text is not None for d in documents]
    if any(a and not b for a, b in zip(is_new, is_new[1:], strict=False)):
        msg = "new documents must come after the stored ones"
        raise RuntimeError(msg)
    new = [(d, k, g) for d, k, g in zip(documents, keys, groups, strict=True) if d.text is not None]
    conn.executemany(
        "INSERT INTO documents (id, doc_id, sha256, title, source, date, url, dup_group, text) VALUES (?,?,?,?,?,?,?,?,?)",
        [(k, d.doc_id, d.sha256, d.title, d.source, d.date, d.url, g, d.text) for d, k, g in new],
    )
    conn.executemany(
        "INSERT INTO signatures (doc, minhash) VALUES (?, ?)",
        [(k, d.signature.tobytes()) for d, k, _ in new if d.signature is not None],
    )
    regroup = [(g, d.key) for d, g in zip(documents, groups, strict=True) if d.text is None and stored[d.key] != g]
    conn.executemany("UPDATE documents SET dup_group = ? WHERE id = ?", regroup)
    _append_passages(conn, np.asarray(keys, dtype=np.int64), len(documents) - len(new), doc_of, starts, ends)
    return list(zip(keys, groups, strict=True))


def _append_passages(
    conn: sqlite3.Connection, keys: np.ndarray, n_stored: int, doc_of: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> None:
    """Insert the new documents' passages (the rows of documents from position `n_stored` on)."""
    is_new = doc_of >= n_stored
    first_new = int(np.argmax(is_new)) if is_new.any() else len(is_new)
    if not is_new[first_new:].all():
        msg = "new passages must come after the stored ones"
        raise RuntimeError(msg)
    (kept,) = conn.execute("SELECT count(*) FROM passages").fetchone()
    if kept != first_new:
        msg = f"{ARCHIVE_FILE} keeps {kept} passages but the index has {first_new} before the new ones"
        raise RuntimeError(msg)
    (top,) = conn.execute("SELECT coalesce(max(id), -1) FROM passages").fetchone()
    rows = np.column_stack(
        [
            np.arange(top + 1, top + 1 + len(doc_of) - first_new, dtype=np.int64),
            keys[doc_of[first_new:]],
            starts[first_new:],
            ends[first_new:],
        ]
    ).astype(np.int64)
    conn.executemany("INSERT INTO passages (id, doc, start_char, end_char) VALUES (?,?,?,?)", rows.tolist())
