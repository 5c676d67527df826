"""The `sanad` command through `assistant.cli.main`, with the index in a temporary folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.cli import EXIT_USER_ERROR, main
from assistant.sanad import sample_corpus_dir

SAMPLE = "abu-dhabi-talks.ar.txt"


@pytest.fixture
def index_dir(sanad_home: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SANAD_INDEX_DIR beside the session's other indexes (they share the dictionary cache)."""
    for key in list(os.environ):
        if key.startswith("SANAD_"):
            monkeypatch.delenv(key)
    path = sanad_home / f"cli-{request.node.name}"
    monkeypatch.setenv("SANAD_INDEX_DIR", str(path))
    monkeypatch.setenv("SANAD_PROGRESS", "0")
    return path


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    d = tmp_path / "articles"
    (d / "sub").mkdir(parents=True)
    (d / "good.txt").write_text(
        "وصلت القافلة إلى المدينة الساحلية صباح الأحد. وقال السائق إن الطريق كان آمنا.\n", encoding="utf-8"
    )
    (d / "sub" / "good.md").write_text(
        "# Harbour\n\nThe harbour crane lifted forty containers on Monday.\n", encoding="utf-8"
    )
    (d / "nul.txt").write_bytes(b"abc\x00\x01\x02")
    (d / "empty.md").write_bytes(b"")
    (d / "utf16.txt").write_bytes("نص".encode("utf-16"))
    (d / "cp1256.txt").write_bytes("نص عربي قديم".encode("cp1256"))
    (d / "picture.png").write_bytes(b"\x89PNG")
    return d


def test_index_add_reports_refusals_and_adds_the_rest(index_dir: Path, mixed_folder: Path, capsys) -> None:
    assert main(["index", "add", str(mixed_folder)]) == 0
    out, err = capsys.readouterr()
    refusals = [line for line in err.splitlines() if line.startswith("refused ")]
    assert len(refusals) == 4
    for name, reason in [
        ("nul.txt", "binary"),
        ("empty.md", "empty"),
        ("utf16.txt", "UTF-16"),
        ("cp1256.txt", "UTF-8"),
    ]:
        assert any(line.startswith(f"refused {name}: ") and reason in line for line in refusals)
    assert "picture.png" not in err
    assert "added 2, replaced 0, unchanged 0, refused 4" in out

    assert main(["index", "info"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["documents"] == 2 and info["passages"] >= 2
    assert info["index_dir"] == str(index_dir)

    # Adding the same folder again changes nothing.
    assert main(["index", "add", str(mixed_folder)]) == 0
    assert "added 0, replaced 0, unchanged 2" in capsys.readouterr().out


def test_index_dir_flag_overrides_the_environment(
    index_dir: Path, tmp_path: Path, mixed_folder: Path, capsys
) -> None:
    other = index_dir.parent / f"{index_dir.name}-flag"
    assert main(["index", "add", str(mixed_folder / "good.txt"), "--index-dir", str(other)]) == 0
    assert (other / "CURRENT").is_file()
    assert not index_dir.exists()


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "كم\x07طائرة؟", "x" * 2001])
def test_bad_question_exits_2_and_writes_nothing(index_dir: Path, question: str, capsys) -> None:
    assert main(["ask", question]) == EXIT_USER_ERROR
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("sanad: error: ")
    assert not index_dir.exists()


def test_bad_top_k_exits_2(index_dir: Path, capsys) -> None:
    assert main(["ask", "من يرأس الوفد؟", "--top-k", "0"]) == EXIT_USER_ERROR
    assert "--top-k" in capsys.readouterr().err
    assert not index_dir.exists()


def test_ask_json_on_a_fresh_machine_indexes_the_sample_first(index_dir: Path, capsys) -> None:
    assert main(["ask", "كم طائرة حربية دمرت منذ بداية الحرب؟", "--json", "--top-k", "3"]) == 0
    out, err = capsys.readouterr()
    answer = json.loads(out)
    assert "sample" in err  # says it indexed the built-in sample corpus
    assert answer["lang"] == "ar" and answer["abstained"] is False
    # The sample is three passages; two that overlap and both rank high come back as one hit.
    assert answer["citations"] and 2 <= len(answer["retrieved"]) <= 3
    source = (sample_corpus_dir() / SAMPLE).read_text(encoding="utf-8")
    for h in answer["retrieved"]:
        assert source[h["start"] : h["end"]] == h["text"]
    for c in answer["citations"]:
        assert c["doc_id"] == SAMPLE
        assert source[c["start"] : c["end"]] == c["quote"]
        assert f"[{c['n']}]" in answer["answer"]


