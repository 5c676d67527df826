"""An index in shards: several complete Sanad indexes under one folder, switched together.

Layout::

    INDEX_DIR/SHARDS.json      {"format": 1, "version": 7, "shards": [{"name": "shard-000000",
                                 "generation": "gen-000003", "manifest_sha256": "...", ...}, ...]}
    INDEX_DIR/shard-000000/    an index directory of its own (CURRENT, gen-*: see index.store)
    INDEX_DIR/.lock            writers hold it

Each shard is a whole index generation (manifest, checksums, SQLite archive) and can be opened
alone. SHARDS.json names the generation of every shard, with its manifest's sha256, so a set is
switched as one: a writer saves new generations in the shards it changes, then replaces
SHARDS.json by an atomic rename; readers load exactly the generations named. A crash before the
rename leaves the previous set whole (a shard's store keeps its previous generation beside the
newest), and shard folders no SHARDS.json names are removed by the next writer.

Documents keep one numbering (archive keys) across the set, and the shards hold them in key order,
one after another: the set's passages in shard order are the passages of one index of the same
documents, in its order. Duplicate groups are labelled across the set (a group's label is the key of
one of its members, whichever shard holds it).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from index.archive import ARCHIVE_FILE, Archive
from index.checksum import file_sha256
from index.errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError
from index.store import SHARDED_MARKER, IndexData, IndexStore, _fsync_dir, _fsync_file

SHARDS_FILE = SHARDED_MARKER
SET_FORMAT = 1
_NAME = re.compile(r"shard-\d{6}")


@dataclass(frozen=True)
class ShardEntry:
    name: str  # folder under the set's root
    generation: str  # the shard's generation this set uses
    manifest_sha256: str
    documents: int
    passages: int


@dataclass(frozen=True)
class ShardSet:
    version: int  # grows by one with every write: readers reload when it changes
    shards: tuple[ShardEntry, ...]

    @property
    def documents(self) -> int:
        return sum(s.documents for s in self.shards)

    @property
    def passages(self) -> int:
        return sum(s.passages for s in self.shards)


def is_sharded(root: Path) -> bool:
    return (Path(root) / SHARDS_FILE).is_file()


class ShardStore:
    """Reads and writes the set of shards under one index folder."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def exists(self) -> bool:
        return is_sharded(self.root)

    def current(self) -> str | None:
        """The set's version as a generation name (what a reader compares to know it is current)."""
        return f"shards-v{self.read().version}" if self.exists() else None

    def write_lock(self, timeout: float = 600.0) -> contextlib.AbstractContextManager[None]:
        """The same lock file a single index's writers take: one writer at a time, of either kind."""
        return IndexStore(self.root).write_lock(timeout)

    def shard(self, name: str) -> IndexStore:
        return IndexStore(self.root / name)

    # -- reading -------------------------------------------------------------------------------
    def read(self) -> ShardSet:
        path = self.root / SHARDS_FILE
        if not path.is_file():
            msg = f"no sharded index at {self.root}; build one with: sanad index add PATH --engine ray"
            raise IndexNotFoundError(msg)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("format") != SET_FORMAT:
                msg = f"{SHARDS_FILE} has format {raw.get('format')!r}; this Sanad reads {SET_FORMAT}"
                raise IndexMismatchError(msg)
            shards = tuple(ShardEntry(**s) for s in raw["shards"])
            version = int(raw["version"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            msg = f"sharded index at {self.root}: {SHARDS_FILE} is unreadable ({e}); rebuild it with sanad index add --engine ray"
            raise IndexCorruptError(msg) from e
        for s in shards:
            if not _NAME.fullmatch(s.name) or not s.generation.startswith("gen-") or "/" in s.generation:
                msg = f"sharded index at {self.root}: {SHARDS_FILE} names {s.name}/{s.generation}, not a shard generation"
                raise IndexCorruptError(msg)
        return ShardSet(version, shards)

    def load(self, entry: ShardEntry, expected: dict | None = None) -> IndexData:
        """One shard's generation as the set names it, refused if its manifest changed since."""
        store = self.shard(entry.name)
        manifest = store.root / entry.generation / "manifest.json"
        try:
            same = file_sha256(manifest) == entry.manifest_sha256
        except OSError:
            same = False
        if not same:
            msg = (
                f"sharded index at {self.root}: {entry.name}/{entry.generation} is missing or is not the generation "
                f"{SHARDS_FILE} names; rebuild the index with sanad index rebuild --engine ray"
            )
            raise IndexCorruptError(msg)
        return store.load_generation(entry.generation, expected)

    def archive(self, entry: ShardEntry) -> Archive:
        """A shard's article archive as the set names it, checked against its manifest (for writers,
        which need its documents and MinHash signatures, not its vectors)."""
        store = self.shard(entry.name)
        path = store.root / entry.generation / ARCHIVE_FILE
        try:
            meta = store.read_manifest(entry.generation)["files"][ARCHIVE_FILE]
            intact = file_sha256(store.root / entry.generation / "manifest.json") == entry.manifest_sha256 and (
                path.stat().st_size == meta["bytes"] and file_sha256(path) == meta["sha256"]
            )
        except (OSError, KeyError, TypeError, IndexCorruptError):
            intact = False
        if not intact:
            msg = f"sharded index at {self.root}: the archive of {entry.name}/{entry.generation} is missing or damaged"
            raise IndexCorruptError(msg)
        archive = Archive(path)
        try:
            archive.check()
        except ValueError as e:
            archive.close()
            raise IndexCorruptError(f"sharded index at {self.root}: {entry.name}: {e}") from e
        return archive

    # -- writing -------------------------------------------------------------------------------
    def entry(self, name: str) -> ShardEntry:
        """The entry for a shard's current generation (after a save)."""
        store = self.shard(name)
        gen = store.current()
        if gen is None:
            msg = f"{store.root} holds no generation"
            raise IndexNotFoundError(msg)
        manifest = store.read_manifest(gen)
        counts = manifest["counts"]
        sha = file_sha256(store.root / gen / "manifest.json")
        return ShardEntry(name, gen, sha, int(counts["documents"]), int(counts["passages"]))

    def new_name(self) -> str:
        """A shard folder name not used by this set or any folder on disk."""
        taken = [int(p.name.split("-")[1]) for p in self._folders()]
        return f"shard-{max(taken, default=-1) + 1:06d}"

    def commit(self, shards: list[ShardEntry]) -> ShardSet:
        """Make `shards` the set, in this order (call under `write_lock`)."""
        version = self.read().version + 1 if self.exists() else 1
        body = {"format": SET_FORMAT, "version": version, "shards": [asdict(s) for s in shards],
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}  # fmt: skip
        tmp = self.root / f".{SHARDS_FILE}.{uuid.uuid4().hex}"
        tmp.write_text(json.dumps(body, indent=1), encoding="utf-8")
        _fsync_file(tmp)
        os.replace(tmp, self.root / SHARDS_FILE)
        _fsync_dir(self.root)
        return ShardSet(version, tuple(shards))

    def remove_unlisted(self) -> list[str]:
        """Delete shard folders the set does not name (a crashed writer's); call under `write_lock`."""
        listed = {s.name for s in self.read().shards} if self.exists() else set()
        gone = []
        for p in self._folders():
            if p.name not in listed:
                shutil.rmtree(p, ignore_errors=True)
                gone.append(p.name)
        for p in self.root.glob(f".{SHARDS_FILE}.*"):
            p.unlink(missing_ok=True)
        return gone

    def _folders(self) -> Iterator[Path]:
        if self.root.is_dir():
            yield from sorted(p for p in self.root.iterdir() if p.is_dir() and _NAME.fullmatch(p.name))
