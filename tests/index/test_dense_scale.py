"""Dense search at scale: HNSW against exact search on a fixed, text-like corpus; appends keep ids.

test_dense.py checks HNSW on isotropic random vectors. Sentence embeddings are not isotropic: they
sit in a narrow cone, in topic clusters, and a question lands near its passage, not anywhere. The
corpus here is built that way from a fixed seed, large enough (20k) that HNSW is really approximate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.builder import BuildOptions, add_in_batches
from index.dense import DenseIndex
from index.documents import Document, decode_article
from index.store import IndexData, IndexStore

DIM = 48


def text_like_corpus(n: int, topics: int, seed: int) -> np.ndarray:
    """Unit vectors in a cone (a shared mean direction), clustered by topic, with per-passage noise."""
    rng = np.random.default_rng(seed)
    common = rng.standard_normal(DIM)
    centres = common * 1.5 + rng.standard_normal((topics, DIM))
    v = centres[rng.integers(0, topics, n)] + 0.9 * rng.standard_normal((n, DIM))
    v = v.astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def corpus() -> np.ndarray:
    return text_like_corpus(20_000, topics=200, seed=7)


@pytest.fixture(scope="module")
def hnsw(corpus: np.ndarray) -> DenseIndex:
    return DenseIndex(corpus, "hnsw")


def questions_near(corpus: np.ndarray, n: int, noise: float, seed: int) -> np.ndarray:
    """Query vectors around `n` passages, at the cosine a question has with its answer's passage."""
    rng = np.random.default_rng(seed)
    targets = rng.choice(len(corpus), n, replace=False)
    return unit(corpus[targets] + noise * rng.standard_normal((n, DIM)).astype(np.float32) / np.sqrt(DIM))


@pytest.mark.parametrize("noise", [1.0, 1.5], ids=["cos-0.7", "cos-0.55"])
def test_hnsw_top_hit_matches_exact(corpus: np.ndarray, hnsw: DenseIndex, noise: float) -> None:
    queries = questions_near(corpus, 400, noise, seed=8)
    exact = DenseIndex(corpus, "flat")
    same = [hnsw.search(q, 10)[0][0] == exact.search(q, 10)[0][0] for q in queries]
    assert np.mean(same) >= 0.95


def test_stored_graph_keeps_its_recall(corpus: np.ndarray, hnsw: DenseIndex, tmp_path: Path) -> None:
    hnsw.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, "hnsw", DIM)
    queries = questions_near(corpus, 200, 1.5, seed=9)
    exact = np.argmax(queries @ corpus.T, axis=1)
    found = np.array([loaded.search(q, 5)[0][0] for q in queries])
    assert (found == exact).mean() >= 0.95


# -- appends, checked by passage identity (doc_id, start, end), through the store ----------------


def _doc(doc_id: str, text: str) -> Document:
    d = decode_article(doc_id, text.encode("utf-8"))
    assert isinstance(d, Document)
    return d


def _articles(n: int, offset: int = 0) -> list[Document]:
    words = ["river", "city", "talks", "peace", "news", "war", "the"]
    out = []
    for i in range(offset, offset + n):
        sents = [f"{words[i % 7]} {words[(i * 3) % 7]} {words[(i + j) % 7]} report {i} part {j}." for j in range(6)]
        out.append(_doc(f"art-{i:03d}.txt", " ".join(sents)))
    return out


def _vectors_by_passage(data: IndexData) -> dict[tuple[str, int, int], np.ndarray]:
    out = {}
    for row in range(data.n_passages):
        p = data.passage(row)
        out[(p.doc_id, p.start, p.end)] = data.dense.vectors[row]
    return out


@pytest.fixture(scope="module")
def embed(tiny_model_dir: Path):
    from index.embedder import load_embedder

    emb = load_embedder(str(tiny_model_dir))
    return lambda texts, progress: emb.embed(texts, 8, progress)


def test_appends_through_the_store_keep_every_earlier_vector_by_passage_id(embed, tmp_path: Path) -> None:
    # Small passages and a low threshold, so the index switches from exact to HNSW on the way.
    opts = BuildOptions(
        model="tiny", dim=32, languages=["en"], bridge="direct", passage_words=10, passage_overlap=1,
        dense_kind="auto", dense_threshold=60,
    )
    store = IndexStore(tmp_path / "idx")
    first, _ = add_in_batches(None, _articles(6), opts, embed, store.save, every=3)
    assert first.dense.kind == "flat"
    before = _vectors_by_passage(store.load())
    calls: list[int] = []

    def counting_embed(texts, progress):
        calls.append(len(texts))
        return embed(texts, progress)

    grown, report = add_in_batches(store.load(), _articles(6) + _articles(10, 6), opts, counting_embed, store.save, every=4)
    assert report.unchanged == [d.doc_id for d in _articles(6)] and len(report.added) == 10
    assert sum(calls) == grown.n_passages - first.n_passages  # only the new passages were embedded
    loaded = store.load()
    assert loaded.dense.kind == "hnsw"
    after = _vectors_by_passage(loaded)
    assert set(before) <= set(after)
    for key, vec in before.items():
        np.testing.assert_array_equal(after[key], vec)
    # The graph holds exactly the stored vectors, row for row (the tiny model's vectors are too alike
    # to check this by search; test_dense.py does that with distinct vectors).
    graph = loaded.dense._index
    np.testing.assert_array_equal(graph.reconstruct_n(0, graph.ntotal), loaded.dense.vectors)
