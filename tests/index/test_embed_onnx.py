"""The ONNX backend gives the torch model's vectors; the weights' hash is remembered, not recomputed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.embed_onnx import OnnxUnavailable, check_layout, find_export, fingerprint
from index.embedder import Embedder, cached_sha256, ensure_onnx_export, resolve_model

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")  # the exporter's dependency (build time only)

TEXTS = ["the news", "war and peace talks in the city", "حرب", "", "river " * 300, "x"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    """A cache holding a verified export of the tiny model (made once for the module)."""
    d = tmp_path_factory.mktemp("cache")
    assert ensure_onnx_export(str(tiny_model_dir), d) is not None
    return d


def _embedder(model_dir: Path, backend: str, cache: Path, max_seq_length: int | None = None) -> Embedder:
    return Embedder(resolve_model(str(model_dir)), frozenset({"en"}), backend=backend, max_seq_length=max_seq_length, cache_dir=cache)


def test_onnx_vectors_equal_torch_vectors(tiny_model_dir: Path, cache: Path) -> None:
    onnx = _embedder(tiny_model_dir, "onnx", cache)
    torch = _embedder(tiny_model_dir, "torch", cache)
    assert (onnx.backend, torch.backend) == ("onnx", "torch")
    assert onnx.dim == torch.dim == 32
    a, b = onnx.embed(TEXTS, batch_size=4), torch.embed(TEXTS, batch_size=4)
    assert a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-5)
    assert np.min(np.sum(a * b, axis=1)) >= 0.9999
    np.testing.assert_allclose(onnx.embed_query(TEXTS[1]), a[1], atol=1e-5)


def test_auto_takes_the_verified_export_and_torch_without_one(tiny_model_dir: Path, cache: Path, tmp_path: Path) -> None:
    assert _embedder(tiny_model_dir, "auto", cache).backend == "onnx"
    assert _embedder(tiny_model_dir, "auto", tmp_path / "empty-cache").backend == "torch"


def test_rows_come_back_in_order_whatever_the_batching(tiny_model_dir: Path, cache: Path) -> None:
    emb = _embedder(tiny_model_dir, "onnx", cache)
    texts = [f"the city {'river ' * (i % 5)} talks {i}" for i in range(23)]
    one = np.stack([emb.embed_query(t) for t in texts])
    for bs in (1, 3, 64):
        np.testing.assert_allclose(emb.embed(texts, batch_size=bs), one, atol=1e-5)
    calls: list[tuple[int, int]] = []
    emb.embed(texts, batch_size=5, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (23, 23) and [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_max_seq_length_cuts_long_texts(tiny_model_dir: Path, cache: Path) -> None:
    texts = ["the news talks peace war city " + "river " * 40, "the news talks peace war city " + "9 z " * 40]
    cut = _embedder(tiny_model_dir, "onnx", cache, max_seq_length=8)
    assert cut.max_seq_length == 8
    a, b = cut.embed(texts)
    assert np.abs(a - b).max() < 1e-6  # the texts differ only after the 8th token
    a, b = _embedder(tiny_model_dir, "onnx", cache).embed(texts)
    assert np.abs(a - b).max() > 1e-4


def test_an_export_is_found_only_for_the_same_weights(tiny_model_dir: Path, cache: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(tiny_model_dir, copy)
    digest = cached_sha256(copy / "model.safetensors", cache)
    assert find_export(cache, fingerprint(copy, digest)) is not None  # same bytes, same export
    (copy / "config.json").write_text(
        json.dumps({**json.loads((copy / "config.json").read_text()), "layer_norm_eps": 1e-5}), encoding="utf-8"
    )
    assert find_export(cache, fingerprint(copy, digest)) is None  # another config: not this export


def test_a_model_without_mean_pooling_has_no_onnx_backend(tiny_model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "cls-model"
    shutil.copytree(tiny_model_dir, copy)
    cfg = copy / "1_Pooling" / "config.json"
    conf = json.loads(cfg.read_text())
    cfg.write_text(json.dumps({**conf, "pooling_mode": "cls"}), encoding="utf-8")
    with pytest.raises(OnnxUnavailable, match="mean pooling"):
        check_layout(copy)
    assert ensure_onnx_export(str(copy), tmp_path / "cache") is None
    assert _embedder(copy, "auto", tmp_path / "cache").backend == "torch"


def test_weights_hash_is_remembered_by_size_and_mtime(tmp_path: Path) -> None:
    f = tmp_path / "weights.bin"
    f.write_bytes(b"a" * 1000)
    cache = tmp_path / "cache"
    first = cached_sha256(f, cache)
    assert first == hashlib.sha256(b"a" * 1000).hexdigest()
    st = f.stat()
    f.write_bytes(b"b" * 1000)  # same size...
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # ...and the same mtime: the remembered hash is used
    assert cached_sha256(f, cache) == first
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # any rewrite moves the mtime: re-hashed
    assert cached_sha256(f, cache) == hashlib.sha256(b"b" * 1000).hexdigest()
    (cache / "hashes.json").write_text("not json", encoding="utf-8")  # a damaged cache only costs time
    assert cached_sha256(f, cache) == hashlib.sha256(b"b" * 1000).hexdigest()


def test_a_damaged_export_is_not_used(tiny_model_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = ensure_onnx_export(str(tiny_model_dir), cache)
    assert path is not None and _embedder(tiny_model_dir, "auto", cache).backend == "onnx"
    meta = json.loads((path.parent / "meta.json").read_text(encoding="utf-8"))
    assert meta["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    digest = cached_sha256(tiny_model_dir / "model.safetensors", cache)
    assert find_export(cache, fingerprint(tiny_model_dir, digest)) is None
    assert _embedder(tiny_model_dir, "auto", cache).backend == "torch"


def test_without_onnxruntime_auto_falls_back_to_torch(tiny_model_dir: Path, cache: Path) -> None:
    code = (
        "import sys; sys.modules['onnxruntime'] = None\n"
        "from pathlib import Path\n"
        "from index.embedder import Embedder, resolve_model\n"
        f"e = Embedder(resolve_model({str(tiny_model_dir)!r}), frozenset({{'en'}}), cache_dir=Path({str(cache)!r}))\n"
        "print(e.backend, e.embed(['the news']).shape)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, env=env, check=True)
    assert out.stdout.split()[0] == "torch" and "(1, 32)" in out.stdout


@pytest.mark.slow
def test_int8_backend_is_close_to_float_made_once_and_checked(tiny_model_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime.quantization")
    from index.embed_onnx import INT8_NAME, find_int8

    cache = tmp_path / "cache"
    assert ensure_onnx_export(str(tiny_model_dir), cache) is not None
    q = _embedder(tiny_model_dir, "onnx-int8", cache)
    f = _embedder(tiny_model_dir, "onnx", cache)
    assert (q.backend, f.backend) == ("onnx-int8", "onnx")
    a, b = q.embed(TEXTS, batch_size=4), f.embed(TEXTS, batch_size=4)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=1e-4)
    cos = np.sum(a * b, axis=1)
    assert cos.min() >= 0.9 and not np.allclose(a, b, atol=1e-6)  # close, and really a different graph
    [export] = [p for p in (cache / "onnx").iterdir() if p.is_dir()]
    meta = json.loads((export / "meta.json").read_text(encoding="utf-8"))
    assert meta["verified"] and meta["int8_min_cosine"] >= 0.97
    assert find_int8(export / "model.onnx") == export / INT8_NAME
    stamp = (export / INT8_NAME).stat().st_mtime_ns
    _embedder(tiny_model_dir, "onnx-int8", cache)  # found, not made again
    assert (export / INT8_NAME).stat().st_mtime_ns == stamp
    # A damaged int8 graph is refused by its checksum and made again.
    (export / INT8_NAME).write_bytes(b"\0" * 64)
    assert find_int8(export / "model.onnx") is None
    again = _embedder(tiny_model_dir, "onnx-int8", cache)
    np.testing.assert_allclose(again.embed(TEXTS, batch_size=4), a, atol=1e-5)
    assert not [p for p in export.iterdir() if p.name.startswith(".")]  # no temporary files left
