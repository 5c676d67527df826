"""Measure `--engine ray` against the single-process path on this machine (the numbers in docs/scale.md).

    python -m eval.news_slice --articles 2000 --out /tmp/news-2000
    python scripts/bench_ray.py --slice /tmp/news-2000 --articles 1000 --work /tmp/ray-bench --out reports/ray-bench.json

Indexing: the first `--articles` articles of the slice, indexed by one process, then through a local
Ray (`--cpus` CPUs, 127.0.0.1) with 1 and with 2 embedding workers (each a fresh index; the time
includes starting the pipeline's actors and loading the model in each). Serving: the same articles
in 1, 2 and 4 shards; `--questions` questions (XQuAD dev and the sample set, every k-th) asked
through `ask`, one at a time, against the single-process index and each shard set: median and p95
latency, each shard actor's resident memory and mean search time, and the router's memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _subslice(src: Path, n: int, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    lines = (src / "news.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[:n]
    (out / "news.jsonl").write_text("".join(lines), encoding="utf-8")
    return out


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _latency(sanad, questions: list[str]) -> dict:
    sanad.ask(questions[0])  # warm: models, caches, actors
    times = []
    for q in questions:
        t0 = time.perf_counter()
        sanad.ask(q)
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"questions": len(times), "median_ms": round(1000 * statistics.median(times), 1),
            "p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 1), "mean_ms": round(1000 * statistics.fmean(times), 1)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slice", type=Path, required=True, help="a folder made by python -m eval.news_slice")
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--work", type=Path, required=True, help="scratch folder (indexes); emptied first")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)

    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    from assistant.cluster.runtime import Connection
    from assistant.cluster.sanad import ShardedSanad
    from assistant.config import Settings
    from assistant.sanad import Sanad
    from eval.top_hits import load_questions
    from index.records import FieldMap

    shutil.rmtree(args.work, ignore_errors=True)
    corpus = _subslice(args.slice, args.articles, args.work / "corpus")
    fields = FieldMap.parse(["date=date_extracted"])
    base = Settings.from_env(progress=False)
    qs = [q for _, q in load_questions()]
    qs = qs[:: max(1, len(qs) // args.questions)][: args.questions]
    out: dict = {"articles": args.articles, "cpus": args.cpus, "model": base.model, "indexing": [], "serving": []}

    def indexed(label: str, sanad, workers: int) -> None:
        t0 = time.perf_counter()
        report = sanad.add_paths([corpus], fields=fields)
        s = time.perf_counter() - t0
        row = {"engine": label, "workers": workers, "articles": len(report.added), "passages": report.passages,
               "seconds": round(s, 1), "articles_per_s": round(len(report.added) / s, 2), "passages_per_s": round(report.passages / s, 1)}  # fmt: skip
        out["indexing"].append(row)
        print(json.dumps(row), flush=True)

    one = Sanad(base.replace(index_dir=args.work / "one"))
    indexed("single process", one, 1)
    rss0 = _rss()
    out["serving"].append({"engine": "single process", "shards": 0, **_latency(one, qs), "process_rss_bytes": _rss()})
    print(json.dumps(out["serving"][-1]), flush=True)
    del one

    conn = Connection(cpus=args.cpus)  # one local Ray for every run below
    try:
        sets = {1: ("ray-1", 1), 2: ("ray-2", 2), 4: ("ray-4", 2)}  # shards: (folder, workers)
        for shards, (name, workers) in sets.items():
            sanad = ShardedSanad(base.replace(index_dir=args.work / name, engine="ray", shards=shards, ray_workers=workers))
            if shards != 4:
                indexed(f"ray, {workers} worker{'s' * (workers > 1)}", sanad, workers)
            else:
                sanad.add_paths([corpus], fields=fields)
            lat = _latency(sanad, qs)
            import ray

            usage = ray.get([a.usage.remote() for a in sanad.snapshot().index.shards.actors])
            row = {"engine": "ray", "shards": shards, **lat, "router_rss_bytes": _rss(),
                   "shard_rss_bytes": [u["rss_bytes"] for u in usage], "shard_passages": [u["passages"] for u in usage],
                   "shard_search_ms": [round(1000 * u["search_s"] / max(1, u["searches"]), 2) for u in usage]}  # fmt: skip
            out["serving"].append(row)
            print(json.dumps(row), flush=True)
            sanad.close()
    finally:
        conn.close()
    out["single_process_rss_before_serving"] = rss0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"-> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
