"""`--engine ray` against a local Ray: the pipeline's shards equal one local index of the same
articles (passages, vectors, lexical statistics), sharded retrieval ranks exactly as one index,
and a worker or shard that dies is retried or fails the question clearly."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.cluster.corpus import GlobalTerms, TermStats
from assistant.cluster.router import ShardUnavailableError
from assistant.cluster.sanad import ShardedSanad
from assistant.cluster.shard import ShardServer
from assistant.config import Settings
from assistant.sanad import Sanad
from index.builder import FIELDS
from index.errors import IndexMismatchError, IndexNotFoundError
from index.filters import SearchFilter
from index.records import FieldMap
from index.shards import ShardStore
from index.store import IndexData, IndexStore
from tests.cluster.conftest import QUESTIONS, write_articles

FIELD_MAP = FieldMap()


def settings(home: Path, name: str, model: Path, **kw) -> Settings:
    return Settings.from_env(environ={}, index_dir=home / name, model=str(model), progress=False, **kw)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_articles(tmp_path_factory.mktemp("ray-news"))


@pytest.fixture(scope="module")
def local(sanad_home: Path, tiny_model_dir: Path, corpus: Path) -> Sanad:
    sanad = Sanad(settings(sanad_home, "ray-local", tiny_model_dir))
    report = sanad.add_paths([corpus], fields=FIELD_MAP)
    assert len(report.added) == 33, report
    return sanad


@pytest.fixture(scope="module")
def sharded(ray_local, sanad_home: Path, tiny_model_dir: Path, corpus: Path):
    sanad = ShardedSanad(settings(sanad_home, "ray-sharded", tiny_model_dir, engine="ray", shards=3, ray_workers=2))
    report = sanad.add_paths([corpus], fields=FIELD_MAP)
    assert len(report.added) == 33 and report.passages > 32, report
    yield sanad
    sanad.close()


def shard_data(root: Path) -> list[IndexData]:
    store = ShardStore(root)
    return [store.load(e) for e in store.read().shards]


def passages_of(datas: list[IndexData]) -> list[tuple[str, int, int, str]]:
    return [(p.doc_id, p.start, p.end, p.text) for d in datas for p in d.passages(range(d.n_passages))]


def test_the_pipeline_writes_complete_shards_equal_to_one_local_index(local: Sanad, sharded: ShardedSanad) -> None:
    one = IndexStore(local.settings.index_dir).load()
    store = ShardStore(sharded.settings.index_dir)
    entries = store.read().shards
    assert len(entries) == 3
    for e in entries:  # each shard is a whole, checksummed index of its own
        alone = IndexStore(store.root / e.name).load()
        assert alone.n_passages == e.passages > 0 and alone.generation == e.generation
    parts = shard_data(store.root)
    assert [d.doc_id for p in parts for d in p.documents] == [d.doc_id for d in one.documents]
    assert passages_of(parts) == passages_of([one])
    vectors = np.concatenate([p.dense.vectors for p in parts])
    assert vectors.shape == one.dense.vectors.shape
    assert np.abs(vectors - one.dense.vectors).max() <= 1e-5
    assert [d.group for p in parts for d in p.documents] == [d.group for d in one.documents]  # duplicates across shards
    for field in FIELDS:
        merged = GlobalTerms([TermStats.of(p.lexical[field]) for p in parts])
        own = TermStats.of(one.lexical[field])
        assert (merged.rows, merged.length) == (own.rows, own.length), field
        order = np.argsort(own.hashes)
        assert np.array_equal(merged.hashes, own.hashes[order]) and np.array_equal(merged.df, own.df[order]), field


def test_sharded_retrieval_ranks_exactly_as_one_index(local: Sanad, sharded: ShardedSanad) -> None:
    for q in QUESTIONS:
        a = local.retrieve(q, top_k=10)
        b = sharded.retrieve(q, top_k=10)
        assert a, q
        assert [(h.doc_id, h.start, h.end) for h in a] == [(h.doc_id, h.start, h.end) for h in b], q
        assert np.allclose([h.score for h in a], [h.score for h in b], rtol=1e-9, atol=0), q
    filt = SearchFilter(sources=frozenset({"okaz"}))
    only = [(h.doc_id, h.start) for h in local.retrieve(QUESTIONS[0], 10, filt)]
    assert only and only == [(h.doc_id, h.start) for h in sharded.retrieve(QUESTIONS[0], 10, filt)]
    a, b = (s.ask(QUESTIONS[0]).to_dict() for s in (local, sharded))
    assert a.pop("latency_ms") >= 0 and b.pop("latency_ms") >= 0
    assert a == b and a["citations"]
    assert sharded.stats()["shards"] == 3


def test_adding_again_skips_unchanged_articles_and_replaces_changed_ones(
    ray_local, sanad_home: Path, tiny_model_dir: Path, corpus: Path, tmp_path: Path, local: Sanad
) -> None:
    s = settings(sanad_home, "ray-grow", tiny_model_dir, engine="ray", shards=2, ray_workers=2)
    sanad = ShardedSanad(s)
    try:
        assert len(sanad.add_paths([corpus], fields=FIELD_MAP).added) == 33
        again = sanad.add_paths([corpus], fields=FIELD_MAP)
        assert not again.added and len(again.unchanged) == 33
        rec = json.loads((corpus / "news.jsonl").read_text(encoding="utf-8").splitlines()[0])
        rec["content"] += " The river report was corrected."
        (tmp_path / "news.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
        fixed = sanad.add_paths([tmp_path], fields=FIELD_MAP)
        assert fixed.replaced == ["news.jsonl#a000"] and not fixed.added
        docs = [d.doc_id for p in shard_data(s.index_dir) for d in p.documents]
        assert sorted(docs) == sorted(d.doc_id for d in IndexStore(local.settings.index_dir).load().documents)
        assert docs[-1] == "news.jsonl#a000"  # the new copy comes last, as in one index
        assert len(ShardStore(s.index_dir).read().shards) == 3
    finally:
        sanad.close()


def test_an_embedding_worker_killed_mid_run_is_retried_and_the_shards_are_identical(
    ray_local, sanad_home: Path, tiny_model_dir: Path, corpus: Path, sharded: ShardedSanad, tmp_path: Path
) -> None:
    marker = tmp_path / "killed-once"
    s = settings(sanad_home, "ray-drill", tiny_model_dir, engine="ray", shards=3, ray_workers=2)
    sanad = ShardedSanad(s, drill=str(marker))
    try:
        report = sanad.add_paths([corpus], fields=FIELD_MAP)
    finally:
        sanad.close()
    assert marker.is_file()  # a worker did die (SIGKILL) during the run
    assert len(report.added) == 33
    drilled, clean = shard_data(s.index_dir), shard_data(sharded.settings.index_dir)
    assert passages_of(drilled) == passages_of(clean)
    assert [p.n_passages for p in drilled] == [p.n_passages for p in clean]
    assert np.array_equal(np.concatenate([p.dense.vectors for p in drilled]), np.concatenate([p.dense.vectors for p in clean]))


class PausingShard(ShardServer):
    """A shard whose search waits while PAUSE exists in the index folder, so a test can kill it
    mid-question (the marker is a file: the actor runs in another process)."""

    def __init__(self, root: str, *args) -> None:
        super().__init__(root, *args)
        self.pause = Path(root) / "PAUSE"

    def pid(self) -> int:
        import os

        return os.getpid()

    def search(self, *args):
        while self.pause.exists():
            time.sleep(0.05)
        return super().search(*args)


def test_a_dead_shard_fails_the_question_clearly_and_is_restarted(
    ray_local, sharded: ShardedSanad, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import signal

    pause = sharded.settings.index_dir / "PAUSE"
    monkeypatch.setattr("assistant.cluster.sanad.ShardServer", PausingShard)
    sanad = ShardedSanad(sharded.settings)
    try:
        before = [(h.doc_id, h.start, h.end, h.score) for h in sanad.retrieve(QUESTIONS[0], top_k=10)]
        assert before == [(h.doc_id, h.start, h.end, h.score) for h in sharded.retrieve(QUESTIONS[0], top_k=10)]
        shards = sanad.snapshot().index.shards
        victim = shards.actors[1]
        pid = ray_local.get(victim.pid.remote())
        pause.touch()
        box: dict = {}
        asker = threading.Thread(target=lambda: box.update(r=_try(sanad.retrieve, QUESTIONS[0], 10)))
        asker.start()
        time.sleep(1.0)  # the question is waiting in every shard
        os.kill(pid, signal.SIGKILL)
        asker.join(60)
        pause.unlink()
        assert not asker.is_alive()
        err = box["r"]
        assert isinstance(err, ShardUnavailableError), err
        assert "shard 2 of 3" in str(err) and "not answered" in str(err)
        deadline = time.time() + 60
        while True:  # Ray restarts the actor; until then a question fails the same clear way
            try:
                after = [(h.doc_id, h.start, h.end, h.score) for h in sanad.retrieve(QUESTIONS[0], top_k=10)]
                break
            except ShardUnavailableError:
                assert time.time() < deadline
                time.sleep(0.5)
        assert after == before
        assert ray_local.get(victim.pid.remote()) != pid  # the same actor, in a new process
    finally:
        pause.unlink(missing_ok=True)
        sanad.close()


def _try(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - the test inspects what was raised
        return e


def test_a_sharded_index_and_a_local_one_refuse_each_other(local: Sanad, sharded: ShardedSanad, corpus: Path) -> None:
    with pytest.raises(IndexMismatchError, match="in shards"):
        Sanad(local.settings.replace(index_dir=sharded.settings.index_dir)).retrieve("river")
    with pytest.raises(IndexMismatchError, match="single-machine"):
        ShardedSanad(sharded.settings.replace(index_dir=local.settings.index_dir)).add_paths([corpus])
    with pytest.raises(IndexNotFoundError, match="no sharded index"):
        ShardedSanad(sharded.settings.replace(index_dir=local.settings.index_dir)).retrieve("river")


def test_rows_come_back_in_input_order_whatever_order_the_workers_finish() -> None:
    from assistant.cluster.build import in_order

    keep = [(0, 0), (1, 0), (1, 1), (1, 3)]
    finished = [{"file": 1, "item": 1}, {"file": 1, "item": 3}, {"file": 0, "item": 0}, {"file": 1, "item": 0}]
    assert [(r["file"], r["item"]) for r in in_order(finished, keep)] == keep
    with pytest.raises(RuntimeError):  # a row that never comes is an error, not a short shard
        list(in_order(finished[:2], keep))
