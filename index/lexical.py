"""BM25 over analysed terms, as a sparse matrix: vectorized scoring, appendable, pickle-free on disk.

Raw term counts are what is stored; BM25 weights are derived at load time, so appending passages
(which shifts IDF and average length) never needs the old text again. A process that only answers
keeps the weights alone (`for_serving`): on a news archive that is a third less memory. The
weights depend on the corpus through `CorpusStats` (passages, total length, document
frequencies); a shard of a larger corpus is given the whole corpus' statistics, so its passages
score exactly as they would in one index.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class CorpusStats:
    """What a passage's BM25 weights depend on beyond its own counts."""

    rows: int  # passages in the corpus
    length: float  # terms in the corpus (the sum of passage lengths)
    df: np.ndarray  # document frequency of each column of the index these statistics are given to

    @property
    def avgdl(self) -> float:
        return self.length / self.rows if self.rows else 1.0


def bm25_idf(rows: int, df: np.ndarray) -> np.ndarray:
    """BM25's idf (the always-positive variant) of terms with document frequencies `df`, as float32."""
    n = max(rows, 1)
    df = np.asarray(df, dtype=np.float64)
    return np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)


class LexicalIndex:
    """Term counts (passages x vocabulary) plus the BM25 weight matrix derived from them."""

    def __init__(self, vocab: dict[str, int], counts: sparse.csr_matrix | None, k1: float = 1.2, b: float = 0.75):
        self.vocab = vocab
        self.counts = counts.tocsr() if counts is not None else None
        self.k1, self.b = k1, b
        self._weights: sparse.csc_matrix | None = None
        self._idf: np.ndarray | None = None
        self._serving = False
        self._corpus: CorpusStats | None = None  # None: this index is the whole corpus
        self._lock = threading.Lock()

    def for_serving(self, corpus: CorpusStats | None = None) -> LexicalIndex:
        """A copy that can score but not grow or be saved; with `corpus`, weighted by those
        statistics (a shard's, given the whole corpus') instead of its own.

        Its weights are built on first use and the counts dropped then, so that a process which
        has just written a large index does not hold counts, weights and build leftovers at once.
        """
        out = LexicalIndex(self.vocab, self.counts, self.k1, self.b)
        out._serving = True
        if corpus is not None:
            if len(corpus.df) != len(self.vocab):
                msg = f"corpus statistics cover {len(corpus.df)} terms, this index has {len(self.vocab)}"
                raise ValueError(msg)
            out._corpus = corpus
        elif self._weights is not None:
            out._weights, out._idf, out._corpus = self._weights, self._idf, self._corpus
            out.counts = None
        return out

    def stats(self) -> CorpusStats:
        """This index's own statistics (what a whole corpus' are summed from)."""
        return _own_stats(self._counts())

    def _counts(self) -> sparse.csr_matrix:
        if self._serving or self.counts is None:
            msg = "this lexical index is a serving copy without term counts; load it from the store to change or save it"
            raise RuntimeError(msg)
        return self.counts

    def _ensure_weights(self) -> None:
        if self._weights is None:
            with self._lock:  # questions may arrive on several threads at once
                if self._weights is None:
                    self._prepare()
                    if self._serving:
                        self.counts = None

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def build(cls, docs_terms: Iterable[Sequence[str]]) -> LexicalIndex:
        return cls.empty().append(docs_terms)

    @classmethod
    def empty(cls) -> LexicalIndex:
        return cls({}, sparse.csr_matrix((0, 0), dtype=np.float32))

    def append(self, docs_terms: Iterable[Sequence[str]]) -> LexicalIndex:
        """A new index with these passages' rows added after the existing ones."""
        vocab = dict(self.vocab)
        indptr, indices, data = [0], [], []
        for terms in docs_terms:
            row: dict[int, int] = {}
            for t in terms:
                j = vocab.setdefault(t, len(vocab))
                row[j] = row.get(j, 0) + 1
            indices.extend(row.keys())
            data.extend(row.values())
            indptr.append(len(indices))
        new = sparse.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(len(indptr) - 1, len(vocab)),
        )
        old = self._counts()
        old = sparse.csr_matrix((old.data, old.indices, old.indptr), shape=(old.shape[0], len(vocab)))
        return LexicalIndex(vocab, sparse.vstack([old, new], format="csr"), self.k1, self.b)

    def select_rows(self, keep: np.ndarray) -> LexicalIndex:
        """A new index with only the rows where `keep` is true (for replaced documents)."""
        return LexicalIndex(self.vocab, self._counts()[np.flatnonzero(keep)], self.k1, self.b)

    # -- scoring -------------------------------------------------------------------------------
    @property
    def n_rows(self) -> int:
        m = self.counts if self.counts is not None else self._weights
        return m.shape[0] if m is not None else 0

    def _prepare(self) -> None:
        # Built column-wise straight from the counts, in place where possible: on a news archive
        # the transient copies, not the result, set the peak memory of loading an index.
        c = self.counts
        assert c is not None
        corpus = self._corpus or _own_stats(c)
        self._idf = bm25_idf(corpus.rows, corpus.df)
        dl = np.asarray(c.sum(axis=1)).ravel().astype(np.float32)
        avgdl = corpus.avgdl
        norm = (self.k1 * (1 - self.b + self.b * dl / max(avgdl, 1e-6))).astype(np.float32)
        w = c.tocsc(copy=True)
        tf = w.data.astype(np.float32, copy=False)
        denom = norm[w.indices]
        denom += tf
        cols = np.repeat(np.arange(w.shape[1], dtype=np.int32), np.diff(w.indptr))
        num = self._idf[cols]
        del cols
        num *= tf
        num *= np.float32(self.k1 + 1)
        num /= denom
        del denom
        w.data = num
        self._weights = w

    def idf(self, term: str) -> float:
        self._ensure_weights()
        j = self.vocab.get(term)
        return float(self._idf[j]) if j is not None else 0.0

    def scores(self, query: Mapping[str, float]) -> np.ndarray:
        """BM25 score of every passage for weighted query terms (weight 1 = an ordinary term)."""
        self._ensure_weights()
        out = np.zeros(self.n_rows, dtype=np.float32)
        w = self._weights
        for term, qw in query.items():
            j = self.vocab.get(term)
            if j is None or qw == 0:
                continue
            lo, hi = w.indptr[j], w.indptr[j + 1]
            out[w.indices[lo:hi]] += qw * w.data[lo:hi]
        return out

    def scores_grouped(self, groups: Iterable[Mapping[str, float]]) -> np.ndarray:
        """Like `scores`, but each group is a synonym set: a passage gets its best weighted term
        of the group, not the sum, so a word with many (mostly wrong) translations counts once."""
        self._ensure_weights()
        out = np.zeros(self.n_rows, dtype=np.float32)
        best: np.ndarray | None = None  # per-passage best of the current group, zero between groups
        w = self._weights
        for group in groups:
            cols = []
            for term, qw in group.items():
                j = self.vocab.get(term)
                if j is not None and qw != 0:
                    lo, hi = w.indptr[j], w.indptr[j + 1]
                    cols.append((w.indices[lo:hi], qw * w.data[lo:hi]))
            if len(cols) <= 1:
                for rows, vals in cols:
                    out[rows] += vals
                continue
            if best is None:
                best = np.zeros(self.n_rows, dtype=np.float32)
            cols.sort(key=lambda c: -len(c[0]))
            best[cols[0][0]] = cols[0][1]  # a column lists each passage once: fancy indexing is safe
            for rows, vals in cols[1:]:
                best[rows] = np.maximum(best[rows], vals)
            if sum(len(rows) for rows, _ in cols) * 8 > self.n_rows:  # dense is cheaper than gathers
                out += best
                best.fill(0)
                continue
            for rows, _ in cols:  # the first column holding a passage adds its best, later ones add 0
                out[rows] += best[rows]
                best[rows] = 0
        return out

    def search(self, query: Mapping[str, float], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, scores) of the best `k` passages with a positive score, best first."""
        s = self.scores(query)
        return top_k(s, k)

    # -- persistence ---------------------------------------------------------------------------
    def save(self, directory: Path, name: str) -> list[Path]:
        c = self._counts()
        arrays = directory / f"{name}.npz"
        with arrays.open("wb") as f:
            np.savez(f, indptr=c.indptr, indices=c.indices, data=c.data, shape=np.asarray(c.shape, dtype=np.int64))
        vocab = directory / f"{name}.vocab.json"
        terms = [""] * len(self.vocab)
        for t, j in self.vocab.items():
            terms[j] = t
        vocab.write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
        return [arrays, vocab]

    @classmethod
    def load(cls, directory: Path, name: str) -> LexicalIndex:
        with np.load(directory / f"{name}.npz", allow_pickle=False) as z:
            shape = tuple(int(x) for x in z["shape"])
            counts = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=shape)
        terms = json.loads((directory / f"{name}.vocab.json").read_text(encoding="utf-8"))
        if len(terms) != shape[1]:
            msg = f"{name}: vocabulary has {len(terms)} terms but the matrix has {shape[1]} columns"
            raise ValueError(msg)
        return cls({t: j for j, t in enumerate(terms)}, counts)


def _own_stats(c: sparse.csr_matrix) -> CorpusStats:
    df = np.bincount(c.indices, minlength=c.shape[1]).astype(np.int64)
    return CorpusStats(int(c.shape[0]), float(c.data.sum(dtype=np.float64)), df)


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the `k` largest positive scores, best first (ties by index)."""
    pos = np.flatnonzero(scores > 0)
    if pos.size == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    if pos.size > k:
        pos = pos[scores[pos] >= kth_largest(scores[pos], k)]  # every tie at the k-th place, then by index
    order = np.lexsort((pos, -scores[pos]))[:k]
    pos = pos[order]
    return pos, scores[pos]


def kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest of `values` (1-based; needs k <= len(values))."""
    return values[np.argpartition(-values, k - 1)[k - 1]]
