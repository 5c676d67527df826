"""Hostile files and damaged indexes, through the real facade (`Sanad.add_paths`, `sanad index add`).

Files: each is indexed correctly or refused with its reason, the rest of the batch goes in, and
nothing is written anywhere but the index folder. Indexes: a damaged or foreign index is refused
with a message naming the problem and the rebuild command. The unit rules of `decode_article` /
`iter_articles` are in test_documents.py and the store's own checks in test_store.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import tracemalloc
from pathlib import Path

import faiss
import numpy as np
import pytest

from assistant.cli import EXIT_USER_ERROR, main
from assistant.config import DEFAULT_MODEL, Settings
from assistant.sanad import Sanad
from index.errors import IndexCorruptError, IndexMismatchError, IndexProblem
from index.passages import split_passages
from index.sentences import MAX_SENTENCE_CHARS, split_sentences

MB = 1_000_000
ARABIC_NAME = "خبر عاجل من القاهرة.txt"

GOOD = {
    "good-ar.txt": "افتتحت بلدية المدينة الساحلية جسرا جديدا فوق النهر يوم الأحد. وبلغ طول الجسر 870 مترا.\n",
    "good-en.md": "# Lighthouse\n\nThe old lighthouse keeper painted the tower red in early spring.\n",
    ARABIC_NAME: "أعلنت شركة العبارات تعيين القبطان عمر حداد قائدا لأسطولها الجديد. وتضم السفينة 12 قاربا.\n",
    "report..final.txt": "The quarterly report counted 318 new bakeries across the northern province.\n",
    "sub/dir.txt/inside.txt": "A folder named like a text file still has its articles read.\n",
}
# name -> a word that must appear in its refusal reason
REFUSED = {
    "binary.txt": "binary",
    "zero.txt": "empty",
    "invalid-utf8.txt": "UTF-8",
    "utf16.txt": "UTF-16",
    "huge-200mb.txt": "too large",
    "escape.txt": "outside",
    "devzero.txt": "outside",
    "loop-a.txt": "loop",
    "loop-b.txt": "loop",
    "fifo.txt": "not a regular file",
}


@pytest.fixture(autouse=True)
def _no_sanad_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads SANAD_* variables; these tests pass everything explicitly."""
    for key in list(os.environ):
        if key.startswith("SANAD_"):
            monkeypatch.delenv(key)


