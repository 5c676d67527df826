"""Dense vectors: exact inner-product search, or a FAISS HNSW graph once the collection is large.

The vectors themselves (`vectors.npy`) are the source of truth. Exact search is one matrix-vector
product over them (no second copy in a FAISS flat index: at 100k passages that copy alone is
150 MB, and it is not faster for one query at a time); an HNSW graph is stored beside them because
it is costly to build.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.lexical import kth_largest
from index.moments import Moments

KINDS = ("flat", "hnsw")
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
# Top hit = exact search's for 97% of real questions on 10k news passages (MiniLM vectors), at
# 0.7 ms a search; 128 gave 83%, 256 gave 93% (eval/bench.py study, issue 9). See also
# tests/index/test_dense_scale.py.
HNSW_EF_SEARCH = 512
# A filtered search over this many allowed rows or fewer gathers them and searches exactly.
EXACT_SUBSET = 20_000


@dataclass(frozen=True)
class VectorMoments:
    """Count, sum and Gram matrix of a set of vectors (float64): what the mean and spread of any
    query's cosine over them follow from. Those of shards add up to the whole corpus'."""

    n: int
    total: np.ndarray  # (dim,)
    gram: np.ndarray  # (dim, dim): sum of outer products

    def __add__(self, other: VectorMoments) -> VectorMoments:
        return VectorMoments(self.n + other.n, self.total + other.total, self.gram + other.gram)

    def score_stats(self, query: np.ndarray) -> tuple[float, float]:
        """Mean and standard deviation of `query`'s inner product with every vector:
        mean = mu . q and var = q' Sigma q."""
        n = max(self.n, 1)
        mu = self.total / n
        cov = self.gram / n - np.outer(mu, mu)
        q = query.astype(np.float64).ravel()
        return float(mu @ q), float(np.sqrt(max(q @ cov @ q, 0.0)))


def choose_kind(requested: str, n: int, threshold: int) -> str:
    if requested == "auto":
        return "hnsw" if n >= threshold else "flat"
    if requested not in KINDS:
        msg = f"dense index kind must be one of auto, {', '.join(KINDS)} (got {requested!r})"
        raise ValueError(msg)
    return requested


