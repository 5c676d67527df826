"""A fixed news slice with its metadata: N SaudiNewsNet articles, every k-th in file order, as JSON lines.

    python -m eval.news_slice --articles 2000 --out /tmp/news-2000
    sanad index add /tmp/news-2000 --field date=date_extracted                  # one index
    sanad index add /tmp/news-2000 --field date=date_extracted --engine ray     # the same, in shards

The records keep SaudiNewsNet's own fields (title, content, date_extracted, source, url), so
outlets, dates and near-duplicate groups take part as in the whole archive; the slice is the same
on every machine (every k-th non-empty article over the sorted zip files). The built-in sample
article is copied beside it unless `--no-sample`, so the sample question set has its article.
Nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from eval.bench_data import every_kth, news_records
from eval.news_mix import NEWS_DIR, SAMPLE_DIR

FIELDS = ("title", "content", "date_extracted", "source", "url")
SLICE_FILE = "news.jsonl"


def build(out: Path, articles: int, news_dir: Path = NEWS_DIR, sample: bool = True) -> int:
    """Write the slice into `out` (a file rewritten only when it differs); returns its article count."""
    chosen = every_kth(list(news_records(news_dir, FIELDS)), articles)
    out.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen)
    path = out / SLICE_FILE
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    if sample:
        for f in sorted(SAMPLE_DIR.iterdir()):
            if f.is_file() and not (out / f.name).is_file():
                shutil.copyfile(f, out / f.name)
    return len(chosen)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--news", type=Path, default=NEWS_DIR, help="folder of SaudiNewsNet's zip files")
    ap.add_argument("--no-sample", action="store_true", help="leave the built-in sample article out")
    args = ap.parse_args(argv)
    n = build(args.out, args.articles, args.news, sample=not args.no_sample)
    print(f"{args.out}: {n} news articles" + ("" if args.no_sample else " and the sample article"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
