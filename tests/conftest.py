"""Shared fixtures: a tiny sentence-transformers model built on the spot, and a Sanad on the sample.

Everything is built in temporary folders; nothing is downloaded (the hub is switched off for the
whole session). The expensive parts (the bundled model, the dictionary cache, the sample index)
are session-scoped so that the default run stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Hypothesis keeps no example database in the repository (.hypothesis/); failures print their example.
hypothesis_settings.register_profile("sanad", database=None)
hypothesis_settings.load_profile("sanad")

# No test may reach the network: sentence-transformers/transformers must only read local files.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

TINY_VOCAB = (
    ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    + list("abcdefghijklmnopqrstuvwxyz0123456789")
    + ["the", "news", "talks", "peace", "war", "city", "river", "##s", "##ed", "##ing"]
    + list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى")
)
TINY_DIM = 32


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 32-dimensional BERT sentence-transformers model, random but seeded, saved to a folder."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("tiny-model")
    hf = root / "hf"
    hf.mkdir()
    (hf / "vocab.txt").write_text("\n".join(TINY_VOCAB) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(hf / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(TINY_VOCAB),
        hidden_size=TINY_DIM,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(hf)
    tokenizer.save_pretrained(hf)
    transformer = Transformer(str(hf), max_seq_length=120)
    pooling = Pooling(transformer.get_embedding_dimension(), "mean")
    out = root / "tiny-st"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(out))
    return out


@pytest.fixture(scope="session")
def sanad_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Parent folder of every test index that uses the real model.

    Sanad keeps the dictionary cache beside the index folder (`index_dir.parent/lexicon-cache`),
    so indexes created under one parent share it and the dictionary is parsed once per session.
    """
    return tmp_path_factory.mktemp("sanad-home")


ENGLISH_ARTICLE = """# River festival draws record crowds

The annual river festival in the old harbour city attracted more than 40,000 visitors this weekend, the organisers said.

Boat builders showed wooden sailing boats, and local bakers sold honey cakes along the quay.

The mayor said the festival would return next summer with a longer programme of concerts.
"""


@pytest.fixture(scope="session")
def english_article_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("english-articles")
    (d / "river-festival.md").write_text(ENGLISH_ARTICLE, encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def sample_sanad(sanad_home: Path, english_article_dir: Path):
    """A Sanad with the default settings on a fresh index: the sample article plus one English one."""
    from assistant.config import Settings
    from assistant.sanad import Sanad, sample_corpus_dir

    sanad = Sanad(Settings.from_env(environ={}, index_dir=sanad_home / "sample-index", progress=False))
    report = sanad.add_paths([sample_corpus_dir(), english_article_dir])
    assert sorted(report.added) == ["abu-dhabi-talks.ar.txt", "river-festival.md"], report
    return sanad
