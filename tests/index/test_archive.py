"""The SQLite article archive: schema, one transaction per group, crash safety, the older layout."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.archive import ARCHIVE_FILE, Archive
from index.builder import BuildOptions, add_documents, add_in_batches
from index.documents import Document, make_document
from index.errors import IndexMismatchError
from index.store import IndexStore

REPO = Path(__file__).resolve().parents[2]
OPTS = BuildOptions(model="fake", dim=8, languages=["en"], bridge="direct", passage_words=12, passage_overlap=1)


def fake_embed(texts: list[str], progress=None) -> np.ndarray:
    """Deterministic unit vectors from the text: enough for the archive's tests, no model needed."""
    out = np.zeros((len(texts), 8), np.float32)
    for i, t in enumerate(texts):
        out[i, sum(map(ord, t)) % 8] = 1.0
    return out


def article(i: int, source: str = "okaz", day: int = 1) -> Document:
    text = " ".join(f"Story {i} sentence {j} about harbour number {i * 7 + j}." for j in range(6))
    return make_document(f"a{i:03d}.txt", text, title=f"Title {i}", source=source, date=f"2015-07-{day:02d}", url=f"https://x/{i}")


def connect(store: IndexStore) -> sqlite3.Connection:
    return sqlite3.connect(store.root / store.current() / ARCHIVE_FILE)


def test_schema_wal_foreign_keys_and_indexes(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "idx")
    data, _ = add_documents(None, [article(1), article(2, "aawsat", 3)], OPTS, fake_embed)
    store.save(data)
    conn = connect(store)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    indexes = {r[1] for r in conn.execute("PRAGMA index_list(documents)")}
    assert {"documents_date", "documents_source"} <= indexes
    rows = conn.execute("SELECT doc_id, title, source, date, url FROM documents ORDER BY id").fetchall()
    assert rows == [
        ("a001.txt", "Title 1", "okaz", "2015-07-01", "https://x/1"),
        ("a002.txt", "Title 2", "aawsat", "2015-07-03", "https://x/2"),
    ]
    conn.execute("PRAGMA foreign_keys=ON")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO passages (id, doc, start_char, end_char) VALUES (999, 12345, 0, 5)")
    conn.close()
    assert not [p for p in (store.root / store.current()).iterdir() if p.name.endswith(("-wal", "-shm"))]


def test_metadata_and_texts_round_trip_and_texts_are_read_on_demand(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "idx")
    docs = [article(i) for i in range(3)]
    data, _ = add_documents(None, docs, OPTS, fake_embed)
    store.save(data)
    loaded = store.load()
    assert all(d.text is None for d in loaded.documents)  # not held in memory
    for d in docs:
        rec = loaded.record(d.doc_id)
        assert (rec.title, rec.source, rec.date, rec.url, rec.sha256) == (d.title, d.source, d.date, d.url, d.sha256)
        assert loaded.document_text(d.doc_id) == d.text
    for i in range(loaded.n_passages):
        p = loaded.passage(i)
        assert loaded.document_text(p.doc_id)[p.start : p.end] == p.text


def test_replacing_a_document_drops_its_passages_and_keeps_rows_aligned(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "idx")
    data, _ = add_documents(None, [article(i) for i in range(4)], OPTS, fake_embed)
    store.save(data)
    before = store.load()
    kept_rows = [i for i in range(before.n_passages) if before.passage(i).doc_id != "a001.txt"]
    changed = make_document("a001.txt", "A rewritten story. It is short now.", source="okaz", date="2015-07-09")
    data, report = add_documents(before, [changed], OPTS, fake_embed)
    assert report.replaced == ["a001.txt"]
    store.save(data)
    loaded = store.load()
    assert [d.doc_id for d in loaded.documents] == ["a000.txt", "a002.txt", "a003.txt", "a001.txt"]
    assert loaded.document_text("a001.txt") == changed.text and loaded.record("a001.txt").date == "2015-07-09"
    conn = connect(store)
    (n,) = conn.execute("SELECT count(*) FROM passages").fetchone()
    assert n == loaded.n_passages == loaded.dense.n_rows == loaded.lexical["text"].n_rows
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    # The kept passages are the first rows, in their old order, with their old vectors and texts.
    np.testing.assert_array_equal(loaded.dense.vectors[: len(kept_rows)], before.dense.vectors[kept_rows])
    assert [loaded.passage(i).text for i in range(len(kept_rows))] == [before.passage(i).text for i in kept_rows]


