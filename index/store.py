"""The index directory: generations written beside the live one and switched in by one atomic rename.

Layout::

    INDEX_DIR/CURRENT            {"generation": "gen-000007"}  (replaced atomically)
    INDEX_DIR/gen-000007/        manifest.json, archive.sqlite, <field>.npz, vectors.npy ...
    INDEX_DIR/.lock              writers hold an exclusive flock on it

A writer builds a complete generation in a temporary folder, fsyncs it, renames it into place and
only then points CURRENT at it, so a crash at any moment leaves CURRENT on a whole generation: the
old content or the new, never a mix. Every file is listed in the manifest with its sha256 and
checked before anything parses it; nothing is unpickled. Articles, their metadata and passages
live in the generation's SQLite archive (`index.archive`); the lexical and vector files hold one
row per passage, in the archive's passage order. An index of the older layout (format 2: a
`documents.jsonl` file) is refused with the rebuild command, and `sanad index rebuild` reads it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.archive import ARCHIVE_FILE, Archive, DocRecord, write_archive
from index.checksum import file_sha256
from index.dense import DenseIndex
from index.errors import IndexCorruptError, IndexLockedError, IndexMismatchError, IndexNotFoundError
from index.lexical import LexicalIndex
from index.name_table import NameTable
from index.normalize import ANALYZER_VERSION
from index.passages import Passage

FORMAT_VERSION = 3
LEGACY_DOCUMENTS = "documents.jsonl"  # format 2 kept articles here; read only to rebuild
REBUILD_HINT = "rebuild it with: sanad index rebuild --index-dir {dir}"
SHARDED_MARKER = "SHARDS.json"  # an index in shards (index.shards) lives in this folder instead

# One generation parsed at a time per process: numpy reads .npy headers with ast.literal_eval, and
# CPython 3.11's AST constructor fails ("recursion depth mismatch") when threads interleave in it.
_PARSE_LOCK = threading.Lock()

__all__ = ["FORMAT_VERSION", "REBUILD_HINT", "DocRecord", "IndexData", "IndexStore"]


@dataclass
class IndexData:
    """A whole index in memory: document metadata, passage offsets, lexical fields and dense vectors.

    Texts of stored documents stay in the archive and are read when a passage is shown; documents
    added since the last save carry theirs (`DocRecord.text`) until `IndexStore.save` stores them.
    """

    settings: dict  # what built it: model, languages, bridge, passage sizes, analyzer
    documents: list[DocRecord]
    doc_of: np.ndarray  # passage -> document row
    starts: np.ndarray
    ends: np.ndarray
    lexical: dict[str, LexicalIndex]
    dense: DenseIndex
    generation: str = ""
    # Cross-script name keys (transliteration skeleton -> index terms) of the corpus' unknown words.
    names: NameTable = field(default_factory=NameTable.empty, repr=False)
    archive: Archive | None = field(default=None, repr=False)  # the stored documents, None before the first save
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)
    derived: dict = field(default_factory=dict, repr=False)  # per-index caches (filters, duplicate groups)

    def __post_init__(self) -> None:
        self._by_id = {d.doc_id: i for i, d in enumerate(self.documents)}

    @property
    def n_passages(self) -> int:
        return int(self.starts.shape[0])

    def doc_index(self, doc_id: str) -> int | None:
        return self._by_id.get(doc_id)

    def passage(self, i: int) -> Passage:
        doc = self.documents[int(self.doc_of[i])]
        s, e = int(self.starts[i]), int(self.ends[i])
        return Passage(doc.doc_id, s, e, self._text(doc)[s:e])

    def passages(self, rows: Sequence[int]) -> list[Passage]:
        """Several passages at once (an index whose texts are elsewhere fetches them together)."""
        return [self.passage(i) for i in rows]

    def record(self, doc_id: str) -> DocRecord:
        return self.documents[self._by_id[doc_id]]

    def document_text(self, doc_id: str) -> str:
        return self._text(self.documents[self._by_id[doc_id]])

    def _text(self, doc: DocRecord) -> str:
        if doc.text is not None:
            return doc.text
        if self.archive is None:
            msg = f"document {doc.doc_id!r} has no text and no archive"
            raise KeyError(msg)
        return self.archive.text(doc.key)

    def stored_as(self, generation: str, archive: Archive, assigned: list[tuple[int, int]]) -> None:
        """After a save: the records point at the archive (keys, groups), their texts are dropped."""
        self.generation, self.archive = generation, archive
        self.documents = [
            dataclasses.replace(d, key=k, group=g, text=None, signature=None)
            for d, (k, g) in zip(self.documents, assigned, strict=True)
        ]
        self._by_id = {d.doc_id: i for i, d in enumerate(self.documents)}
        self.derived = {}


def _read_legacy_documents(path: Path) -> list[DocRecord]:
    """Format 2's documents.jsonl: only what a rebuild needs."""
    docs = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs.append(DocRecord(d["doc_id"], d["sha256"], d["text"], d.get("title", "")))
    return docs


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


