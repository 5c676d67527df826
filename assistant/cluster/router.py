"""Scatter a question to the shards, gather and merge their answers exactly: the router's side.

`ShardedChannels` is the channel scorer a sharded snapshot gives retrieval (`Snapshot.channels`):
the question's vector is computed once here, every shard scores its own passages
(`shard.ShardServer.search`), and each channel's candidates are the best of all shards' (by score,
then row, as one index cuts its list), its mean and spread the corpus' (moments summed over shards,
or the corpus' vector moments), and its score of any candidate the shard's own. Fusion, the recency
prior, neighbour joining and the answer step then run here unchanged, on `ShardedIndex`: the
whole corpus' metadata and offsets, with passage texts fetched from the shards that hold them.

A shard that does not answer (its actor died and is being restarted, or it is too slow) fails
the question with `ShardUnavailableError`: never a ranking made from the other shards alone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.cluster.corpus import CorpusVectors, GlobalTerms, ShardSummary
from assistant.cluster.shard import ShardReply
from assistant.fusion import ChannelScores
from assistant.query import QueryPlan
from assistant.snapshot import Snapshot
from index.errors import SanadError
from index.moments import Moments
from index.name_table import NameTable
from index.passages import Passage
from index.store import IndexData


class ShardUnavailableError(SanadError):
    """A shard did not answer: the question is not answered rather than answered from part of the index."""


class Shards:
    """The shard actors of one set, in set order, with their row and key ranges."""

    def __init__(self, actors: Sequence[Any], names: Sequence[str], first_rows: Sequence[int], first_keys: Sequence[int],
                 timeout_s: float):  # fmt: skip
        self.actors, self.names = list(actors), list(names)
        self.first_rows = np.asarray(first_rows, dtype=np.int64)  # plus the total at the end
        self.first_keys = np.asarray(first_keys, dtype=np.int64)
        self.timeout_s = timeout_s

    def __len__(self) -> int:
        return len(self.actors)

    def gather(self, refs: Sequence[Any], which: Sequence[int]) -> list[Any]:
        """ray.get of one call per shard in `which`, or one clear error naming the first that failed."""
        import ray

        try:
            return ray.get(list(refs), timeout=self.timeout_s)
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError, ray.exceptions.ObjectLostError) as e:
            failed = _first_failed(refs, which)
            shard = f"shard {failed + 1} of {len(self)} ({self.names[failed]})" if failed is not None else "a shard"
            why = "did not answer in time" if isinstance(e, ray.exceptions.GetTimeoutError) else "is unavailable (restarting after a failure)"
            msg = f"{shard} {why}; the question was not answered (an answer from the other shards alone could miss the best passages): try again shortly"
            raise ShardUnavailableError(msg) from e

    def shard_of_row(self, rows: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.first_rows, rows, side="right") - 1

    def shard_of_key(self, key: int) -> int:
        return int(np.searchsorted(self.first_keys, key, side="right") - 1)


def _first_failed(refs: Sequence[Any], which: Sequence[int]) -> int | None:
    """The shard whose call failed, else the first still running (too slow)."""
    import ray

    ready = set(ray.wait(list(refs), num_returns=len(refs), timeout=0)[0])
    for ref, i in zip(refs, which, strict=True):
        if ref in ready:
            try:
                ray.get(ref, timeout=0)
            except ray.exceptions.RayError:
                return i
    return next((i for ref, i in zip(refs, which, strict=True) if ref not in ready), None)


class ShardedChannels:
    """`Snapshot.channels` for a sharded index: scatter, gather, merge."""

    def __init__(self, shards: Shards, vectors: CorpusVectors):
        self.shards, self.vectors = shards, vectors

    def __call__(self, plan: QueryPlan, snap: Snapshot, mask: np.ndarray | None = None) -> dict[str, ChannelScores]:
        if mask is not None and not mask.any():
            return {}
        qv = snap.embedder.embed_query(plan.dense_text) if plan.dense_text and snap.index.n_passages else None
        rows = self.shards.first_rows
        refs = [
            actor.search.remote(plan, qv, None if mask is None else np.packbits(mask[rows[i] : rows[i + 1]], bitorder="little"))
            for i, actor in enumerate(self.shards.actors)
        ]
        replies: list[ShardReply] = self.shards.gather(refs, range(len(refs)))
        return merge_replies(replies, snap.settings.candidates, self.vectors, qv)


def merge_replies(replies: Sequence[ShardReply], n: int, vectors: CorpusVectors, qv: np.ndarray | None) -> dict[str, ChannelScores]:
    """Each channel over all shards, as one index would have scored it (see the module docstring)."""
    union = np.concatenate([r.union for r in replies]) if replies else np.zeros(0, np.int64)  # shards in row order
    out: dict[str, ChannelScores] = {}
    names = list(dict.fromkeys(c for r in replies for c in r.channels))  # the shards' order: fusion sums in it
    for name in names:
        parts = [r.channels.get(name) for r in replies]
        cand_rows = np.concatenate([p.rows for p in parts if p is not None])
        cand_scores = np.concatenate([p.scores for p in parts if p is not None])
        best = cand_rows[np.lexsort((cand_rows, -cand_scores))[:n]]
        every = [p.moments for p in parts if p is not None]
        if every and all(m is not None for m in every):
            moments = Moments.merge(every)
            mean, std = moments.mean_std()
        else:  # the dense channel over every passage: the corpus' vector moments
            moments = None
            mean, std = vectors.score_stats(qv)
        scores = np.concatenate([r.union_scores.get(name, np.zeros(len(r.union), np.float32)) for r in replies])
        out[name] = ChannelScores(best, _lookup(union, scores), mean, std, moments)
    return out


def _lookup(rows: np.ndarray, scores: np.ndarray):
    def score_of(wanted: np.ndarray) -> np.ndarray:
        at = np.searchsorted(rows, wanted)
        if len(wanted) and (at.max() >= len(rows) or not np.array_equal(rows[at], wanted)):
            msg = "a row was asked for that no shard returned as a candidate"
            raise KeyError(msg)
        return scores[at]

    return score_of


class RemoteTexts:
    """Article texts, read from the shard that holds them (a few are kept: answers re-read their hits')."""

    CACHE = 256

    def __init__(self, shards: Shards):
        self.shards = shards
        self._cache: OrderedDict[int, str] = OrderedDict()
        self._lock = threading.Lock()

    def text(self, key: int) -> str:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        i = self.shards.shard_of_key(key)
        [text] = self.shards.gather([self.shards.actors[i].text.remote(key)], [i])
        with self._lock:
            self._cache[key] = text
            if len(self._cache) > self.CACHE:
                self._cache.popitem(last=False)
        return text

    def close(self) -> None:
        pass


class ShardedIndex(IndexData):
    """The whole corpus as the answer step reads it, in this process: every article's metadata
    and passage offsets, corpus-wide terms and name keys; texts and scoring stay with the shards."""

    @classmethod
    def from_summaries(
        cls, summaries: Sequence[ShardSummary], shards: Shards, version: int, lexical: dict[str, GlobalTerms]
    ) -> ShardedIndex:
        docs = [d for s in summaries for d in s.documents]
        doc_base = np.cumsum([0] + [len(s.documents) for s in summaries])
        doc_of = np.concatenate([s.doc_of.astype(np.int64) + b for s, b in zip(summaries, doc_base, strict=False)])
        moments = summaries[0].vectors
        for s in summaries[1:]:
            moments = moments + s.vectors
        kinds = {s.dense_kind for s in summaries}
        dense = CorpusVectors(kinds.pop() if len(kinds) == 1 else "mixed", int(sum(len(s.starts) for s in summaries)),
                              int(summaries[0].settings["dim"]), moments)  # fmt: skip
        names = NameTable.empty()
        for s in summaries:
            names = names.merge(s.names)
        out = cls(
            summaries[0].settings, docs, doc_of.astype(np.int32),
            np.concatenate([s.starts for s in summaries]), np.concatenate([s.ends for s in summaries]),
            lexical, dense, generation=f"shards-v{version}", names=names, archive=RemoteTexts(shards),
        )  # fmt: skip
        out.shards = shards
        return out

    def passages(self, rows: Sequence[int]) -> list[Passage]:
        """Fetched from their shards together, one call per shard."""
        rows = np.asarray(rows, dtype=np.int64)
        which = self.shards.shard_of_row(rows)
        order = sorted(set(which.tolist()))
        refs = [self.shards.actors[i].passages.remote([int(r) for r in rows[which == i]]) for i in order]
        got = dict(zip(order, self.shards.gather(refs, order), strict=True))
        taken = dict.fromkeys(order, 0)
        out = []
        for i in which.tolist():
            doc_id, start, end, text = got[i][taken[i]]
            taken[i] += 1
            out.append(Passage(doc_id, start, end, text))
        return out
