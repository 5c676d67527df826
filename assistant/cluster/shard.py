"""One shard in memory, answering a router's requests: the body of a Ray actor (tests use it directly).

It loads its shard's generation (as the set names it) with BM25 weights computed from the whole
corpus' statistics, and answers a question's scatter request by running the same channel scoring
as one index does (`assistant.retriever.channel_scores`) over its own passages: each channel's top
candidates, their scores, and the moments of its scores, plus every channel's score for all of its
candidates, so the router can fuse without asking again. Row numbers go out as the set's (this
shard's first row added), so merged lists read as one index's.
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.query import QueryPlan
from assistant.retriever import channel_scores
from assistant.snapshot import Snapshot
from index.lexical import CorpusStats
from index.shards import ShardEntry, ShardStore


@dataclasses.dataclass(frozen=True)
class ChannelReply:
    rows: np.ndarray  # the set's row numbers of the channel's candidates, best first
    scores: np.ndarray  # their scores
    moments: object  # index.moments.Moments of the channel's scores here, or None (the corpus' own apply)


@dataclasses.dataclass(frozen=True)
class ShardReply:
    channels: dict[str, ChannelReply]
    union: np.ndarray  # every candidate row of any channel here, sorted
    union_scores: dict[str, np.ndarray]  # each channel's score of every row in `union`


class ShardServer:
    def __init__(self, root: str, entry: ShardEntry, settings: Settings, corpus: dict[str, CorpusStats] | list,
                 first_row: int, expected: dict):  # fmt: skip
        if isinstance(corpus, list):  # [ObjectRef], as the router passes it (large; read again on a restart)
            import ray

            corpus = ray.get(corpus[0])
        data = ShardStore(root).load(entry, expected)
        lexical = {name: lx.for_serving(corpus.get(name)) for name, lx in data.lexical.items()}
        self.data = dataclasses.replace(data, lexical=lexical)
        self.snap = Snapshot(self.data, None, settings)  # no embedder: questions come embedded
        self.first_row = first_row
        self.generation = entry.generation
        self.searches, self.search_s = 0, 0.0

    def ready(self) -> str:
        return self.generation

    def search(self, plan: QueryPlan, query_vector: np.ndarray | None, mask_bits: np.ndarray | None) -> ShardReply:
        t0 = time.perf_counter()
        try:
            return self._search(plan, query_vector, mask_bits)
        finally:
            self.searches += 1
            self.search_s += time.perf_counter() - t0

    def _search(self, plan: QueryPlan, query_vector: np.ndarray | None, mask_bits: np.ndarray | None) -> ShardReply:
        n = self.data.n_passages
        mask = None if mask_bits is None else np.unpackbits(mask_bits, count=n, bitorder="little").astype(bool)
        plan = dataclasses.replace(plan, dense_text=plan.dense_text if query_vector is not None else None)
        channels = channel_scores(plan, self.snap, mask, query_vector)
        cands = [c.candidates for c in channels.values()]
        union = np.unique(np.concatenate(cands)) if cands else np.zeros(0, np.int64)
        off = self.first_row
        return ShardReply(
            {name: ChannelReply(c.candidates + off, np.asarray(c.score_of(c.candidates), np.float32), c.moments)
             for name, c in channels.items()},
            union + off,
            {name: np.asarray(c.score_of(union), np.float32) for name, c in channels.items()},
        )  # fmt: skip

    def passages(self, rows: list[int]) -> list[tuple[str, int, int, str]]:
        """(doc_id, start, end, text) of these rows (the set's numbers)."""
        return [(p.doc_id, p.start, p.end, p.text) for p in self.data.passages([r - self.first_row for r in rows])]

    def text(self, key: int) -> str:
        return self.data.archive.text(key)

    def usage(self) -> dict:
        """This shard's process: memory (resident, peak) and time spent searching (for docs/scale.md)."""
        try:
            status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
        except OSError:  # not Linux
            status = {}
        kib = lambda k: int(status.get(k, "0 kB").split()[0]) * 1024  # noqa: E731
        return {"pid": os.getpid(), "passages": self.data.n_passages, "rss_bytes": kib("VmRSS"), "peak_rss_bytes": kib("VmHWM"),
                "searches": self.searches, "search_s": self.search_s}  # fmt: skip
