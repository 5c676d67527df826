"""End to end through the command line: `sanad eval` on a tiny corpus with the real bundled model.

Slow when run alone (loading the model and the dictionary); the same path with the shared
session index runs in the default suite (test_eval_runner.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from eval.cli import main
from eval.runner import SourceTexts, check_offsets

pytestmark = pytest.mark.slow

ARTICLE_AR = (
    "افتتح مهرجان النهر السنوي في مدينة الميناء القديمة يوم السبت.\n\n"
    "وقال المنظمون إن أكثر من 40 ألف زائر حضروا المهرجان خلال عطلة نهاية الأسبوع.\n\n"
    "وعرض صانعو القوارب قوارب شراعية خشبية على رصيف الميناء.\n"
)
ARTICLE_EN = (
    "# Harbour bridge reopens\n\n"
    "The harbour bridge reopened on Monday after two years of repairs.\n\n"
    "Engineers replaced 312 steel cables, the city council said.\n"
)
QUESTIONS = [
    {"id": "ar-1", "lang": "ar", "question": "كم عدد زوار مهرجان النهر؟", "answers": ["40 ألف", "40,000"],
     "evidence": "أكثر من 40 ألف زائر", "doc_id": "ar/festival.txt"},
    {"id": "en-1", "lang": "en", "question": "How many steel cables were replaced on the bridge?", "answers": ["312"],
     "evidence": "replaced 312 steel cables", "doc_id": "bridge.md", "note": "unknown keys are ignored"},
    {"id": "en-2", "lang": "en", "question": "Who won the football cup final?", "answers": [], "answerable": False},
]  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, sanad_home: Path) -> dict:
    root = tmp_path_factory.mktemp("eval-run")
    corpus = root / "corpus"
    (corpus / "ar").mkdir(parents=True)
    (corpus / "ar" / "festival.txt").write_text(ARTICLE_AR, encoding="utf-8")
    (corpus / "bridge.md").write_text(ARTICLE_EN, encoding="utf-8")
    lines = [json.dumps(q, ensure_ascii=False) for q in QUESTIONS]
    lines.insert(1, '{"id": "broken", "lang": "ar"')  # line 2 is malformed
    (root / "q.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    argv = ["--corpus", str(corpus), "--questions", str(root / "q.jsonl"), "--index-dir", str(sanad_home / "eval-idx"),
            "--report", str(root / "r.json"), "--markdown", str(root / "r.md"), "--plot", str(root / "r.png"),
            "--no-progress", "--bootstrap", "100"]  # fmt: skip
    return {"root": root, "corpus": corpus, "argv": argv, "code": main(argv)}


def test_report_follows_the_contract(run: dict) -> None:
    assert run["code"] == 0
    report = json.loads((run["root"] / "r.json").read_text(encoding="utf-8"))
    assert set(report) == {"summary", "config", "records"}
    assert [r["id"] for r in report["records"]] == ["ar-1", "en-1", "en-2"]
    for r in report["records"]:
        assert isinstance(r["answer"], str) and isinstance(r["abstained"], bool) and r["latency_ms"] > 0
        assert 1 <= len(r["retrieved"]) <= 5
        for hit in r["retrieved"]:
            assert set(hit) == {"doc_id", "start", "end", "score", "text", "title", "source", "date", "url", "also_published_by"}
            assert hit["doc_id"] in {"ar/festival.txt", "bridge.md"}  # ids are paths relative to the corpus
        for cit in r["citations"]:
            assert set(cit) == {"doc_id", "start", "end", "quote", "title", "source", "date", "url", "also_published_by"}
    assert report["summary"]["offset_check"]["mismatches"] == 0
    (skipped,) = report["summary"]["skipped"]
    assert skipped.startswith(f"{run['root'] / 'q.jsonl'}:2: not valid JSON")
    assert report["summary"]["languages"]["all"]["questions"] == 3
    assert report["summary"]["languages"]["en"]["unanswerable"] == 1
    assert report["config"]["index"]["added"] == 2
    # The evidence of both answerable questions is in the corpus, and retrieval finds it in 2 passages.
    assert report["summary"]["languages"]["all"]["recall@5"] == 1.0
    assert "| | Arabic questions | English questions | All |" in (run["root"] / "r.md").read_text(encoding="utf-8")
    assert (run["root"] / "r.png").read_bytes()[:4] == b"\x89PNG"


def test_a_tampered_quote_fails_the_offset_check(run: dict) -> None:
    report = json.loads((run["root"] / "r.json").read_text(encoding="utf-8"))
    records = report["records"]
    source = SourceTexts(run["corpus"])
    assert check_offsets(records, source) == []
    target = next(r for r in records if r["citations"] or r["retrieved"])
    item = (target["citations"] or target["retrieved"])[0]
    key = "quote" if "quote" in item else "text"
    item[key] = item[key][:-1] + "!"
    (problem,) = check_offsets(records, source)
    assert problem.startswith(f"{target['id']}: ")


def test_rerun_reuses_the_index_and_fail_under_exits_1(run: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*run["argv"], "--fail-under", "en.recall@5=0.5", "contains=1.01"])
    captured = capsys.readouterr()
    assert code == 1
    assert "FAIL all.contains=1.01: all.contains is" in captured.err
    assert "en.recall@5" not in captured.err
    report = json.loads((run["root"] / "r.json").read_text(encoding="utf-8"))
    assert report["config"]["index"]["unchanged"] == 2 and report["config"]["index"]["added"] == 0
    assert report["config"]["index"]["index_s"] >= 0
    assert re.search(r"index: \d+ passages from 2 documents, reused \(checked\) in \d+\.\d\d s", captured.out)
