"""The index directory: atomic generations, checksums, compatibility checks and the writer lock."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from index.dense import DenseIndex
from index.errors import IndexCorruptError, IndexLockedError, IndexMismatchError, IndexNotFoundError
from index.lexical import LexicalIndex
from index.normalize import ANALYZER_VERSION
from index.store import FORMAT_VERSION, DocRecord, IndexData, IndexStore

DIM = 8
REBUILD = "sanad index rebuild"


def make_data(k: int, n: int = 30, dim: int = DIM) -> IndexData:
    """Generation number `k` is written into every part, so a mix of two generations shows."""
    text = f"document of generation {k}. " * n
    step = len(text) // n
    docs = [DocRecord(f"doc-{k}.txt", f"sha-{k}", text)]
    vectors = np.zeros((n, dim), np.float32)
    vectors[:, 0] = k
    vectors[:, 1] = 1.0
    counts = sparse.csr_matrix(np.ones((n, 1), np.float32))
    return IndexData(
        {"model": "test-model", "dim": dim, "bridge": "direct"},
        docs,
        np.zeros(n, np.int32),
        np.arange(n, dtype=np.int64) * step,
        np.arange(1, n + 1, dtype=np.int64) * step - 1,
        {"text": LexicalIndex({f"gen{k}": 0}, counts)},
        DenseIndex(vectors, "flat"),
    )


def generation_of(data: IndexData) -> int:
    """The generation number the loaded data holds; fails if its parts disagree."""
    [doc] = data.documents
    k = int(doc.doc_id.removeprefix("doc-").removesuffix(".txt"))
    text = data.document_text(doc.doc_id)
    assert text.startswith(f"document of generation {k}.")
    assert set(data.dense.vectors[:, 0].tolist()) == {float(k)}
    assert list(data.lexical["text"].vocab) == [f"gen{k}"]
    assert data.n_passages == data.dense.n_rows == data.lexical["text"].n_rows
    assert data.passage(0).text == text[int(data.starts[0]) : int(data.ends[0])]
    return k


@pytest.fixture
def store(tmp_path: Path) -> IndexStore:
    s = IndexStore(tmp_path / "idx")
    s.save(make_data(1))
    return s


def live_dir(store: IndexStore) -> Path:
    gen = store.current()
    assert gen is not None
    return store.root / gen


# -- round trip --------------------------------------------------------------------------------------
def test_save_load_roundtrip(store: IndexStore) -> None:
    data = store.load({"model": "test-model", "dim": DIM})
    assert generation_of(data) == 1
    assert data.generation == store.current() == "gen-000001"
    manifest = store.read_manifest()
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["analyzer_version"] == ANALYZER_VERSION
    assert manifest["settings"]["model"] == "test-model" and manifest["settings"]["dim"] == DIM
    assert manifest["counts"] == {"documents": 1, "passages": 30}
    assert set(manifest["files"]) == {
        "archive.sqlite",
        "text.npz",
        "text.vocab.json",
        "vectors.npy",
    }
    assert all(len(meta["sha256"]) == 64 for meta in manifest["files"].values())


def test_files_load_without_pickle(store: IndexStore) -> None:
    for path in live_dir(store).iterdir():
        if path.suffix in (".npy", ".npz"):
            loaded = np.load(path, allow_pickle=False)  # raises if any array needs pickle
            if hasattr(loaded, "close"):
                for name in loaded.files:
                    assert loaded[name].dtype != object
                loaded.close()


def test_new_generation_replaces_old_and_garbage_is_collected(store: IndexStore) -> None:
    store.grace_s = 0  # no reader is on an old generation here
    for k in (2, 3, 4):
        assert store.save(make_data(k)) == f"gen-{k:06d}"
        assert generation_of(store.load()) == k
    gens = sorted(p.name for p in store.root.iterdir() if p.name.startswith("gen-"))
    assert gens == ["gen-000003", "gen-000004"]  # the newest two are kept


def test_recent_generations_stay_for_readers(store: IndexStore) -> None:
    for k in (2, 3, 4):
        store.save(make_data(k))
    gens = sorted(p.name for p in store.root.iterdir() if p.name.startswith("gen-"))
    assert gens == ["gen-000001", "gen-000002", "gen-000003", "gen-000004"]  # all within the grace period


def test_no_index(tmp_path: Path) -> None:
    s = IndexStore(tmp_path / "nothing")
    assert not s.exists()
    with pytest.raises(IndexNotFoundError, match="sanad index add"):
        s.load()


# -- (a) a write interrupted by an exception --------------------------------------------------------------
def _assert_old_generation_intact(store: IndexStore) -> None:
    assert store.current() == "gen-000001"
    assert generation_of(store.load({"model": "test-model", "dim": DIM})) == 1
    leftovers = [p.name for p in store.root.iterdir() if p.name.startswith((".tmp-", ".CURRENT."))]
    assert leftovers == []


def test_failure_in_lexical_writer_leaves_previous_generation(
    store: IndexStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_save(self, directory: Path, name: str) -> list[Path]:
        (directory / f"{name}.npz").write_bytes(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(LexicalIndex, "save", failing_save)
    with pytest.raises(OSError, match="No space"):
        store.save(make_data(2))
    _assert_old_generation_intact(store)
    assert not (store.root / "gen-000002").exists()


def test_failure_in_dense_writer_leaves_previous_generation(
    store: IndexStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_save = DenseIndex.save

    def failing_save(self, directory: Path) -> list[Path]:
        files = real_save(self, directory)  # the vectors are on disk...
        with files[0].open("r+b") as f:
            f.truncate(files[0].stat().st_size // 2)
        raise RuntimeError("killed while writing vectors")  # ...half written, then the writer dies

    monkeypatch.setattr(DenseIndex, "save", failing_save)
    with pytest.raises(RuntimeError):
        store.save(make_data(2))
    _assert_old_generation_intact(store)


def test_crash_between_rename_and_pointer_switch(store: IndexStore, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def failing_replace(src, dst, *args, **kwargs):
        if Path(dst).name == "CURRENT":
            raise OSError(5, "Input/output error")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        store.save(make_data(2))
    monkeypatch.undo()
    # The new generation folder is complete but not live: readers still see the old one.
    assert (store.root / "gen-000002").is_dir()
    assert store.current() == "gen-000001"
    assert generation_of(store.load()) == 1
    # The next write goes past the orphan and becomes live.
    assert store.save(make_data(3)) == "gen-000003"
    assert generation_of(store.load()) == 3


# -- (b) a writer killed with SIGKILL ----------------------------------------------------------------------
_CHILD = r"""
import sys
from pathlib import Path
import numpy as np
from scipy import sparse
from index.dense import DenseIndex
from index.lexical import LexicalIndex
from index.store import DocRecord, IndexData, IndexStore

