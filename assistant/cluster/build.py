"""Adding articles to an index in shards, through a Ray Data pipeline.

This process finds the input files; Ray reads them (`stages.read_rows`), and this process decides,
by id and content hash against every shard, which articles are new, changed or unchanged (the
local builder's rules). The new ones go through the rest of the pipeline in Ray's workers: split
and analyse (`stages.Prepare`, a pool of actors holding the lexicon), then embed (`stages.Embed`, a
pool of actors each holding the model, one CPU each). Their rows come back in input order and are
written as new shards, one after another: each a complete index generation
(`index.builder.assemble`, `IndexStore.save`), and the set switches to include it before the next
begins (`index.shards`), so a stopped run keeps every finished shard and a rerun skips their
articles. Ray retries the work of a worker that dies (its actor is restarted, the batch redone).

Near-duplicate groups are labelled across the whole set as in one index: a new shard's articles
are grouped against every article before them, and an older shard whose labels change with it (a
new article joining two older groups) is saved again in the same switch. A changed article's old
copy leaves its shard in the first switch, and its new copy goes into a new shard: the order one
index would give them.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from assistant.cluster.runtime import require_ray
from assistant.cluster.stages import TERM_COLUMNS, Embed, Prepare, document_rows, read_rows
from assistant.config import Settings
from index.builder import AddReport, BuildOptions, assemble, drop_documents
from index.documents import Document, Refusal, article_files
from index.duplicates import assign_groups
from index.errors import IndexMismatchError
from index.name_table import NameTable
from index.records import FieldMap
from index.shards import ShardEntry, ShardStore
from index.store import DocRecord, IndexData

Progress = Callable[[int, int, str], None]
PREPARE_BATCH = 16  # articles per split-and-analyse call
EMBED_BATCH = 32  # articles per embedding call (their passages are embedded together)


@dataclasses.dataclass
class _Known:
    """What the set holds already: articles by id, every article's group and MinHash, the top key."""

    sha: dict[str, tuple[str, str, int]]  # doc_id -> (sha256, shard name, key)
    groups: list[tuple[int, int, np.ndarray]]  # (key, group, signature)
    shard_of: dict[int, str]  # key -> shard name
    top_key: int


