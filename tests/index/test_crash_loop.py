"""SIGKILL at random moments while `sanad index add` runs, 20 times, checking the index after each.

test_store.py kills a process that saves synthetic generations through `IndexStore` directly;
this one kills the real path: the `sanad index add` command (assistant.cli.main -> Sanad.add_paths
-> builder -> store) adding batches of articles, one of which replaces a document every time.
Half of the kills land at any moment of the run, half at a random moment inside the writing of a
generation. After every kill a fresh Sanad must load the index, answer, and hold exactly the
state after some whole batch: every document, passage, lexical row and vector from that one
state, compared with a reference index built by the same code without kills.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from assistant.answer import Answer
from assistant.config import Settings
from assistant.sanad import Sanad
from index.builder import FIELDS

pytestmark = pytest.mark.slow

KILLS = 20
BATCHES = 100
PER_RUN = BATCHES // KILLS  # each killed run gets at most this many batches, so some are always left
WINDOW = 2.0  # seconds after the child is ready in which the kill lands, uniformly (an add takes ~0.5 s)
MAX_WINDOW = 16.0
SAVE_WINDOW = 0.012  # writing one generation of this index takes ~10 ms
REPO = Path(__file__).resolve().parents[2]

_CHILD = r"""
import sys
import time
from assistant.cli import main
from assistant.sanad import Sanad  # the heavy imports happen before "ready"

root, batches = sys.argv[1], sys.argv[2:]
print("ready", flush=True)
for b in batches:
    code = main(["index", "add", b, "--index-dir", root, "--no-progress"])
    print("batch-done", b, code, flush=True)
print("all-done", flush=True)
time.sleep(3600)  # a kill that comes late still finds the process alive
"""


def code_word(k: int) -> str:
    """A made-up word that only batch k's articles contain."""
    rng = random.Random(k)
    return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(4))


def living_text(k: int) -> str:
    return (
        f"# Living document\n\nThis is version {k} of the living document, rewritten by batch {k}. "
        f"Its keyword for this version is {code_word(k)}. "
        + "It grows with every batch. " * (k % 7 + 1)
        + "\n"
    )


def make_batches(root: Path) -> list[Path]:
    """Batch k: two new articles (Arabic and English) and a new version of living.md."""
    out = []
    for k in range(BATCHES):
        d = root / f"batch-{k:02d}"
        d.mkdir(parents=True)
        w = code_word(k)
        (d / f"b{k:02d}-ar.txt").write_text(
            f"أعلنت البلدية رقم {k} افتتاح سوق جديدة للمزارعين يوم الجمعة. وسميت السوق {w} تيمنا بالنهر.\n"
            f"وقال المسؤول إن {k + 10} متجرا ستفتح أبوابها في الأسبوع الأول.\n",
            encoding="utf-8",
        )
        (d / f"b{k:02d}-en.md").write_text(
            f"# Market {k}\n\nThe council opened market number {k}, called {w}, on Friday. "
            f"Officials said {k + 10} stalls would open in the first week.\n",
            encoding="utf-8",
        )
        (d / "living.md").write_text(living_text(k), encoding="utf-8")
        out.append(d)
    return out


def row_terms(index, field: str, row: int) -> Counter:
    lx = index.lexical[field]
    inverse = {col: term for term, col in lx.vocab.items()}
    r = lx.counts.getrow(row)
    return Counter({inverse[int(c)]: float(v) for c, v in zip(r.indices, r.data, strict=True)})


def passage_records(index) -> dict[tuple, tuple]:
    """(doc_id, start, end, text) -> (vector, lexical terms per field) for every passage row."""
    out = {}
    for i in range(index.n_passages):
        p = index.passage(i)
        out[(p.doc_id, p.start, p.end, p.text)] = (
            index.dense.vectors[i].copy(),
            {f: row_terms(index, f, i) for f in FIELDS if f in index.lexical},
        )
    return out


def settings_for(root: Path) -> Settings:
    return Settings.from_env(environ={}, index_dir=root, progress=False)


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return make_batches(tmp_path_factory.mktemp("crash-batches"))


@pytest.fixture(scope="module")
def reference(sanad_home: Path, batches: list[Path]) -> dict:
    """Every passage that any whole batch state can hold, built by the same code with no kills."""
    sanad = Sanad(settings_for(sanad_home / "crash-reference"))
    records: dict[tuple, tuple] = {}
    per_doc: dict[tuple[str, str], set] = {}
    for b in batches:
        sanad.add_paths([b])
        index = sanad.store.load(sanad.expected())  # the stored copy keeps its term counts
        records |= passage_records(index)
        for i in range(index.n_passages):
            p = index.passage(i)
            per_doc.setdefault((p.doc_id, index.document_text(p.doc_id)), set()).add((p.start, p.end))
    return {"records": records, "per_doc": per_doc}


