"""Sanad's side of the benchmark, run by `sanad bench` in a fresh process per phase and size.

`build`: index the corpus folder through the facade (what `sanad index add` does), from an empty
index. `serve`: open the existing index as a new process would, then time questions (retrieval
alone, and retrieval + answer) and collect the hits for recall; optionally compare HNSW with exact
search on the index's own vectors, and time filtered questions against unfiltered ones (job key
"filters": {"name": {"since", "until", "source"}}). Usage: python -m eval.bench_ours {build|serve} JOB.json RESULT.json
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from eval.bench_data import read_jsonl
from eval.bench_report import percentiles


def vm_hwm_mb() -> float:
    """Peak resident memory of this process so far (Linux VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


def _sanad(job: dict[str, Any]):
    from assistant.config import Settings
    from assistant.sanad import Sanad

    overrides = {k: job[k] for k in ("dense_kind", "dense_threshold", "batch_size", "add_commit_every", "embed_backend") if k in job}
    settings = Settings.from_env(environ={}, index_dir=Path(job["index_dir"]), progress=False)
    known = {k: v for k, v in overrides.items() if hasattr(settings, k)}
    return Sanad(settings.replace(**known))


class _Progress:
    """One stderr line per stage and every ~10%: enough to see a long build move, cheap to print."""

    def __init__(self, label: str):
        self.label, self.stage, self.next = label, "", 0.0
        self.t0 = time.perf_counter()

    def __call__(self, done: int, total: int, stage: str) -> None:
        if stage != self.stage:
            self.stage, self.next = stage, 0.0
        if total and done / total >= self.next:
            self.next = done / total + 0.1
            print(f"  [{self.label}] {stage} {done}/{total} ({time.perf_counter() - self.t0:.0f} s)", file=sys.stderr, flush=True)


def run_build(job: dict[str, Any]) -> dict[str, Any]:
    t0 = time.perf_counter()
    sanad = _sanad(job)
    emb = sanad.embedder()
    sanad.lexicon()
    model_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    report = sanad.add_paths([Path(job["corpus"])], _Progress(job.get("label", "sanad")))
    build_s, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    stats = sanad.stats()
    gen = Path(job["index_dir"]) / stats["generation"]
    return {
        "system": "sanad",
        "backend": emb.backend,
        "max_tokens": emb.max_seq_length,
        "model_load_s": model_s,
        "build_s": build_s,
        "build_cpu_s": build_cpu,
        "documents": stats["documents"],
        "passages": stats["passages"],
        "added": len(report.added),
        "refused": len(report.refused),
        "dense_index": stats.get("dense_index"),
        "rss_build_mb": vm_hwm_mb(),
        "index_mb": dir_mb(gen),
    }


def _time(fn, items: list[dict]) -> list[float]:
    out = []
    for q in items:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def ann_study(sanad: Any, questions: list[str], k: int = 10) -> dict[str, Any]:
    """HNSW against exact search on this index's vectors, for these questions' query vectors."""
    import numpy as np

    from index.bridge import dense_text
    from index.dense import DenseIndex

    snap = sanad.snapshot()
    vectors = snap.index.dense.vectors
    queries = snap.embedder.embed_queries([dense_text(q, snap.bridge, snap.glosser) for q in questions])
    flat = DenseIndex(vectors, "flat")
    t0 = time.perf_counter()
    hnsw = DenseIndex(vectors, "hnsw")
    build_s = time.perf_counter() - t0
    top1, overlap, flat_ms, hnsw_ms = [], [], [], []
    for q in queries:
        t = time.perf_counter()
        exact = flat.search(q, k)[0]
        flat_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        approx = hnsw.search(q, k)[0]
        hnsw_ms.append((time.perf_counter() - t) * 1000)
        top1.append(bool(len(exact) and len(approx) and exact[0] == approx[0]))
        overlap.append(len(set(exact.tolist()) & set(approx.tolist())) / max(1, len(exact)))
    return {
        "vectors": int(vectors.shape[0]),
        "hnsw_build_s": build_s,
        "top1_agreement": float(np.mean(top1)),
        "recall_at_10": float(np.mean(overlap)),
        "flat_ms": percentiles(flat_ms),
        "hnsw_ms": percentiles(hnsw_ms),
    }


def filter_study(sanad: Any, questions: list[str], k: int, filters: dict[str, dict]) -> dict[str, Any]:
    """Question latency (retrieval + answer) with each filter against none, interleaved question by
    question so that load on the machine weighs on all alike; `hits` counts the passages returned."""
    from index.filters import SearchFilter

    specs = {"none": SearchFilter(), **{name: SearchFilter.of(spec) for name, spec in filters.items()}}
    for filt in specs.values():  # masks are computed once per filter; warm them and the caches alike
        for q in questions[:10]:
            sanad.ask(q, top_k=k, filter=filt)
    times: dict[str, list[float]] = {name: [] for name in specs}
    hits: dict[str, int] = dict.fromkeys(specs, 0)
    for q in questions:
        for name, filt in specs.items():
            t = time.perf_counter()
            answer = sanad.ask(q, top_k=k, filter=filt)
            times[name].append((time.perf_counter() - t) * 1000)
            hits[name] += len(answer.retrieved)
    base = percentiles(times["none"])
    out: dict[str, Any] = {}
    for name, ms in times.items():
        pct = percentiles(ms)
        out[name] = {"filter": specs[name].to_dict(), "answer_ms": pct, "hits": hits[name],
                     "p95_ratio": pct["p95"] / base["p95"] if base["p95"] else None}  # fmt: skip
    return out


def run_serve(job: dict[str, Any]) -> dict[str, Any]:
    from assistant.runtime import tune_gc_for_serving

    tune_gc_for_serving()  # as the web chat does
    t0 = time.perf_counter()
    sanad = _sanad(job)
    sanad.snapshot()
    open_s = time.perf_counter() - t0
    k = int(job.get("top_k", 5))
    load = read_jsonl(Path(job["load"]))
    for q in load[: int(job.get("warmup", 10))]:
        sanad.ask(q["q"], top_k=k)
    retrieve_ms = _time(lambda q: sanad.retrieve(q["q"], top_k=k), load)
    abstained = 0

    def ask(q: dict) -> None:
        nonlocal abstained
        abstained += sanad.ask(q["q"], top_k=k).abstained

    answer_ms = _time(ask, load)
    ranked = []
    if job.get("recall"):
        for q in read_jsonl(Path(job["recall"])):
            ranked.append([{"doc_id": h.doc_id, "text": h.text} for h in sanad.retrieve(q["q"], top_k=k)])
    out = {
        "open_s": open_s,
        "retrieve_ms": percentiles(retrieve_ms),
        "answer_ms": percentiles(answer_ms),
        "abstained": abstained,
        "rss_serve_mb": vm_hwm_mb(),
        "ranked": ranked,
    }
    if job.get("ann"):
        out["ann"] = ann_study(sanad, [q["q"] for q in load])
    if job.get("filters"):  # {"name": {"since": ..., "until": ..., "source": [...]}}
        out["filters"] = filter_study(sanad, [q["q"] for q in load], k, job["filters"])
    return out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 3 or argv[0] not in ("build", "serve"):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    result = run_build(job) if argv[0] == "build" else run_serve(job)
    Path(argv[2]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
