"""The shipped reader: differences from the base, pinned by hash, refused when changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.reader.weights import load_config, pack, quantize_delta, reader_state, unpack, verified_weights
from index.errors import ModelNotAvailableError


def test_int8_rows_keep_the_difference():
    rng = np.random.default_rng(0)
    delta = rng.normal(0, 0.01, (16, 40)).astype(np.float32)
    q, scale = quantize_delta(delta)
    assert q.dtype == np.int8 and scale.shape == (16,)
    assert np.max(np.abs(q * scale[:, None] - delta)) <= scale.max() / 2 + 1e-7


def test_pack_unpack_round_trip():
    rng = np.random.default_rng(1)
    base = {"a.weight": rng.normal(size=(8, 4)).astype(np.float32), "a.bias": rng.normal(size=8).astype(np.float32),
            "b.weight": rng.normal(size=(4, 4)).astype(np.float32)}
    tuned = {"a.weight": base["a.weight"] + 0.01, "a.bias": base["a.bias"] - 0.02}
    stored = pack(base, tuned, np.ones((2, 4), np.float32), np.zeros(2, np.float32))
    assert set(stored) == {"a.weight.q", "a.weight.scale", "a.bias.delta", "head.weight", "head.bias"}
    state, hw, hb = unpack(base, stored)
    assert np.allclose(state["a.weight"], tuned["a.weight"], atol=1e-4)
    assert np.array_equal(state["a.bias"], tuned["a.bias"])
    assert np.array_equal(state["b.weight"], base["b.weight"])  # untouched layers stay the base's
    assert hw.shape == (2, 4)


def test_changed_weights_are_refused(tiny_reader, tmp_path: Path):
    folder, sha, _ = tiny_reader
    assert verified_weights(folder, sha)
    copy = tmp_path / "reader"
    shutil.copytree(folder, copy)
    data = bytearray((copy / "reader.safetensors").read_bytes())
    data[-3] ^= 0x55
    (copy / "reader.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelNotAvailableError, match="not the pinned"):
        verified_weights(copy, sha)


def test_reader_for_another_base_is_refused(tiny_reader, tiny_e5_dir: Path, tmp_path: Path):
    folder, sha, _ = tiny_reader
    copy = tmp_path / "reader"
    shutil.copytree(folder, copy)
    cfg = json.loads((copy / "config.json").read_text())
    cfg["base_source_sha256"] = "0" * 64
    (copy / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(ModelNotAvailableError, match="another conversion"):
        reader_state(tiny_e5_dir, copy, sha)


def test_malformed_config_is_a_clear_error(tmp_path: Path):
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelNotAvailableError, match="config.json"):
        load_config(tmp_path)