root, n = Path(sys.argv[1]), int(sys.argv[2])
store = IndexStore(root)

def make(k):
    text = f"document of generation {k}. " * n
    step = len(text) // n
    vectors = np.zeros((n, 64), np.float32)
    vectors[:, 0] = k
    vectors[:, 1] = 1.0
    return IndexData(
        {"model": "test-model", "dim": 64, "bridge": "direct"},
        [DocRecord(f"doc-{k}.txt", f"sha-{k}", text)],
        np.zeros(n, np.int32),
        np.arange(n, dtype=np.int64) * step,
        np.arange(1, n + 1, dtype=np.int64) * step - 1,
        {"text": LexicalIndex({f"gen{k}": 0}, sparse.csr_matrix(np.ones((n, 1), np.float32)))},
        DenseIndex(vectors, "flat"),
    )

with store.write_lock(timeout=30):
    data = make(100)
    print("ready", flush=True)
    for k in range(100, 10_000):
        data = make(k)
        store.save(data)
        print("saved", k, flush=True)
"""


def _kill_during_save(root: Path, seed: int) -> None:
    """Start a child that saves big generations in a loop and SIGKILL it at a random moment."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(root), "120000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "ready", child.stderr.read()
        time.sleep(random.Random(seed).uniform(0.0, 3.0))  # a save of this size takes ~1 s
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL


def _check_after_kill(store: IndexStore, seen: set[int]) -> None:
    data = store.load({"model": "test-model", "dim": 64})  # loads: checksums and counts agree
    k = generation_of(data)  # and holds one generation's content, never a mix
    assert k == 0 or k >= 100
    seen.add(k)
    with store.write_lock(timeout=5):  # the dead writer's lock is gone
        pass


def _crash_loop(tmp_path: Path, iterations: int) -> set[int]:
    store = IndexStore(tmp_path / "idx")
    store.save(make_data(0, dim=64))
    seen: set[int] = set()
    for i in range(iterations):
        _kill_during_save(store.root, seed=i)
        _check_after_kill(store, seen)
    # Whatever the crash left behind, the next writer cleans it up and wins.
    store.save(make_data(7, dim=64))
    assert generation_of(store.load()) == 7
    assert not [p for p in store.root.iterdir() if p.name.startswith(".tmp-")]
    return seen


def test_sigkill_during_save_leaves_old_or_new(tmp_path: Path) -> None:
    _crash_loop(tmp_path, iterations=3)


@pytest.mark.slow
def test_sigkill_during_save_many_times(tmp_path: Path) -> None:
    seen = _crash_loop(tmp_path, iterations=20)
    assert len(seen) > 1  # at least one kill landed after a finished save


# -- refusing damaged indexes ---------------------------------------------------------------------------
def test_flipped_bytes_in_vectors_refused(store: IndexStore) -> None:
    path = live_dir(store) / "vectors.npy"
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 0xFF
    path.write_bytes(bytes(raw))  # same size, different content
    with pytest.raises(IndexCorruptError, match=REBUILD) as err:
        store.load()
    assert "vectors.npy" in str(err.value)


@pytest.mark.parametrize(
    "name", ["archive.sqlite", "text.npz", "text.vocab.json", "vectors.npy"]
)
def test_truncated_file_refused(store: IndexStore, name: str) -> None:
    path = live_dir(store) / name
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)
    with pytest.raises(IndexCorruptError, match=REBUILD) as err:
        store.load()
    assert name in str(err.value)


