"""The benchmark's data, prepared once outside the repository: corpora as files, passages, questions.

Every system reads the same things: Sanad indexes the article files (its product path); the peers
index the very passages Sanad makes of them (same splitter, title line included), so recall and
speed compare retrieval, not chunking. Question loads are fixed by rule (every k-th question), not
picked by outcome.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eval.squad import add_parallel, load_squad, write_corpus
from index.documents import Document, iter_articles
from index.passages import split_passages

SIZES = ("sample", "xquad", "news10k", "news")
NEWS_SLICE_PASSAGES = 10_000


@dataclass(frozen=True)
class Sources:
    sample_dir: Path
    xquad_ar: Path
    xquad_en: Path
    news_dir: Path
    sample_questions: Path | None = None


@dataclass
class Prepared:
    size: str
    corpus_dir: Path
    passages_file: Path  # jsonl {"id", "doc", "text"}: what the peers index
    load_file: Path  # jsonl {"q", "lang"}: the latency load
    recall_file: Path | None  # jsonl {"q", "lang", "evidence", "doc"}: questions with gold, if any
    documents: int
    passages: int


def news_records(news_dir: Path, fields: tuple[str, ...] = ("title", "content")) -> Iterator[dict]:
    """Every SaudiNewsNet article with text, in file order, as {"id": "<zip>/<NNNNN>", field: value}."""
    for z in sorted(Path(news_dir).glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in sorted(zf.namelist()):
                if not name.endswith(".json"):
                    continue
                for i, art in enumerate(json.loads(zf.read(name).decode("utf-8"))):
                    if (art.get("content") or "").strip():
                        yield {"id": f"{z.stem}/{i:05d}", **{k: art.get(k) or "" for k in fields}}


def news_articles(news_dir: Path) -> Iterator[tuple[str, str, str]]:
    """(doc_id, title, content) of every SaudiNewsNet article, in file order; empty ones skipped."""
    for r in news_records(news_dir):
        yield f"{r['id']}.md", r["title"].strip(), r["content"].strip()


def article_markdown(title: str, content: str) -> str:
    return f"# {title}\n\n{content}\n" if title else f"{content}\n"


def passage_rows(docs: list[Document], words: int, overlap: int) -> list[dict]:
    """The passages Sanad's builder makes of `docs`, with the title line it adds, numbered."""
    rows = []
    for d in docs:
        for p in split_passages(d.doc_id, d.text, words, overlap):
            text = f"{d.title}\n{p.text}" if d.title else p.text
            rows.append({"id": len(rows), "doc": d.doc_id, "text": text})
    return rows


def every_kth(items: list, n: int) -> list:
    """`n` items spread evenly over `items` (all of them when there are fewer)."""
    if n <= 0 or not items:
        return []
    if len(items) <= n:
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def interleave(*lists: list) -> list:
    """a0, b0, a1, b1, ...: so a load cut anywhere stays mixed."""
    out = []
    for i in range(max((len(x) for x in lists), default=0)):
        out.extend(x[i] for x in lists if i < len(x))
    return out


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _documents(corpus_dir: Path) -> list[Document]:
    return [d for d in iter_articles([corpus_dir]) if isinstance(d, Document)]


def xquad_questions(src: Sources) -> list[dict]:
    squad = load_squad(src.xquad_ar)
    add_parallel(squad, src.xquad_en)
    return [
        {"q": q.question, "lang": q.lang, "evidence": q.evidence, "doc": q.doc_id}
        for q in squad.questions
        if q.answerable
    ]


def _xquad_load(src: Sources, n: int) -> list[dict]:
    qs = xquad_questions(src)
    ar = [{"q": q["q"], "lang": "ar"} for q in qs if q["lang"] == "ar"]
    en = [{"q": q["q"], "lang": "en"} for q in qs if q["lang"] == "en"]
    return interleave(every_kth(ar, (n + 1) // 2), every_kth(en, n // 2))


def _write_news(corpus_dir: Path, articles: list[tuple[str, str, str]]) -> None:
    for doc_id, title, content in articles:
        path = corpus_dir / doc_id
        text = article_markdown(title, content)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def news_slice(news_dir: Path, max_passages: int | None, words: int = 200) -> list[tuple[str, str, str]]:
    """The first articles (file order) whose passages reach `max_passages`; all of them for None."""
    out, total = [], 0
    for doc_id, title, content in news_articles(news_dir):
        if max_passages is not None and total >= max_passages:
            break
        out.append((doc_id, title, content))
        if max_passages is not None:
            total += len(split_passages(doc_id, article_markdown(title, content), words))
    return out


def prepare(size: str, src: Sources, work: Path, n_load: int) -> Prepared:
    """Write the corpus, the passages and the question files of one size under `work/size`."""
    if size not in SIZES:
        msg = f"unknown size {size!r}; choose from {', '.join(SIZES)}"
        raise ValueError(msg)
    from assistant.config import Settings

    defaults = Settings.from_env(environ={})
    base = work / size
    corpus = base / "corpus"
    recall: list[dict] | None = None
    if size == "sample":
        corpus = Path(src.sample_dir)
        load: list[dict] = []
        if src.sample_questions and Path(src.sample_questions).is_file():
            load = [{"q": r["question"], "lang": r["lang"]} for r in read_jsonl(src.sample_questions)]
        load = (load + _xquad_load(src, n_load))[:n_load]
    elif size == "xquad":
        squad = load_squad(src.xquad_ar)
        corpus.mkdir(parents=True, exist_ok=True)
        write_corpus(squad.paragraphs, corpus, prune=True)
        recall = xquad_questions(src)
        load = _xquad_load(src, n_load)
    else:
        articles = news_slice(src.news_dir, NEWS_SLICE_PASSAGES if size == "news10k" else None, defaults.passage_words)
        _write_news(corpus, articles)
        titles = [{"q": t, "lang": "ar"} for _, t, _ in every_kth([a for a in articles if a[1]], n_load // 2)]
        load = interleave(_xquad_load(src, n_load - len(titles)), titles)
    docs = _documents(corpus)
    rows = passage_rows(docs, defaults.passage_words, defaults.passage_overlap)
    _write_jsonl(base / "passages.jsonl", rows)
    _write_jsonl(base / "load.jsonl", load)
    recall_file = None
    if recall is not None:
        recall_file = base / "recall.jsonl"
        _write_jsonl(recall_file, recall)
    return Prepared(size, corpus, base / "passages.jsonl", base / "load.jsonl", recall_file, len(docs), len(rows))
