"""A tiny sentence-transformers model, built in the test and loaded by path through the real code."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from index.embedder import (
    ModelSource,
    detect_languages,
    load_embedder,
    model_card_languages,
    resolve_model,
)
from index.errors import ModelNotAvailableError


def test_loads_by_path_with_its_dimension(tiny_model_dir: Path) -> None:
    emb = load_embedder(str(tiny_model_dir))
    assert emb.dim == 32
    assert emb.name == str(tiny_model_dir.resolve())  # the index records the resolved path


def test_output_is_unit_length_float32(tiny_model_dir: Path) -> None:
    emb = load_embedder(str(tiny_model_dir))
    vecs = emb.embed(["the news", "war and peace talks", "حرب", "", "x" * 3000])
    assert vecs.shape == (5, 32) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)


def test_embeddings_are_deterministic_and_batch_independent(tiny_model_dir: Path) -> None:
    emb = load_embedder(str(tiny_model_dir))
    texts = [f"the city river talks {i}" for i in range(10)]
    a = emb.embed(texts, batch_size=3)
    b = emb.embed(texts, batch_size=10)
    np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(emb.embed_query(texts[4]), a[4], atol=1e-5)
    assert not np.allclose(a[0], emb.embed_query("war"))  # different texts, different vectors


def test_a_lone_text_gets_the_vector_it_gets_in_a_batch(tiny_model_dir: Path) -> None:
    """A batch of one would run other kernels: its vector must not differ in the last bits, or a
    passage's vector would depend on what else was embedded with it (shards against one index)."""
    emb = load_embedder(str(tiny_model_dir))
    texts = [f"the news of the city river {i} " * (1 + i % 4) for i in range(9)]
    together = emb.embed(texts, batch_size=4)
    for i, t in enumerate(texts):
        assert np.array_equal(emb.embed([t], batch_size=4)[0], together[i])


