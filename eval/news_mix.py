"""A dev corpus where the right article is one among thousands: the sample article plus N news articles.

    .venv/bin/python -m eval.news_mix --articles 3000 --out ~/.cache/sanad/news-mix-3000
    .venv/bin/sanad eval --corpus ~/.cache/sanad/news-mix-3000 --questions eval/data/sample.jsonl

The news articles are SaudiNewsNet's (../shared/data/saudinewsnet), taken evenly over the whole
collection (every k-th article in file order, so every date and outlet is in), written as
Markdown files (title line, then the text). The sample article keeps its file name, so the
questions' `doc_id`s still name it. Nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from eval.bench_data import _write_news, every_kth, news_articles

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "assistant" / "data" / "sample"
NEWS_DIR = ROOT.parent / "shared" / "data" / "saudinewsnet"


def build(out: Path, articles: int, news_dir: Path = NEWS_DIR, sample_dir: Path = SAMPLE_DIR) -> int:
    """Write the mixed corpus into `out` (idempotent); returns the number of news articles in it."""
    chosen = every_kth(list(news_articles(news_dir)), articles)
    out.mkdir(parents=True, exist_ok=True)
    _write_news(out / "news", [(doc_id, title, content) for doc_id, title, content in chosen])
    for f in sorted(Path(sample_dir).iterdir()):
        if f.is_file():
            shutil.copyfile(f, out / f.name)
    return len(chosen)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--news", type=Path, default=NEWS_DIR, help="folder of SaudiNewsNet's zip files")
    args = ap.parse_args(argv)
    n = build(args.out, args.articles, args.news)
    print(f"{args.out}: the sample article and {n} news articles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
