from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from eval.cli import Threshold, build_parser, failed_thresholds, main, parse_threshold


def test_parse_threshold() -> None:
    assert parse_threshold("f1=0.45") == Threshold("all", "f1", 0.45)
    assert parse_threshold("ar.contains=0.9") == Threshold("ar", "contains", 0.9)
    assert parse_threshold("en.recall@5=1") == Threshold("en", "recall@5", 1.0)
    for bad in ("f1", "f2=0.4", "fr.f1=0.4", "f1=high", "latency_p50_ms=100"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_threshold(bad)


def test_fail_under_takes_several_values() -> None:
    args = build_parser().parse_args(
        ["--corpus", "d", "--questions", "q", "--report", "r", "--fail-under", "f1=0.4", "ar.em=0.1",
         "--fail-under", "contains=0.9"]  # fmt: skip
    )
    assert [str(t) for t in args.fail_under] == ["all.f1=0.4", "ar.em=0.1", "all.contains=0.9"]


def test_failed_thresholds() -> None:
    groups = {"all": {"f1": 0.5, "contains": 0.95, "abstention_f1": None}, "ar": {"f1": 0.3}}
    lines = failed_thresholds(
        groups, [Threshold("all", "f1", 0.45), Threshold("ar", "f1", 0.45), Threshold("all", "abstention_f1", 0.8),
                 Threshold("en", "f1", 0.1)]  # fmt: skip
    )
    assert lines == [
        "FAIL ar.f1=0.45: ar.f1 is 0.3000, below 0.45",
        "FAIL all.abstention_f1=0.8: all.abstention_f1 could not be computed (no questions it applies to)",
        "FAIL en.f1=0.1: en.f1 could not be computed (no questions it applies to)",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--report", "r.json"], "give --corpus DIR and --questions"),
        (["--report", "r.json", "--corpus", "nowhere", "--questions", "q.jsonl"], "no such folder"),
        (["--report", "r.json", "--squad", "missing.json"], "no such file"),
        (["--report", "r.json", "--squad-questions", "x.json", "--corpus", ".", "--questions", "q"], "needs --squad"),
        (["--report", "r.json", "--fail-under", "nonsense"], "expected [LANG.]METRIC=VALUE"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_no_valid_question_exits_2_and_lists_the_bad_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "q.jsonl").write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    code = main(["--corpus", str(tmp_path / "docs"), "--questions", str(tmp_path / "q.jsonl"),
                 "--report", str(tmp_path / "r.json")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "q.jsonl:1: 'id' must be a non-empty string" in err and "q.jsonl:2: not valid JSON" in err
    assert "no valid questions" in err
    assert not (tmp_path / "r.json").exists()


def test_broken_squad_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "s.json").write_text("[]", encoding="utf-8")
    assert main(["--squad", str(tmp_path / "s.json"), "--report", str(tmp_path / "r.json")]) == 2
    assert "not a SQuAD file" in capsys.readouterr().err


def test_squad_articles_keeps_the_questions_of_those_articles_only() -> None:
    import argparse

    from eval.cli import article_range, squad_articles
    from eval.squad import Paragraph

    assert article_range("12:") == (12, None) and article_range("0:12") == (0, 12) and article_range(":3") == (None, 3)
    with pytest.raises(argparse.ArgumentTypeError):
        article_range("12")
    paras = [Paragraph(f"{a}/{i:03d}.txt", "x") for a in ("b", "a", "c") for i in range(2)]
    assert squad_articles(paras) == ["b", "a", "c"]  # file order, not sorted
    assert squad_articles(paras)[slice(*article_range("1:"))] == ["a", "c"]
