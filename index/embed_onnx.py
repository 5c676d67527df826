"""The same sentence embedder run by ONNX Runtime: no torch import, so a process starts in a second.

A sentence-transformers model (BERT-family transformer, mean pooling, normalization) is exported once,
locally, from its own safetensors weights, to `<cache>/onnx/<fingerprint>/model.onnx`, and kept only
if it reproduces the torch model's vectors on probe sentences (cosine >= 0.9999), so recall is the
torch model's. The export needs torch, transformers and onnx; running it needs only onnxruntime and
tokenizers. `python -m index.embed_onnx` exports the bundled model (what `make install` runs).

On request (`embed_backend = "onnx-int8"`) the verified graph is also quantized, int8 per channel on
its matrix products, to `model.int8.onnx` beside it: about twice the throughput on this CPU, for
vectors within cosine ~0.99 of the reference. That is a trade-off (a point of English recall on XQuAD),
so it is never the default.
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

from index.checksum import file_sha256

log = logging.getLogger(__name__)

EXPORT_VERSION = 2  # 2: meta.json records the graph's sha256
MIN_COSINE = 0.9999
MIN_INT8_COSINE = 0.97  # int8 weights move vectors a little; beyond this the quantization went wrong
INT8_NAME = "model.int8.onnx"
# Generic probes (short, long, Arabic, English, empty-ish): a graph that mishandles masks or
# truncation shows it on one of them.
PROBES = (
    "The talks resumed in the capital on Monday.",
    "وقال المتحدث إن الاجتماع سيعقد الأسبوع المقبل في العاصمة.",
    "x",
    " ".join(["news agencies reported heavy rain and closed roads"] * 60),
    "الأمطار الغزيرة أغلقت الطرق " * 40,
)


class OnnxUnavailable(RuntimeError):
    """This model cannot run through ONNX here (runtime missing, layout unsupported, export failed)."""


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def check_layout(model_dir: Path) -> int:
    """The model's max_seq_length if it is transformer + mean pooling (+ normalize); else raise."""
    modules = _read_json(model_dir / "modules.json")
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules] if isinstance(modules, list) else []
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        msg = f"{model_dir}: modules {kinds} are not transformer + pooling (+ normalize)"
        raise OnnxUnavailable(msg)
    pool_dir = next((m.get("path", "") for m in modules if m.get("type", "").endswith("Pooling")), "1_Pooling")
    pooling = _read_json(model_dir / pool_dir / "config.json")
    if isinstance(pooling.get("pooling_mode"), str):  # sentence-transformers >= 6
        modes = {f"pooling_mode_{pooling['pooling_mode']}"}
    else:
        modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    if modes not in ({"pooling_mode_mean_tokens"}, {"pooling_mode_mean"}):
        msg = f"{model_dir}: pooling {sorted(modes)} is not mean pooling"
        raise OnnxUnavailable(msg)
    if not (model_dir / "tokenizer.json").is_file() or not (model_dir / "model.safetensors").is_file():
        msg = f"{model_dir}: tokenizer.json or model.safetensors is missing"
        raise OnnxUnavailable(msg)
    st = _read_json(model_dir / "sentence_bert_config.json")
    return int(st.get("max_seq_length") or _read_json(model_dir / "tokenizer_config.json").get("model_max_length") or 512)


def fingerprint(model_dir: Path, weights_sha256: str) -> str:
    """What the export depends on: the weights (by hash) and the small config files (by content)."""
    h = hashlib.sha256(f"v{EXPORT_VERSION}:{weights_sha256}".encode())
    for name in ("config.json", "tokenizer.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json"):
        p = model_dir / name
        h.update(name.encode() + b"\0" + (p.read_bytes() if p.is_file() else b"") + b"\0")
    return h.hexdigest()[:20]


def export_dir(cache_dir: Path, fp: str) -> Path:
    return cache_dir / "onnx" / fp


def find_export(cache_dir: Path, fp: str) -> Path | None:
    """The verified export for this fingerprint, if one was made and its file is intact.

    The graph's sha256 was recorded when it passed verification; it is checked again here (the
    check is remembered by size and mtime, so a start does not re-read 90 MB).
    """
    from index.embedder import cached_sha256

    d = export_dir(cache_dir, fp)
    meta = _read_json(d / "meta.json")
    onnx = d / "model.onnx"
    if not (meta.get("verified") and meta.get("fingerprint") == fp and onnx.is_file()):
        return None
    if not isinstance(meta.get("sha256"), str) or cached_sha256(onnx, cache_dir) != meta["sha256"]:
        log.warning("ONNX export %s is damaged (sha256 differs); the torch backend is used", onnx)
        return None
    return onnx