def make_workspace(root: Path) -> Path:
    """corpus/ with good and hostile files side by side, and outside/ that nothing may touch."""
    corpus, outside = root / "corpus", root / "outside"
    (corpus / "sub" / "dir.txt").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("The outside secret must never be indexed.\n", encoding="utf-8")
    for name, text in GOOD.items():
        (corpus / name).write_text(text, encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (corpus / "zero.txt").write_bytes(b"")
    (corpus / "invalid-utf8.txt").write_bytes("نص صحيح ثم ".encode() + b"\xc3\x28\xa0\xa1 broken\n")
    (corpus / "utf16.txt").write_bytes("نص عربي بترميز آخر".encode("utf-16"))
    with (corpus / "huge-200mb.txt").open("wb") as f:  # sparse: instant, and takes no disk space
        f.truncate(200 * MB)
    os.symlink(outside / "secret.txt", corpus / "escape.txt")
    os.symlink("/dev/zero", corpus / "devzero.txt")
    os.symlink("loop-b.txt", corpus / "loop-a.txt")
    os.symlink("loop-a.txt", corpus / "loop-b.txt")
    os.mkfifo(corpus / "fifo.txt")  # reading it would block forever
    return corpus


def tree_state(roots: list[Path], skip: Path) -> dict[str, tuple]:
    """Every entry under `roots` (except `skip`) with its kind, size and modification time."""
    state: dict[str, tuple] = {}
    for root in roots:
        if not root.exists():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            d = Path(dirpath)
            dirnames[:] = [n for n in dirnames if (d / n).resolve() != skip.resolve()]
            for name in dirnames + filenames:
                p = d / name
                st = p.lstat()
                state[str(p)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return state


@pytest.fixture(scope="module")
def hostile_batch(sanad_home: Path, tmp_path_factory: pytest.TempPathFactory):
    """One `add_paths` over the hostile folder, with the file tree recorded before and after."""
    workspace = tmp_path_factory.mktemp("hostile")
    corpus = make_workspace(workspace)
    sanad = Sanad(Settings.from_env(environ={}, index_dir=sanad_home / "hostile-files", progress=False))
    sanad.embedder().embed(["warm up"], 1, None)  # model and dictionary caches exist before we watch
    sanad.lexicon()
    # The corpus, the folder outside it, and the index's parent (other indexes, the dictionary cache).
    # Shared folders (the model cache, /tmp) are left out: other processes on the machine write there.
    watched = [workspace, sanad_home]
    before = tree_state(watched, skip=sanad.store.root)
    t0 = time.perf_counter()
    report = sanad.add_paths([corpus])
    seconds = time.perf_counter() - t0
    after = tree_state(watched, skip=sanad.store.root)
    return sanad, report, before, after, seconds, workspace


def test_good_files_go_in_beside_the_hostile_ones(hostile_batch) -> None:
    sanad, report, *_ = hostile_batch
    assert sorted(report.added) == sorted(GOOD)
    index = sanad.snapshot().index
    for name, text in GOOD.items():
        assert index.document_text(name) == text


def test_each_hostile_file_is_refused_with_its_reason(hostile_batch) -> None:
    _, report, *_ = hostile_batch
    refused = dict(report.refused)
    assert set(refused) == set(REFUSED)
    for name, word in REFUSED.items():
        reason = refused[name]
        assert word in reason, (name, reason)
        assert "\n" not in reason and len(reason) < 200


def test_the_whole_batch_is_quick_despite_the_200_mb_file(hostile_batch) -> None:
    *_, seconds, _ = hostile_batch
    assert seconds < 30


def test_nothing_is_written_outside_the_index_folder(hostile_batch) -> None:
    sanad, _, before, after, _, workspace = hostile_batch
    assert after == before
    assert (workspace / "outside" / "secret.txt").read_text(encoding="utf-8").startswith("The outside")
    # Inside the index folder: the lock, the pointer and generations, nothing named after a document.
    names = {p.name for p in sanad.store.root.iterdir()}
    assert names <= {".lock", "CURRENT"} | {n for n in names if n.startswith("gen-")}


def test_files_with_odd_names_are_answerable_under_their_own_names(hostile_batch) -> None:
    sanad, *_ = hostile_batch
    hits = sanad.retrieve("من هو القبطان الذي عينته شركة العبارات؟", top_k=1)
    assert hits[0].doc_id == ARABIC_NAME and "عمر حداد" in hits[0].text
    hits = sanad.retrieve("How many new bakeries did the quarterly report count?", top_k=1)
    assert hits[0].doc_id == "report..final.txt"
    answer = sanad.ask("من هو القبطان الذي عينته شركة العبارات؟")
    assert all(c.doc_id in GOOD for c in answer.citations)


def test_the_outside_secret_is_not_in_the_index(hostile_batch) -> None:
    sanad, *_ = hostile_batch
    index = sanad.snapshot().index
    assert not any("outside secret" in index.document_text(d.doc_id) for d in index.documents)


def test_cli_prints_one_line_per_refusal_and_adds_the_rest(hostile_batch, sanad_home: Path, capsys) -> None:
    *_, workspace = hostile_batch
    index_dir = sanad_home / "hostile-files-cli"  # beside the others: one dictionary cache
    code = main(["index", "add", str(workspace / "corpus"), "--index-dir", str(index_dir), "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("refused ")]
    assert len(lines) == len(REFUSED)
    for name, word in REFUSED.items():
        assert any(line.startswith(f"refused {name}: ") and word in line for line in lines), name
    assert f"added {len(GOOD)}, replaced 0, unchanged 0, refused {len(REFUSED)}" in out


def test_200_mb_file_is_refused_by_its_size_without_being_read(hostile_batch) -> None:
    sanad, *_, workspace = hostile_batch
    huge = workspace / "corpus" / "huge-200mb.txt"
    tracemalloc.start()
    try:
        report = sanad.add_paths([huge])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.refused == [("huge-200mb.txt", "too large (200.0 MB; the limit is 50.0 MB)")]
    assert peak < 5 * MB  # reading it would have cost 200 MB


def test_upload_names_with_dots_and_slashes_stay_names(hostile_batch) -> None:
    """Web uploads name documents by what the visitor sent; a path in a name is only text."""
    sanad, _, _, _, _, workspace = hostile_batch
    names = ["../../../escaped.txt", "..\\..\\windows.txt", "/etc/cron.d/evil.txt", "a/../../b.md"]
    items = [
        (n, f"Uploaded note number {i} about the ferry timetable.\n".encode()) for i, n in enumerate(names)
    ]
    before = tree_state([workspace.parent], skip=sanad.store.root)
    report = sanad.add_texts(items)
    assert sorted(report.added) == sorted(names)
    assert tree_state([workspace.parent], skip=sanad.store.root) == before
    assert not Path("/etc/cron.d/evil.txt").exists()
    index = sanad.snapshot().index
    assert [index.document_text(n) for n in names] == [d.decode() for _, d in items]


# -- one very long line -------------------------------------------------------------------------------
def long_line(n_bytes: int, words: list[str]) -> str:
    out, size, i = [], 0, 0
    while size < n_bytes:
        w = words[i % len(words)] + str(i % 97)
        out.append(w)
        size += len(w.encode()) + 1
        i += 1
    return " ".join(out)


def bounded(text: str, start: int, end: int, max_words: int) -> bool:
    """A passage is one sentence of at most MAX_SENTENCE_CHARS, or whole sentences within the word budget."""
    piece = text[start:end]
    if len(split_sentences(piece)) == 1:
        return end - start <= MAX_SENTENCE_CHARS
    words = piece.split()
    return len(words) <= max_words and end - start <= max_words * (max(map(len, words)) + 1)


WORDS = ["الوفد", "المحادثات", "العاصمة", "talks", "harbour", "السلام", "peace", "news"]


def test_ten_mb_line_splits_into_bounded_exact_passages() -> None:
    text = long_line(10 * MB, WORDS)
    t0 = time.perf_counter()
    passages = split_passages("line.txt", text)
    seconds = time.perf_counter() - t0
    assert seconds < 10
    assert len(passages) > 1000
    assert all(bounded(text, p.start, p.end, 120) for p in passages)
    assert all(text[p.start : p.end] == p.text for p in passages[:: max(1, len(passages) // 500)])
    assert passages[0].start == 0 and passages[-1].end == len(text)
    assert all(a.end >= b.start - 1 for a, b in zip(passages, passages[1:], strict=False))  # no gap


def test_ten_mb_line_without_spaces_is_cut_into_bounded_passages() -> None:
    text = "ب" * (10 * MB // 2)
    passages = split_passages("blob.txt", text)
    assert passages[0].start == 0 and passages[-1].end == len(text)
    assert all(b.start <= a.end for a, b in zip(passages, passages[1:], strict=False))  # no gap
    # A space-less line is cut hard into sentences of MAX_SENTENCE_CHARS, and each counts as one
    # word, so a passage can pack max_words of them: bounded, though far larger than usual.
    assert max(p.end - p.start for p in passages) <= 120 * MAX_SENTENCE_CHARS


def _index_long_line(
    tiny_model_dir: Path, tmp_path: Path, index_dir: Path, n_bytes: int
) -> tuple[Sanad, float]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = long_line(n_bytes, WORDS)
    (corpus / "one-line.txt").write_text(text, encoding="utf-8")
    sanad = Sanad(
        Settings.from_env(
            environ={},
            index_dir=index_dir,
            model=str(tiny_model_dir),
            model_languages="multilingual",  # embed directly: this measures splitting, not glossing
            progress=False,
        )
    )
    t0 = time.perf_counter()
    report = sanad.add_paths([corpus])
    seconds = time.perf_counter() - t0
    assert report.added == ["one-line.txt"], report
    index = sanad.snapshot().index
    words = sanad.settings.passage_words
    assert all(bounded(text, int(s), int(e), words) for s, e in zip(index.starts, index.ends, strict=True))
    assert index.n_passages == index.dense.n_rows > n_bytes // 2000
    doc = index.document_text("one-line.txt")
    assert doc == text
    for i in np.linspace(0, index.n_passages - 1, 50).astype(int):
        p = index.passage(int(i))
        assert doc[p.start : p.end] == p.text
    answer = sanad.ask("What about the harbour talks?")
    assert all(doc[c.start : c.end] == c.quote for c in answer.citations)
    return sanad, seconds


def test_long_line_file_is_indexed_and_answerable(
    tiny_model_dir: Path, tmp_path: Path, sanad_home: Path
) -> None:
    _, seconds = _index_long_line(tiny_model_dir, tmp_path, sanad_home / "long-line", MB // 4)
    assert seconds < 60


@pytest.mark.slow
def test_ten_mb_line_file_is_indexed_and_answerable(
    tiny_model_dir: Path, tmp_path: Path, sanad_home: Path
) -> None:
    _, seconds = _index_long_line(tiny_model_dir, tmp_path, sanad_home / "ten-mb-line", 10 * MB)
    print(f"10 MB one-line file indexed in {seconds:.1f} s (tiny model)")  # noqa: T201
    assert seconds < 600


# -- damaged and foreign indexes ------------------------------------------------------------------------
def tiny_settings(tiny_model_dir: Path, index_dir: Path, **extra) -> Settings:
    return Settings.from_env(
        environ={},
        index_dir=index_dir,
        model=str(tiny_model_dir),
        model_languages="multilingual",
        dense_kind="hnsw",  # so that dense.faiss exists
        progress=False,
        **extra,
    )


@pytest.fixture(scope="module")
def hnsw_template(tiny_model_dir: Path, sanad_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("hnsw-corpus")
    for name in ("good-ar.txt", "good-en.md"):
        (corpus / name).write_text(GOOD[name], encoding="utf-8")
    sanad = Sanad(tiny_settings(tiny_model_dir, sanad_home / "hnsw-template"))
    assert sorted(sanad.add_paths([corpus]).added) == ["good-ar.txt", "good-en.md"]
    assert (sanad.store.root / sanad.store.current() / "dense.faiss").is_file()
    return sanad.store.root


@pytest.fixture
def damaged(hnsw_template: Path, tiny_model_dir: Path, sanad_home: Path, request: pytest.FixtureRequest):
    """A private copy of the HNSW index: (settings, index folder, live generation folder).

    Copies live beside the other test indexes, which share one dictionary cache (index_dir.parent).
    """
    root = sanad_home / f"damaged-{request.node.name}"
    shutil.copytree(hnsw_template, root)
    gen = json.loads((root / "CURRENT").read_text(encoding="utf-8"))["generation"]
    return tiny_settings(tiny_model_dir, root), root, root / gen


def rewrite_manifest(gen: Path, **changes) -> None:
    path = gen / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def reseal(gen: Path, name: str) -> None:
    """Make the manifest agree with a damaged file, so that the parser itself must catch it."""
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    data = (gen / name).read_bytes()
    manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def refused_message(settings: Settings, root: Path, kind: type[IndexProblem] = IndexProblem) -> str:
    with pytest.raises(kind) as err:
        Sanad(settings).ask("Who painted the lighthouse?")
    msg = str(err.value)
    assert "\n" not in msg
    assert f"sanad index rebuild --index-dir {root}" in msg
    return msg


def _truncate(gen: Path) -> None:
    path = gen / "dense.faiss"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage(gen: Path) -> None:
    path = gen / "dense.faiss"
    path.write_bytes(bytes((i * 197) % 256 for i in range(path.stat().st_size)))
    reseal(gen, "dense.faiss")


def _flip_inside(gen: Path) -> None:
    path = gen / "dense.faiss"
    raw = bytearray(path.read_bytes())
    for i in range(len(raw) // 3, len(raw) // 3 + 64):
        raw[i] ^= 0x5A
    path.write_bytes(bytes(raw))
    reseal(gen, "dense.faiss")


def _not_hnsw(gen: Path) -> None:
    vectors = np.load(gen / "vectors.npy", allow_pickle=False)
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    faiss.write_index(flat, str(gen / "dense.faiss"))
    reseal(gen, "dense.faiss")


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (_truncate, "dense.faiss does not match its checksum"),
        (_garbage, "dense.faiss is not a readable FAISS index"),
        (_flip_inside, "dense.faiss"),
        (_not_hnsw, "dense.faiss holds a IndexFlatIP"),
    ],
    ids=["truncated", "garbage-resealed", "flipped-resealed", "flat-instead-of-hnsw"],
)
def test_damaged_faiss_file_is_named_with_the_rebuild_command(damaged, damage, expected: str) -> None:
    settings, root, gen = damaged
    damage(gen)
    msg = refused_message(settings, root, IndexCorruptError)
    assert expected in msg


def test_manifest_with_a_wrong_checksum(damaged) -> None:
    settings, root, gen = damaged
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["archive.sqlite"]["sha256"] = "0" * 64
    (gen / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert "archive.sqlite does not match its checksum" in refused_message(settings, root, IndexCorruptError)


@pytest.mark.parametrize("version", [0, 99, "1", None], ids=["old", "future", "string", "null"])
def test_manifest_with_another_format_version(damaged, version) -> None:
    settings, root, gen = damaged
    rewrite_manifest(gen, format_version=version)
    assert "format version" in refused_message(settings, root, IndexMismatchError)


def test_manifest_missing(damaged) -> None:
    settings, root, gen = damaged
    (gen / "manifest.json").unlink()
    assert "manifest.json" in refused_message(settings, root, IndexCorruptError)


def test_passages_file_missing(damaged) -> None:
    settings, root, gen = damaged
    (gen / "archive.sqlite").unlink()
    assert "archive.sqlite is missing" in refused_message(settings, root, IndexCorruptError)


def test_damaged_index_is_reported_by_the_cli_in_one_line(damaged, capsys) -> None:
    settings, root, gen = damaged
    (gen / "archive.sqlite").unlink()
    env = ["--index-dir", str(root), "--model", settings.model]
    assert main(["ask", "Who painted the lighthouse?", *env]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "archive.sqlite is missing" in err and f"sanad index rebuild --index-dir {root}" in err


# -- an index from another embedding model ------------------------------------------------------------
def default_settings(root: Path) -> Settings:
    return Settings.from_env(environ={}, index_dir=root, progress=False)


def fingerprint(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def test_index_from_another_model_is_refused_for_questions_and_writes(
    damaged, tiny_model_dir, tmp_path
) -> None:
    _, root, _ = damaged
    before = fingerprint(root)
    msg = refused_message(default_settings(root), root, IndexMismatchError)
    assert "model=" in msg and str(tiny_model_dir.resolve()) in msg
    # Adding articles with the other model must not mix two models' vectors in one index.
    extra = tmp_path / "extra.txt"
    extra.write_text("A new article about the river ferry.\n", encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="sanad index rebuild"):
        Sanad(default_settings(root)).add_paths([extra])
    assert fingerprint(root) == before


def test_web_chat_shows_the_mismatch_as_a_readable_error(damaged) -> None:
    from ui.handlers import Handlers

    _, root, _ = damaged
    settings = default_settings(root)
    *_, (_, shown, _) = Handlers(Sanad(settings), settings).ask("Who painted the lighthouse?", {})
    html = shown[-1]["content"]
    assert "sanad-error" in html and "sanad index rebuild" in html and "Traceback" not in html


def test_the_advised_rebuild_moves_an_index_to_the_configured_model(damaged, capsys) -> None:
    _, root, _ = damaged
    assert main(["index", "rebuild", "--index-dir", str(root), "--no-progress"]) == 0
    capsys.readouterr()
    sanad = Sanad(default_settings(root))
    assert sanad.stats()["model"] == DEFAULT_MODEL
    hits = sanad.retrieve("Who painted the lighthouse tower red?", top_k=1)
    assert hits[0].doc_id == "good-en.md"


def test_the_advised_rebuild_repairs_a_damaged_faiss_file(damaged, capsys, monkeypatch) -> None:
    settings, root, gen = damaged
    _truncate(gen)
    monkeypatch.setenv("SANAD_MODEL_LANGUAGES", settings.model_languages)
    monkeypatch.setenv("SANAD_DENSE_KIND", settings.dense_kind)
    code = main(["index", "rebuild", "--index-dir", str(root), "--model", settings.model, "--no-progress"])
    capsys.readouterr()
    assert code == 0
    assert Sanad(settings).ask("Who painted the lighthouse?").text