def test_progress_is_reported(tiny_model_dir: Path) -> None:
    emb = load_embedder(str(tiny_model_dir))
    calls: list[tuple[int, int]] = []
    emb.embed([f"news {i}" for i in range(10)], batch_size=1, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (10, 10)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_loaded_once_per_process(tiny_model_dir: Path) -> None:
    assert load_embedder(str(tiny_model_dir)) is load_embedder(str(tiny_model_dir))


def test_tiny_model_card_has_no_language_so_english_is_assumed(tiny_model_dir: Path) -> None:
    assert detect_languages(resolve_model(str(tiny_model_dir))) == frozenset({"en"})


@pytest.fixture
def model_copy(tiny_model_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "model-copy"
    shutil.copytree(tiny_model_dir, copy)
    return copy


@pytest.mark.parametrize(
    "front_matter",
    [
        "language: [en, ar, fr]",
        "language:\n- en\n- ar\n- fr",
        "language: multilingual",
        "language:\n- multilingual",
    ],
    ids=["inline-list", "block-list", "inline-multilingual", "block-multilingual"],
)
def test_model_card_languages_make_it_multilingual(model_copy: Path, front_matter: str) -> None:
    (model_copy / "README.md").write_text(
        f"---\n{front_matter}\ntags:\n- x\n---\n\n# Model\n", encoding="utf-8"
    )
    source = resolve_model(str(model_copy))
    assert detect_languages(source) == frozenset({"multi"})
    emb = load_embedder(str(model_copy))
    assert emb.serves("ar") and emb.serves("en")


def test_model_card_with_two_languages(model_copy: Path) -> None:
    (model_copy / "README.md").write_text("---\nlanguage:\n  - ar\n  - en\n---\n", encoding="utf-8")
    assert model_card_languages(str(model_copy)) == {"ar", "en"}
    assert detect_languages(resolve_model(str(model_copy))) == frozenset({"ar", "en"})


def test_declared_languages_win_over_the_card(model_copy: Path) -> None:
    (model_copy / "README.md").write_text("---\nlanguage: [en, ar, fr]\n---\n", encoding="utf-8")
    source = resolve_model(str(model_copy))
    assert detect_languages(source, "en") == frozenset({"en"})
    assert detect_languages(source, "multilingual") == frozenset({"multi"})


def test_name_hints_when_there_is_no_card() -> None:
    remote = ModelSource(
        "org/paraphrase-multilingual-MiniLM-L12-v2", "org/paraphrase-multilingual-MiniLM-L12-v2", False
    )
    assert detect_languages(remote) == frozenset({"multi"})
    assert detect_languages(
        ModelSource("org/some-english-model", "org/some-english-model", False)
    ) == frozenset({"en"})


def _one_clear_line(err: pytest.ExceptionInfo, *needles: str) -> None:
    msg = str(err.value)
    assert "\n" not in msg and len(msg) < 300
    for n in needles:
        assert n in msg


def test_missing_path_is_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-model-here"
    with pytest.raises(ModelNotAvailableError) as err:
        load_embedder(str(missing))
    _one_clear_line(err, str(missing), "does not exist")


def test_unknown_hub_name_is_one_clear_line_without_network() -> None:
    with pytest.raises(ModelNotAvailableError) as err:
        load_embedder("sanad-tests/no-such-model-anywhere")
    _one_clear_line(err, "sanad-tests/no-such-model-anywhere", "not available offline", "hub")


def test_folder_that_is_not_a_model_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailableError) as err:
        load_embedder(str(tmp_path))
    _one_clear_line(err, str(tmp_path), "could not be loaded")


def test_damaged_weights_are_one_clear_line(model_copy: Path) -> None:
    (model_copy / "model.safetensors").write_bytes(b"not a safetensors file at all")
    with pytest.raises(ModelNotAvailableError) as err:
        load_embedder(str(model_copy))
    _one_clear_line(err, str(model_copy))


def test_prompts_come_from_the_model_folder(tiny_e5_dir: Path, tiny_model_dir: Path) -> None:
    from sentence_transformers import SentenceTransformer

    from index.embedder import Embedder, ModelSource, model_prompts

    assert model_prompts(str(tiny_e5_dir)) == ("query: ", "passage: ")
    assert model_prompts(str(tiny_model_dir)) == ("", "")
    src = ModelSource(str(tiny_e5_dir), str(tiny_e5_dir), True)
    emb = Embedder(src, frozenset({"multi"}), backend="torch")
    st = SentenceTransformer(str(tiny_e5_dir), device="cpu")
    want_p = st.encode(["passage: the talks"], normalize_embeddings=True)[0]
    want_q = st.encode(["query: the talks"], normalize_embeddings=True)[0]
    assert np.allclose(emb.embed(["the talks"])[0], want_p, atol=1e-5)
    assert np.allclose(emb.embed_query("the talks"), want_q, atol=1e-5)
    assert np.allclose(emb.embed_queries(["the talks"])[0], want_q, atol=1e-5)


def test_onnx_backend_applies_the_same_prompts(tiny_e5_dir: Path, tmp_path: Path) -> None:
    from index.embedder import Embedder, ModelSource, ensure_onnx_export

    assert ensure_onnx_export(str(tiny_e5_dir), tmp_path) is not None
    src = ModelSource(str(tiny_e5_dir), str(tiny_e5_dir), True)
    torch_emb = Embedder(src, frozenset({"multi"}), backend="torch")
    onnx_emb = Embedder(src, frozenset({"multi"}), backend="onnx", cache_dir=tmp_path)
    assert onnx_emb.backend == "onnx"
    texts = ["the talks", "في الأخبار", "x"]
    assert np.allclose(onnx_emb.embed(texts), torch_emb.embed(texts), atol=1e-4)
    assert np.allclose(onnx_emb.embed_query("the talks"), torch_emb.embed_query("the talks"), atol=1e-4)
