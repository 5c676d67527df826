"""`ShardedSanad`: the Sanad facade over an index in shards on a Ray cluster (`--engine ray`).

Everything a question goes through after retrieval's channel scoring (fusion, filters, duplicate
groups, the recency prior, the reader, citations) runs in this process as for one index, on
`router.ShardedIndex`; the channel scoring is scattered to one actor per shard and merged exactly
(`router.ShardedChannels`). Articles are added by the Ray Data pipeline (`build.ShardBuilder`).

Each shard actor is restarted by Ray if its process dies (it reloads its generation, with the
corpus' statistics it was created with); a question asked meanwhile fails with a clear error. When
another process switches the set (a new shard, a rebuild), the next question loads the new set.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from assistant.cluster.build import ShardBuilder
from assistant.cluster.corpus import GlobalTerms, summarize
from assistant.cluster.router import ShardedChannels, ShardedIndex, Shards
from assistant.cluster.runtime import Connection, require_ray
from assistant.cluster.shard import ShardServer
from assistant.config import Settings
from assistant.sanad import Progress, Sanad, sample_corpus_dir
from assistant.snapshot import Snapshot
from index.builder import AddReport
from index.documents import Document, Refusal
from index.filters import passage_mask
from index.records import FieldMap
from index.shards import ShardStore

log = logging.getLogger(__name__)


class ShardedSanad(Sanad):
    def __init__(self, settings: Settings | None = None, *, drill: str = ""):
        super().__init__(settings)
        self.store = ShardStore(self.settings.index_dir)  # what Sanad's own methods ask: exists(), current()
        self._conn: Connection | None = None
        self._actors: list = []
        self._corpus: list = []
        self.drill = drill  # fault drills in tests (see stages.Embed)

    def connection(self) -> Connection:
        if self._conn is None:
            self._conn = Connection(self.settings.ray_address, self.settings.ray_workers)
        return self._conn

    # -- the index ---------------------------------------------------------------------------------
    def _no_index_message(self) -> str:
        return f"no sharded index at {self.store.root}; build one with: sanad index add PATH --engine ray"

    def _load_snapshot(self) -> Snapshot:
        old, snap = self._actors, self._load()
        self._stop(old)
        return snap

    def _load(self) -> Snapshot:
        ray = require_ray()
        self.connection()
        shard_set = self.store.read()
        root, expected = str(self.store.root), self.expected()
        summaries = ray.get([ray.remote(summarize).options(num_cpus=0).remote(root, e, expected) for e in shard_set.shards])
        lexical = {f: GlobalTerms([s.terms[f] for s in summaries]) for f in summaries[0].terms}
        server = ray.remote(ShardServer).options(max_restarts=-1, max_task_retries=0, num_cpus=0, scheduling_strategy="SPREAD")
        first_rows, first_keys, row = [], [], 0
        actors = []
        self._corpus = [ray.put({f: lexical[f].for_shard(t) for f, t in s.terms.items()}) for s in summaries]
        for s, corpus in zip(summaries, self._corpus, strict=True):  # refs held here: a restarted actor reads them
            actors.append(server.remote(root, s.entry, self.settings, [corpus], row, expected))
            first_rows.append(row)
            first_keys.append(min((d.key for d in s.documents), default=0))
            row += len(s.starts)
        shards = Shards(actors, [e.name for e in shard_set.shards], [*first_rows, row], first_keys, self.settings.shard_timeout_s)
        self._actors = actors
        shards.gather([a.ready.remote() for a in actors], range(len(actors)))
        index = ShardedIndex.from_summaries(summaries, shards, shard_set.version, lexical)
        passage_mask(index, None)  # per-document arrays and duplicate faces, before the first question
        log.info("serving %d shards (%d passages) from %s", len(actors), index.n_passages, root)
        return Snapshot(index, self.embedder(), self.settings, self.lexicon(), self.glosser(), ShardedChannels(shards, index.dense))

    def _stop(self, actors: list) -> None:
        if actors:
            import ray

            for a in actors:
                ray.kill(a, no_restart=True)

    def has_index(self) -> bool:
        return self.store.exists()

    def ensure_index(self, progress: Progress | None = None) -> AddReport | None:
        if self.store.exists():
            return None
        return self.add_paths([sample_corpus_dir()], progress)

    # -- adding ------------------------------------------------------------------------------------
    def _builder(self) -> ShardBuilder:
        conn = self.connection()  # before anything touches Ray: it would start a default instance itself
        return ShardBuilder(self.settings, self.build_options(), self.expected(), self.settings.ray_workers or conn.cpus, self.drill)

    def add_paths(
        self, paths: Iterable[Path], progress: Progress | None = None, max_bytes: int | None = None,
        fields: FieldMap | None = None,
    ) -> AddReport:  # fmt: skip
        limit = max_bytes if max_bytes is not None else int(self.settings.max_file_mb * 1e6)
        with self._write_lock:
            return self._changed(self._builder().add_paths(paths, limit, fields, progress))

    def _add(self, items: Iterable[Document | Refusal], progress: Progress | None) -> AddReport:
        with self._write_lock:
            return self._changed(self._builder().add_documents(list(items), progress))

    def rebuild(self, progress: Progress | None = None) -> AddReport:
        """Every stored article again, with the current settings, into a new set of shards."""
        with self._write_lock:
            s = self.store.read()
            docs = []
            for e in s.shards:
                archive = self.store.archive(e)
                try:
                    docs += [Document(d.doc_id, archive.text(d.key), d.sha256, d.title, d.source, d.date, d.url)
                             for d in archive.documents()]  # fmt: skip
                finally:
                    archive.close()
            return self._changed(self._builder().add_documents(docs, progress, replace_all=True))

    def _changed(self, report: AddReport) -> AddReport:
        if report.changed:
            with self._snap_lock:
                self._snap = None  # the next question loads the new set
        return report

    # -- reporting and shutting down ---------------------------------------------------------------
    def stats(self) -> dict:
        out = super().stats()
        if self.store.exists():
            s = self.store.read()
            out.update(engine="ray", shards=len(s.shards), shard_documents=[e.documents for e in s.shards])
        return out

    def close(self) -> None:
        with self._snap_lock:
            self._stop(self._actors)
            self._actors, self._snap = [], None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
