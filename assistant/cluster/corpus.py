"""Corpus-wide statistics from the shards' own: what makes N shards rank exactly as one index.

BM25 needs every term's document frequency and the average passage length over the whole corpus;
fusion standardizes each channel by its mean and spread over every allowed passage, the dense
channel's from the vectors' moments. All of these add up over shards: a shard summarizes itself
(`summarize`), this process merges the summaries (`GlobalTerms`, `VectorMoments` sums) and gives
each shard back the corpus' document frequencies for its own vocabulary (`GlobalTerms.for_shard`).

Terms are matched across shards by a 64-bit hash (`index.name_table.key_hash`), so the merged table
is two flat arrays whatever the vocabulary's size; two distinct terms would have to share a hash to
be counted together, which at 64 bits does not happen at any vocabulary size we meet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.dense import VectorMoments
from index.lexical import CorpusStats, LexicalIndex, bm25_idf
from index.name_table import NameTable, key_hash
from index.shards import ShardEntry, ShardStore
from index.store import DocRecord


@dataclass(frozen=True)
class TermStats:
    """One shard's lexical field: its terms' hashes and document frequencies (in column order)."""

    hashes: np.ndarray  # uint64
    df: np.ndarray  # int64
    rows: int
    length: float

    @classmethod
    def of(cls, lx: LexicalIndex) -> TermStats:
        terms = sorted(lx.vocab, key=lx.vocab.__getitem__)
        stats = lx.stats()
        return cls(np.fromiter((key_hash(t) for t in terms), np.uint64, len(terms)), stats.df, stats.rows, stats.length)


@dataclass(frozen=True)
class ShardSummary:
    """What this process keeps of a shard (metadata and offsets) and sums over shards (statistics)."""

    entry: ShardEntry
    settings: dict
    dense_kind: str
    documents: list[DocRecord]  # without texts
    doc_of: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    terms: dict[str, TermStats]
    names: NameTable
    vectors: VectorMoments


def summarize(root: str, entry: ShardEntry, expected: dict) -> ShardSummary:
    """Read one shard and summarize it (run where the shard's files are)."""
    data = ShardStore(root).load(entry, expected)
    try:
        return ShardSummary(
            entry, data.settings, data.dense.kind, data.documents, data.doc_of, data.starts, data.ends,
            {name: TermStats.of(lx) for name, lx in data.lexical.items()}, data.names, data.dense.moments(),
        )  # fmt: skip
    finally:
        if data.archive is not None:
            data.archive.close()


class GlobalTerms:
    """A lexical field's document frequencies over the whole corpus, by term hash.

    It answers what the answer step asks of a lexical index (is a term in the vocabulary, its idf:
    `query.add_inflections`, the reader's sentence weights) with the corpus' figures, and gives
    each shard the statistics its BM25 weights are computed from.
    """

    def __init__(self, parts: list[TermStats]):
        hashes = np.concatenate([p.hashes for p in parts]) if parts else np.zeros(0, np.uint64)
        df = np.concatenate([p.df for p in parts]) if parts else np.zeros(0, np.int64)
        self.hashes, inverse = np.unique(hashes, return_inverse=True)
        self.df = np.bincount(inverse, weights=df, minlength=len(self.hashes)).astype(np.int64)
        self.rows = sum(p.rows for p in parts)
        self.length = float(sum(p.length for p in parts))
        self._idf = bm25_idf(self.rows, self.df)

    def for_shard(self, part: TermStats) -> CorpusStats:
        """The corpus' statistics aligned with one shard's vocabulary."""
        return CorpusStats(self.rows, self.length, self.df[np.searchsorted(self.hashes, part.hashes)])

    def _find(self, term: object) -> int:
        if not isinstance(term, str) or not len(self.hashes):
            return -1
        h = np.uint64(key_hash(term))
        i = int(np.searchsorted(self.hashes, h))
        return i if i < len(self.hashes) and self.hashes[i] == h else -1

    @property
    def vocab(self) -> GlobalTerms:
        return self  # a container of terms, as LexicalIndex.vocab is

    def __contains__(self, term: object) -> bool:
        return self._find(term) >= 0

    def idf(self, term: str) -> float:
        i = self._find(term)
        return float(self._idf[i]) if i >= 0 else 0.0

    @property
    def n_rows(self) -> int:
        return self.rows


@dataclass(frozen=True)
class CorpusVectors:
    """The dense side as this process sees it: kind, size and the moments of every vector."""

    kind: str
    n_rows: int
    dim: int
    moments: VectorMoments

    def score_stats(self, query: np.ndarray) -> tuple[float, float]:
        return self.moments.score_stats(query)
