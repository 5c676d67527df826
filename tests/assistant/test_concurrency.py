"""Many questions at once while articles are being indexed, and two writer processes on one index.

Readers take one index snapshot per question, so a question asked while an upload is indexing is
answered entirely from the old index or entirely from the new one: its answer must equal what a
single-threaded `ask` gives on one of the two. Writers are serialized across processes by the
store's file lock: a second writer waits (or, with a timeout, fails with IndexLockedError), and
no write is lost. (Two questions at once on an unchanging index: test_sanad.py.)
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.sanad import Sanad, sample_corpus_dir
from index.errors import IndexLockedError
from index.store import IndexStore

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = [
    "كم طائرة حربية دمرت منذ بداية الحرب؟",
    "من يرأس الوفد الأوكراني للمفاوضات؟",
    "كم جنديا أوكرانيا قتلوا منذ بدء الحرب؟",
    "Who leads the Ukrainian delegation in the talks?",
    "How many warplanes were destroyed?",
    "كيف أطبخ الكسكس بالخضار في المنزل؟",
    "Which bridge did the coastal town open?",  # answered only once the upload is in
    "كم مترا يبلغ طول الجسر الجديد؟",
]


def signature(answer) -> tuple:
    """What must not cross between questions: the answer text and every citation."""
    return (
        answer.text,
        answer.abstained,
        tuple(tuple(sorted(c.to_dict().items())) for c in answer.citations),
    )


def upload_folder(root: Path, n: int = 12) -> Path:
    root.mkdir(parents=True)
    (root / "bridge.txt").write_text(
        "افتتحت البلدة الساحلية جسرا جديدا فوق النهر يوم الأحد. وبلغ طول الجسر 870 مترا.\n"
        "The coastal town opened a new bridge over the river on Sunday; it is 870 metres long.\n",
        encoding="utf-8",
    )
    rng = random.Random(1)
    topics = ["orchard", "ferry", "library", "stadium", "bakery", "museum", "harbour", "tram"]
    for i in range(n):
        t = rng.choice(topics)
        body = " ".join(
            f"The {t} committee met for session {i}.{j} and reviewed the {rng.choice(topics)} budget."
            for j in range(12)
        )
        (root / f"note-{i:02d}.md").write_text(f"# Note {i}\n\n{body}\n", encoding="utf-8")
    return root


@pytest.fixture
def fresh_sample(sanad_home: Path, request: pytest.FixtureRequest) -> Sanad:
    sanad = Sanad(
        Settings.from_env(environ={}, index_dir=sanad_home / f"conc-{request.node.name}", progress=False)
    )
    sanad.add_paths([sample_corpus_dir()])
    return sanad


def test_questions_during_an_upload_get_their_own_old_or_new_answers(
    fresh_sample: Sanad, tmp_path: Path
) -> None:
    sanad = fresh_sample
    uploads = upload_folder(tmp_path / "uploads")
    before = {q: signature(sanad.ask(q)) for q in QUESTIONS}
    results: list[tuple[str, object, float, float]] = []
    errors: list[BaseException] = []
    done = threading.Event()
    window: dict[str, float] = {}

    def add() -> None:
        try:
            window["start"] = time.monotonic()
            sanad.add_paths([uploads])
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread
            errors.append(e)
        finally:
            window["end"] = time.monotonic()
            done.set()

    def asker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(2000):
                q = rng.choice(QUESTIONS)
                t0 = time.monotonic()
                answer = sanad.ask(q)
                results.append((q, answer, t0, time.monotonic()))
                if done.is_set():
                    break
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
            done.set()

    threads = [threading.Thread(target=asker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    while len(results) < 8 and not errors:  # questions are already flowing when the upload starts
        time.sleep(0.01)
    writer = threading.Thread(target=add)
    writer.start()
    writer.join(300)
    for t in threads:
        t.join(300)
    assert not errors, errors
    assert sanad.snapshot().index.doc_index("bridge.txt") is not None
    after = {q: signature(sanad.ask(q)) for q in QUESTIONS}
    print(f"{len(results)} answers; {sum(before[q] != after[q] for q in QUESTIONS)} questions changed")  # noqa: T201

    index = sanad.snapshot().index
    during = 0
    for q, answer, t0, t1 in results:
        assert answer.question == q  # not someone else's question
        assert signature(answer) in (before[q], after[q]), f"crossed or mixed answer for {q!r}"
        for c in answer.citations:
            assert index.document_text(c.doc_id)[c.start : c.end] == c.quote
        during += t0 < window["end"] and t1 > window["start"]  # in flight while the upload ran
    assert during > 0, "no question was in flight while the upload was indexing"


# -- writers in two processes ---------------------------------------------------------------------------
_HOLD_LOCK = r"""
import sys, time
from index.store import IndexStore
with IndexStore(sys.argv[1]).write_lock(timeout=30):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
print("released", flush=True)
"""

_WRITER = r"""
import sys, time
from assistant.config import Settings
from assistant.sanad import Sanad
sanad = Sanad(Settings.from_env(environ={}, index_dir=sys.argv[1], progress=False))
sanad.build_options()  # model and dictionary loaded before the race starts
print("ready", flush=True)
sys.stdin.readline()  # both writers start on the same signal
print("start", time.monotonic(), flush=True)
report = sanad.add_paths([sys.argv[2]])
print("end", time.monotonic(), ",".join(sorted(report.added)), flush=True)
"""


def spawn(script: str, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANAD_")}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )


def test_a_second_writer_process_fails_clearly_or_waits_and_readers_go_on(
    fresh_sample: Sanad, tmp_path: Path
) -> None:
    sanad = fresh_sample
    article = tmp_path / "late.txt"
    article.write_text("The night ferry to the island was renamed Evening Star in March.\n", encoding="utf-8")
    sanad.ask("كم طائرة حربية دمرت؟")  # the reader's graph loads once, before the clock starts
    hold = 6.0
    holder = spawn(_HOLD_LOCK, str(sanad.store.root), str(hold))
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        # With a timeout, a writer gives up with a message that says what is going on.
        with (
            pytest.raises(IndexLockedError, match="another process is writing"),
            IndexStore(sanad.store.root).write_lock(timeout=0.3),
        ):
            pass
        # Questions are not blocked by the writer.
        assert sanad.ask("كم طائرة حربية دمرت منذ بداية الحرب؟").text
        assert time.monotonic() - t0 < hold - 0.5, "the question waited for the writer's lock"
        # Without one (Sanad.add_paths), it waits for the lock and then writes.
        report = sanad.add_paths([article])
        waited = time.monotonic() - t0
        assert report.added == ["late.txt"]
        assert waited >= hold - 0.5, f"the second writer did not wait ({waited:.2f} s)"
        assert holder.wait(30) == 0 and holder.stdout.read().strip() == "released"
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(30)
        holder.stdout.close()
        holder.stderr.close()
    assert sanad.snapshot().index.doc_index("late.txt") is not None


def test_two_writer_processes_are_serialized_and_no_write_is_lost(sanad_home: Path, tmp_path: Path) -> None:
    root = sanad_home / "two-writers"
    Sanad(Settings.from_env(environ={}, index_dir=root, progress=False)).add_paths([sample_corpus_dir()])
    first, second = upload_folder(tmp_path / "first", n=6), tmp_path / "second"
    second.mkdir()
    for i in range(6):
        (second / f"second-{i}.txt").write_text(
            f"The second writer's article {i} is about the tram line extension to district {i}.\n",
            encoding="utf-8",
        )
    procs = [spawn(_WRITER, str(root), str(first)), spawn(_WRITER, str(root), str(second))]
    for p in procs:
        line = p.stdout.readline()
        assert line.strip() == "ready", p.stderr.read()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        outputs.append(dict((line.split(" ", 1)[0], line.split(" ", 2)[1:]) for line in out.splitlines()))
    (s1,), (s2,) = outputs[0]["start"], outputs[1]["start"]
    e1, e2 = float(outputs[0]["end"][0]), float(outputs[1]["end"][0])
    assert float(s1) < e2 and float(s2) < e1, "the writers did not overlap; the race was not tested"
    index = Sanad(Settings.from_env(environ={}, index_dir=root, progress=False)).snapshot().index
    ids = {d.doc_id for d in index.documents}
    assert {f"second-{i}.txt" for i in range(6)} <= ids  # neither writer's work was lost
    assert {"bridge.txt"} | {f"note-{i:02d}.md" for i in range(6)} <= ids
    assert "abu-dhabi-talks.ar.txt" in ids