class DenseIndex:
    def __init__(self, vectors: np.ndarray, kind: str = "flat", index: faiss.Index | None = None):
        if kind not in KINDS:
            msg = f"dense index kind must be one of {', '.join(KINDS)} (got {kind!r})"
            raise ValueError(msg)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.kind = kind
        self.dim = self.vectors.shape[1]
        self._index = index if index is not None else self._build(self.vectors)
        self._moments: VectorMoments | None = None

    def _new(self) -> faiss.Index:
        if self.kind == "hnsw":
            idx = faiss.IndexHNSWFlat(self.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            idx.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            idx.hnsw.efSearch = HNSW_EF_SEARCH
            return idx
        return faiss.IndexFlatIP(self.dim)

    def _build(self, vectors: np.ndarray) -> faiss.Index | None:
        if self.kind != "hnsw":
            return None
        idx = self._new()
        if len(vectors):
            idx.add(vectors)
        return idx

    @property
    def n_rows(self) -> int:
        return self.vectors.shape[0]

    def append(self, new: np.ndarray) -> DenseIndex:
        """A new index with `new` rows after the existing ones; existing vectors are not recomputed."""
        new = np.ascontiguousarray(new, dtype=np.float32)
        vectors = np.concatenate([self.vectors, new]) if self.n_rows else new
        if self.kind == "hnsw" and len(new):
            index = faiss.clone_index(self._index)
            index.add(new)
            return DenseIndex(vectors, self.kind, index)
        return DenseIndex(vectors, self.kind)

    def select_rows(self, keep: np.ndarray) -> DenseIndex:
        return DenseIndex(self.vectors[np.flatnonzero(keep)], self.kind)

    def with_kind(self, kind: str) -> DenseIndex:
        return self if kind == self.kind else DenseIndex(self.vectors, kind)

    def moments(self) -> VectorMoments:
        """The rows' count, sum and Gram matrix, computed once."""
        if self._moments is None:
            v = self.vectors.astype(np.float64)
            self._moments = VectorMoments(len(v), v.sum(axis=0), v.T @ v)
        return self._moments

    def score_stats(self, query: np.ndarray) -> tuple[float, float]:
        """Mean and standard deviation of `query`'s cosine with every row, without scoring every row."""
        return self.moments().score_stats(query)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, cosine scores) of the `k` nearest rows, best first; only rows where `allowed`
        is true when it is given (the search itself is restricted: k allowed rows come back when
        there are k)."""
        if self.n_rows == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        q = np.ascontiguousarray(query.reshape(-1), dtype=np.float32)
        if allowed is not None:
            return self.search_moments(q, k, allowed)[:2]
        k = min(k, self.n_rows)
        if self._index is None:
            return exact_top_k(self.vectors, q, k)
        scores, ids = self._index.search(q.reshape(1, -1), k)
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep]

    def search_allowed(self, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
        """Like `search` restricted to `allowed` rows, plus the mean and standard deviation of the
        query's cosine over the allowed rows (what fusion standardizes by); see `search_moments`."""
        ids, top, moments = self.search_moments(query, k, allowed)
        mean, std = moments.mean_std() if moments is not None else self.score_stats(query)
        return ids, top, mean, std

    def search_moments(self, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray, Moments | None]:
        """(row ids, cosines, moments of the cosines over the allowed rows). Exact search scores
        every row once for both; an HNSW graph is searched with a row selector, or, when few rows
        are allowed, those rows are gathered and searched exactly, and the moments are None: the
        statistics are then the whole index's (`score_stats`)."""
        q = np.ascontiguousarray(query.reshape(-1), dtype=np.float32)
        rows = np.flatnonzero(allowed)
        k = min(k, len(rows))
        empty = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self._index is None:
            if k <= 0:
                return *empty, Moments()
            sims = inner(self.vectors, q)
            ids, top = exact_top_k(self.vectors, q, k, allowed, sims)
            return ids, top, Moments.of(sims[rows])
        if k <= 0:
            return *empty, None
        if len(rows) <= EXACT_SUBSET:
            ids, top = exact_top_k(self.vectors[rows], q, k)
            return rows[ids], top, None
        bits = np.packbits(allowed, bitorder="little")
        params = faiss.SearchParametersHNSW(sel=faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits)))  # n: bytes
        params.efSearch = HNSW_EF_SEARCH
        scores, ids = self._index.search(q.reshape(1, -1), k, params=params)
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep], None

    def scores(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Cosines of these rows with `query` (as exact search computes them)."""
        return inner(self.vectors[rows], np.ascontiguousarray(query.reshape(-1), dtype=np.float32))

    def save(self, directory: Path) -> list[Path]:
        out = [directory / "vectors.npy"]
        with out[0].open("wb") as f:
            np.save(f, self.vectors, allow_pickle=False)
        if self.kind == "hnsw":
            out.append(directory / "dense.faiss")
            faiss.write_index(self._index, str(out[1]))
        return out

    @classmethod
    def load(cls, directory: Path, kind: str, dim: int) -> DenseIndex:
        vectors = np.load(directory / "vectors.npy", allow_pickle=False)
        if vectors.ndim != 2 or vectors.shape[1] != dim:
            msg = f"vectors.npy has shape {vectors.shape}, expected (n, {dim})"
            raise ValueError(msg)
        index = None
        if kind == "hnsw":
            try:
                index = faiss.read_index(str(directory / "dense.faiss"))
            except RuntimeError as e:  # FAISS says where in its C++ it failed; say which file
                reason = str(e).strip().splitlines()[-1].split(".cpp:", 1)[-1].lstrip("0123456789: ")
                msg = f"dense.faiss is not a readable FAISS index ({reason[:160]})"
                raise ValueError(msg) from e
            if not isinstance(index, faiss.IndexHNSW):
                msg = f"dense.faiss holds a {type(index).__name__}, not an HNSW index"
                raise ValueError(msg)
            if index.ntotal != len(vectors) or index.d != dim:
                msg = f"dense.faiss holds {index.ntotal} x {index.d}, expected {len(vectors)} x {dim}"
                raise ValueError(msg)
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(vectors, kind, index)


def inner(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Each row's inner product with `query`, summed the same way whichever rows are given.

    A BLAS matrix-vector product sums in an order that depends on the rows' place in memory (the
    same row scores differently by ~1e-8 in a slice); einsum's loop does not, so a shard scores its
    passages exactly as one index of the same passages does (and is no slower on one query).
    """
    return np.einsum("ij,j->i", vectors, query)


def exact_top_k(
    vectors: np.ndarray,
    query: np.ndarray,
    k: int,
    allowed: np.ndarray | None = None,
    sims: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Row ids and inner products of the `k` best rows (of the `allowed` ones), best first (ties by
    row id); `sims` are the inner products when the caller has them already."""
    sims = inner(vectors, query) if sims is None else sims
    if allowed is not None:
        sims = np.where(allowed, sims, -np.inf).astype(np.float32)
        k = min(k, int(allowed.sum()))
        if k == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    # Every row tied with the k-th best takes part, then ties go by row id: the same k rows however
    # the collection is split (a sharded index merges its shards' top k into the same list).
    part = np.flatnonzero(sims >= kth_largest(sims, k)) if k < len(sims) else np.arange(len(sims))
    order = np.lexsort((part, -sims[part]))[:k]
    ids = part[order]
    return ids.astype(np.int64), sims[ids]
