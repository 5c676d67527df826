"""One picture of a run: every score side by side per language, with 95% intervals, and latency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# (section, [(summary key, label)]): sections are separated by a rule in the plot.
PLOT_SECTIONS = (
    ("retrieval", (("recall@1", "Recall@1"), ("recall@5", "Recall@5"), ("mrr@10", "MRR@10"))),
    ("answers", (("em", "Exact\nmatch"), ("f1", "Token\nF1"), ("contains", "Contains"), ("evidence_cited", "Evidence\ncited"))),
    ("abstention", (("abstention_precision", "Abstain\nprecision"), ("abstention_recall", "Abstain\nrecall"),
                    ("abstention_f1", "Abstain\nF1"))),
)  # fmt: skip
COLORS = {"ar": "#1b9e77", "en": "#7570b3", "all": "#9e9e9e"}
LABELS = {"ar": "Arabic questions", "en": "English questions", "all": "All"}


def _present(groups: dict[str, dict[str, Any]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The sections and metrics that have a value for at least one group (no unanswerable
    questions: no abstention bars)."""
    out = []
    for section, items in PLOT_SECTIONS:
        kept = [(k, label) for k, label in items if any(g.get(k) is not None for g in groups.values())]
        if kept:
            out.append((section, kept))
    return out


def write_plot(groups: dict[str, dict[str, Any]], path: Path, *, title: str = "Sanad evaluation") -> None:
    """Grouped bars (metric x language) with bootstrap intervals, and a latency panel; PNG or SVG by suffix."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never needs a display
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(groups)
    sections = _present(groups)
    metrics = [item for _, items in sections for item in items]
    fig, (ax, lat_ax) = plt.subplots(
        1, 2, figsize=(15, 5.6), gridspec_kw={"width_ratios": [max(len(metrics), 1), 2.4]}, layout="constrained"
    )
    x = np.arange(len(metrics), dtype=float)
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        g = groups[name]
        values = [g.get(k) for k, _ in metrics]
        heights = np.array([v if v is not None else 0.0 for v in values])
        errors = np.zeros((2, len(metrics)))
        for j, (k, _) in enumerate(metrics):
            ci = (g.get("ci95") or {}).get(k)
            if ci and values[j] is not None:
                errors[:, j] = [max(values[j] - ci[0], 0), max(ci[1] - values[j], 0)]
        pos = x + (i - (len(names) - 1) / 2) * width
        ax.bar(pos, heights, width * 0.95, yerr=errors, capsize=2, color=COLORS.get(name),
               label=f"{LABELS.get(name, name)} (n={g['questions']})",
               error_kw={"elinewidth": 0.8, "ecolor": "#444444"})  # fmt: skip
        for p, v, top in zip(pos, values, heights + errors[1], strict=True):
            ax.text(p, top + 0.015, "n/a" if v is None else f"{v:.2f}", ha="center", va="bottom",
                    fontsize=7, rotation=90, color="#222222")  # fmt: skip
    ax.set_xticks(x, [label for _, label in metrics], fontsize=9)
    ax.set_xlim(-0.6, len(metrics) - 0.4)
    ax.set_ylim(0, 1.22)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("score (error bars: 95% bootstrap interval)")
    first = 0
    for n, (section, items) in enumerate(sections):
        if n:
            ax.axvline(first - 0.5, color="#bbbbbb", linewidth=0.8)
        ax.text(first + (len(items) - 1) / 2, 1.17, section, ha="center", va="center", fontsize=10, color="#555555")
        first += len(items)
    ax.grid(axis="y", linestyle=":", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(names), frameon=False, fontsize=9)

    lat_x = np.arange(2, dtype=float)
    for i, name in enumerate(names):
        g = groups[name]
        vals = [g.get("latency_p50_ms") or 0.0, g.get("latency_p95_ms") or 0.0]
        pos = lat_x + (i - (len(names) - 1) / 2) * width
        lat_ax.bar(pos, vals, width * 0.95, color=COLORS.get(name))
        for p, v in zip(pos, vals, strict=True):
            lat_ax.text(p, v, f"{v:.0f}", ha="center", va="bottom", fontsize=7)
    lat_ax.set_xticks(lat_x, ["p50", "p95"])
    lat_ax.set_ylabel("milliseconds per question")
    lat_ax.set_title("latency", fontsize=10, color="#555555")
    lat_ax.margins(y=0.12)
    lat_ax.grid(axis="y", linestyle=":", linewidth=0.6)
    lat_ax.set_axisbelow(True)
    fig.suptitle(title, fontsize=13)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)
    plt.close(fig)
