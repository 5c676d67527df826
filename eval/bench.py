"""`sanad bench`: speed, memory and recall of Sanad beside the peers, on this machine, in one run.

For each size (the sample article, XQuAD dev, ~10k news passages, the whole news corpus) it runs,
each in its own process: Sanad's build, Sanad's serving (warm question latency, recall), Sanad's cold
starts (`sanad ask`, `sanad chat` until the page answers), and each peer (LangChain FAISS, txtai
hybrid) from `.venv-bench` (made by scripts/bench-venv.sh). Figures accumulate in OUT/results.json,
so the long whole-corpus size can run once on its own; the markdown table and the plot are redrawn
from everything measured so far.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from eval.bench_data import SIZES, Prepared, Sources, prepare, read_jsonl
from eval.bench_report import OURS, PEERS, merge, recall, to_markdown, write_plot
from index.embedder import BACKENDS

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = ("sample", "xquad", "news10k")


def build_parser() -> argparse.ArgumentParser:
    shared = REPO.parent / "shared"
    p = argparse.ArgumentParser(prog="sanad bench", description=__doc__.strip().splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("reports/bench"), help="folder for results.json, bench.md, bench.png")
    p.add_argument(
        "--sizes",
        default=",".join(DEFAULT_SIZES),
        help=f"comma-separated, from {', '.join(SIZES)} (default: %(default)s; 'news' is the whole corpus: long)",
    )
    p.add_argument("--peers", default=",".join(PEERS), help="comma-separated peers, or 'none' (default: %(default)s)")
    p.add_argument("--bench-python", type=Path, default=REPO / ".venv-bench" / "bin" / "python", help="the peers' venv python")
    p.add_argument("--work", type=Path, default=None, help="corpora and indexes (default: the user cache dir)")
    p.add_argument("--questions", type=int, default=300, help="questions in the latency load (>= 200; default 300)")
    p.add_argument("--cold-runs", type=int, default=3, help="cold starts per size; the median is reported")
    p.add_argument("--no-cold", action="store_true", help="skip the cold-start measurements")
    p.add_argument("--no-ann", action="store_true", help="skip the HNSW-vs-exact comparison")
    p.add_argument("--sample", type=Path, default=REPO / "assistant" / "data" / "sample")
    p.add_argument("--xquad", type=Path, default=shared / "data" / "xquad-dev" / "xquad.ar.json")
    p.add_argument("--xquad-en", type=Path, default=shared / "data" / "xquad-dev" / "xquad.en.json")
    p.add_argument("--news", type=Path, default=shared / "data" / "saudinewsnet")
    p.add_argument("--timeout", type=float, default=4 * 3600, help="seconds allowed to any one process")
    p.add_argument("--port", type=int, default=0, help="port for the web cold start (default: a free one)")
    p.add_argument("--embed-backend", default="auto", choices=BACKENDS,
                   help="Sanad's embedding runtime for this run (default: %(default)s, what Sanad uses by default)")  # fmt: skip
    return p


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        HF_HUB_DISABLE_PROGRESS_BARS="1",
        PYTHONWARNINGS="ignore::DeprecationWarning",  # langchain-community's sunset notice, per process
    )
    for k in [k for k in env if k.startswith("SANAD_")]:
        del env[k]  # the benchmark measures the defaults
    env["PYTHONPATH"] = str(REPO)
    return env


def run_job(cmd: list[str], job: dict[str, Any], timeout: float) -> tuple[dict[str, Any], float]:
    """Run one measuring process on `job`; returns (its result, its wall time)."""
    with tempfile.TemporaryDirectory(prefix="sanad-bench-") as tmp:
        jpath, rpath = Path(tmp) / "job.json", Path(tmp) / "result.json"
        jpath.write_text(json.dumps(job), encoding="utf-8")
        t0 = time.perf_counter()
        proc = subprocess.run([*cmd, str(jpath), str(rpath)], env=_env(), cwd=REPO, timeout=timeout, check=False)
        wall = time.perf_counter() - t0
        if proc.returncode != 0 or not rpath.is_file():
            msg = f"{' '.join(cmd[:4])} failed (exit {proc.returncode})"
            raise RuntimeError(msg)
        return json.loads(rpath.read_text(encoding="utf-8")), wall


def sanad_command() -> list[str]:
    exe = Path(sys.executable).parent / "sanad"
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "assistant"]


def median(values: list[float]) -> float | None:
    s = sorted(values)
    return s[len(s) // 2] if s else None


def cold_cli(index_dir: Path, question: str, runs: int, timeout: float, backend: str = "auto") -> list[float]:
    """Seconds from process start to the printed answer, with the index already built."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [*sanad_command(), "ask", question, "--index-dir", str(index_dir), "--embed-backend", backend],
            env=_env(), cwd=REPO, capture_output=True, timeout=timeout, check=False,
        )
        if proc.returncode != 0:
            msg = f"sanad ask failed: {proc.stderr.decode(errors='replace')[-300:]}"
            raise RuntimeError(msg)
        out.append(time.perf_counter() - t0)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_ready(url: str) -> bool:
    """The chat page answers 200 and Gradio's config endpoint answers JSON."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            if r.status != 200:
                return False
        with urllib.request.urlopen(url.rstrip("/") + "/config", timeout=2) as r:
            return r.status == 200 and bool(json.loads(r.read().decode("utf-8")))
    except (OSError, ValueError):
        return False


def cold_web(index_dir: Path, port: int, timeout: float, backend: str = "auto") -> float:
    """Seconds from `sanad chat` to a usable page."""
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [*sanad_command(), "chat", "--index-dir", str(index_dir), "--port", str(port), "--embed-backend", backend],
            env=_env(), cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            while time.perf_counter() - t0 < timeout:
                if proc.poll() is not None:
                    log.seek(0)
                    msg = f"sanad chat exited ({proc.returncode}): {log.read().decode(errors='replace')[-300:]}"
                    raise RuntimeError(msg)
                if page_ready(url):
                    return time.perf_counter() - t0
                time.sleep(0.05)
            raise RuntimeError(f"sanad chat did not serve {url} within {timeout:.0f} s")
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _say(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def bench_ours(prep: Prepared, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    index_dir = work / prep.size / "index-sanad"
    if index_dir.exists():
        import shutil

        shutil.rmtree(index_dir)
    job = {"corpus": str(prep.corpus_dir), "index_dir": str(index_dir), "label": prep.size, "embed_backend": args.embed_backend}
    _say(f"{prep.size}: Sanad build ({prep.documents} documents, {prep.passages} passages)")
    fig, _ = run_job([sys.executable, "-m", "eval.bench_ours", "build"], job, args.timeout)
    _say(f"{prep.size}: Sanad build {fig['build_s']:.1f} s; serving")
    serve_job = {
        **job,
        "load": str(prep.load_file),
        "recall": str(prep.recall_file) if prep.recall_file else None,
        "ann": not args.no_ann and prep.passages >= 5000,
    }
    served, _ = run_job([sys.executable, "-m", "eval.bench_ours", "serve"], serve_job, args.timeout)
    fig.update(served)
    if not args.no_cold:
        question = read_jsonl(prep.load_file)[0]["q"]
        runs = cold_cli(index_dir, question, args.cold_runs, args.timeout, args.embed_backend)
        fig["cold_cli_runs"] = runs
        fig["cold_cli_s"] = median(runs)
        web = [cold_web(index_dir, args.port or free_port(), min(args.timeout, 600), args.embed_backend) for _ in range(args.cold_runs)]
        fig["cold_web_runs"] = web
        fig["cold_web_s"] = median(web)
        _say(f"{prep.size}: cold start CLI {fig['cold_cli_s']:.2f} s, web {fig['cold_web_s']:.2f} s")
    return fig


def bench_peer(peer: str, prep: Prepared, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    from assistant.config import Settings
    from index.embedder import resolve_model

    model = resolve_model(Settings.from_env().model)  # the peers read Sanad's own encoder folder
    index_dir = work / prep.size / f"index-{peer}-{Path(model.location).name}"
    job = {
        "system": peer,
        "model_path": model.location,
        "passages": str(prep.passages_file),
        "load": str(prep.load_file),
        "recall": str(prep.recall_file) if prep.recall_file else None,
        "index_dir": str(index_dir),
    }
    _say(f"{prep.size}: {peer} build + questions")
    script = str(REPO / "scripts" / "bench_peers.py")
    fig, _ = run_job([str(args.bench_python), script, "build"], job, args.timeout)
    if not args.no_cold:
        question = read_jsonl(prep.load_file)[0]["q"]
        runs = [run_job([str(args.bench_python), script, "cold"], {**job, "question": question}, args.timeout)[1] for _ in range(args.cold_runs)]
        fig["cold_cli_runs"] = runs
        fig["cold_cli_s"] = median(runs)
    return fig


def add_recall(fig: dict[str, Any], prep: Prepared) -> None:
    """Turn the ranked hits a worker returned into R@1/R@5 per language (peers return passage ids)."""
    ranked = fig.pop("ranked", None)
    if not ranked or prep.recall_file is None:
        return
    questions = read_jsonl(prep.recall_file)
    if any(isinstance(x, int) for r in ranked for x in r):
        rows = {r["id"]: r for r in read_jsonl(prep.passages_file)}
        ranked = [[{"doc_id": rows[i]["doc"], "text": rows[i]["text"]} for i in r] for r in ranked]
    fig["recall"] = recall(ranked, questions)


def _load_avg() -> float:
    return round(os.getloadavg()[0], 2)


def machine() -> dict[str, Any]:
    mem = 0.0
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            mem = int(f.readline().split()[1]) / 1e6
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_gb": round(mem, 1), "python": sys.version.split()[0], "cpu": cpu or "?"}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    bad = [s for s in sizes if s not in SIZES]
    if bad:
        print(f"sanad bench: unknown size {', '.join(bad)}; choose from {', '.join(SIZES)}", file=sys.stderr)
        return 2
    peers = [] if args.peers.strip() == "none" else [p.strip() for p in args.peers.split(",") if p.strip()]
    if any(p not in PEERS for p in peers):
        print(f"sanad bench: peers are {', '.join(PEERS)} (or none)", file=sys.stderr)
        return 2
    if peers and not args.bench_python.is_file():
        print(f"sanad bench: {args.bench_python} not found; run scripts/bench-venv.sh (or --peers none)", file=sys.stderr)
        return 2
    if args.questions < 200:
        print("sanad bench: --questions must be at least 200", file=sys.stderr)
        return 2
    if args.work is None:
        from platformdirs import user_cache_dir

        args.work = Path(user_cache_dir("sanad", appauthor=False)) / "bench"
    src = Sources(args.sample, args.xquad, args.xquad_en, args.news, REPO / "eval" / "data" / "sample.jsonl")
    results_path = args.out / "results.json"
    command = "sanad bench " + shlex.join(argv if argv is not None else sys.argv[1:])
    run: dict[str, Any] = {"machine": {**machine(), "load_start": _load_avg()}, "command": command, "sizes": {}}
    m = run["machine"]
    print(
        f"{command}\nmachine: {m['cpus']} CPUs, {m['memory_gb']} GB, Python {m['python']}, {m['cpu']}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    for size in sizes:
        _say(f"{size}: preparing data under {args.work}")
        prep = prepare(size, src, args.work, args.questions)
        figs: dict[str, Any] = {
            "_meta": {"load_start": _load_avg(), "when": time.strftime("%Y-%m-%d %H:%M"), "command": command}
        }
        ours = bench_ours(prep, args.work, args)
        add_recall(ours, prep)
        figs[OURS] = ours
        for peer in peers:
            fig = bench_peer(peer, prep, args.work, args)
            add_recall(fig, prep)
            figs[peer] = fig
        figs["_meta"]["load_end"] = _load_avg()
        run["sizes"][size] = figs
        run["machine"]["load_end"] = _load_avg()
        # Re-read what is on disk: another run (say the long whole-corpus one) may have added sizes meanwhile.
        old = json.loads(results_path.read_text(encoding="utf-8")) if results_path.is_file() else {}
        merged = merge(old, run)
        args.out.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(merged, indent=1, ensure_ascii=False), encoding="utf-8")
        (args.out / "bench.md").write_text(to_markdown(merged), encoding="utf-8")
        write_plot(merged, args.out / "bench.png")
        _say(f"{size}: done; table in {args.out / 'bench.md'}")
    print((args.out / "bench.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