def test_a_failure_inside_the_transaction_publishes_nothing(tmp_path: Path, monkeypatch) -> None:
    import index.archive as archive

    store = IndexStore(tmp_path / "idx")
    data, _ = add_documents(None, [article(1)], OPTS, fake_embed)
    store.save(data)
    before = store.current()
    more, _ = add_documents(store.load(), [article(2)], OPTS, fake_embed)

    def boom(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(archive, "_append_passages", boom)
    with pytest.raises(sqlite3.OperationalError):
        store.save(more)
    assert store.current() == before
    assert [d.doc_id for d in store.load().documents] == ["a001.txt"]
    assert not [p for p in store.root.iterdir() if p.name.startswith(".tmp-")]


_CHILD = r"""
import sys, time
import numpy as np
import index.archive as archive
from index.builder import BuildOptions, add_in_batches
from index.documents import make_document
from index.store import IndexStore

root, kill_group = sys.argv[1], int(sys.argv[2])
opts = BuildOptions(model="fake", dim=8, languages=["en"], bridge="direct", passage_words=12, passage_overlap=1)

def embed(texts, progress=None):
    out = np.zeros((len(texts), 8), np.float32)
    out[:, 0] = 1.0
    return out

docs = [make_document(f"g{i // 5}-{i}.txt", f"Group {i // 5} article {i}. It has a second sentence {i}.",
                      source="wire", date="2015-07-21") for i in range(20)]
original, groups = archive._apply, {"n": 0}

def apply_then_wait(*args, **kwargs):
    out = original(*args, **kwargs)  # every change of the group is made, not yet committed
    groups["n"] += 1
    if groups["n"] == kill_group:
        print("mid-transaction", flush=True)
        time.sleep(60)
    return out

archive._apply = apply_then_wait
store = IndexStore(root)
with store.write_lock(timeout=30):
    current = store.load() if store.exists() else None
    add_in_batches(current, docs, opts, embed, store.save, every=5)
print("done", flush=True)
"""


def _run_child(root: Path, kill_group: int) -> bool:
    """Add 4 groups of 5 articles; SIGKILL the writer inside group `kill_group`'s transaction."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(root), str(kill_group)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        for line in child.stdout:
            if line.strip() == "mid-transaction":
                child.send_signal(signal.SIGKILL)
                child.wait(timeout=30)
                return True
            if line.strip() == "done":
                break
        child.wait(timeout=60)
        assert child.returncode == 0, child.stderr.read()
        return False
    finally:
        child.stdout.close()
        child.stderr.close()


def test_sigkill_inside_a_groups_transaction_keeps_the_committed_groups(tmp_path: Path) -> None:
    root = tmp_path / "idx"
    assert _run_child(root, kill_group=3)  # groups 1 and 2 committed, killed inside group 3
    store = IndexStore(root)
    data = store.load()
    assert sorted({d.doc_id.split("-")[0] for d in data.documents}) == ["g0", "g1"]
    assert len(data.documents) == 10
    conn = connect(store)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    (n,) = conn.execute("SELECT count(*) FROM passages").fetchone()
    assert n == data.n_passages == data.dense.n_rows
    conn.close()
    # A rerun skips what was committed and finishes; the dead writer's leftovers are cleaned up.
    assert not _run_child(root, kill_group=0)
    data = IndexStore(root).load()
    assert len(data.documents) == 20
    assert not [p for p in root.iterdir() if p.name.startswith(".tmp-")]
    for i in range(data.n_passages):
        p = data.passage(i)
        assert data.document_text(p.doc_id)[p.start : p.end] == p.text


# -- the older layout ------------------------------------------------------------------------------------
def write_format2(root: Path, docs: list[Document]) -> None:
    """A generation as Sanad wrote it before the archive: documents.jsonl + passages.npz."""
    from index.checksum import file_sha256

    gen = root / "gen-000001"
    gen.mkdir(parents=True)
    with (gen / "documents.jsonl").open("w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"doc_id": d.doc_id, "sha256": d.sha256, "title": d.title, "text": d.text}) + "\n")
    files = {p.name: {"sha256": file_sha256(p), "bytes": p.stat().st_size} for p in [gen / "documents.jsonl"]}
    manifest = {"format_version": 2, "analyzer_version": 1, "settings": {"model": "fake", "dim": 8}, "files": files,
                "counts": {"documents": len(docs), "passages": 0}, "lexical_fields": [], "dense_kind": "flat"}
    (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (root / "CURRENT").write_text(json.dumps({"generation": "gen-000001"}), encoding="utf-8")


def test_the_older_layout_is_refused_with_the_rebuild_command_and_rebuild_reads_it(tmp_path: Path) -> None:
    root = tmp_path / "old"
    docs = [article(1), article(2)]
    write_format2(root, docs)
    store = IndexStore(root)
    with pytest.raises(IndexMismatchError, match=f"older layout.*sanad index rebuild --index-dir {root}"):
        store.load()
    with pytest.raises(IndexMismatchError, match="older layout"):
        store.load({"model": "fake", "dim": 8})
    stored = store.load_documents()  # what `sanad index rebuild` starts from
    assert [(d.doc_id, d.text) for d in stored] == [(d.doc_id, d.text) for d in docs]
    rebuilt, _ = add_documents(None, [Document(d.doc_id, d.text, d.sha256, d.title) for d in stored], OPTS, fake_embed)
    store.save(rebuilt)
    assert [d.doc_id for d in store.load().documents] == ["a001.txt", "a002.txt"]


def test_load_documents_reads_the_archive_with_metadata(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "idx")
    data, _ = add_in_batches(None, [article(i, day=i + 1) for i in range(5)], OPTS, fake_embed, store.save, every=2)
    docs = store.load_documents()
    assert [(d.doc_id, d.date) for d in docs] == [(f"a{i:03d}.txt", f"2015-07-{i + 1:02d}") for i in range(5)]
    assert all(d.text for d in docs)


def test_a_file_that_is_not_an_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ARCHIVE_FILE
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('schema', '99')")
    conn.commit()
    conn.close()
    with pytest.raises(ValueError, match="schema 99, expected 1"):
        Archive(path).check()
