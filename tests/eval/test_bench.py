"""The benchmark's pure parts: data preparation, percentiles, recall, ratios, targets, the report."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from eval.bench import build_parser, main, median
from eval.bench_data import article_markdown, every_kth, interleave, news_articles, news_slice, passage_rows
from eval.bench_report import (
    merge,
    percentiles,
    ratio,
    ratios,
    recall,
    targets,
    throughput,
    to_markdown,
    write_plot,
)
from index.builder import BuildOptions, add_documents
from index.documents import Document, decode_article


def test_percentiles_nearest_rank_and_empty() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    p = percentiles(values[::-1])
    assert (p["p50"], p["p95"], p["p99"], p["n"]) == (51.0, 95.0, 99.0, 100)
    assert percentiles([]) == {"p50": None, "p95": None, "p99": None, "n": 0}
    assert percentiles([7.0])["p99"] == 7.0


def test_median_of_cold_runs() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([]) is None


def test_every_kth_spreads_and_interleave_alternates() -> None:
    assert every_kth(list(range(10)), 5) == [0, 2, 4, 6, 8]
    assert every_kth([1, 2], 5) == [1, 2]
    assert every_kth([1, 2], 0) == []
    assert interleave([1, 2, 3], ["a"]) == [1, "a", 2, 3]


def test_recall_per_language_by_evidence_and_document() -> None:
    questions = [
        {"q": "q1", "lang": "ar", "evidence": "alpha", "doc": "d1"},
        {"q": "q2", "lang": "ar", "evidence": "beta", "doc": "d2"},
        {"q": "q3", "lang": "en", "evidence": "alpha", "doc": "d1"},
    ]
    ranked = [
        [{"doc_id": "d1", "text": "has alpha"}],  # rank 1
        [{"doc_id": "d1", "text": "beta but wrong doc"}, {"doc_id": "d2", "text": "x"}, {"doc_id": "d2", "text": "beta"}],
        [{"doc_id": "d9", "text": "alpha elsewhere"}],  # miss
    ]
    r = recall(ranked, questions)
    assert r["ar"] == {"r1": 0.5, "r5": 1.0, "n": 2}
    assert r["en"] == {"r1": 0.0, "r5": 0.0, "n": 1}


def test_ratio_and_throughput_guard_missing_values() -> None:
    assert ratio(2.0, 4.0) == 0.5
    assert ratio(None, 4.0) is None and ratio(1.0, 0) is None and ratio(1.0, None) is None
    assert throughput({"build_s": 2.0, "passages": 100}) == 50.0
    assert throughput({"build_s": 0, "passages": 100}) is None


def _results() -> dict:
    ours = {
        "passages": 1000, "build_s": 10.0, "rss_build_mb": 800.0, "index_mb": 20.0, "rss_serve_mb": 500.0,
        "retrieve_ms": {"p50": 4.0, "p95": 8.0, "p99": 9.0}, "answer_ms": {"p50": 10.0, "p95": 30.0, "p99": 50.0},
        "cold_cli_s": 2.0, "cold_web_s": 6.0,
        "recall": {"ar": {"r1": 0.8, "r5": 0.95, "n": 10}, "en": {"r1": 0.5, "r5": 0.7, "n": 10}},
    }
    lc = {
        "passages": 1000, "build_s": 40.0, "rss_build_mb": 900.0, "rss_peak_mb": 950.0, "index_mb": 2.0,
        "retrieve_ms": {"p50": 25.0, "p95": 40.0, "p99": 60.0}, "cold_cli_s": 9.0,
        "recall": {"ar": {"r1": 0.01, "r5": 0.05, "n": 10}, "en": {"r1": 0.03, "r5": 0.1, "n": 10}},
    }
    return {"machine": {"cpus": 2}, "command": "sanad bench", "sizes": {"xquad": {"sanad": ours, "langchain": lc}}}


def test_ratios_are_ours_over_peer_and_peers_answer_latency_is_their_retrieval() -> None:
    rs = ratios(_results()["sizes"]["xquad"])
    assert rs["langchain"]["build_s"] == pytest.approx(0.25)
    assert rs["langchain"]["throughput"] == pytest.approx(4.0)
    assert rs["langchain"]["answer_p50"] == pytest.approx(10.0 / 25.0)
    assert rs["langchain"]["rss_serve_mb"] == pytest.approx(500.0 / 950.0)  # a peer's serving peak is its process peak
    assert "txtai" not in rs


def test_targets_are_checked_from_the_figures() -> None:
    checks = {label: (value, met) for label, value, met in targets(_results())}
    assert checks["XQuAD question p50 <= 150 ms"] == (10.0, True)
    assert checks["XQuAD question p95 <= 300 ms"] == (30.0, True)
    assert checks["xquad: build throughput >= 2x LangChain"] == (pytest.approx(4.0), True)
    assert checks["xquad: question p50 <= 0.5x LangChain FAISS+MiniLM retrieval"] == (pytest.approx(0.4), True)
    assert checks["whole news corpus question p95 <= 400 ms"] == (None, None)  # not measured: not judged
    slow = _results()
    slow["sizes"]["xquad"]["sanad"]["answer_ms"]["p95"] = 301.0
    assert dict((label, met) for label, _, met in targets(slow))["XQuAD question p95 <= 300 ms"] is False


def test_markdown_has_every_table_and_plot_is_written(tmp_path: Path) -> None:
    md = to_markdown(_results())
    for heading in ("## Figures", "## Ratios ours / peer", "## Recall on XQuAD dev", "## Targets"):
        assert heading in md
    assert "| xquad | Sanad | 1000 |" in md
    assert "| LangChain FAISS+MiniLM | 0.010 | 0.050 | 0.030 | 0.100 |" in md
    write_plot(_results(), tmp_path / "b.png")
    assert (tmp_path / "b.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_merge_replaces_per_size_and_system_and_keeps_other_sizes() -> None:
    old = {"command": "a", "sizes": {"news": {"sanad": {"build_s": 1}}, "xquad": {"sanad": {"build_s": 2}, "txtai": {"x": 1}}}}
    new = {"command": "b", "sizes": {"xquad": {"sanad": {"build_s": 3}}}}
    m = merge(old, new)
    assert m["command"] == "b"
    assert m["sizes"]["news"] == {"sanad": {"build_s": 1}}
    assert m["sizes"]["xquad"] == {"sanad": {"build_s": 3}, "txtai": {"x": 1}}


def test_peers_index_the_passages_sanad_makes(tiny_model_dir: Path) -> None:
    from index.embedder import load_embedder

    emb = load_embedder(str(tiny_model_dir))
    texts = {
        "a.md": "# Flood warning\n\nRain fell all night. Rivers rose in the city. Roads were closed at dawn.",
        "b.txt": "The talks resumed. Both sides spoke of progress. A new round is planned.",
    }
    docs = []
    for name, text in texts.items():
        d = decode_article(name, text.encode("utf-8"))
        assert isinstance(d, Document)
        docs.append(d)
    opts = BuildOptions(model="tiny", dim=32, languages=["en"], bridge="direct", passage_words=8, passage_overlap=1)
    data, _ = add_documents(None, docs, opts, lambda t, cb: emb.embed(t, 8, cb))
    rows = passage_rows(docs, 8, 1)
    assert [r["doc"] for r in rows] == [data.passage(i).doc_id for i in range(data.n_passages)]
    for r in rows:
        body = data.passage(r["id"]).text
        assert r["text"] == (f"Flood warning\n{body}" if r["doc"] == "a.md" else body)


def test_news_articles_from_the_zipped_json(tmp_path: Path) -> None:
    arts = [
        {"title": "Title one", "content": "First sentence here. Second one there."},
        {"title": "", "content": "  "},  # empty: skipped
        {"title": "Title three", "content": "Only text."},
    ]
    with zipfile.ZipFile(tmp_path / "2015-07-21.zip", "w") as z:
        z.writestr("2015-07-21.json", json.dumps(arts, ensure_ascii=False))
    got = list(news_articles(tmp_path))
    assert got == [
        ("2015-07-21/00000.md", "Title one", "First sentence here. Second one there."),
        ("2015-07-21/00002.md", "Title three", "Only text."),
    ]
    assert article_markdown("T", "body") == "# T\n\nbody\n"
    assert len(news_slice(tmp_path, 1)) == 1 and len(news_slice(tmp_path, None)) == 2


def test_bad_arguments_are_refused_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--sizes", "huge", "--out", str(tmp_path)]) == 2
    assert "unknown size" in capsys.readouterr().err
    assert main(["--questions", "50", "--peers", "none", "--out", str(tmp_path)]) == 2
    assert main(["--peers", "langchain", "--bench-python", str(tmp_path / "nope"), "--out", str(tmp_path)]) == 2
    assert not (tmp_path / "results.json").exists()
    assert build_parser().parse_args([]).sizes == "sample,xquad,news10k"


def test_filter_study_times_each_filter_beside_none_question_by_question() -> None:
    from types import SimpleNamespace

    from eval.bench_ours import filter_study

    calls: list[tuple[str, object]] = []

    class Stub:
        def ask(self, q, top_k, filter):  # noqa: A002 - the facade's name
            calls.append((q, filter))
            return SimpleNamespace(retrieved=[] if filter.sources else [1, 2])

    out = filter_study(Stub(), ["a", "b", "c"], 5, {"okaz": {"source": "okaz"}})
    assert set(out) == {"none", "okaz"}
    assert out["none"]["answer_ms"]["n"] == out["okaz"]["answer_ms"]["n"] == 3
    assert (out["none"]["hits"], out["okaz"]["hits"]) == (6, 0)
    assert out["okaz"]["filter"]["sources"] == ["okaz"] and out["none"]["p95_ratio"] == 1.0
    timed = calls[-6:]  # after the warm-up: each question unfiltered, then filtered
    assert [q for q, _ in timed] == ["a", "a", "b", "b", "c", "c"]
    assert [bool(f.sources) for _, f in timed] == [False, True] * 3
