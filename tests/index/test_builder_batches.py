"""Large additions in committed groups: a stopped run keeps what it committed, a rerun resumes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.builder import add_documents, add_in_batches
from index.documents import Document, decode_article
from index.store import IndexStore

WORDS = ["river", "city", "talks", "peace", "news", "war"]


def articles(n: int) -> list[Document]:
    out = []
    for i in range(n):
        text = " ".join(f"The {WORDS[(i + j) % 6]} {WORDS[(i * j) % 6]} story {i} line {j}." for j in range(5))
        d = decode_article(f"a{i:02d}.txt", text.encode("utf-8"))
        assert isinstance(d, Document)
        out.append(d)
    return out


class Stop(Exception):
    """Stands for the process being interrupted in the middle of a group."""


def test_a_stopped_add_keeps_committed_groups_and_a_rerun_resumes(embed, opts, tmp_path: Path) -> None:
    docs = articles(10)
    store = IndexStore(tmp_path / "idx")
    calls = {"n": 0}

    def stops_in_third_group(texts, progress):
        calls["n"] += 1
        if calls["n"] == 3:
            raise Stop
        return embed(texts, progress)

    with pytest.raises(Stop):
        add_in_batches(None, docs, opts, stops_in_third_group, store.save, every=3)
    committed = store.load()
    assert [d.doc_id for d in committed.documents] == [d.doc_id for d in docs[:6]]

    embedded: list[int] = []

    def counting(texts, progress):
        embedded.append(len(texts))
        return embed(texts, progress)

    resumed, report = add_in_batches(committed, docs, opts, counting, store.save, every=3)
    assert report.unchanged == [d.doc_id for d in docs[:6]]
    assert report.added == [d.doc_id for d in docs[6:]]
    assert sum(embedded) == resumed.n_passages - committed.n_passages  # nothing committed is embedded again
    np.testing.assert_array_equal(resumed.dense.vectors[: committed.n_passages], committed.dense.vectors)

    oneshot, _ = add_documents(None, docs, opts, embed)
    loaded = store.load()
    assert [loaded.passage(i) for i in range(loaded.n_passages)] == [oneshot.passage(i) for i in range(oneshot.n_passages)]
    np.testing.assert_allclose(loaded.dense.vectors, oneshot.dense.vectors, atol=1e-5)


def test_groups_commit_only_when_something_changed(embed, opts, tmp_path: Path) -> None:
    docs = articles(7)
    commits: list[int] = []
    data, _ = add_in_batches(None, docs, opts, embed, lambda d: commits.append(len(d.documents)), every=3)
    assert commits == [3, 6, 7]
    commits.clear()
    again, report = add_in_batches(data, docs, opts, embed, lambda d: commits.append(len(d.documents)), every=3)
    assert commits == [] and len(report.unchanged) == 7 and again is data


def test_progress_is_one_steady_stage_in_documents(embed, opts) -> None:
    seen: list[tuple[int, int, str]] = []
    add_in_batches(None, articles(8), opts, embed, lambda d: None, progress=lambda *a: seen.append(a), every=3)
    assert {s for _, _, s in seen} == {"indexing"}
    done = [d for d, _, _ in seen]
    assert done == sorted(done) and seen[-1][:2] == (8, 8)


def test_the_same_id_twice_is_refused_even_across_groups(embed, opts) -> None:
    docs = articles(4)
    data, report = add_in_batches(None, [*docs, docs[0]], opts, embed, lambda d: None, every=2)
    assert [name for name, _ in report.refused] == [docs[0].doc_id]
    assert len(data.documents) == 4


def test_analysing_in_small_chunks_builds_the_same_lexical_index(embed, opts) -> None:
    docs = articles(6)
    whole, _ = add_documents(None, docs, opts, embed)
    opts.lexical_chunk = 2
    chunked, _ = add_documents(None, docs, opts, embed)
    assert whole.n_passages > 4
    for name, lx in whole.lexical.items():
        other = chunked.lexical[name]
        assert other.vocab == lx.vocab
        assert (other.counts != lx.counts).nnz == 0 and other.counts.shape == lx.counts.shape
    for q in ({"river": 1.0, "talks": 1.0}, {"peace": 2.0}):
        np.testing.assert_allclose(chunked.lexical["text"].scores(q), whole.lexical["text"].scores(q))
