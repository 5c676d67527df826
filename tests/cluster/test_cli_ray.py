"""`sanad index add --engine ray` and `sanad ask --engine ray --json` give what the local commands
give on the same articles; without `--engine ray`, Ray is never imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.cli import main
from tests.cluster.conftest import write_articles

REPO = Path(__file__).resolve().parents[2]
QUESTION = "How many people came to the river report?"


def test_index_and_ask_through_ray_answer_as_the_local_commands(
    ray_local, sanad_home: Path, tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    corpus = write_articles(tmp_path / "news", n=12, seed=3)
    common = ["--model", str(tiny_model_dir), "--no-progress"]
    one, shards = sanad_home / "cli-one", sanad_home / "cli-shards"
    assert main(["index", "add", str(corpus), "--index-dir", str(one), *common]) == 0
    assert main(["index", "add", str(corpus), "--index-dir", str(shards), "--engine", "ray", "--shards", "2", *common]) == 0
    out = capsys.readouterr().out
    assert "Added 15" in out or "added 15" in out, out
    answers = []
    for extra in ([], ["--engine", "ray"]):
        index = shards if extra else one
        assert main(["ask", QUESTION, "--json", "--index-dir", str(index), *common, *extra]) == 0
        answer = json.loads(capsys.readouterr().out)
        answer.pop("latency_ms")
        answers.append(answer)
    assert answers[0]["citations"] and answers[0] == answers[1]
    assert main(["index", "info", "--index-dir", str(shards), "--engine", "ray", *common]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["shards"] == 2 and sum(info["shard_documents"]) == 15


def test_shards_and_workers_flags_need_the_ray_engine(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["index", "add", str(tmp_path), "--shards", "2", "--index-dir", str(tmp_path / "i")]) == 2
    assert "--engine ray" in capsys.readouterr().err


def test_the_local_engine_never_imports_ray(tmp_path: Path, tiny_model_dir: Path) -> None:
    script = (
        "import sys\n"
        "from assistant.cli import main\n"
        f"rc = main(['index', 'add', {str(REPO / 'assistant' / 'data' / 'sample')!r}, '--index-dir', {str(tmp_path / 'i')!r},"
        f" '--model', {str(tiny_model_dir)!r}, '--no-progress'])\n"
        "assert rc == 0, rc\n"
        "assert 'ray' not in sys.modules, 'ray was imported'\n"
        "print('no ray')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "no ray" in done.stdout, done.stderr[-2000:]
