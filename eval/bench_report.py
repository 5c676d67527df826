"""Benchmark figures -> recall, ratios, target checks, a markdown table and a plot.

Pure functions over the results dictionary that `sanad bench` accumulates in `results.json`
(`{"sizes": {size: {system: figures}}}`), so a long run (the whole news corpus) can be made once,
separately, and still appear in the same table as the quick sizes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.bench_data import SIZES
from eval.metrics import first_relevant_rank

OURS = "sanad"
PEERS = ("langchain", "txtai")
SYSTEM_NAMES = {OURS: "Sanad", "langchain": "LangChain FAISS+MiniLM", "txtai": "txtai hybrid"}


def percentiles(ms: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99 by the nearest-rank rule on the sorted values (None when empty)."""
    s = sorted(ms)

    def at(q: float) -> float | None:
        if not s:
            return None
        i = min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))
        return round(s[i], 3)

    return {"p50": at(50), "p95": at(95), "p99": at(99), "n": len(s)}


def recall(ranked: Sequence[Sequence[dict[str, Any]]], questions: Sequence[dict[str, Any]]) -> dict[str, dict]:
    """R@1 and R@5 per question language; `ranked[i]` is the hit list ({doc_id, text}) for question i."""
    out: dict[str, dict] = {}
    for lang in sorted({q["lang"] for q in questions}):
        idx = [i for i, q in enumerate(questions) if q["lang"] == lang]
        ranks = [first_relevant_rank(ranked[i], questions[i].get("evidence"), questions[i].get("doc")) for i in idx]
        n = len(ranks)
        out[lang] = {
            "r1": sum(r is not None and r <= 1 for r in ranks) / n if n else None,
            "r5": sum(r is not None and r <= 5 for r in ranks) / n if n else None,
            "n": n,
        }
    return out


def ratio(ours: float | None, peer: float | None) -> float | None:
    if ours is None or peer is None or peer == 0 or (isinstance(peer, float) and math.isnan(peer)):
        return None
    return ours / peer


def throughput(fig: dict[str, Any]) -> float | None:
    if not fig.get("build_s") or not fig.get("passages"):
        return None
    return fig["passages"] / fig["build_s"]


def _get(fig: dict[str, Any] | None, *path: str) -> Any:
    cur: Any = fig
    for p in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(p)
    return cur


def latency(fig: dict[str, Any] | None, kind: str, q: str) -> float | None:
    """Question latency: kind "retrieve" or "answer"; peers only retrieve, so their answer = retrieve."""
    v = _get(fig, f"{kind}_ms", q)
    return v if v is not None or kind != "answer" else _get(fig, "retrieve_ms", q)


FIGURES: tuple[tuple[str, str, str], ...] = (
    # (key, label, better)
    ("build_s", "build s", "lower"),
    ("throughput", "passages/s", "higher"),
    ("rss_build_mb", "peak RSS build MB", "lower"),
    ("index_mb", "index MB", "lower"),
    ("retrieve_p50", "retrieve p50 ms", "lower"),
    ("retrieve_p95", "retrieve p95 ms", "lower"),
    ("retrieve_p99", "retrieve p99 ms", "lower"),
    ("answer_p50", "question p50 ms", "lower"),
    ("answer_p95", "question p95 ms", "lower"),
    ("answer_p99", "question p99 ms", "lower"),
    ("rss_serve_mb", "peak RSS serving MB", "lower"),
    ("cold_cli_s", "cold start CLI s", "lower"),
)


def figure(fig: dict[str, Any] | None, key: str) -> float | None:
    if fig is None:
        return None
    if key == "throughput":
        return throughput(fig)
    if key.startswith(("retrieve_", "answer_")):
        kind, q = key.split("_")
        return latency(fig, kind, q)
    if key == "rss_serve_mb":
        return fig.get("rss_serve_mb", fig.get("rss_peak_mb"))
    return fig.get(key)


