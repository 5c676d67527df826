from __future__ import annotations

import json
from pathlib import Path

from eval.plot import write_plot
from eval.report import build_report, summary_table, to_markdown, worst_misses, write_json
from eval.summary import summarize


def _report(records: list[dict]) -> dict:
    summary = {"languages": summarize(records, bootstrap=100), "skipped": ["q.jsonl:4: not valid JSON (skipped)"],
               "warnings": []}  # fmt: skip
    return build_report(summary, {"questions": "q.jsonl", "corpus": "docs", "model": "m", "top_k": 5}, records)


def test_report_shape(records: list[dict], tmp_path: Path) -> None:
    path = tmp_path / "out" / "r.json"
    write_json(_report(records), path)
    report = json.loads(path.read_text(encoding="utf-8"))
    assert set(report) == {"summary", "config", "records"}
    record = report["records"][0]
    for key in ("id", "lang", "question", "answer", "abstained", "citations", "retrieved", "latency_ms"):
        assert key in record
    assert set(record["citations"][0]) == {"doc_id", "start", "end", "quote"}
    assert set(record["retrieved"][0]) == {"doc_id", "start", "end", "score", "text"}
    assert set(report["summary"]["languages"]) == {"ar", "en", "all"}
    assert "أبوظبي" in path.read_text(encoding="utf-8")  # UTF-8, not \\u escapes


def test_markdown_has_the_table_and_the_misses(records: list[dict]) -> None:
    md = to_markdown(_report(records))
    assert "| | Arabic questions | English questions | All |" in md
    assert "| Token F1 | 0.750 [" in md
    assert "## Worst misses" in md
    assert "| en2 | en |" in md and "answered an unanswerable question" in md
    assert "q.jsonl:4" in md
    assert "| ar1 |" not in md  # right answers are not misses


def test_worst_misses_order(records: list[dict]) -> None:
    ids = [r["id"] for r, _ in worst_misses(records)]
    # ar2 holds the gold answer (contains), so it is no miss; then worst first: the error, the
    # unanswerable question answered, the wrong abstention.
    assert ids == ["en3", "en2", "en1"]
    assert [r["id"] for r, _ in worst_misses(records, limit=2)] == ["en3", "en2"]
    records[1]["scores"]["contains"] = 0.0  # now ar2 misses too: languages alternate
    assert [r["id"] for r, _ in worst_misses(records)] == ["en3", "ar2", "en2", "en1"]


def test_summary_table_marks_missing_figures(records: list[dict]) -> None:
    table = summary_table(summarize(records[:2], bootstrap=0))
    assert "| Abstention recall | n/a | n/a |" in table


def test_plot_is_written(records: list[dict], tmp_path: Path) -> None:
    path = tmp_path / "plot.png"
    write_plot(summarize(records, bootstrap=100), path, title="test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    write_plot(summarize(records[:2], bootstrap=0), tmp_path / "plot.svg")  # no abstention figures, no CIs
    assert (tmp_path / "plot.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