class IndexStore:
    """Reads and writes generations under one index directory."""

    def __init__(self, root: Path, grace_s: float = 60.0):
        self.root = Path(root)
        self.grace_s = grace_s  # how long a replaced generation stays for readers still on it

    # -- locking -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def write_lock(self, timeout: float = 600.0) -> Iterator[None]:
        """Serialize writers across processes; a second writer waits up to `timeout` seconds."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a+") as f:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        msg = f"another process is writing to the index at {self.root}; try again when it finishes"
                        raise IndexLockedError(msg) from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    # -- reading -------------------------------------------------------------------------------
    def current(self) -> str | None:
        pointer = self.root / "CURRENT"
        if not pointer.is_file():
            if (self.root / SHARDED_MARKER).is_file():
                msg = f"{self.root} holds an index in shards; use it with --engine ray (or give another --index-dir)"
                raise IndexMismatchError(msg)
            return None
        try:
            gen = json.loads(pointer.read_text(encoding="utf-8"))["generation"]
        except (ValueError, KeyError, TypeError) as e:
            msg = f"index at {self.root}: CURRENT is unreadable; " + REBUILD_HINT.format(dir=self.root)
            raise IndexCorruptError(msg) from e
        if not isinstance(gen, str) or "/" in gen or not gen.startswith("gen-"):
            msg = f"index at {self.root}: CURRENT names {gen!r}; " + REBUILD_HINT.format(dir=self.root)
            raise IndexCorruptError(msg)
        return gen

    def exists(self) -> bool:
        return self.current() is not None

    def read_manifest(self, gen: str | None = None) -> dict:
        gen = gen or self.current()
        if gen is None:
            msg = f"no index at {self.root}; add articles with: sanad index add PATH"
            raise IndexNotFoundError(msg)
        path = self.root / gen / "manifest.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            msg = f"index at {self.root}: manifest.json is missing or unreadable; " + REBUILD_HINT.format(dir=self.root)
            raise IndexCorruptError(msg) from e

    def check_compatible(self, manifest: dict, expected: dict, layout_only: bool = False) -> None:
        """Refuse an index built by another format, analyzer or embedder, saying how to rebuild."""
        hint = REBUILD_HINT.format(dir=self.root)
        if manifest.get("format_version") != FORMAT_VERSION:
            old = LEGACY_DOCUMENTS in manifest.get("files", {})
            what = "the older layout without an article database" if old else "another layout"
            msg = (
                f"index at {self.root} has format version {manifest.get('format_version')} ({what}), "
                f"this Sanad reads {FORMAT_VERSION}; {hint}"
            )
            raise IndexMismatchError(msg)
        if layout_only:
            return
        if manifest.get("analyzer_version") != ANALYZER_VERSION:
            msg = f"index at {self.root} was analysed with analyzer {manifest.get('analyzer_version')}, this Sanad uses {ANALYZER_VERSION}; {hint}"
            raise IndexMismatchError(msg)
        built = manifest.get("settings", {})
        for key in ("model", "dim", "bridge"):
            if key in expected and built.get(key) != expected[key]:
                msg = (
                    f"index at {self.root} was built with {key}={built.get(key)!r}, but {key}={expected[key]!r} is "
                    f"configured; use the same {key}, or {hint}"
                )
                raise IndexMismatchError(msg)

    def load(self, expected: dict | None = None, attempts: int = 5) -> IndexData:
        """The current generation, checked; retried if writers replaced it while we were reading.

        The format version is always checked (the layout must be one this code can parse); the
        model and analyzer only against `expected`."""
        for attempt in range(attempts):
            gen = self.current()  # read once: a writer may switch CURRENT while we read
            try:
                return self._load_generation(gen, expected)
            except (IndexCorruptError, OSError) as e:
                if attempt + 1 < attempts and self.current() != gen:
                    continue  # garbage-collected under us by a newer write: read the newer one
                if isinstance(e, IndexCorruptError):
                    raise
                msg = f"index at {self.root} cannot be read ({e}); " + REBUILD_HINT.format(dir=self.root)
                raise IndexCorruptError(msg) from e
        raise AssertionError("unreachable")

    def load_generation(self, gen: str, expected: dict | None = None) -> IndexData:
        """One named generation, checked like `load` (a set of shards pins each shard's)."""
        try:
            return self._load_generation(gen, expected)
        except OSError as e:
            msg = f"index at {self.root} cannot be read ({e}); " + REBUILD_HINT.format(dir=self.root)
            raise IndexCorruptError(msg) from e

    def _load_generation(self, gen: str | None, expected: dict | None) -> IndexData:
        manifest = self.read_manifest(gen)
        self.check_compatible(manifest, expected if expected is not None else {}, layout_only=expected is None)
        assert gen is not None
        gdir = self.root / gen
        hint = REBUILD_HINT.format(dir=self.root)
        for name, meta in manifest.get("files", {}).items():
            path = gdir / name
            if not path.is_file():
                msg = f"index at {self.root}: {name} is missing; {hint}"
                raise IndexCorruptError(msg)
            if path.stat().st_size != meta["bytes"] or file_sha256(path) != meta["sha256"]:
                msg = f"index at {self.root}: {name} does not match its checksum (corrupted or truncated); {hint}"
                raise IndexCorruptError(msg)
        try:
            with _PARSE_LOCK:
                return self._parse(gdir, manifest, gen)
        except (OSError, ValueError, KeyError, RuntimeError, sqlite3.Error) as e:
            msg = f"index at {self.root} cannot be read ({type(e).__name__}: {e}); {hint}"
            raise IndexCorruptError(msg) from e

    def load_documents(self) -> list[DocRecord]:
        """Only the stored articles, with their texts, from the newest generation whose archive
        (or, in the older layout, documents.jsonl) is intact.

        This is what a rebuild needs, so a damaged vector or lexical file never blocks its repair,
        and an index of the older layout can be rebuilt into this one.
        """
        hint = REBUILD_HINT.format(dir=self.root)
        current = self.current()
        gens = [g for g in reversed(self._generations()) if current is None or g <= current]
        for gen in gens:
            with contextlib.suppress(OSError, ValueError, KeyError, IndexCorruptError, sqlite3.Error):
                files = self.read_manifest(gen)["files"]
                name = ARCHIVE_FILE if ARCHIVE_FILE in files else LEGACY_DOCUMENTS
                path = self.root / gen / name
                if path.stat().st_size == files[name]["bytes"] and file_sha256(path) == files[name]["sha256"]:
                    if name == LEGACY_DOCUMENTS:
                        return _read_legacy_documents(path)
                    archive = Archive(path)
                    try:
                        archive.check()
                        docs = archive.documents()
                        return [dataclasses.replace(d, text=archive.text(d.key), key=-1, group=-1) for d in docs]
                    finally:
                        archive.close()
        msg = f"index at {self.root}: no intact article archive in any generation; re-add the articles with sanad index add ({hint})"
        raise IndexCorruptError(msg)

    def _parse(self, gdir: Path, manifest: dict, gen: str) -> IndexData:
        archive = Archive(gdir / ARCHIVE_FILE)
        archive.check()
        docs = archive.documents()
        doc_keys, starts, ends = archive.passages()
        keys = np.asarray([d.key for d in docs], dtype=np.int64)
        doc_of = np.searchsorted(keys, doc_keys).astype(np.int32)
        if len(doc_keys) and (doc_of.max() >= len(keys) or not np.array_equal(keys[doc_of], doc_keys)):
            msg = "passages point at documents the archive does not hold"
            raise ValueError(msg)
        lexical = {name: LexicalIndex.load(gdir, name) for name in manifest["lexical_fields"]}
        s = manifest["settings"]
        dense = DenseIndex.load(gdir, manifest["dense_kind"], int(s["dim"]))
        n = manifest["counts"]["passages"]
        if not (len(starts) == len(ends) == len(doc_of) == dense.n_rows == n) or any(
            lx.n_rows != n for lx in lexical.values()
        ):
            msg = "passage counts disagree between files"
            raise ValueError(msg)
        if len(docs) != manifest["counts"]["documents"]:
            msg = "document count disagrees with the manifest"
            raise ValueError(msg)
        names = NameTable.empty()
        if "names.npz" in manifest.get("files", {}):
            names = NameTable.load(gdir)
        elif "names.json" in manifest.get("files", {}):  # written by Sanad before the table format
            legacy = json.loads((gdir / "names.json").read_text(encoding="utf-8"))
            if not isinstance(legacy, dict):
                msg = "names.json is not a JSON object"
                raise ValueError(msg)
            names = NameTable.from_dict(legacy)
        return IndexData(s, docs, doc_of, starts, ends, lexical, dense, gen, names, archive)

    # -- writing -------------------------------------------------------------------------------
    def save(self, data: IndexData) -> str:
        """Write `data` as a new generation and switch CURRENT to it. Call under `write_lock`."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        try:
            assigned = write_archive(tmp / ARCHIVE_FILE, data.archive, data.documents, data.doc_of, data.starts, data.ends)
            files = [tmp / ARCHIVE_FILE, *self._write_files(tmp, data)]
            manifest = {
                "format_version": FORMAT_VERSION,
                "analyzer_version": ANALYZER_VERSION,
                "settings": data.settings,
                "dense_kind": data.dense.kind,
                "lexical_fields": sorted(data.lexical),
                "counts": {"documents": len(data.documents), "passages": data.n_passages},
                "files": {p.name: {"sha256": file_sha256(p), "bytes": p.stat().st_size} for p in files},
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            mpath = tmp / "manifest.json"
            mpath.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            for p in [*files, mpath]:
                _fsync_file(p)
            _fsync_dir(tmp)
            gen = self._next_generation()
            os.rename(tmp, self.root / gen)
            _fsync_dir(self.root)
            pointer_tmp = self.root / f".CURRENT.{uuid.uuid4().hex}"
            pointer_tmp.write_text(json.dumps({"generation": gen}), encoding="utf-8")
            _fsync_file(pointer_tmp)
            os.replace(pointer_tmp, self.root / "CURRENT")
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        data.stored_as(gen, Archive(self.root / gen / ARCHIVE_FILE), assigned)
        self._collect_garbage(keep={gen})
        return gen

    def _write_files(self, d: Path, data: IndexData) -> list[Path]:
        """The per-passage files beside the archive: lexical fields, vectors, name keys."""
        files: list[Path] = []
        for name, lx in data.lexical.items():
            files.extend(lx.save(d, name))
        files.extend(data.dense.save(d))
        if len(data.names):
            files.extend(data.names.save(d))
        return files

    def _generations(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name.startswith("gen-"))

    def _next_generation(self) -> str:
        gens = self._generations()
        n = int(gens[-1].split("-")[1]) + 1 if gens else 1
        return f"gen-{n:06d}"

    def _collect_garbage(self, keep: set[str]) -> None:
        """Drop unfinished temporary folders and old generations.

        The newest two stay, and so does any generation younger than `grace_s`, so that a reader
        that picked it up just before a switch can finish reading it.
        """
        gens = self._generations()
        keep = keep | set(gens[-2:])
        now = time.time()
        for g in gens:
            with contextlib.suppress(OSError):
                if now - (self.root / g).stat().st_mtime < self.grace_s:
                    keep.add(g)
        for p in self.root.iterdir():
            if (p.name.startswith(".tmp-") and p.is_dir()) or (p.name.startswith("gen-") and p.name not in keep):
                shutil.rmtree(p, ignore_errors=True)
            elif p.name.startswith(".CURRENT."):
                p.unlink(missing_ok=True)
