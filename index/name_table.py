"""The corpus' cross-script name keys, held in flat arrays instead of a dict of lists.

A news archive gives millions of (skeleton key -> index term) pairs: as Python strings and lists
the whole SaudiNewsNet table took 800 MB of a serving process. Here each key is a 64-bit hash in
one sorted array, its terms are ids into one term list, and a lookup is a binary search, so the
same table is a few tens of MB and loads from an `.npz` (no pickle) in a blink.

A hash collision could only add candidate terms to a query, which the other channels must
confirm anyway; at 64 bits it does not happen at any corpus size we meet.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np


def key_hash(key: str) -> int:
    """A hash that is the same in every process (Python's own `hash` is salted per run)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


class NameTable(Mapping[str, list[str]]):
    """Read-only mapping skeleton key -> sorted index terms, over sorted hashed keys."""

    def __init__(self, hashes: np.ndarray, indptr: np.ndarray, term_ids: np.ndarray, terms: list[str]):
        if not (len(indptr) == len(hashes) + 1 and indptr[0] == 0 and indptr[-1] == len(term_ids)):
            msg = "name table: offsets do not match keys and terms"
            raise ValueError(msg)
        if len(hashes) > 1 and not bool(np.all(hashes[1:] > hashes[:-1])):
            msg = "name table: keys are not sorted and unique"
            raise ValueError(msg)
        if len(term_ids) and (int(term_ids.min()) < 0 or int(term_ids.max()) >= len(terms)):
            msg = "name table: a term id points outside the term list"
            raise ValueError(msg)
        self.hashes = hashes.astype(np.uint64, copy=False)
        self.indptr = indptr.astype(np.int64, copy=False)
        self.term_ids = term_ids.astype(np.int32, copy=False)
        self.terms = terms

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def empty(cls) -> NameTable:
        return cls(np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, np.int32), [])

    @classmethod
    def from_dict(cls, table: Mapping[str, Iterable[str]]) -> NameTable:
        terms = sorted({t for ts in table.values() for t in ts})
        tid = {t: i for i, t in enumerate(terms)}
        keys, ids = [], []
        for key, ts in table.items():
            h = key_hash(key)
            for t in set(ts):
                keys.append(h)
                ids.append(tid[t])
        return cls._from_pairs(np.asarray(keys, np.uint64), np.asarray(ids, np.int32), terms)

    @classmethod
    def _from_pairs(cls, keys: np.ndarray, ids: np.ndarray, terms: list[str]) -> NameTable:
        if keys.size == 0:
            return cls(np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, np.int32), terms)
        order = np.lexsort((ids, keys))
        keys, ids = keys[order], ids[order]
        fresh = np.ones(keys.size, bool)
        fresh[1:] = (keys[1:] != keys[:-1]) | (ids[1:] != ids[:-1])
        keys, ids = keys[fresh], ids[fresh]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        indptr = np.r_[starts, keys.size].astype(np.int64)
        return cls(keys[starts], indptr, ids, terms)

    def merge(self, other: NameTable) -> NameTable:
        """The union of both tables: a key in both gets the union of its terms."""
        if not len(other):
            return self
        if not len(self):
            return other
        terms = sorted(set(self.terms) | set(other.terms))
        tid = {t: i for i, t in enumerate(terms)}
        keys, ids = [], []
        for tab in (self, other):
            remap = np.asarray([tid[t] for t in tab.terms], np.int32)
            keys.append(np.repeat(tab.hashes, np.diff(tab.indptr)))
            ids.append(remap[tab.term_ids])
        return self._from_pairs(np.concatenate(keys), np.concatenate(ids), terms)

    # -- the mapping -----------------------------------------------------------------------------
    def _find(self, key: object) -> int:
        if not isinstance(key, str) or not len(self.hashes):
            return -1
        h = np.uint64(key_hash(key))
        i = int(np.searchsorted(self.hashes, h))
        return i if i < len(self.hashes) and self.hashes[i] == h else -1

    def __contains__(self, key: object) -> bool:
        return self._find(key) >= 0

    def __getitem__(self, key: str) -> list[str]:
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        return [self.terms[j] for j in self.term_ids[self.indptr[i] : self.indptr[i + 1]]]

    def __len__(self) -> int:
        return len(self.hashes)

    def __iter__(self) -> Iterator[str]:
        msg = "a name table keeps hashes of its keys, not the keys: look keys up instead"
        raise TypeError(msg)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NameTable):
            return NotImplemented
        return (
            np.array_equal(self.hashes, other.hashes)
            and np.array_equal(self.indptr, other.indptr)
            and [self.terms[i] for i in self.term_ids] == [other.terms[i] for i in other.term_ids]
        )

    __hash__ = None  # type: ignore[assignment]

    # -- persistence ---------------------------------------------------------------------------
    def save(self, directory: Path, name: str = "names") -> list[Path]:
        arrays, vocab = directory / f"{name}.npz", directory / f"{name}.terms.json"
        with arrays.open("wb") as f:
            np.savez(f, hashes=self.hashes, indptr=self.indptr, term_ids=self.term_ids)
        vocab.write_text(json.dumps(self.terms, ensure_ascii=False), encoding="utf-8")
        return [arrays, vocab]

    @classmethod
    def load(cls, directory: Path, name: str = "names") -> NameTable:
        with np.load(directory / f"{name}.npz", allow_pickle=False) as z:
            hashes, indptr, term_ids = z["hashes"], z["indptr"], z["term_ids"]
        terms = json.loads((directory / f"{name}.terms.json").read_text(encoding="utf-8"))
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            msg = f"{name}.terms.json is not a list of strings"
            raise ValueError(msg)
        return cls(hashes, indptr, term_ids, terms)
