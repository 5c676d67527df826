"""BM25: the sparse implementation against a brute-force one written here, append, select, save/load."""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from index.lexical import CorpusStats, LexicalIndex, top_k

K1, B = 1.2, 0.75


def brute_bm25(docs: list[list[str]], query: dict[str, float]) -> np.ndarray:
    """Okapi BM25 (Lucene's idf), computed the slow, obvious way."""
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    out = np.zeros(n)
    for i, d in enumerate(docs):
        tf = Counter(d)
        for term, qw in query.items():
            df = sum(1 for x in docs if term in x)
            if tf[term] == 0:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            out[i] += qw * idf * tf[term] * (K1 + 1) / (tf[term] + K1 * (1 - B + B * len(d) / avgdl))
    return out


def random_corpus(seed: int, n_docs: int = 60, vocab: int = 40) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"t{i}" for i in range(vocab)] + ["مفاوض", "حرب", "اوكرانيا"]
    return [[rng.choice(words) for _ in range(rng.randint(0, 25))] for _ in range(n_docs)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_equal_brute_force(seed: int) -> None:
    docs = random_corpus(seed)
    idx = LexicalIndex.build(docs)
    rng = random.Random(100 + seed)
    for _ in range(20):
        query = {
            rng.choice(["t1", "t2", "t3", "مفاوض", "حرب", "missing"]): rng.choice([1.0, 0.35, 2.0])
            for _ in range(3)
        }
        np.testing.assert_allclose(idx.scores(query), brute_bm25(docs, query), rtol=1e-5, atol=1e-6)


def test_unknown_terms_and_zero_weights_score_nothing() -> None:
    idx = LexicalIndex.build([["a", "b"], ["b", "c"]])
    assert not idx.scores({"zzz": 1.0}).any()
    assert not idx.scores({"a": 0.0}).any()


def test_rare_terms_weigh_more() -> None:
    idx = LexicalIndex.build([["common", "rare"], ["common"], ["common"], ["common"]])
    assert idx.idf("rare") > idx.idf("common") > 0
    assert idx.idf("absent") == 0.0


def test_search_is_top_k_of_scores() -> None:
    docs = random_corpus(5)
    idx = LexicalIndex.build(docs)
    rows, scores = idx.search({"t1": 1.0, "حرب": 1.0}, 5)
    full = idx.scores({"t1": 1.0, "حرب": 1.0})
    assert len(rows) == 5
    assert list(scores) == sorted(scores, reverse=True)
    np.testing.assert_allclose(scores, full[rows])
    assert scores[-1] >= np.sort(full)[-5]


def test_top_k_keeps_positive_scores_best_first_ties_by_index() -> None:
    rows, vals = top_k(np.array([0.0, 2.0, 1.0, 2.0, -1.0, 0.5], dtype=np.float32), 3)
    assert rows.tolist() == [1, 3, 2]
    assert vals.tolist() == [2.0, 2.0, 1.0]
    rows, _ = top_k(np.array([0.0, 0.0]), 3)
    assert rows.size == 0
    assert top_k(np.array([1.0]), 0)[0].size == 0


def test_top_k_ties_at_the_cut_go_to_the_lower_index() -> None:
    scores = np.array([1.0, 3.0, 2.0, 2.0, 2.0, 2.0, 0.5], dtype=np.float32)
    for k, expected in [(2, [1, 2]), (3, [1, 2, 3]), (4, [1, 2, 3, 4])]:
        assert top_k(scores, k)[0].tolist() == expected
    reversed_ties = np.array([2.0] * 50 + [1.0], dtype=np.float32)
    assert top_k(reversed_ties, 5)[0].tolist() == [0, 1, 2, 3, 4]


def _shard_stats(shard: LexicalIndex, whole: LexicalIndex) -> CorpusStats:
    """The whole corpus' statistics, aligned with the shard's own vocabulary."""
    total = whole.stats()
    df = np.array([total.df[whole.vocab[t]] for t in sorted(shard.vocab, key=shard.vocab.get)], dtype=np.int64)
    return CorpusStats(total.rows, total.length, df)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_shard_given_the_corpus_statistics_scores_exactly_as_the_whole(seed: int) -> None:
    docs = random_corpus(seed, n_docs=90)
    whole = LexicalIndex.build(docs)
    cuts = [0, 25, 26, 70, 90]  # shards of uneven sizes, one of a single passage
    queries = [{"t1": 1.0, "حرب": 0.35}, {"t3": 2.0, "missing": 1.0, "t7": 1.0}]
    groups = [{"t1": 1.0, "t2": 0.5}, {"t9": 1.0}, {"مفاوض": 1.0, "t4": 0.7, "t5": 0.2}]
    for query in queries:
        expected = whole.for_serving().scores(query)
        for lo, hi in zip(cuts, cuts[1:], strict=False):
            shard = LexicalIndex.build(docs[lo:hi])
            served = shard.for_serving(_shard_stats(shard, whole))
            assert np.array_equal(served.scores(query), expected[lo:hi])  # bit for bit
            alone = shard.for_serving().scores(query)
            assert not np.array_equal(alone, expected[lo:hi]) or not alone.any()  # its own statistics differ
    expected = whole.for_serving().scores_grouped(groups)
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        shard = LexicalIndex.build(docs[lo:hi])
        assert np.array_equal(shard.for_serving(_shard_stats(shard, whole)).scores_grouped(groups), expected[lo:hi])


def test_corpus_statistics_must_cover_the_vocabulary() -> None:
    idx = LexicalIndex.build([["a", "b"]])
    with pytest.raises(ValueError, match="cover 1 terms, this index has 2"):
        idx.for_serving(CorpusStats(1, 2.0, np.ones(1, np.int64)))


def test_own_statistics() -> None:
    stats = LexicalIndex.build([["a", "b", "a"], ["b"], []]).stats()
    assert (stats.rows, stats.length, stats.avgdl) == (3, 4.0, 4 / 3)
    assert stats.df.tolist() == [1, 2]


def test_append_equals_build_on_concatenation() -> None:
    a, b = random_corpus(7, 30), random_corpus(8, 25, vocab=60)
    appended = LexicalIndex.build(a).append(b)
    whole = LexicalIndex.build(a + b)
    assert appended.vocab == whole.vocab
    assert (appended.counts != whole.counts).nnz == 0
    for term in ["t1", "t45", "حرب", "اوكرانيا"]:
        np.testing.assert_allclose(appended.scores({term: 1.0}), whole.scores({term: 1.0}), rtol=1e-6)


def test_append_does_not_change_the_original() -> None:
    idx = LexicalIndex.build([["a"]])
    before = idx.scores({"a": 1.0}).copy()
    bigger = idx.append([["a", "b"], ["b"]])
    assert idx.n_rows == 1 and "b" not in idx.vocab
    np.testing.assert_array_equal(idx.scores({"a": 1.0}), before)
    assert bigger.n_rows == 3


def test_append_to_empty_and_empty_documents() -> None:
    idx = LexicalIndex.empty().append([[], ["x"], []])
    assert idx.n_rows == 3
    assert idx.scores({"x": 1.0}).tolist()[0] == 0.0
    assert idx.scores({"x": 1.0})[1] > 0


def test_select_rows_equals_build_on_kept_rows() -> None:
    docs = random_corpus(9, 40)
    keep = np.array([i % 3 != 0 for i in range(len(docs))])
    selected = LexicalIndex.build(docs).select_rows(keep)
    rebuilt = LexicalIndex.build([d for d, k in zip(docs, keep, strict=True) if k])
    assert selected.n_rows == rebuilt.n_rows
    for term in ["t0", "t1", "t39", "مفاوض"]:
        np.testing.assert_allclose(
            selected.scores({term: 1.0}), rebuilt.scores({term: 1.0}), rtol=1e-5, atol=1e-6
        )


def test_save_load_roundtrip_without_pickle(tmp_path: Path) -> None:
    docs = random_corpus(11)
    idx = LexicalIndex.build(docs)
    files = idx.save(tmp_path, "text")
    assert sorted(p.name for p in files) == ["text.npz", "text.vocab.json"]
    with np.load(tmp_path / "text.npz", allow_pickle=False) as z:  # no object arrays inside
        assert {"indptr", "indices", "data", "shape"} <= set(z.files)
    terms = json.loads((tmp_path / "text.vocab.json").read_text(encoding="utf-8"))
    assert "مفاوض" in terms  # readable UTF-8, not escaped
    loaded = LexicalIndex.load(tmp_path, "text")
    assert loaded.vocab == idx.vocab
    for term in ["t0", "t2", "حرب"]:
        np.testing.assert_allclose(loaded.scores({term: 1.0}), idx.scores({term: 1.0}))


def test_load_refuses_vocabulary_that_does_not_fit(tmp_path: Path) -> None:
    LexicalIndex.build([["a", "b"]]).save(tmp_path, "text")
    (tmp_path / "text.vocab.json").write_text(json.dumps(["a"]), encoding="utf-8")
    with pytest.raises(ValueError, match="vocabulary"):
        LexicalIndex.load(tmp_path, "text")


@pytest.mark.parametrize("seed", [3, 4])
def test_serving_copy_scores_the_same_and_refuses_to_change(seed: int, tmp_path: Path) -> None:
    docs = random_corpus(seed)
    idx = LexicalIndex.build(docs)
    serving = idx.for_serving()
    assert serving.n_rows == idx.n_rows == len(docs)
    for query in ({"t1": 1.0, "حرب": 0.35}, {"t2": 2.0, "missing": 1.0}):
        np.testing.assert_array_equal(serving.scores(query), idx.scores(query))
        np.testing.assert_allclose(serving.scores(query), brute_bm25(docs, query), rtol=1e-5, atol=1e-6)
    assert serving.idf("t1") == idx.idf("t1") > 0
    assert serving.counts is None and idx.counts is not None  # dropped once the weights exist
    assert serving.n_rows == len(docs)
    for change in (lambda: serving.append([["t1"]]), lambda: serving.save(tmp_path, "x"),
                   lambda: serving.select_rows(np.ones(len(docs), bool))):  # fmt: skip
        with pytest.raises(RuntimeError, match="serving copy"):
            change()
    assert not list(tmp_path.iterdir())


def test_serving_copy_is_read_only_before_first_use_and_safe_across_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    docs = random_corpus(7, n_docs=400)
    idx = LexicalIndex.build(docs)
    fresh = idx.for_serving()
    with pytest.raises(RuntimeError, match="serving copy"):
        fresh.append([["t1"]])
    want = idx.scores({"t1": 1.0, "t2": 0.5})
    with ThreadPoolExecutor(8) as pool:  # all racing to build the weights on first use
        got = list(pool.map(lambda _: fresh.scores({"t1": 1.0, "t2": 0.5}), range(32)))
    for g in got:
        np.testing.assert_array_equal(g, want)
    assert fresh.counts is None


@pytest.mark.parametrize("seed", [0, 1])
def test_grouped_scores_take_the_best_term_of_each_group(seed: int) -> None:
    docs = random_corpus(seed)
    idx = LexicalIndex.build(docs)
    groups = [{"t1": 1.0, "t2": 0.5, "missing": 1.0}, {"حرب": 0.7}, {"t3": 1.0, "مفاوض": 1.0}]
    per_term = [{t: idx.scores({t: w}) for t, w in g.items()} for g in groups]
    expected = sum(np.max(np.stack(list(s.values())), axis=0) for s in per_term)
    np.testing.assert_allclose(idx.scores_grouped(groups), expected, rtol=1e-6)


def test_grouped_scores_of_single_terms_equal_plain_scores() -> None:
    docs = random_corpus(3)
    idx = LexicalIndex.build(docs)
    query = {"t1": 1.0, "حرب": 0.35, "t2": 2.0}
    np.testing.assert_allclose(idx.scores_grouped([{t: w} for t, w in query.items()]), idx.scores(query), rtol=1e-6)


def test_synonyms_in_one_group_do_not_add_up() -> None:
    # Passage 0 holds two translations of one English word, passage 1 one translation each of two words.
    idx = LexicalIndex.build([["fauz", "intisar"], ["fauz", "kaas"], ["other"], ["other"]])
    groups = [{"fauz": 1.0, "intisar": 1.0}, {"kaas": 1.0}]
    flat = idx.scores({"fauz": 1.0, "intisar": 1.0, "kaas": 1.0})
    grouped = idx.scores_grouped(groups)
    assert grouped[1] > grouped[0]
    assert flat[0] > 0 and grouped[0] < flat[0]
    assert not idx.scores_grouped([{"zzz": 1.0}, {"fauz": 0.0}]).any()


def test_grouped_scores_of_rare_terms_match_the_dense_path() -> None:
    # Rare terms take the sparse path (few postings against many passages), common ones the dense one.
    docs = [["filler", f"w{i}"] for i in range(200)]
    docs[3] += ["rare1", "rare2"]
    docs[7] += ["rare2"]
    docs[9] += ["rare1"]
    idx = LexicalIndex.build(docs)
    groups = [{"rare1": 1.0, "rare2": 0.6}, {"filler": 0.5, "w3": 1.0}, {"absent": 1.0}, {}]
    per_term = [[idx.scores({t: w}) for t, w in g.items()] for g in groups]
    expected = sum(np.max(np.stack(s), axis=0) for s in per_term if s)
    got = idx.scores_grouped(groups)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got[3] > got[9] > 0 and got[7] > 0
