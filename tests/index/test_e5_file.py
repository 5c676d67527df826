"""The E5S1 reader and writer: round trip, Q4_0 arithmetic, and refusal of damaged files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.e5_file import E5FileError, dequantize_q4_0, quantize_q4_0, read_e5, write_e5
from tests.conftest import tiny_e5


def test_q4_0_round_trip_is_within_half_a_step():
    rng = np.random.default_rng(1)
    v = rng.normal(0, 1, 32 * 20).astype(np.float32)
    raw = np.frombuffer(quantize_q4_0(v), np.uint8)
    assert raw.size == 20 * 18
    back = dequantize_q4_0(raw, v.size)
    step = np.abs(v.reshape(-1, 32)).max(axis=1) / 7
    assert np.all(np.abs(back - v).reshape(-1, 32) <= step[:, None] * 0.5 + 1e-3)


def test_q4_0_layout_low_nibble_first():
    # one block: scale 1.0, byte j holds weight j (low nibble) and weight j+16 (high), each + 8
    block = np.zeros(18, np.uint8)
    block[:2] = np.frombuffer(np.float16(1.0).tobytes(), np.uint8)
    block[2] = 0x9A  # weight 0 = 0xA - 8 = 2, weight 16 = 0x9 - 8 = 1
    out = dequantize_q4_0(block, 32)
    assert out[0] == 2.0 and out[16] == 1.0 and out[1] == -8.0


def test_round_trip(tmp_path: Path):
    model = tiny_e5()
    path = tmp_path / "m.bin"
    write_e5(path, model)
    got = read_e5(path)
    assert got.shape == model.shape
    assert got.pieces == model.pieces and np.array_equal(got.scores, model.scores)
    assert got.normalization == model.normalization
    assert got.quantized == model.quantized
    for name, values in model.tensors.items():
        if name in model.quantized:
            assert np.allclose(got.tensors[name], values, atol=np.abs(values).max() / 7)
        else:
            assert np.array_equal(got.tensors[name], values)


@pytest.mark.parametrize("cut", [3, 40, 400, -10])
def test_truncated_file_is_refused(tmp_path: Path, tiny_e5_file: Path, cut: int):
    data = tiny_e5_file.read_bytes()
    bad = tmp_path / "bad.bin"
    bad.write_bytes(data[:cut])
    with pytest.raises(E5FileError):
        read_e5(bad)


def test_wrong_magic_is_refused(tmp_path: Path, tiny_e5_file: Path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + tiny_e5_file.read_bytes()[4:])
    with pytest.raises(E5FileError, match="magic"):
        read_e5(bad)


@pytest.mark.slow
def test_reads_the_real_file():
    from index.e5_convert import source_file

    model = read_e5(source_file())
    assert (model.shape.hidden, model.shape.layers, model.shape.vocab) == (384, 12, 250037)
    assert len(model.pieces) == 250002 and model.pieces[-1] == "<mask>"
    assert model.tensors["emb.word"].size == 250037 * 384