def check_whole_state(root: Path, reference: dict) -> int:
    """Load as a new reader would; return k when the index is exactly 'after batch k' (-1: empty)."""
    sanad = Sanad(settings_for(root))
    if not sanad.has_index():
        return -1
    index = sanad.store.load(sanad.expected())  # checksums, counts and compatibility are verified here
    ids = {d.doc_id for d in index.documents}
    present = sorted({int(i[1:3]) for i in ids if i.startswith("b")})
    last = present[-1] if present else -1
    assert present == list(range(last + 1)), f"batches present: {present}"
    assert ids == {f"b{k:02d}-{s}" for k in present for s in ("ar.txt", "en.md")} | {"living.md"}
    for k in present:
        assert code_word(k) in index.document_text(f"b{k:02d}-ar.txt")
    assert index.document_text("living.md") == living_text(last)  # the replaced document: one version
    # Every passage row belongs to that state: offsets, vector and lexical rows as built without kills.
    assert index.n_passages == index.dense.n_rows
    assert all(lx.n_rows == index.n_passages for lx in index.lexical.values())
    rows_of: dict[str, set] = {}
    for i in range(index.n_passages):
        p = index.passage(i)
        key = (p.doc_id, p.start, p.end, p.text)
        assert key in reference["records"], f"passage {key[:3]} was never built by a whole batch"
        vector, terms = reference["records"][key]
        np.testing.assert_allclose(index.dense.vectors[i], vector, atol=1e-4)
        for field, expected in terms.items():
            assert row_terms(index, field, i) == expected, (key[:3], field)
        rows_of.setdefault(p.doc_id, set()).add((p.start, p.end))
    for d in index.documents:
        assert rows_of[d.doc_id] == reference["per_doc"][(d.doc_id, index.document_text(d.doc_id))]
    # It answers, citing exact text, and the newest batch is found by its word.
    answer = sanad.ask(f"What is the market called {code_word(last)}?")
    assert isinstance(answer, Answer)
    for c in answer.citations:
        assert index.document_text(c.doc_id)[c.start : c.end] == c.quote
    assert sanad.retrieve(code_word(last), top_k=1)[0].doc_id.startswith((f"b{last:02d}-", "living"))
    with sanad.store.write_lock(timeout=5):  # the killed writer's lock died with it
        pass
    return last


def wait_for_a_write(root: Path, timeout: float = 20.0) -> None:
    """Return as soon as a generation is being written (its temporary folder exists)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if root.is_dir() and any(p.name.startswith(".tmp-") for p in root.iterdir()):
            return
        time.sleep(0.001)


def run_child(root: Path, batches: list[Path], kill_after: float | None, in_write: bool = False) -> list[str]:
    """Run the child; SIGKILL it `kill_after` seconds after it is ready (or after a write starts)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANAD_")}
    env["PYTHONPATH"] = str(REPO)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(root), *map(str, batches)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.strip() == "ready", child.stderr.read() if child.stderr else ""
        if kill_after is None:  # run to the end: read until the child says it is done
            lines = []
            deadline = time.monotonic() + 600
            for line in child.stdout:
                lines.append(line.rstrip("\n"))
                if line.strip() == "all-done" or time.monotonic() > deadline:
                    break
            assert lines and lines[-1] == "all-done", child.stderr.read() if child.stderr else lines
            child.send_signal(signal.SIGKILL)
            child.communicate(timeout=60)
            return lines
        if in_write:
            wait_for_a_write(root)
        time.sleep(kill_after)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
    assert child.returncode == -signal.SIGKILL
    return out.splitlines()


def half_written(root: Path) -> bool:
    """A kill landed inside `IndexStore.save`: a temporary folder, or a generation CURRENT skips."""
    if not root.is_dir():
        return False
    names = [p.name for p in root.iterdir()]
    gens = sorted(n for n in names if n.startswith("gen-"))
    current = (root / "CURRENT").read_text(encoding="utf-8") if "CURRENT" in names else ""
    return any(n.startswith(".tmp-") for n in names) or bool(gens and gens[-1] not in current)


def test_twenty_sigkills_during_sanad_index_add(
    sanad_home: Path, batches: list[Path], reference: dict
) -> None:
    root = sanad_home / "crash-loop"
    rng = random.Random(20)
    states, interrupted = [], 0
    state = -1
    window = WINDOW  # grows on a slow machine until kills land after some adds have finished
    for kill in range(KILLS):
        # Re-adding older batches would rewind living.md on purpose, so each run starts after the state.
        todo = batches[state + 1 : state + 1 + PER_RUN]
        assert todo, "all batches went in before the last kill; raise BATCHES"
        # Even kills: any moment of the run. Odd kills: a random moment of the next write.
        in_write = kill % 2 == 1
        lines = run_child(root, todo, rng.uniform(0.0, SAVE_WINDOW if in_write else window), in_write)
        interrupted += half_written(root)
        state = check_whole_state(root, reference)
        added = [line for line in lines if line.startswith("batch-done ")]
        assert all(line.endswith(" 0") for line in added), added  # every finished add succeeded
        finished = [int(line.split()[1].rsplit("-", 1)[1]) for line in added]
        before = states[-1] if states else -1
        # Every add that reported success is durable; at most the one in flight may also be in.
        assert max(finished, default=before) <= state <= max(finished, default=before) + 1
        if not in_write and states and state == states[-1]:
            window = min(window * 2, MAX_WINDOW)
        states.append(state)
    print(f"states after each kill: {states}; kills inside a write: {interrupted}")  # noqa: T201
    assert states == sorted(states)  # never back to an older state
    # The kills landed at different moments of the work (how far apart depends on the machine's speed).
    assert len(set(states)) >= 2
    assert interrupted >= 3  # and several of them in the middle of writing a generation
    # Whatever the kills left behind, a full run finishes the job and cleans up.
    run_child(root, batches[state + 1 :], kill_after=None)
    assert check_whole_state(root, reference) == BATCHES - 1
    assert not [p for p in root.iterdir() if p.name.startswith(".tmp-")]