def test_ask_plain_prints_answer_and_sources(index_dir: Path, capsys) -> None:
    assert main(["ask", "من يرأس الوفد الأوكراني للمفاوضات؟"]) == 0
    out = capsys.readouterr().out
    assert "[1]" in out and "المصادر:" in out
    assert f"[1] {SAMPLE} [" in out


def test_second_ask_does_not_reindex(index_dir: Path, capsys) -> None:
    assert main(["index", "sample"]) == 0
    generation = (index_dir / "CURRENT").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["ask", "ما هي نقطة الخلاف الرئيسية في المحادثات؟", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["citations"]
    assert "sample" not in err
    assert (index_dir / "CURRENT").read_text(encoding="utf-8") == generation


def test_missing_model_is_one_line_and_exit_2(index_dir: Path, tmp_path: Path, capsys) -> None:
    missing = tmp_path / "no-such-model"
    assert main(["ask", "من يرأس الوفد؟", "--model", str(missing)]) == EXIT_USER_ERROR
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(missing) in err
    assert not index_dir.exists()


def test_unknown_hub_model_is_one_line_and_exit_2(
    index_dir: Path, mixed_folder: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("SANAD_MODEL", "sanad-tests/not-a-real-model")
    assert main(["index", "add", str(mixed_folder)]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "sanad-tests/not-a-real-model" in err and "offline" in err


def test_index_built_with_another_model_is_refused_with_rebuild_hint(
    index_dir: Path, mixed_folder: Path, tiny_model_dir: Path, capsys
) -> None:
    assert main(["index", "add", str(mixed_folder / "good.txt"), "--model", str(tiny_model_dir)]) == 0
    capsys.readouterr()
    assert main(["ask", "من يرأس الوفد؟"]) == EXIT_USER_ERROR  # the default model is configured now
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "model=" in err and "sanad index rebuild" in err


def test_no_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_embed_backend_comes_from_the_environment_then_the_flag(index_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from assistant.cli import build_parser, settings_from_args

    assert settings_from_args(build_parser().parse_args(["ask", "q"])).embed_backend == "auto"
    monkeypatch.setenv("SANAD_EMBED_BACKEND", "torch")
    assert settings_from_args(build_parser().parse_args(["ask", "q"])).embed_backend == "torch"
    args = build_parser().parse_args(["ask", "q", "--embed-backend", "onnx-int8"])
    assert settings_from_args(args).embed_backend == "onnx-int8"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ask", "q", "--embed-backend", "fp8"])
    assert "invalid choice" in capsys.readouterr().err


# -- sanad chat: who may connect; sanad users: the logins ------------------------------------------
def sanad(*args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 60):
    """`python -m assistant ARGS` in a child process: a server that starts instead of refusing times out."""
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("SANAD_")}, **(env or {})},
    )


def test_chat_on_every_interface_without_login_is_refused_in_one_line(tmp_path: Path) -> None:
    proc = sanad("chat", "--host", "0.0.0.0", "--index-dir", str(tmp_path / "idx"),
                 env={"SANAD_USERS_FILE": str(tmp_path / "no-users")})  # fmt: skip
    assert proc.returncode == EXIT_USER_ERROR
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sanad: error: refusing to serve the chat on 0.0.0.0:7860")
    assert "--allow-anonymous" in lines[0] and "Traceback" not in proc.stderr
    assert not (tmp_path / "idx").exists()  # refused before anything was loaded or written


@pytest.mark.parametrize(("var", "missing"), [("SANAD_USERNAME", "SANAD_PASSWORD"), ("SANAD_PASSWORD", "SANAD_USERNAME")])
def test_chat_with_half_a_login_is_refused_naming_what_is_missing(tmp_path: Path, var: str, missing: str) -> None:
    proc = sanad("chat", "--index-dir", str(tmp_path / "idx"), env={var: "s3cret-value"})
    assert proc.returncode == EXIT_USER_ERROR
    assert proc.stderr.startswith(f"sanad: error: {missing} is not set") and "s3cret-value" not in proc.stderr


def test_allow_anonymous_starts_with_a_warning_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("SANAD_")}
    env["SANAD_USERS_FILE"] = str(tmp_path / "no-users")
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "chat", "--host", "0.0.0.0", "--allow-anonymous",
         "--port", "1", "--index-dir", str(tmp_path / "idx")],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    try:
        first = proc.stderr.readline()  # printed before the model loads; the port is never reached
    finally:
        proc.kill()
        proc.wait(30)
    assert first.startswith("warning: serving on 0.0.0.0:1 without a login: anyone")


