"""Writing what a run found: the JSON report (the contract), a markdown summary and a plot."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.summary import prediction

LANG_NAMES = {"ar": "Arabic questions", "en": "English questions", "all": "All"}
# (summary key, label) in display order.
TABLE_ROWS = (
    ("recall@1", "Recall@1"),
    ("recall@5", "Recall@5"),
    ("mrr@10", "MRR@10"),
    ("em", "Exact match"),
    ("f1", "Token F1"),
    ("contains", "Contains"),
    ("evidence_cited", "Evidence cited"),
    ("abstention_precision", "Abstention precision"),
    ("abstention_recall", "Abstention recall"),
    ("abstention_f1", "Abstention F1"),
    ("wrong_abstention_rate", "Wrong abstentions"),
)


def build_report(summary: dict[str, Any], config: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"summary": summary, "config": config, "records": records}


def write_json(report: dict[str, Any], path: Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _fmt(value: float | None, ci: Sequence[float] | None = None) -> str:
    if value is None:
        return "n/a"
    text = f"{value:.3f}"
    return f"{text} [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else text


def _cell(text: Any, limit: int = 90) -> str:
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("|", "\\|") or " "


def summary_table(groups: dict[str, dict[str, Any]]) -> str:
    """The per-language markdown table; 95% bootstrap intervals in brackets."""
    names = list(groups)
    lines = [
        "| | " + " | ".join(LANG_NAMES.get(n, n) for n in names) + " |",
        "|---|" + "---|" * len(names),
        "| Questions (answerable / unanswerable) | "
        + " | ".join(f"{g['questions']} ({g['answerable']} / {g['unanswerable']})" for g in groups.values())
        + " |",
    ]
    for key, label in TABLE_ROWS:
        cells = [_fmt(g.get(key), (g.get("ci95") or {}).get(key)) for g in groups.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lat = [
        "n/a" if g.get("latency_p50_ms") is None else f"{g['latency_p50_ms']:.0f} / {g['latency_p95_ms']:.0f}"
        for g in groups.values()
    ]
    lines.append("| Latency p50 / p95 (ms) | " + " | ".join(lat) + " |")
    if any(g.get("errors") for g in groups.values()):
        lines.append("| Errors | " + " | ".join(str(g.get("errors", 0)) for g in groups.values()) + " |")
    return "\n".join(lines)


def _miss_reason(r: dict[str, Any]) -> str | None:
    s = r["scores"]
    if r.get("error"):
        return f"error: {r['error']}"
    if not r.get("answerable", True):
        return None if r.get("abstained") else "answered an unanswerable question"
    if r.get("abstained"):
        return "abstained" + (f", evidence at rank {s['rank']}" if s.get("rank") else ", evidence not retrieved")
    if s.get("contains"):
        return None
    why = f"F1 {s.get('f1', 0):.2f}"
    if (r.get("evidence") or r.get("doc_id")) and not s.get("rank"):
        why += ", evidence not retrieved"
    elif s.get("rank"):
        why += f", evidence at rank {s['rank']}"
    elif s.get("evidence_cited") == 0.0:
        why += ", evidence not cited"
    return why


def worst_misses(records: Sequence[dict[str, Any]], limit: int = 15) -> list[tuple[dict[str, Any], str]]:
    """Wrong answers, worst first, alternating languages: errors, answers to unanswerable questions,
    then the lowest F1, where a miss with the evidence ranked high (the answer step failed) comes first."""
    misses = [(r, why) for r in records if (why := _miss_reason(r))]

    def badness(item: tuple[dict[str, Any], str]) -> tuple[int, float, int]:
        r, _ = item
        rank = r["scores"].get("rank") or 99
        if r.get("error"):
            return (0, 0.0, rank)
        if not r.get("answerable", True):
            return (1, 0.0, rank)
        return (2, r["scores"].get("f1") or 0.0, rank)

    by_lang: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for item in sorted(misses, key=badness):
        by_lang.setdefault(item[0].get("lang", ""), []).append(item)
    out: list[tuple[dict[str, Any], str]] = []
    while len(out) < limit and any(by_lang.values()):
        for queue in by_lang.values():
            if queue and len(out) < limit:
                out.append(queue.pop(0))
    return out


def to_markdown(report: dict[str, Any], *, title: str = "Sanad evaluation", limit: int = 15) -> str:
    summary, config, records = report["summary"], report["config"], report["records"]
    source = config.get("questions") or config.get("squad") or ""
    lines = [
        f"# {title}",
        "",
        f"- Questions: `{source}`" + (f" + `{config['squad_questions']}`" if config.get("squad_questions") else ""),
        f"- Corpus: `{config.get('corpus')}` ({config.get('index', {}).get('stats', {}).get('documents', '?')} documents, "
        f"{config.get('index', {}).get('stats', {}).get('passages', '?')} passages)",
        f"- Model: `{config.get('model')}`, top-k {config.get('top_k')}, run {config.get('started')}",
        "",
        "## Results",
        "",
        summary_table(summary["languages"]),
        "",
        "95% bootstrap intervals in brackets. Retrieval counts a passage as relevant when it holds the "
        "question's evidence (in its gold document); answer scores are over answerable questions; abstention "
        "treats abstaining as the positive class. Definitions: eval/README.md.",
        "",
    ]
    misses = worst_misses(records, limit)
    lines += [f"## Worst misses ({len(misses)} shown)", ""]
    if misses:
        lines += ["| id | lang | question | gold | answer | why |", "|---|---|---|---|---|---|"]
        for r, why in misses:
            gold = " / ".join(r.get("answers") or []) or "(unanswerable)"
            said = "(abstained)" if r.get("abstained") else prediction(r) or r.get("answer", "")
            lines.append(
                f"| {_cell(r['id'], 40)} | {r['lang']} | {_cell(r['question'], 80)} | {_cell(gold, 60)} "
                f"| {_cell(said, 80)} | {_cell(why, 50)} |"
            )
    else:
        lines.append("None.")
    notes = summary.get("skipped", []) + summary.get("warnings", [])
    if notes:
        lines += ["", "## Skipped input and warnings", ""] + [f"- {_cell(n, 300)}" for n in notes]
    return "\n".join(lines) + "\n"


def write_markdown(report: dict[str, Any], path: Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(to_markdown(report), encoding="utf-8")
