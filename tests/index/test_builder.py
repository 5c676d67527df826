"""Adding, skipping and replacing documents in an index, with a real (tiny) embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.builder import TEXT_FIELD, BuildOptions, add_documents, passage_terms
from index.documents import Document, decode_article
from index.passages import split_passages
from index.store import IndexData, IndexStore
from index.tokens import analyze

ARTICLES = {
    "talks.txt": "بدأت المحادثات في العاصمة. وقال المبعوث إن هناك تقدما. وأضاف أن الجولة المقبلة قريبة.\n"
    "وتشترط موسكو انسحاب القوات. ورفضت كييف الشرط.",
    "festival.md": "# River festival\n\nThe river festival drew large crowds. Boats were shown on the quay.\n"
    "The mayor promised a longer programme. Bakers sold honey cakes.",
    "weather.txt": "Heavy rain fell on the coast. Roads were closed for hours. The storm moved north at night.",
}


def doc(doc_id: str, text: str) -> Document:
    d = decode_article(doc_id, text.encode("utf-8"))
    assert isinstance(d, Document)
    return d


def build(
    embed, opts: BuildOptions, names: list[str], current: IndexData | None = None, texts: dict | None = None
):
    texts = texts or ARTICLES
    return add_documents(current, [doc(n, texts[n]) for n in names], opts, embed)


def passages_by_doc(data: IndexData) -> dict[str, list[tuple[int, int, str]]]:
    out: dict[str, list[tuple[int, int, str]]] = {}
    for i in range(data.n_passages):
        p = data.passage(i)
        out.setdefault(p.doc_id, []).append((p.start, p.end, p.text))
    return out


def rows_of(data: IndexData, doc_id: str) -> np.ndarray:
    return np.flatnonzero(data.doc_of == data.doc_index(doc_id))


def test_passages_point_into_their_documents(embed, opts: BuildOptions) -> None:
    data, report = build(embed, opts, ["talks.txt", "festival.md"])
    assert report.added == ["talks.txt", "festival.md"] and not report.refused
    assert report.passages == data.n_passages == data.dense.n_rows == data.lexical[TEXT_FIELD].n_rows
    for doc_id, passages in passages_by_doc(data).items():
        text = data.document_text(doc_id)
        expected = split_passages(doc_id, text, opts.passage_words, opts.passage_overlap)
        assert passages == [(p.start, p.end, p.text) for p in expected]
        assert all(text[s:e] == t for s, e, t in passages)
    np.testing.assert_allclose(np.linalg.norm(data.dense.vectors, axis=1), 1.0, rtol=1e-5)


def test_markdown_title_is_indexed_with_every_passage(embed, opts: BuildOptions) -> None:
    data, _ = build(embed, opts, ["festival.md"])
    assert data.documents[0].title == "River festival"
    last = data.passage(data.n_passages - 1)
    assert passage_terms(last.text, "River festival")[TEXT_FIELD][:2] == analyze("River festival")
    assert data.lexical[TEXT_FIELD].scores({"river": 1.0})[data.n_passages - 1] > 0


def test_readding_an_unchanged_document_changes_nothing(embed, opts: BuildOptions) -> None:
    data, _ = build(embed, opts, ["talks.txt", "festival.md"])
    again, report = build(embed, opts, ["talks.txt", "festival.md"], current=data)
    assert report.unchanged == ["talks.txt", "festival.md"]
    assert not report.added and not report.replaced and not report.changed and report.passages == 0
    assert again is data


def test_changed_document_replaces_its_passages(embed, opts: BuildOptions) -> None:
    data, _ = build(embed, opts, ["talks.txt", "festival.md", "weather.txt"])
    old_festival_vectors = data.dense.vectors[rows_of(data, "festival.md")].copy()
    new_text = "انتهت المحادثات دون اتفاق. وغادر الوفدان العاصمة مساء الخميس."
    changed, report = build(embed, opts, ["talks.txt"], current=data, texts={"talks.txt": new_text})
    assert report.replaced == ["talks.txt"] and not report.added

    # Exactly the new document's passages, none of the old ones.
    by_doc = passages_by_doc(changed)
    assert [t for _, _, t in by_doc["talks.txt"]] == [
        p.text for p in split_passages("talks.txt", new_text, 12, 1)
    ]
    assert all("موسكو" not in t for _, _, t in by_doc["talks.txt"])
    assert changed.document_text("talks.txt") == new_text
    assert [d.doc_id for d in changed.documents].count("talks.txt") == 1

    # The old words are gone from BM25, the new ones are there.
    lex = changed.lexical[TEXT_FIELD]
    assert not lex.scores({t: 1.0 for t in analyze("موسكو كييف")}).any()
    assert lex.scores({t: 1.0 for t in analyze("اتفاق")})[rows_of(changed, "talks.txt")].all()

    # Untouched documents keep their passages and their very vectors.
    assert by_doc["festival.md"] == passages_by_doc(data)["festival.md"]
    np.testing.assert_array_equal(
        changed.dense.vectors[rows_of(changed, "festival.md")], old_festival_vectors
    )


def test_replacement_equals_a_fresh_build(embed, opts: BuildOptions) -> None:
    new_text = "Light rain only. Roads stayed open."
    data, _ = build(embed, opts, ["talks.txt", "festival.md", "weather.txt"])
    replaced, _ = build(embed, opts, ["weather.txt"], current=data, texts={"weather.txt": new_text})
    fresh, _ = build(
        embed, opts, ["talks.txt", "festival.md", "weather.txt"], texts={**ARTICLES, "weather.txt": new_text}
    )
    assert passages_by_doc(replaced) == passages_by_doc(fresh)
    for term in analyze("rain roads river festival المحادثات storm"):
        np.testing.assert_allclose(
            replaced.lexical[TEXT_FIELD].scores({term: 1.0}),
            fresh.lexical[TEXT_FIELD].scores({term: 1.0}),
            rtol=1e-5,
        )
    np.testing.assert_allclose(replaced.dense.vectors, fresh.dense.vectors, atol=1e-5)


def test_append_keeps_vectors_of_untouched_documents(embed, opts: BuildOptions) -> None:
    data, _ = build(embed, opts, ["talks.txt"])
    before = data.dense.vectors.copy()
    bigger, report = build(embed, opts, ["weather.txt", "talks.txt"], current=data)
    assert report.added == ["weather.txt"] and report.unchanged == ["talks.txt"]
    np.testing.assert_array_equal(bigger.dense.vectors[: len(before)], before)
    np.testing.assert_array_equal(data.dense.vectors, before)  # the input is not modified
    assert bigger.n_passages == data.n_passages + len(split_passages("w", ARTICLES["weather.txt"], 12, 1))


def test_same_id_twice_in_one_batch(embed, opts: BuildOptions) -> None:
    data, report = add_documents(
        None, [doc("a.txt", "First copy."), doc("a.txt", "Second copy.")], opts, embed
    )
    assert report.added == ["a.txt"]
    assert report.refused == [("a.txt", "given twice in one batch; the first copy was used")]
    assert data.document_text("a.txt") == "First copy."


def test_progress_stages(embed, opts: BuildOptions) -> None:
    stages: list[tuple[int, int, str]] = []
    add_documents(
        None, [doc(n, ARTICLES[n]) for n in ARTICLES], opts, embed, progress=lambda *a: stages.append(a)
    )
    splitting = [(d, t) for d, t, stage in stages if stage == "splitting"]
    total = sum(len(ARTICLES[n]) for n in ARTICLES)  # counted in characters, so a long article moves it too
    assert splitting[-1] == (total, total)
    assert [d for d, _ in splitting] == sorted(d for d, _ in splitting)
    assert stages[-1][2] == "embedding" and stages[-1][0] == stages[-1][1]


def test_dense_kind_switches_to_hnsw_past_the_threshold(embed, opts: BuildOptions) -> None:
    opts.dense_threshold = 5
    small, _ = build(embed, opts, ["weather.txt"])
    assert small.dense.kind == "flat"
    big, _ = build(embed, opts, ["talks.txt", "festival.md"], current=small)
    assert big.n_passages >= 5 and big.dense.kind == "hnsw"
    np.testing.assert_array_equal(big.dense.vectors[: small.n_passages], small.dense.vectors)


def test_built_index_survives_the_store(embed, opts: BuildOptions, tmp_path: Path) -> None:
    data, _ = build(embed, opts, list(ARTICLES))
    store = IndexStore(tmp_path / "idx")
    store.save(data)
    loaded = store.load({"model": "tiny", "dim": 32})
    assert passages_by_doc(loaded) == passages_by_doc(data)
    np.testing.assert_array_equal(loaded.dense.vectors, data.dense.vectors)
    assert loaded.settings == opts.as_settings()
    # Appending to what was loaded behaves like appending to what was built.
    more, report = build(embed, opts, ["talks.txt"], current=loaded, texts={"talks.txt": "Short now."})
    assert report.replaced == ["talks.txt"]
    assert passages_by_doc(more)["talks.txt"] == [(0, 10, "Short now.")]
