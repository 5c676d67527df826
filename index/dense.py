"""Dense vectors in FAISS: exact inner-product search, or HNSW once the collection is large.

The vectors themselves (`vectors.npy`) are the source of truth; an exact index is rebuilt from
them at load (a memory copy), an HNSW graph is stored beside them because it is costly to build.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

KINDS = ("flat", "hnsw")
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96


def choose_kind(requested: str, n: int, threshold: int) -> str:
    if requested == "auto":
        return "hnsw" if n >= threshold else "flat"
    if requested not in KINDS:
        msg = f"dense index kind must be one of auto, {', '.join(KINDS)} (got {requested!r})"
        raise ValueError(msg)
    return requested


class DenseIndex:
    def __init__(self, vectors: np.ndarray, kind: str = "flat", index: faiss.Index | None = None):
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.kind = kind
        self.dim = self.vectors.shape[1]
        self._index = index if index is not None else self._build(self.vectors)

    def _new(self) -> faiss.Index:
        if self.kind == "hnsw":
            idx = faiss.IndexHNSWFlat(self.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            idx.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            idx.hnsw.efSearch = HNSW_EF_SEARCH
            return idx
        return faiss.IndexFlatIP(self.dim)

    def _build(self, vectors: np.ndarray) -> faiss.Index:
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

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(row ids, cosine scores) of the `k` nearest rows, best first."""
        if self.n_rows == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(q, min(k, self.n_rows))
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep]

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
            index = faiss.read_index(str(directory / "dense.faiss"))
            if index.ntotal != len(vectors) or index.d != dim:
                msg = f"dense.faiss holds {index.ntotal} x {index.d}, expected {len(vectors)} x {dim}"
                raise ValueError(msg)
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(vectors, kind, index)
