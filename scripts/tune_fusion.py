"""Choose retrieval fusion weights on fit splits, report them on held-out splits.

    .venv/bin/python scripts/tune_fusion.py --model multilingual-e5-small --work ~/.cache/sanad/tune-e5

Sets (SQuAD JSON in ../shared/data): XQuAD dev (Arabic paragraphs; Arabic and English questions),
split by article into H1 (first 12, fit) and H2 (last 12, report); TyDi QA GoldP Arabic dev half,
split by position into T1 (even, fit) and T2 (odd, report). Each set is indexed once per model in
`--work`. For every question each channel is scored once over a deep candidate pool; fusion
(z-score sum, as in assistant.retriever) is then recomputed for every weight setting on a grid,
per question language, maximising Recall@1 (then MRR) on the fit splits only. Pools of 20, 50 and
100 candidates per channel are compared. Output: a table per pool and language, and a JSON report.

With `--distractors DIR` (news articles, e.g. `python -m eval.news_mix --articles 3000 --out M`, then
`--distractors M/news`) the XQuAD paragraphs are indexed among those articles: weights fitted on a
small corpus favour the dense channel, which lets generic news outrank the right article in an archive.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data"
CHANNELS = ("lexical", "grams", "translated", "dense")
GRID = (0.0, 0.15, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)


@dataclass
class Scored:
    """One question's channels over the union of their candidates (z-scored), and which rows are relevant."""

    lang: str
    split: str
    z: dict[str, np.ndarray]  # channel -> z-score per union row
    rank: dict[str, np.ndarray]  # channel -> rank of the row in that channel's candidate list (inf if absent)
    relevant: np.ndarray  # bool per union row


def build_set(name: str, work: Path, model: str, candidates: int, max_tokens: int = 0,
              distractors: Path | None = None):
    """(snapshot, questions with split labels) for one set, indexing it once."""
    from assistant.config import Settings
    from assistant.sanad import Sanad
    from eval.runner import index_corpus
    from eval.squad import add_parallel, load_squad, write_corpus

    if name == "xquad":
        squad = load_squad(DATA / "xquad-dev/xquad.ar.json")
        add_parallel(squad, DATA / "xquad-dev/xquad.en.json")
        articles = []
        for p in squad.paragraphs:
            a = p.doc_id.split("/")[0]
            if a not in articles:
                articles.append(a)
        h1 = set(articles[:12])

        def split(q) -> str:
            return "H1" if q.doc_id.split("/")[0] in h1 else "H2"
    else:
        squad = load_squad(DATA / "tydi-dev-ar-half/tydiqa-goldp-dev-arabic-even.json")
        order = {q.id: i for i, q in enumerate(squad.questions)}

        def split(q) -> str:
            return "T1" if order[q.id] % 2 == 0 else "T2"

    corpus = work / name / ("corpus+news" if distractors else "corpus")
    write_corpus(squad.paragraphs, corpus, prune=True)
    if distractors:
        shutil.copytree(distractors, corpus / "news", dirs_exist_ok=True)
    tag = model.replace("/", "_") + (f"-{max_tokens}" if max_tokens else "") + ("+news" if distractors else "")
    settings = Settings.from_env(index_dir=work / name / f"index-{tag}", model=model, candidates=candidates, embed_max_tokens=max_tokens)
    sanad = Sanad(settings)
    summary, _ = index_corpus(sanad, corpus, progress=True)
    print(f"{name}: {summary['stats'].get('passages')} passages, indexed in {summary['index_s']} s", flush=True)
    return sanad.snapshot(), [(q, split(q)) for q in squad.questions]


def score_questions(snap, questions) -> list[Scored]:
    from tqdm import tqdm

    from assistant.query import plan_query
    from assistant.retriever import channel_scores
    from eval.metrics import passage_relevant

    out = []
    for q, split in tqdm(questions, desc="scoring", unit="q"):
        plan = plan_query(q.question, q.lang, snap)
        chans = channel_scores(plan, snap)
        live = {c: ch for c, ch in chans.items() if ch.std > 1e-9 and len(ch.candidates)}
        if not live:
            continue
        union = np.unique(np.concatenate([ch.candidates for ch in live.values()]))
        z, rank = {}, {}
        for c, ch in live.items():
            z[c] = (np.asarray(ch.score_of(union), np.float64) - ch.mean) / ch.std
            pos = {int(r): i for i, r in enumerate(ch.candidates)}
            rank[c] = np.array([pos.get(int(r), np.inf) for r in union])
        rel = np.array([passage_relevant(snap.index.passage(int(r)).text, snap.index.passage(int(r)).doc_id, q.evidence, q.doc_id)
                        for r in union])
        out.append(Scored(q.lang, split, z, rank, rel))
    return out