class ShardBuilder:
    """Adds articles to the sharded index at `settings.index_dir` (call `add_*` once per addition)."""

    def __init__(self, settings: Settings, opts: BuildOptions, expected: dict, workers: int, drill: str = ""):
        self.settings, self.opts, self.expected = settings, opts, expected
        self.workers = max(1, workers)
        self.drill = drill
        self.store = ShardStore(settings.index_dir)

    # -- inputs ------------------------------------------------------------------------------------
    def add_paths(
        self, paths: Iterable[Path], max_bytes: int | None, fields: FieldMap | None, progress: Progress | None = None
    ) -> AddReport:
        ray = require_ray()
        report = AddReport()
        files = []
        for item in article_files([Path(p) for p in paths], max_bytes):
            if isinstance(item, Refusal):
                report.refused.append((item.name, item.reason))
            else:
                files.append({"file": len(files), "name": item[0], "path": str(item[1])})
        if not files:
            return report
        ds = ray.data.from_items(files, override_num_blocks=min(len(files), 4 * self.workers)).flat_map(
            read_rows, fn_kwargs={"max_bytes": max_bytes, "fields": fields},
            compute=ray.data.TaskPoolStrategy(size=max(1, min(self.workers, len(files)))), num_cpus=0,
        )  # fmt: skip
        return self._add(ds, report, progress)

    def add_documents(self, docs: Sequence[Document | Refusal], progress: Progress | None = None, *, replace_all: bool = False) -> AddReport:
        """In-memory articles (web uploads; with `replace_all`, every article of a rebuild)."""
        ray = require_ray()
        if not docs:
            return AddReport()
        rows = document_rows(docs)
        ds = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows) // PREPARE_BATCH, 4 * self.workers)))
        return self._add(ds, AddReport(), progress, replace_all=replace_all)

    # -- the addition ------------------------------------------------------------------------------
    def _add(self, ds, report: AddReport, progress: Progress | None, replace_all: bool = False) -> AddReport:
        from ray.data import DataContext

        DataContext.get_current().execution_options.preserve_order = True  # shards hold keys in order
        with self.store.write_lock():
            self.store.remove_unlisted()
            entries = [] if replace_all or not self.store.exists() else list(self.store.read().shards)
            self._check_compatible(entries)
            known = self._known(entries)
            ds = _in_blocks(ds.materialize(), self.workers)
            keep, dropped = self._decide(ds, known, report)
            if not keep and not dropped:
                return report
            sizes = _shard_sizes(len(keep), self.settings.shards, self.settings.shard_documents)
            rows = in_order(self._pipeline(ds, keep).iter_rows() if keep else (), keep)
            writer = _Writer(self.store, self.opts, self.expected, entries, known, dropped)
            done = 0
            for size in sizes:
                shard = _ShardRows(self.opts.dim)
                for _ in range(size):
                    shard.add(next(rows), known.top_key + 1 + done)
                    done += 1
                    if progress:
                        progress(done, len(keep), "indexing")
                report.passages += shard.passages
                writer.write(shard)
            if not sizes:
                writer.commit()  # only old copies of changed articles to drop
        return report

    def _check_compatible(self, entries: list[ShardEntry]) -> None:
        if (self.store.root / "CURRENT").is_file():
            msg = (
                f"{self.store.root} holds a single-machine index; index with --engine ray into another "
                "--index-dir, or keep adding to this one without it"
            )
            raise IndexMismatchError(msg)
        for e in entries[:1]:
            shard = self.store.shard(e.name)
            shard.check_compatible(shard.read_manifest(e.generation), self.expected)
            built = shard.read_manifest(e.generation).get("settings", {})
            if built.get("bridge") != self.opts.bridge:
                msg = f"sharded index at {self.store.root} was built with bridge={built.get('bridge')!r}, not {self.opts.bridge!r}"
                raise IndexMismatchError(msg)

    def _known(self, entries: list[ShardEntry]) -> _Known:
        known = _Known({}, [], {}, -1)
        for e in entries:
            archive = self.store.archive(e)
            try:
                sigs = dict(archive.signatures())
                for d in archive.documents():
                    known.sha[d.doc_id] = (d.sha256, e.name, d.key)
                    known.shard_of[d.key] = e.name
                    if d.key in sigs:
                        known.groups.append((d.key, d.group, np.frombuffer(sigs[d.key], dtype=np.uint32)))
                known.top_key = max(known.top_key, archive.max_key())
            finally:
                archive.close()
        return known

    def _decide(self, ds, known: _Known, report: AddReport) -> tuple[list[tuple[int, int]], dict[str, set[str]]]:
        """The (file, item) of every article to index, in input order, and old copies to drop by shard."""
        meta = ds.select_columns(["file", "item", "doc_id", "sha256", "refused"]).take_all()
        meta.sort(key=lambda m: (int(m["file"]), int(m["item"])))
        keep: list[tuple[int, int]] = []
        dropped: dict[str, set[str]] = defaultdict(set)
        seen: set[str] = set()
        for m in meta:
            doc_id = str(m["doc_id"])
            if m["refused"]:
                report.refused.append((doc_id, str(m["refused"])))
                continue
            if doc_id in seen:
                report.refused.append((doc_id, "given twice in one batch; the first copy was used"))
                continue
            seen.add(doc_id)
            old = known.sha.get(doc_id)
            if old is not None and old[0] == m["sha256"]:
                report.unchanged.append(doc_id)
                continue
            (report.replaced if old is not None else report.added).append(doc_id)
            if old is not None:
                dropped[old[1]].add(doc_id)
            keep.append((int(m["file"]), int(m["item"])))
        return keep, dict(dropped)

    def _pipeline(self, ds, keep: list[tuple[int, int]]):
        ray = require_ray()
        pool = ray.data.ActorPoolStrategy(size=self.workers)
        self._keep = [ray.put(frozenset(keep))]  # held until the pipeline is read: a restarted worker reads it again
        return (
            ds.map_batches(Prepare, fn_constructor_args=(self.settings, self.opts, self._keep),
                         batch_size=PREPARE_BATCH, compute=pool, num_cpus=0)
            .map_batches(Embed, fn_constructor_args=(self.settings, 1, self.drill), batch_size=EMBED_BATCH,
                         compute=ray.data.ActorPoolStrategy(size=self.workers), num_cpus=1)
        )  # fmt: skip


def in_order(rows: Iterable[dict], keep: Sequence[tuple[int, int]]) -> Iterator[dict]:
    """The pipeline's rows in input order (file, then place in it), whatever order its tasks finished
    in: a shard holds its articles in key order, as one index would. Only rows that came early wait here."""
    early: dict[tuple[int, int], dict] = {}
    it = iter(rows)
    for want in keep:
        while want not in early:
            row = next(it, None)
            if row is None:
                msg = f"the indexing pipeline ended without article {want} (file, place); nothing was written for it"
                raise RuntimeError(msg)
            early[(int(row["file"]), int(row["item"]))] = row
        yield early.pop(want)


