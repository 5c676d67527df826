"""The reader's ONNX graph: equal to torch, batched equal to one by one, re-made when damaged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from assistant.reader.export import GRAPH, export, find, fingerprint, probe_batches, torch_reader
from assistant.reader.session import ReaderSession
from assistant.reader.windows import Window


def test_graph_matches_torch(tiny_reader, tiny_e5_dir: Path):
    import torch

    folder, sha, graph = tiny_reader
    meta = json.loads((graph.parent / "meta.json").read_text())
    assert meta["verified"] and meta["max_logit_diff"] < 1e-3
    model = torch_reader(tiny_e5_dir, folder, sha)
    sess = ReaderSession(graph, threads=1)
    ids, mask = probe_batches(model.encoder.config.vocab_size, 100, seed=5)[2]
    with torch.no_grad():
        want = model(torch.from_numpy(ids), torch.from_numpy(mask))
    got = sess.logits(ids, mask)
    assert np.allclose(got[0], want[0].numpy(), atol=1e-3)


def test_batches_give_the_logits_of_single_windows(tiny_reader):
    _, _, graph = tiny_reader
    sess = ReaderSession(graph, threads=1)
    rng = np.random.default_rng(0)
    ws = [Window(tuple([0, *rng.integers(5, 40, n).tolist(), 2]), 3, ()) for n in (5, 17, 9, 30)]
    together = sess.run(ws)
    for w, (s, e) in zip(ws, together, strict=True):
        (s1, e1), = sess.run([w])
        assert len(s) == len(w.ids)
        assert np.allclose(s, s1, atol=1e-4) and np.allclose(e, e1, atol=1e-4)


def test_damaged_graph_is_exported_again(tiny_reader, tiny_e5_dir: Path, tmp_path: Path):
    folder, sha, graph = tiny_reader
    cache = tmp_path / "cache"
    fp = fingerprint(tiny_e5_dir, folder)
    shutil.copytree(graph.parent, cache / "reader" / fp)
    assert find(cache, fp) is not None
    target = cache / "reader" / fp / GRAPH
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    assert find(cache, fp) is None
    again = export(tiny_e5_dir, cache, folder, pinned=sha)
    assert again == target and find(cache, fp) == target


def test_int8_graph_is_checked_and_close_to_float(tiny_reader, tmp_path: Path):
    from assistant.reader.export import INT8_GRAPH, find_int8, quantize

    _, _, graph = tiny_reader
    d = tmp_path / "export"
    shutil.copytree(graph.parent, d)
    q = quantize(d / GRAPH, vocab=100)
    assert q.name == INT8_GRAPH and find_int8(d / GRAPH) == q
    meta = json.loads((d / "meta.json").read_text())
    assert meta["int8_max_logit_diff"] <= 2.0
    ids, mask = probe_batches(100, 64, seed=1)[1]
    f, i = ReaderSession(d / GRAPH, threads=1).logits(ids, mask), ReaderSession(q, threads=1).logits(ids, mask)
    assert np.max(np.abs(f[0] - i[0])) < 2.0 and not np.array_equal(f[0], i[0])
    data = bytearray(q.read_bytes())
    data[len(data) // 3] ^= 0xFF
    q.write_bytes(bytes(data))
    assert find_int8(d / GRAPH) is None  # a damaged int8 graph is not used; quantize makes it again
    assert quantize(d / GRAPH, vocab=100) == q and find_int8(d / GRAPH) == q