def test_missing_archive_refused(store: IndexStore) -> None:
    (live_dir(store) / "archive.sqlite").unlink()
    with pytest.raises(IndexCorruptError, match="archive.sqlite is missing") as err:
        store.load()
    assert REBUILD in str(err.value)


def test_unreadable_manifest_refused(store: IndexStore) -> None:
    (live_dir(store) / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match=REBUILD):
        store.load()


def test_manifest_counts_that_disagree_refused(store: IndexStore) -> None:
    path = live_dir(store) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["counts"]["passages"] += 1
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match=REBUILD):
        store.load()


@pytest.mark.parametrize("content", ["garbage", '{"generation": "../../etc"}', '{"generation": 3}', "{}"])
def test_bad_current_pointer_refused(store: IndexStore, content: str) -> None:
    (store.root / "CURRENT").write_text(content, encoding="utf-8")
    with pytest.raises(IndexCorruptError, match=REBUILD):
        store.load()


def _edit_manifest(store: IndexStore, **changes) -> None:
    path = live_dir(store) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_other_format_version_refused(store: IndexStore) -> None:
    _edit_manifest(store, format_version=FORMAT_VERSION + 1)
    with pytest.raises(IndexMismatchError, match="format version") as err:
        store.load({"model": "test-model", "dim": DIM})
    assert REBUILD in str(err.value)


def test_other_analyzer_version_refused(store: IndexStore) -> None:
    _edit_manifest(store, analyzer_version=ANALYZER_VERSION + "-old")
    with pytest.raises(IndexMismatchError, match="analy") as err:
        store.load({"model": "test-model", "dim": DIM})
    assert REBUILD in str(err.value)


@pytest.mark.parametrize(
    "expected",
    [{"model": "another/model", "dim": DIM}, {"model": "test-model", "dim": 384}, {"bridge": "gloss-en"}],
    ids=["model", "dim", "bridge"],
)
def test_index_built_with_another_embedder_refused(store: IndexStore, expected: dict) -> None:
    with pytest.raises(IndexMismatchError, match=REBUILD) as err:
        store.load(expected)
    key = (
        next(iter(expected))
        if len(expected) == 1
        else ("model" if expected["model"] != "test-model" else "dim")
    )
    assert f"{key}=" in str(err.value)


# -- writers and readers ---------------------------------------------------------------------------------
def test_second_writer_times_out_with_index_locked(store: IndexStore) -> None:
    other = IndexStore(store.root)
    with store.write_lock():
        t0 = time.monotonic()
        with pytest.raises(IndexLockedError, match="another process"), other.write_lock(timeout=0.3):
            pass
        assert time.monotonic() - t0 >= 0.3
    with other.write_lock(timeout=1):  # free again once the first writer is done
        other.save(make_data(2))
    assert generation_of(store.load()) == 2


def test_writer_waits_for_the_lock_to_be_released(store: IndexStore) -> None:
    acquired = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with store.write_lock():
            acquired.set()
            release.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    assert acquired.wait(5)
    threading.Timer(0.3, release.set).start()
    t0 = time.monotonic()
    with IndexStore(store.root).write_lock(timeout=5):
        assert time.monotonic() - t0 >= 0.2
    t.join()


def test_readers_never_see_a_mix_while_a_writer_switches_generations(store: IndexStore) -> None:
    errors: list[str] = []
    seen: set[int] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.add(generation_of(IndexStore(store.root).load({"model": "test-model", "dim": DIM})))
            except Exception as e:  # noqa: BLE001 - collected and reported below
                errors.append(f"{type(e).__name__}: {e}")

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for r in readers:
        r.start()
    try:
        for k in range(2, 32):
            store.save(make_data(k))
            time.sleep(0.03)
    finally:
        stop.set()
        for r in readers:
            r.join()
    assert errors == []
    assert len(seen) > 1


def test_name_table_round_trip_and_the_older_json_form(tmp_path: Path) -> None:
    from index.checksum import file_sha256
    from index.name_table import NameTable

    data = make_data(1)
    data.names = NameTable.from_dict({"lfrf": ["لافروف"], "mskw": ["موسكو", "موسكوف"]})
    store = IndexStore(tmp_path / "idx")
    store.save(data)
    assert {"names.npz", "names.terms.json"} <= set(store.read_manifest()["files"])
    loaded = store.load()
    assert loaded.names == data.names and loaded.names["mskw"] == ["موسكو", "موسكوف"]

    # An index written before the table format kept names.json; it still loads.
    gdir = live_dir(store)
    manifest = json.loads((gdir / "manifest.json").read_text(encoding="utf-8"))
    for name in ("names.npz", "names.terms.json"):
        (gdir / name).unlink()
        del manifest["files"][name]
    legacy = gdir / "names.json"
    legacy.write_text(json.dumps({"lfrf": ["لافروف"]}, ensure_ascii=False), encoding="utf-8")
    manifest["files"]["names.json"] = {"sha256": file_sha256(legacy), "bytes": legacy.stat().st_size}
    (gdir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    old = store.load()
    assert old.names["lfrf"] == ["لافروف"] and "mskw" not in old.names
