"""The load script's own checks: what counts as crossed, wrong or an error, and its guard rails."""

from __future__ import annotations

import pytest

from eval.load import build_parser, check_args, classify, main, normalize_html, outcomes_from, summarize
from ui.render import render_error, render_question

Q1, Q2 = "Who leads the delegation?", "كم طائرة حربية دمرت؟"
A1 = '<div class="sanad-answer"><a href="#sanad-0123abcd-src-1">1</a> one</div>'
A2 = '<div class="sanad-answer"><a href="#sanad-89abcdef-src-1">1</a> two</div>'
EXPECTED = {Q1: {normalize_html(A1)}, Q2: {normalize_html(A2)}}


def test_anchor_keys_do_not_count_as_a_difference() -> None:
    assert normalize_html(A1) == normalize_html(A1.replace("0123abcd", "ffffffff"))
    assert normalize_html(A1) != normalize_html(A2)


def test_classify() -> None:
    ok = classify(Q1, render_question(Q1), normalize_html(A1.replace("0123abcd", "deadbeef")), EXPECTED)
    assert ok == ("ok", "")
    assert classify(Q1, render_question(Q1), normalize_html(A2), EXPECTED)[0] == "crossed"
    assert classify(Q1, render_question(Q2), normalize_html(A1), EXPECTED)[0] == "crossed"
    assert classify(Q1, render_question(Q1), "<div>something else</div>", EXPECTED)[0] == "wrong"
    assert classify(Q1, render_question(Q1), render_error("boom", "en"), EXPECTED)[0] == "error"


def test_with_an_upload_the_window_decides_which_answer_is_right() -> None:
    before, after = {Q1: normalize_html(A1), Q2: "x"}, {Q1: normalize_html(A2), Q2: "x"}
    user = render_question(Q1)
    rows = [
        (Q1, user, before[Q1], 0.0, 500.0, ""),  # ended before the upload: the old answer
        (Q1, user, after[Q1], 0.0, 500.0, ""),  # ... so the new one is wrong here
        (Q1, user, before[Q1], 9.0, 2000.0, ""),  # overlapped it: either
        (Q1, user, after[Q1], 9.0, 2000.0, ""),
        (Q1, user, after[Q1], 20.0, 100.0, ""),  # started after it: the new answer only
        (Q1, user, before[Q1], 20.0, 100.0, ""),
        (Q1, "", "", 20.0, 100.0, "ReadTimeout: timed out"),
    ]
    kinds = [o.kind for o in outcomes_from(rows, before, after, (10.0, 15.0))]
    assert kinds == ["ok", "wrong", "ok", "ok", "ok", "wrong", "error"]
    summary = summarize(outcomes_from(rows, before, after, (10.0, 15.0)), clients=2, seconds=10)
    assert (summary["requests"], summary["served"], summary["errors"], summary["wrong"]) == (7, 6, 1, 2)


@pytest.mark.parametrize(
    "argv",
    [
        ["--url", "http://example.com:7860/"],
        ["--url", "http://10.0.0.5:7860/"],
        ["--clients", "0"],
        ["--clients", "5000"],
        ["--seconds", "0"],
        ["--url", "http://127.0.0.1:7860/", "--upload", "a.txt"],
        ["--upload", "a.pdf"],
    ],
)
def test_refuses_what_it_should_not_do(argv: list[str]) -> None:
    parser = build_parser()
    with pytest.raises(SystemExit) as exc:
        check_args(parser, parser.parse_args(argv))
    assert exc.value.code == 2


@pytest.mark.slow
def test_a_short_real_run_is_clean(tmp_path, capsys) -> None:
    article = tmp_path / "ferry.md"
    article.write_text(
        "# Ferry\n\nThe night ferry now leaves at 23:40 from the old quay.\n", encoding="utf-8"
    )
    code = main(
        ["--clients", "3", "--seconds", "6", "--upload", str(article), "--json", str(tmp_path / "r.json")]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 errors, 0 crossed answers, 0 wrong answers" in out
    assert "Indexed" in out
