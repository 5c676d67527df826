"""Fixtures shared by the index-building tests: a real tiny embedder and the options it fits."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.builder import BuildOptions


@pytest.fixture(scope="module")
def embed(tiny_model_dir: Path):
    from index.embedder import load_embedder

    emb = load_embedder(str(tiny_model_dir))
    return lambda texts, progress: emb.embed(texts, 8, progress)


@pytest.fixture
def opts() -> BuildOptions:
    return BuildOptions(model="tiny", dim=32, languages=["en"], bridge="direct", passage_words=12, passage_overlap=1)
