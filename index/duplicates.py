"""Near-duplicate articles: wire copies republished by several outlets, and lightly edited versions.

Found at index time with MinHash signatures and an LSH index (datasketch): an article's
signature is the MinHash of its normalized word 3-shingles, and two articles belong together when
their estimated Jaccard similarity reaches `THRESHOLD`. Groups are transitive (union-find over
group labels), labelled by the smallest archive key among their members, and stored per document
(`documents.dup_group`). Retrieval shows each group once (`index.filters`): the earliest member
as the hit, the others as "also published by".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

import numpy as np

from index.normalize import normalize

NUM_PERM = 64
SEED = 1
SHINGLE_WORDS = 3
THRESHOLD = 0.7  # estimated Jaccard of 3-shingles; see docs/duplicates.md for how it was checked
_WORD = re.compile(r"\w+")


def _minhash():
    from datasketch import MinHash  # imported when something is indexed, not when a question is asked

    return MinHash(num_perm=NUM_PERM, seed=SEED)


def signature(text: str) -> np.ndarray:
    """The MinHash (uint32 x NUM_PERM) of `text`'s normalized word shingles."""
    words = _WORD.findall(normalize(text))
    k = SHINGLE_WORDS if len(words) >= SHINGLE_WORDS else 1
    shingles = {" ".join(words[i : i + k]).encode("utf-8") for i in range(max(0, len(words) - k + 1))}
    m = _minhash()
    if shingles:
        m.update_batch(list(shingles))
    return np.asarray(m.hashvalues, dtype=np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


@functools.cache
def _blank() -> tuple[str, np.ndarray]:
    """The hashing scheme of our MinHash, and the signature of a text with no words."""
    m = _minhash()
    return m.scheme, np.asarray(m.hashvalues, dtype=np.uint32)


def _lean(sig: np.ndarray):
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=sig, scheme=_blank()[0])


def assign_groups(
    existing: Iterable[tuple[int, int, np.ndarray]],
    new: Sequence[tuple[int, np.ndarray]],
    threshold: float = THRESHOLD,
) -> dict[int, int]:
    """Group labels after adding `new` (key, signature) to `existing` (key, group, signature).

    Returns the label of every new document and of every existing one whose group merged into
    another; a label is the smallest key of its group. An empty text (no shingles) groups with nothing.
    """
    from datasketch import MinHashLSH

    parent: dict[int, int] = {}

    def find(g: int) -> int:
        root = g
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(g, g) != root:  # path compression
            parent[g], g = root, parent[g]
        return root

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    sigs: dict[int, np.ndarray] = {}
    group: dict[int, int] = {}
    empty = _blank()[1]
    with lsh.insertion_session() as session:
        for key, g, sig in existing:
            sigs[key], group[key] = sig, g
            if not np.array_equal(sig, empty):
                session.insert(key, _lean(sig))
    for key, sig in new:
        sigs[key], group[key] = sig, key
        if np.array_equal(sig, empty):
            continue
        for other in lsh.query(_lean(sig)):
            if similarity(sig, sigs[other]) >= threshold:
                union(group[key], group[other])
        lsh.insert(key, _lean(sig))
    new_keys = {k for k, _ in new}
    return {k: find(g) for k, g in group.items() if k in new_keys or find(g) != g}