def _in_blocks(ds, workers: int):
    """The articles cut into blocks of about one embedding batch, in order, so that every worker gets
    some (one file, a JSON-lines export, is one block). Done on its own, before the pipeline starts:
    a repartition inside it waits for CPUs that the embedding actors already hold, and never runs."""
    blocks = max(workers, min(math.ceil(ds.count() / EMBED_BATCH), 256 * workers))
    return ds.repartition(blocks).materialize() if ds.num_blocks() < blocks else ds


def _shard_sizes(n: int, shards: int, per_shard: int) -> list[int]:
    """Articles per new shard: `shards` even parts, or one part per `per_shard` articles."""
    if n <= 0:
        return []
    parts = shards if shards > 0 else math.ceil(n / max(1, per_shard))
    parts = max(1, min(parts, n))
    return [len(p) for p in np.array_split(np.arange(n), parts)]


class _ShardRows:
    """One new shard's articles as the pipeline returns them, gathered for `assemble`."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.docs: list[DocRecord] = []
        self.rows: list[tuple[int, int, int]] = []
        self.terms: dict[str, list[list[str]]] = {name: [] for name in TERM_COLUMNS}
        self.vectors: list[np.ndarray] = []
        self.names: dict[str, set[str]] = defaultdict(set)

    @property
    def passages(self) -> int:
        return len(self.rows)

    def add(self, row: dict, key: int) -> None:
        k = len(self.docs)
        sig = np.frombuffer(row["signature"], dtype=np.uint32).copy()
        self.docs.append(DocRecord(*(str(row[c]) for c in ("doc_id", "sha256", "text", "title", "source", "date", "url")),
                                   key=key, signature=sig))  # fmt: skip
        starts, ends = list(row["starts"]), list(row["ends"])
        self.rows += [(k, int(s), int(e)) for s, e in zip(starts, ends, strict=True)]
        for name, col in TERM_COLUMNS.items():
            self.terms[name] += [t.split(" ") if t else [] for t in row[col]]
        self.vectors.append(np.frombuffer(row["vectors"], dtype=np.float32).reshape(len(starts), self.dim))
        for key_, terms in json.loads(row["names"]).items():
            self.names[key_].update(terms)


class _Writer:
    """Saves new shards one by one and switches the set after each (see the module docstring)."""

    def __init__(self, store: ShardStore, opts: BuildOptions, expected: dict, entries: list[ShardEntry],
                 known: _Known, dropped: dict[str, set[str]]):  # fmt: skip
        self.store, self.opts, self.expected = store, opts, expected
        self.entries = entries
        self.known = known
        self.dropped = dropped  # old copies of changed articles, removed at the first switch
        self.relabel: dict[str, dict[int, int]] = defaultdict(dict)  # shard -> {key: new group}
        gone = {known.sha[doc_id][2] for ids in dropped.values() for doc_id in ids}
        self.groups = [(k, g, s) for k, g, s in known.groups if k not in gone]

    def write(self, shard: _ShardRows) -> None:
        new = [(d.key, d.signature) for d in shard.docs]
        labels = assign_groups(self.groups, new)
        for d in shard.docs:
            d.group = labels[d.key]
        fresh = {d.key for d in shard.docs}
        for k, g in labels.items():
            if k not in fresh:
                self.relabel[self.known.shard_of[k]][k] = g
        self.groups = [(k, labels.get(k, g), s) for k, g, s in self.groups] + [(d.key, d.group, d.signature) for d in shard.docs]
        vectors = np.concatenate(shard.vectors) if shard.vectors else np.zeros((0, self.opts.dim), np.float32)
        names = NameTable.from_dict({k: sorted(v) for k, v in shard.names.items()})
        data = assemble(self.opts, shard.docs, np.asarray(shard.rows, np.int64), shard.terms, vectors, names)
        name = self.store.new_name()
        self.store.shard(name).save(data)
        self.entries.append(self.store.entry(name))
        for d in shard.docs:
            self.known.shard_of[d.key] = name
        self.commit()

    def commit(self) -> None:
        """Save the older shards that lose old copies or change labels, then switch the set."""
        for i, e in enumerate(self.entries):
            drop, relabel = self.dropped.pop(e.name, set()), self.relabel.pop(e.name, {})
            if not drop and not relabel:
                continue
            data = self.store.load(e, self.expected)
            if relabel:
                docs = [dataclasses.replace(d, group=relabel.get(d.key, d.group)) for d in data.documents]
                data = IndexData(data.settings, docs, data.doc_of, data.starts, data.ends, data.lexical, data.dense,
                                 names=data.names, archive=data.archive)  # fmt: skip
            data = drop_documents(data, drop)
            self.store.shard(e.name).save(data)
            self.entries[i] = self.store.entry(e.name)
        self.entries = [e for e in self.entries if e.documents > 0]
        self.store.commit(self.entries)