def recall(scored: list[Scored], weights: dict[str, float], pool: int) -> tuple[float, float, float]:
    """(R@1, R@5, MRR@10) of z-sum fusion with `weights`, each channel's candidates cut to `pool`."""
    r1 = r5 = mrr = 0.0
    for s in scored:
        in_pool = np.zeros(len(s.relevant), bool)
        total = np.zeros(len(s.relevant))
        for c, w in weights.items():
            if w <= 0 or c not in s.z:
                continue
            in_pool |= s.rank[c] < pool
            total += w * s.z[c]
        if not in_pool.any():
            continue
        rows = np.flatnonzero(in_pool)
        order = rows[np.argsort(-total[rows], kind="stable")]
        hits = np.flatnonzero(s.relevant[order])
        if len(hits):
            r = hits[0] + 1
            r1 += r == 1
            r5 += r <= 5
            mrr += 1 / r if r <= 10 else 0
    n = max(1, len(scored))
    return r1 / n, r5 / n, mrr / n


def search(scored: list[Scored], channels: list[str], pool: int) -> dict[str, float]:
    best, best_key = {}, (-1.0, -1.0)
    for combo in itertools.product(GRID, repeat=len(channels)):
        if not any(combo):
            continue
        w = dict(zip(channels, combo, strict=True))
        r1, _, mrr = recall(scored, w, pool)
        if (r1, mrr) > best_key:
            best, best_key = w, (r1, mrr)
    return best


def main(argv: list[str] | None = None) -> int:
    from assistant.config import Settings
    from assistant.fusion import default_weights, parse_weights

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="multilingual-e5-small")
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--pools", default="20,50,100")
    ap.add_argument("--max-tokens", type=int, default=0, help="passage tokens the embedder reads (0: the model's default)")
    ap.add_argument("--report", type=Path, default=None)
    ap.add_argument("--distractors", type=Path, default=None, help="folder of news articles indexed with XQuAD's paragraphs")
    args = ap.parse_args(argv)
    pools = [int(x) for x in args.pools.split(",")]
    scored: list[Scored] = []
    for name in ("xquad", "tydi"):
        snap, qs = build_set(name, args.work, args.model, max(pools), args.max_tokens,
                             args.distractors if name == "xquad" else None)
        scored += score_questions(snap, qs)
    defaults = Settings()
    out = {"model": args.model, "max_tokens": args.max_tokens, "distractors": str(args.distractors or ""), "pools": {}}
    for pool in pools:
        out["pools"][pool] = {}
        for lang in ("ar", "en"):
            fit = [s for s in scored if s.lang == lang and s.split in ("H1", "T1")]
            chans = [c for c in CHANNELS if any(c in s.z for s in fit)]
            best = search(fit, chans, pool)
            spec = defaults.weights_ar if lang == "ar" else defaults.weights_en
            default = parse_weights(spec or default_weights(snap.embedder.name, lang))
            row = {"weights": best, "default": default, "splits": {}}
            for split in ("H1", "H2", "T1", "T2"):
                part = [s for s in scored if s.lang == lang and s.split == split]
                if part:
                    row["splits"][split] = {
                        "n": len(part),
                        "tuned": [round(x, 4) for x in recall(part, best, pool)],
                        "default": [round(x, 4) for x in recall(part, default, pool)],
                        "dense_only": [round(x, 4) for x in recall(part, {"dense": 1.0}, pool)],
                    }
            out["pools"][pool][lang] = row
            print(f"pool {pool} {lang}: weights {best}", flush=True)
            for split, v in row["splits"].items():
                print(f"  {split} (n={v['n']}): R@1/R@5/MRR tuned {v['tuned']} default {v['default']} dense {v['dense_only']}")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