def test_users_are_added_listed_and_removed_without_a_password_on_screen(tmp_path: Path) -> None:
    users = tmp_path / "users"
    env = {"SANAD_USERS_FILE": str(users)}
    added = sanad("users", "add", "alice", "--password-stdin", stdin="alice's long password\n", env=env)
    assert added.returncode == 0 and added.stdout.strip() == f"added alice in {users}"
    other = sanad("users", "add", "bob", "--password-stdin", "--users-file", str(users), stdin="bob pass word\n")
    assert other.returncode == 0
    changed = sanad("users", "add", "alice", "--password-stdin", stdin="a new long password\n", env=env)
    assert changed.stdout.strip() == f"changed the password of alice in {users}"
    listed = sanad("users", "list", env=env)
    assert listed.stdout.split() == ["alice", "bob"]
    short = sanad("users", "add", "carol", "--password-stdin", stdin="short\n", env=env)
    assert short.returncode == EXIT_USER_ERROR and "at least 8" in short.stderr
    no_tty = sanad("users", "add", "dave", env=env)
    assert no_tty.returncode == EXIT_USER_ERROR and "--password-stdin" in no_tty.stderr
    removed = sanad("users", "remove", "bob", env=env)
    assert removed.returncode == 0 and sanad("users", "list", env=env).stdout.split() == ["alice"]
    everything = "".join(p.stdout + p.stderr for p in (added, other, changed, listed, short, no_tty, removed))
    for secret in ("alice's long password", "bob pass word", "a new long password", "short"):
        assert secret not in everything and secret not in users.read_text(encoding="utf-8")


# -- a news archive: records with metadata, filters, sources ------------------------------------------
def test_news_records_import_with_a_field_map_and_answers_show_their_sources(index_dir: Path, news_corpus: Path, capsys) -> None:
    assert main(["index", "add", str(news_corpus), "--field", "date=date_extracted"]) == 0
    assert "added 8" in capsys.readouterr().out
    question = "كم سريرا في مستشفى النخيل الجديد؟"
    assert main(["ask", question, "--json", "--source", "okaz"]) == 0
    d = json.loads(capsys.readouterr().out)
    [c] = d["citations"]
    assert (c["source"], c["date"], c["url"]) == ("okaz", "2015-07-11T02:10:00", "https://news.example/okaz/1")
    assert {r["source"] for r in d["retrieved"]} == {"okaz"}
    assert [a["source"] for a in c["also_published_by"]] == ["spa", "alriyadh"]
    assert main(["ask", question, "--since", "2015-07-12", "--until", "2015-07-31"]) == 0
    out = capsys.readouterr().out
    assert "[1] alriyadh · 2015-07-12 · الصحة تفتتح مستشفى النخيل" in out
    assert "https://news.example/riyadh/1" in out and "also published by: spa · 2015-07-10" in out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--since", "last week"], "--since: unreadable date 'last week'; write it as YYYY-MM-DD"),
        (["--since", "2015-08-01", "--until", "2015-07-01"], "is after --until"),
        (["--source", "reuters"], "no indexed article is from reuters; the outlets are: almadina, alriyadh"),
    ],
)
def test_bad_filters_are_refused_in_one_line(index_dir: Path, news_corpus: Path, flags, message, capsys) -> None:
    assert main(["index", "add", str(news_corpus), "--field", "date=date_extracted"]) == 0
    capsys.readouterr()
    assert main(["ask", "ما الخبر؟", *flags]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_bad_field_flag_is_refused_before_anything_is_read(index_dir: Path, news_corpus: Path, capsys) -> None:
    assert main(["index", "add", str(news_corpus), "--field", "author=writer"]) == EXIT_USER_ERROR
    assert "the fields are id, title, text, date, source, url" in capsys.readouterr().err
    assert not index_dir.exists()


def test_rebuild_keeps_metadata_and_duplicate_groups(index_dir: Path, news_corpus: Path, capsys) -> None:
    assert main(["index", "add", str(news_corpus), "--field", "date=date_extracted"]) == 0
    assert main(["index", "info"]) == 0
    capsys.readouterr()
    assert main(["index", "rebuild"]) == 0
    assert main(["index", "info"]) == 0
    info = json.loads(capsys.readouterr().out.split("\n", 1)[1])  # after rebuild's one-line report
    assert (info["documents"], info["outlets"], info["duplicate_groups"], info["documents_in_duplicate_groups"]) == (8, 7, 1, 3)
    assert (info["first_date"], info["last_date"]) == ("2015-07-01", "2015-07-25")
    assert main(["ask", "كم سريرا في مستشفى النخيل الجديد؟", "--json"]) == 0
    c = json.loads(capsys.readouterr().out)["citations"][0]
    assert c["source"] == "spa" and len(c["also_published_by"]) == 2
