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


# A small news archive with metadata (invented stories): three outlets' copies of one wire story,
# relative dates to resolve, two reports on one team a month apart, and an English article.
WIRE_HOSPITAL = (
    "افتتحت وزارة الصحة أمس مستشفى النخيل الجديد في مدينة الدمام بسعة ثلاثمئة وعشرين سريرا. "
    "وقال المتحدث الرسمي باسم الوزارة إن المستشفى يضم أقساما للطوارئ والجراحة وطب الأطفال والعناية المركزة. "
    "وأضاف أن تكلفة المشروع بلغت أربعمئة مليون ريال وأن العمل فيه استمر ثلاث سنوات. "
    "وأشار إلى أن المستشفى سيخدم أكثر من نصف مليون نسمة في المحافظات المجاورة."
)
NEWS_RECORDS = [
    {"id": "spa-1", "title": "افتتاح مستشفى النخيل في الدمام", "content": WIRE_HOSPITAL, "date_extracted": "2015-07-10 08:00:00",
     "source": "spa", "url": "https://news.example/spa/1"},
    {"id": "okaz-1", "title": "مستشفى النخيل يفتح أبوابه", "content": "الدمام - واس: " + WIRE_HOSPITAL,
     "date_extracted": "2015-07-11 02:10:00", "source": "okaz", "url": "https://news.example/okaz/1"},
    {"id": "riyadh-1", "title": "الصحة تفتتح مستشفى النخيل", "content": WIRE_HOSPITAL.replace("أمس", "يوم الخميس"),
     "date_extracted": "2015-07-12 01:00:00", "source": "alriyadh", "url": "https://news.example/riyadh/1"},
    {"id": "sabq-1", "title": "ميناء جدة يستقبل أكبر سفينة حاويات",
     "content": "أعلنت هيئة الموانئ الخميس الماضي أن ميناء جدة الإسلامي استقبل أكبر سفينة حاويات في تاريخه. "
                "وبلغ طول السفينة أربعمئة متر وحمولتها تسعة عشر ألف حاوية. وقال مدير الميناء إن الأرصفة جهزت لاستقبال السفن العملاقة.",
     "date_extracted": "2015-07-05 10:00:00", "source": "sabq", "url": "https://news.example/sabq/1"},
    {"id": "madina-1", "title": "محطة تحلية جديدة في ينبع",
     "content": "دشنت المؤسسة العامة لتحلية المياه اليوم (الاثنين) محطة جديدة في ينبع بطاقة مئتي ألف متر مكعب يوميا. "
                "وتغذي المحطة مدينتي المدينة المنورة وينبع بمياه الشرب.",
     "date_extracted": "2015-07-21 01:30:00", "source": "almadina", "url": "https://news.example/madina/1"},
    {"id": "team-1", "title": "المنتخب يفوز على الأردن",
     "content": "فاز المنتخب الوطني لكرة القدم على منتخب الأردن بهدفين دون رد في المباراة الودية التي أقيمت في جدة. "
                "وسجل المهاجم الهدفين في الشوط الثاني.",
     "date_extracted": "2015-07-01 22:00:00", "source": "arriyadiyah", "url": ""},
    {"id": "team-2", "title": "المنتخب يتعادل مع عمان",
     "content": "تعادل المنتخب الوطني لكرة القدم مع منتخب عمان بهدف لمثله في المباراة الودية التي أقيمت في مسقط. "
                "وسجل المهاجم هدف التعادل في الدقائق الأخيرة.",
     "date_extracted": "2015-07-25 22:00:00", "source": "arriyadiyah", "url": ""},
    {"id": "gulf-1", "title": "Dammam port reopens",
     "content": "The port of Dammam reopened yesterday after three weeks of repairs to its northern quay. "
                "Harbour officials said forty ships were waiting to unload.",
     "date_extracted": "2015-07-15 09:00:00", "source": "Gulf News", "url": "https://news.example/gulf/1"},
]


@pytest.fixture(scope="session")
def news_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive above as a JSON-lines export whose date field needs mapping (date_extracted)."""
    import json

    d = tmp_path_factory.mktemp("news-corpus")
    lines = [json.dumps(r, ensure_ascii=False) for r in NEWS_RECORDS]
    (d / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def news_sanad(sanad_home: Path, news_corpus: Path):
    """A Sanad with the default settings on the news archive, imported with --field date=date_extracted."""
    from assistant.config import Settings
    from assistant.sanad import Sanad
    from index.records import FieldMap

    sanad = Sanad(Settings.from_env(environ={}, index_dir=sanad_home / "news-archive-index", progress=False))
    report = sanad.add_paths([news_corpus], fields=FieldMap.parse(["date=date_extracted"]))
    assert len(report.added) == len(NEWS_RECORDS) and not report.refused, report
    return sanad
