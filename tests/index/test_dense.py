"""Dense search: exact flat search, HNSW recall, append, save/load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.dense import DenseIndex, choose_kind

DIM = 32


def unit_vectors(n: int, seed: int, dim: int = DIM) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_flat_top_k_equals_brute_force() -> None:
    vecs, queries = unit_vectors(500, 1), unit_vectors(30, 2)
    idx = DenseIndex(vecs, "flat")
    for q in queries:
        ids, scores = idx.search(q, 10)
        sims = vecs @ q
        expected = np.argsort(-sims)[:10]
        assert ids.tolist() == expected.tolist()
        np.testing.assert_allclose(scores, sims[expected], rtol=1e-5, atol=1e-6)


def test_k_larger_than_collection_and_empty_index() -> None:
    vecs = unit_vectors(3, 3)
    ids, _ = DenseIndex(vecs, "flat").search(vecs[0], 10)
    assert sorted(ids.tolist()) == [0, 1, 2]
    empty = DenseIndex(np.zeros((0, DIM), np.float32), "flat")
    assert empty.search(vecs[0], 5)[0].size == 0
    assert DenseIndex(vecs, "flat").search(vecs[0], 0)[0].size == 0


def test_hnsw_finds_the_exact_top_hit_for_most_queries() -> None:
    vecs, queries = unit_vectors(3000, 10), unit_vectors(300, 11)
    idx = DenseIndex(vecs, "hnsw")
    exact = np.argmax(queries @ vecs.T, axis=1)
    found = np.array([idx.search(q, 5)[0][0] for q in queries])
    assert (found == exact).mean() >= 0.95


def test_append_leaves_earlier_vectors_untouched() -> None:
    for kind in ("flat", "hnsw"):
        old, new = unit_vectors(400, 20), unit_vectors(100, 21)
        idx = DenseIndex(old, kind)
        bigger = idx.append(new)
        assert bigger.n_rows == 500 and idx.n_rows == 400  # the original is not modified
        np.testing.assert_array_equal(bigger.vectors[:400], old)
        np.testing.assert_array_equal(bigger.vectors[400:], new)
        # Row ids keep their meaning: each old and new vector finds itself under its own id.
        for row in (0, 123, 399, 400, 499):
            assert bigger.search(bigger.vectors[row], 1)[0][0] == row
        assert idx.search(old[7], 1)[0][0] == 7


def test_append_to_empty() -> None:
    vecs = unit_vectors(5, 4)
    idx = DenseIndex(np.zeros((0, DIM), np.float32), "flat").append(vecs)
    np.testing.assert_array_equal(idx.vectors, vecs)


def test_select_rows_renumbers() -> None:
    vecs = unit_vectors(10, 5)
    keep = np.array([i % 2 == 0 for i in range(10)])
    idx = DenseIndex(vecs, "hnsw").select_rows(keep)
    np.testing.assert_array_equal(idx.vectors, vecs[::2])
    assert idx.search(vecs[4], 1)[0][0] == 2


def test_with_kind() -> None:
    idx = DenseIndex(unit_vectors(20, 6), "flat")
    assert idx.with_kind("flat") is idx
    h = idx.with_kind("hnsw")
    assert h.kind == "hnsw"
    np.testing.assert_array_equal(h.vectors, idx.vectors)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_save_load_roundtrip(tmp_path: Path, kind: str) -> None:
    vecs, queries = unit_vectors(800, 30), unit_vectors(20, 31)
    idx = DenseIndex(vecs, kind)
    files = idx.save(tmp_path)
    assert {p.name for p in files} == ({"vectors.npy", "dense.faiss"} if kind == "hnsw" else {"vectors.npy"})
    np.testing.assert_array_equal(np.load(tmp_path / "vectors.npy", allow_pickle=False), vecs)
    loaded = DenseIndex.load(tmp_path, kind, DIM)
    assert loaded.kind == kind
    np.testing.assert_array_equal(loaded.vectors, vecs)
    for q in queries:
        a, sa = idx.search(q, 5)
        b, sb = loaded.search(q, 5)
        assert a.tolist() == b.tolist()
        np.testing.assert_allclose(sa, sb, rtol=1e-6)


def test_load_refuses_wrong_dimension(tmp_path: Path) -> None:
    DenseIndex(unit_vectors(4, 7), "flat").save(tmp_path)
    with pytest.raises(ValueError, match="expected"):
        DenseIndex.load(tmp_path, "flat", DIM + 1)


def test_load_refuses_graph_that_does_not_match_vectors(tmp_path: Path) -> None:
    DenseIndex(unit_vectors(40, 8), "hnsw").save(tmp_path)
    np.save(tmp_path / "vectors.npy", unit_vectors(39, 8), allow_pickle=False)
    with pytest.raises(ValueError, match="dense.faiss"):
        DenseIndex.load(tmp_path, "hnsw", DIM)


def test_choose_kind() -> None:
    assert choose_kind("auto", 10, 100) == "flat"
    assert choose_kind("auto", 100, 100) == "hnsw"
    assert choose_kind("flat", 10**6, 100) == "flat"
    assert choose_kind("hnsw", 1, 100) == "hnsw"
    with pytest.raises(ValueError, match="auto"):
        choose_kind("ivf", 1, 100)


# -- search restricted to allowed rows (filters, duplicate faces) -----------------------------------------
def exact_allowed(vecs: np.ndarray, q: np.ndarray, allowed: np.ndarray, k: int) -> list[int]:
    sims = np.where(allowed, vecs @ q, -np.inf)
    return np.argsort(-sims)[:k].tolist()


def test_flat_search_within_allowed_rows_with_their_statistics() -> None:
    vecs, queries = unit_vectors(600, 11), unit_vectors(10, 12)
    allowed = np.random.default_rng(13).random(600) < 0.3
    idx = DenseIndex(vecs, "flat")
    for q in queries:
        ids, scores, mean, std = idx.search_allowed(q, 10, allowed)
        assert ids.tolist() == exact_allowed(vecs, q, allowed, 10)
        kept = (vecs @ q)[allowed]
        assert mean == pytest.approx(float(kept.mean()), abs=1e-6) and std == pytest.approx(float(kept.std()), abs=1e-6)
        np.testing.assert_allclose(scores, (vecs @ q)[ids], rtol=1e-5, atol=1e-6)
    assert idx.search(queries[0], 10, allowed)[0].tolist() == exact_allowed(vecs, queries[0], allowed, 10)
    assert idx.search_allowed(queries[0], 5, np.zeros(600, bool))[0].size == 0
    few = np.zeros(600, bool)
    few[[3, 77]] = True
    assert sorted(idx.search(queries[0], 10, few)[0].tolist()) == [3, 77]  # fewer allowed rows than k


@pytest.mark.parametrize("exact_subset", [0, 10_000], ids=["graph-with-selector", "gathered-rows"])
def test_hnsw_search_within_allowed_rows(monkeypatch, exact_subset: int) -> None:
    import index.dense as dense

    monkeypatch.setattr(dense, "EXACT_SUBSET", exact_subset)
    vecs, queries = unit_vectors(2000, 21), unit_vectors(20, 22)
    allowed = np.random.default_rng(23).random(2000) < 0.5
    idx = DenseIndex(vecs, "hnsw")
    top1 = 0
    for q in queries:
        ids, _, _, _ = idx.search_allowed(q, 10, allowed)
        assert len(ids) == 10 and allowed[ids].all()  # only allowed rows, and k of them
        top1 += ids[0] == exact_allowed(vecs, q, allowed, 1)[0]
    assert top1 >= 18  # approximate through the graph, exact when gathered


def test_moments_of_parts_add_up_to_the_whole() -> None:
    vecs, queries = unit_vectors(400, 5), unit_vectors(5, 6)
    whole = DenseIndex(vecs, "flat")
    parts = [DenseIndex(p, "flat").moments() for p in np.array_split(vecs, 3)]
    merged = parts[0] + parts[1] + parts[2]
    for q in queries:
        sims = vecs.astype(np.float64) @ q.astype(np.float64)
        for stats in (whole.score_stats(q), merged.score_stats(q)):
            assert abs(stats[0] - sims.mean()) < 1e-9 and abs(stats[1] - sims.std()) < 1e-9


def test_exact_ties_at_the_cut_go_to_the_lower_row() -> None:
    v = np.zeros((6, DIM), np.float32)
    v[:, 0] = [0.5, 1.0, 0.5, 0.5, 0.5, 0.2]
    ids, _ = DenseIndex(v, "flat").search(np.eye(DIM, dtype=np.float32)[0], 3)
    assert ids.tolist() == [1, 0, 2]


def test_search_in_parts_merges_to_the_whole_search() -> None:
    """Each part's exact top k, merged by (score, row), is the whole collection's top k."""
    vecs, queries = unit_vectors(700, 7), unit_vectors(20, 8)
    whole = DenseIndex(vecs, "flat")
    cuts = [0, 100, 350, 700]
    for q in queries:
        rows, scores = [], []
        for lo, hi in zip(cuts, cuts[1:], strict=False):
            ids, s = DenseIndex(vecs[lo:hi], "flat").search(q, 10)
            rows.append(ids + lo)
            scores.append(s)
        r, s = np.concatenate(rows), np.concatenate(scores)
        order = np.lexsort((r, -s))[:10]
        ids, top = whole.search(q, 10)
        assert r[order].tolist() == ids.tolist()
        assert np.array_equal(s[order], top)