def ratios(size_figs: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """{peer: {figure: ours/peer}} for one size."""
    ours = size_figs.get(OURS)
    return {
        peer: {key: ratio(figure(ours, key), figure(size_figs[peer], key)) for key, _, _ in FIGURES}
        for peer in PEERS
        if peer in size_figs and ours is not None
    }


def _fmt(v: Any, digits: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        if abs(v) >= 100:
            return f"{v:,.0f}"
        return f"{v:.{digits}f}"
    return str(v)


def _sizes(results: dict[str, Any]) -> list[str]:
    have = results.get("sizes", {})
    return [s for s in SIZES if s in have] + sorted(s for s in have if s not in SIZES)


def main_table(results: dict[str, Any]) -> str:
    head = "| size | system | passages | " + " | ".join(label for _, label, _ in FIGURES) + " | cold start web s |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for size in _sizes(results):
        figs = results["sizes"][size]
        for system in (OURS, *PEERS):
            fig = figs.get(system)
            if fig is None:
                continue
            cells = [_fmt(figure(fig, k), 2 if k.endswith(("_s", "p50", "p95", "p99")) else 1) for k, _, _ in FIGURES]
            lines.append(
                f"| {size} | {SYSTEM_NAMES[system]} | {fig.get('passages', '–')} | "
                + " | ".join(cells)
                + f" | {_fmt(fig.get('cold_web_s'), 2)} |"
            )
    loads = [
        f"{size} {m.get('when', '')} (load {m.get('load_start', '?')} → {m.get('load_end', '?')}"
        + (f"; `{m['command']}`" if m.get("command") else "")
        + ")"
        for size in _sizes(results)
        if (m := results["sizes"][size].get("_meta"))
    ]
    if loads:
        lines += ["", "Measured: " + "; ".join(loads) + "."]
    setups = sorted(
        {f"{f['backend']} backend, passages cut at {f.get('max_tokens')} tokens" for size in _sizes(results)
         if (f := results["sizes"][size].get(OURS)) and f.get("backend")}
    )
    if setups:
        lines += ["", "Sanad's embedder: " + "; ".join(setups) + "."]
    return "\n".join(lines)


def ratio_table(results: dict[str, Any]) -> str:
    head = "| size | ours / peer | " + " | ".join(f"{label} ({better} is better)" for _, label, better in FIGURES) + " |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for size in _sizes(results):
        for peer, rs in ratios(results["sizes"][size]).items():
            lines.append(f"| {size} | {SYSTEM_NAMES[peer]} | " + " | ".join(_fmt(rs[k], 2) for k, _, _ in FIGURES) + " |")
    return "\n".join(lines)


def recall_table(results: dict[str, Any]) -> str:
    lines = ["| system | R@1 ar→ar | R@5 ar→ar | R@1 en→ar | R@5 en→ar |", "|---|---|---|---|---|"]
    figs = results.get("sizes", {}).get("xquad", {})
    for system in (OURS, *PEERS):
        r = _get(figs, system, "recall")
        if not r:
            continue
        cells = [_fmt(_get(r, lang, k), 3) for lang in ("ar", "en") for k in ("r1", "r5")]
        lines.append(f"| {SYSTEM_NAMES[system]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ann_table(results: dict[str, Any]) -> str:
    lines = [
        "| size | vectors | HNSW build s | top-1 = exact | recall@10 vs exact | exact p50 ms | HNSW p50 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for size in _sizes(results):
        a = _get(results["sizes"][size], OURS, "ann")
        if a:
            lines.append(
                f"| {size} | {a['vectors']} | {_fmt(a['hnsw_build_s'], 2)} | {_fmt(a['top1_agreement'], 3)} | "
                f"{_fmt(a['recall_at_10'], 3)} | {_fmt(a['flat_ms']['p50'], 2)} | {_fmt(a['hnsw_ms']['p50'], 2)} |"
            )
    return "\n".join(lines) if len(lines) > 2 else ""


def targets(results: dict[str, Any]) -> list[tuple[str, float | None, bool | None]]:
    """(target, measured, met) for the issue's speed targets that these results can check."""
    sizes = results.get("sizes", {})
    ours = {s: sizes[s].get(OURS) for s in sizes}
    out: list[tuple[str, float | None, bool | None]] = []

    def check(label: str, value: float | None, limit: float, higher: bool = False) -> None:
        met = None if value is None else (value >= limit if higher else value <= limit)
        out.append((label, value, met))

    # Issue #15 (the trained reader) and #19 (the multilingual dense channel).
    check("XQuAD question p50 <= 150 ms", latency(ours.get("xquad"), "answer", "p50"), 150)
    check("XQuAD question p95 <= 300 ms", latency(ours.get("xquad"), "answer", "p95"), 300)
    check("whole news corpus question p95 <= 400 ms", latency(ours.get("news"), "answer", "p95"), 400)
    check("whole news corpus retrieval p95 <= 60 ms", latency(ours.get("news"), "retrieve", "p95"), 60)
    check("whole news corpus indexed <= 3600 s", _get(ours.get("news"), "build_s"), 3600)
    for size in ("xquad", "news10k", "news"):
        figs = sizes.get(size, {})
        if "langchain" in figs:
            check(f"{size}: build throughput >= 2x LangChain", ratio(throughput(figs.get(OURS) or {}), throughput(figs["langchain"])), 2, True)
        for peer in PEERS:
            if peer in figs:
                check(
                    f"{size}: question p50 <= 0.5x {SYSTEM_NAMES[peer]} retrieval",
                    ratio(latency(figs.get(OURS), "answer", "p50"), latency(figs[peer], "retrieve", "p50")),
                    0.5,
                )
    cli = [f.get("cold_cli_s") for f in ours.values() if f and f.get("cold_cli_s") is not None]
    web = [f.get("cold_web_s") for f in ours.values() if f and f.get("cold_web_s") is not None]
    check("`sanad ask` cold start <= 3 s (sample index)", _get(ours.get("sample"), "cold_cli_s") or (min(cli) if cli else None), 3)
    check("web chat usable <= 8 s (sample index)", _get(ours.get("sample"), "cold_web_s") or (min(web) if web else None), 8)
    news = ours.get("news") or {}
    peak = max((v for v in (news.get("rss_build_mb"), news.get("rss_serve_mb")) if v is not None), default=None)
    check("peak memory, whole news corpus <= 2048 MB", peak, 2048)
    check("serving memory, whole news corpus <= 2048 MB", news.get("rss_serve_mb"), 2048)
    return out


def targets_table(results: dict[str, Any]) -> str:
    lines = ["| target | measured | met |", "|---|---|---|"]
    for label, value, met in targets(results):
        lines.append(f"| {label} | {_fmt(value, 2)} | {'–' if met is None else ('yes' if met else 'NO')} |")
    return "\n".join(lines)


def to_markdown(results: dict[str, Any]) -> str:
    meta = results.get("machine", {})
    parts = [
        "# Sanad benchmark",
        "",
        f"Machine: {meta.get('cpus', '?')} CPUs ({meta.get('cpu', '?')}), {meta.get('memory_gb', '?')} GB; load average at start "
        f"{meta.get('load_start', '?')}, at end {meta.get('load_end', '?')}. Command: `{results.get('command', '')}`.",
        "Each system runs in its own process per size (peak RSS is that process's VmHWM). Peers index the very "
        "passages Sanad makes; their question latency is retrieval only (they have no answer step), Sanad's "
        "'question' latency is retrieval + extractive answer.",
        "",
        "## Figures",
        "",
        main_table(results),
        "",
        "## Ratios ours / peer",
        "",
        ratio_table(results),
        "",
        "## Recall on XQuAD dev (Arabic paragraphs; questions in Arabic and English)",
        "",
        recall_table(results),
        "",
    ]
    ann = ann_table(results)
    if ann:
        parts += ["## Approximate (HNSW) vs exact dense search", "", ann, ""]
    parts += ["## Targets", "", targets_table(results), ""]
    return "\n".join(parts)


def write_plot(results: dict[str, Any], path: Path) -> None:
    """Four panels: build throughput, question latency, peak memory, XQuAD recall."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = _sizes(results)
    systems = [s for s in (OURS, *PEERS) if any(s in results["sizes"][z] for z in sizes)]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    width = 0.8 / max(1, len(systems))

    def bars(ax, key: str, title: str, log: bool = False) -> None:
        for j, system in enumerate(systems):
            vals = [figure(results["sizes"][z].get(system), key) or 0 for z in sizes]
            ax.bar([i + j * width for i in range(len(sizes))], vals, width, label=SYSTEM_NAMES[system])
        ax.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(sizes))], sizes)
        ax.set_title(title)
        if log:
            ax.set_yscale("log")

    bars(axes[0][0], "throughput", "index build, passages/s (higher is better)", log=True)
    bars(axes[0][1], "answer_p50", "question latency p50 ms (lower is better)", log=True)
    bars(axes[1][0], "rss_serve_mb", "peak RSS serving, MB (lower is better)")
    ax = axes[1][1]
    labels = ["R@1 ar", "R@5 ar", "R@1 en", "R@5 en"]
    xq = results["sizes"].get("xquad", {})
    for j, system in enumerate(systems):
        r = _get(xq, system, "recall") or {}
        vals = [_get(r, lang, k) or 0 for lang in ("ar", "en") for k in ("r1", "r5")]
        ax.bar([i + j * width for i in range(4)], vals, width, label=SYSTEM_NAMES[system])
    ax.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(4)], labels)
    ax.set_ylim(0, 1)
    ax.set_title("XQuAD dev recall (higher is better)")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """New figures replace old ones per (size, system); sizes not re-run are kept."""
    out = {**old, **{k: v for k, v in new.items() if k != "sizes"}}
    sizes = {s: dict(v) for s, v in old.get("sizes", {}).items()}
    for s, figs in new.get("sizes", {}).items():
        sizes.setdefault(s, {}).update(figs)
    out["sizes"] = sizes
    return out