class OnnxEncoder:
    """Tokenizer + ONNX graph (mean-pooled, normalized output): texts -> unit float32 vectors."""

    def __init__(self, model_dir: Path, onnx_path: Path, max_seq_length: int, threads: int | None = None):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as e:
            raise OnnxUnavailable(f"onnxruntime or tokenizers is not installed ({e})") from e
        self.max_seq_length = max_seq_length
        self._tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tok.enable_truncation(max_seq_length)
        self._tok.no_padding()
        pad = next((self._tok.token_to_id(t) for t in ("[PAD]", "<pad>") if self._tok.token_to_id(t) is not None), None)
        self._pad = pad or 0
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads or max(1, min(os.cpu_count() or 1, 4))
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # No busy-waiting between calls: the web server and FAISS share these cores.
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
        self.dim = int(self._session.get_outputs()[0].shape[-1])

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self._tok.encode_batch(texts)]

    def run(self, ids: list[list[int]], width: int = 0) -> np.ndarray:
        """Vectors for one batch of token id lists, padded here to `width` (at least the batch's longest)."""
        width = max(width, *(len(x) for x in ids))
        input_ids = np.full((len(ids), width), self._pad, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, x in enumerate(ids):
            input_ids[i, : len(x)] = x
            mask[i, : len(x)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        return np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)


def _export_graph(model_dir: Path, out: Path) -> None:
    import torch
    from transformers import AutoModel

    class Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)[0]
            w = attention_mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * w).sum(1) / w.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    model = AutoModel.from_pretrained(str(model_dir)).eval()
    dummy = torch.ones(2, 8, dtype=torch.long)
    axes = {k: {0: "batch", 1: "tokens"} for k in ("input_ids", "attention_mask", "token_type_ids")}
    with torch.no_grad():
        torch.onnx.export(
            Pooled(model),
            (dummy, dummy, torch.zeros_like(dummy)),
            str(out),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )


def _reference_vectors(model_dir: Path, texts: tuple[str, ...]) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    return st.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)


def export(model_dir: Path, cache_dir: Path, fp: str) -> Path:
    """Export, verify against the torch model, and publish atomically; returns model.onnx."""
    import warnings

    max_len = check_layout(model_dir)
    target = export_dir(cache_dir, fp)
    tmp = target.parent / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir(parents=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                _export_graph(model_dir, tmp / "model.onnx")
            except Exception as e:  # the exporter raises many kinds; any of them means "stay on torch"
                raise OnnxUnavailable(f"ONNX export of {model_dir} failed ({type(e).__name__}: {e})") from e
        enc = OnnxEncoder(model_dir, tmp / "model.onnx", max_len, threads=1)
        got = np.concatenate([enc.run(enc.token_ids([t])) for t in PROBES])
        want = _reference_vectors(model_dir, PROBES)
        worst = float(np.min(np.sum(got * want, axis=1)))
        if worst < MIN_COSINE:
            raise OnnxUnavailable(f"ONNX export of {model_dir} differs from the torch model (cosine {worst:.6f})")
        meta = {
            "fingerprint": fp,
            "verified": True,
            "min_cosine": worst,
            "sha256": file_sha256(tmp / "model.onnx"),
            "source": str(model_dir),
            "version": EXPORT_VERSION,
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if target.exists() and find_export(cache_dir, fp) is None:
            shutil.rmtree(target, ignore_errors=True)  # a stale or half-written export
        try:
            os.rename(tmp, target)
        except OSError:  # another process published the same export first
            if find_export(cache_dir, fp) is None:
                raise
        log.info("exported %s to ONNX (min cosine vs torch %.6f)", model_dir, worst)
        return target / "model.onnx"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def find_int8(onnx_path: Path) -> Path | None:
    """The verified int8 graph beside a verified export, if one was made and is intact."""
    from index.embedder import cached_sha256

    meta = _read_json(onnx_path.parent / "meta.json")
    q = onnx_path.parent / INT8_NAME
    want = meta.get("int8_sha256")
    if not (isinstance(want, str) and q.is_file()):
        return None
    if cached_sha256(q, onnx_path.parent.parent.parent) != want:
        log.warning("int8 ONNX graph %s is damaged (sha256 differs)", q)
        return None
    return q


def quantize(model_dir: Path, onnx_path: Path, max_len: int) -> Path:
    """Quantize a verified export to int8, check it against the float graph, publish it atomically."""
    found = find_int8(onnx_path)
    if found:
        return found
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as e:
        raise OnnxUnavailable(f"onnxruntime's quantization tools are not installed ({e})") from e
    d = onnx_path.parent
    tmp = d / f".tmp-{uuid.uuid4().hex}.onnx"
    try:
        quantize_dynamic(str(onnx_path), str(tmp), weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"])
        ref = OnnxEncoder(model_dir, onnx_path, max_len, threads=1)
        got_enc = OnnxEncoder(model_dir, tmp, max_len, threads=1)
        want = np.concatenate([ref.run(ref.token_ids([t])) for t in PROBES])
        got = np.concatenate([got_enc.run(got_enc.token_ids([t])) for t in PROBES])
        worst = float(np.min(np.sum(got * want, axis=1)))
        if worst < MIN_INT8_COSINE:
            raise OnnxUnavailable(f"int8 graph of {model_dir} differs too much from the float one (cosine {worst:.4f})")
        meta = _read_json(d / "meta.json")
        meta.update(int8_sha256=file_sha256(tmp), int8_min_cosine=worst)
        os.replace(tmp, d / INT8_NAME)
        meta_tmp = d / f".meta-{uuid.uuid4().hex}.json"
        meta_tmp.write_text(json.dumps(meta, indent=1), encoding="utf-8")
        os.replace(meta_tmp, d / "meta.json")
        log.info("quantized %s to int8 (min cosine vs float %.4f)", onnx_path, worst)
        return d / INT8_NAME
    except OnnxUnavailable:
        raise
    except Exception as e:  # the quantizer raises many kinds; any of them means "no int8 graph"
        raise OnnxUnavailable(f"int8 quantization of {onnx_path} failed ({type(e).__name__}: {e})") from e
    finally:
        tmp.unlink(missing_ok=True)


def main() -> int:
    """Export the bundled model for the ONNX backend (idempotent)."""
    from index.embedder import BUNDLED_NAME, ensure_onnx_export

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path = ensure_onnx_export(BUNDLED_NAME)
    print(f"ONNX model: {path}" if path else "ONNX export not available here; Sanad uses the torch backend")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
