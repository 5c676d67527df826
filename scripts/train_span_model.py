"""Fit the short-answer span model (assistant/data/span_model.json) on SQuAD-format questions.

    .venv/bin/python scripts/train_span_model.py --squad data.ar.json [--squad-questions data.en.json]
        [--half a] [--eval-half b] [--out assistant/data/span_model.json]

Every question is answered up to span choice by the real answer path (retrieval, sentence
ranking, candidate spans with `assistant.spans.FEATURES`); each candidate is labelled by its
token F1 against the gold answers, and a logistic regression learns which candidates are the
answer. `--half a` trains on the first half of the articles only and `--eval-half b` reports
on the other half, so the figures you quote come from articles the model never saw, and splits
the held-out loss into sentence choice and span choice (`loss_split`).
The output is plain JSON (feature name -> weight), read by `assistant.spans.load_weights`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.answer import Hit  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.extract import SPAN_SENTENCES, build_keys, question_type, rank_sentences  # noqa: E402
from assistant.query import plan_query  # noqa: E402
from assistant.retriever import retrieve_plan  # noqa: E402
from assistant.sanad import Sanad  # noqa: E402
from assistant.spans import FEATURES, SentenceInfo, best_spans, candidates, load_weights, rule_weights  # noqa: E402
from eval.metrics import token_f1  # noqa: E402
from eval.squad import add_parallel, load_squad, write_corpus  # noqa: E402
from index.numbers import find_numbers  # noqa: E402


def _article(doc_id: str) -> str:
    """The article of a paragraph document (`<article>/<paragraph>.txt`, see `eval.squad.write_corpus`)."""
    return doc_id.split("/", 1)[0]


def _split(questions: list, half: str | None) -> list:
    if not half:
        return questions
    arts: list[str] = []
    for q in questions:
        a = _article(q.doc_id or "")
        if a not in arts:
            arts.append(a)
    first = set(arts[: len(arts) // 2])
    return [q for q in questions if (_article(q.doc_id or "") in first) == (half == "a")]


def collect(sanad: Sanad, questions: list, cache: Path | None) -> list[dict]:
    """Per question: the feature matrix of its candidates and each candidate's F1."""
    snap = sanad.snapshot()
    stored = {}
    if cache and cache.exists():
        for line in cache.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            stored[row["id"]] = [Hit(*h) for h in row["hits"]]
    out = []
    new_rows = []
    for q in questions:
        plan = plan_query(q.question, q.lang, snap)
        hits = stored.get(q.id)
        if hits is None:
            hits = retrieve_plan(plan, snap, sanad.settings.top_k)
            new_rows.append({"id": q.id, "hits": [[h.passage_id, h.doc_id, h.start, h.end, h.score, h.text, h.channels] for h in hits]})
        qtype = question_type(q.question, q.lang)
        keys = build_keys(q.question, q.lang, qtype, snap)
        cands = rank_sentences(plan, hits, snap, keys) if keys else []
        values = frozenset(n.value for n in find_numbers(q.question))
        blocks, f1s, sent = [], [], []
        for pos, c in enumerate(cands[:SPAN_SENTENCES]):
            cs = candidates(c.view, c.match, keys, qtype, q.lang, SentenceInfo(c.coverage, pos, c.hit_rank), snap.lexicon, values)
            if not cs.ij:
                continue
            # zero weights keep the candidates in their own order (a stable sort of equal scores)
            spans = best_spans(cs, np.zeros(len(FEATURES)), limit=len(cs.ij))
            f1s += [token_f1(sp.display, q.answers) for sp in spans]
            blocks.append(cs.X)
            sent += [pos] * len(cs.ij)
        if blocks:
            out.append({"id": q.id, "lang": q.lang, "kind": qtype.kind, "X": np.vstack(blocks), "f1": np.array(f1s), "sent": np.array(sent)})
    if cache and new_rows:
        with cache.open("a", encoding="utf-8") as f:
            for row in new_rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return out


def evaluate(rows: list[dict], w: np.ndarray, questions: list) -> dict[str, float]:
    """Mean F1 of the top-scored candidate per language (questions without candidates count 0)."""
    out: dict[str, float] = {}
    for lang in sorted({q.lang for q in questions}):
        total = sum(q.lang == lang for q in questions)
        mine = [r for r in rows if r["lang"] == lang]
        got = sum(float(r["f1"][int(np.argmax(r["X"] @ w))]) for r in mine)
        oracle = sum(float(r["f1"].max()) for r in mine)
        out[f"{lang}_f1"] = round(got / total, 4)
        out[f"{lang}_oracle"] = round(oracle / total, 4)
    return out


def loss_split(rows: list[dict], w: np.ndarray, questions: list) -> dict[str, float]:
    """Where the F1 goes, per language: the pick; the best candidate of the pick's sentence (what a
    perfect span choice would give); the pick within the sentence of the best candidate (what a
    perfect sentence choice would give); the best candidate of all. Tells which step to work on."""
    out: dict[str, float] = {}
    for lang in sorted({q.lang for q in questions}):
        total = sum(q.lang == lang for q in questions)
        sums = np.zeros(4)
        for r in (r for r in rows if r["lang"] == lang):
            s, f1, sent = r["X"] @ w, r["f1"], r["sent"]
            pick, best = int(np.argmax(s)), int(np.argmax(f1))
            in_best = sent == sent[best]
            sums += (f1[pick], f1[sent == sent[pick]].max(), f1[in_best][np.argmax(s[in_best])], f1[best])
        for name, v in zip(("pick", "best_in_picked_sentence", "pick_in_best_sentence", "best"), sums, strict=True):
            out[f"{lang}_{name}"] = round(float(v) / total, 4)
    return out


def fit_pairwise(rows: list[dict], c: float, negatives: int = 60, seed: int = 0, offset: np.ndarray | None = None) -> np.ndarray:
    """RankSVM-style logistic loss: the best candidate of each question against sampled worse ones.

    `offset` holds fixed weights (the hand-set `RULES`) whose contribution is part of every score;
    the fitted weights are learned around them, not against them.
    """
    from scipy.optimize import minimize

    rng = np.random.default_rng(seed)
    diffs, weights = [], []
    for r in rows:
        f1 = r["f1"]
        best = int(np.argmax(f1))
        if f1[best] < 0.5:
            continue
        worse = np.flatnonzero(f1 < f1[best] - 0.2)
        if worse.size == 0:
            continue
        pick = rng.choice(worse, size=min(negatives, worse.size), replace=False)
        diffs.append(r["X"][best][None, :] - r["X"][pick])
        weights.append(np.full(len(pick), 1.0 / len(pick)))
    D, sw = np.vstack(diffs), np.concatenate(weights)
    base = D @ offset if offset is not None else np.zeros(len(D))
    lam = 1.0 / (2.0 * c)

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        m = D @ beta + base
        p = np.exp(-np.logaddexp(0.0, m))  # sigmoid(-m)
        value = float(np.sum(sw * np.logaddexp(0.0, -m)) + lam * beta @ beta)
        grad = -(D.T @ (sw * p)) + 2.0 * lam * beta
        return value, grad

    result = minimize(loss, np.zeros(D.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 5000})
    return result.x


def fit_listwise(
    rows: list[dict],
    c: float,
    power: float = 3.0,
    negatives: int = 300,
    seed: int = 0,
    offset: np.ndarray | None = None,
    extra_weight: float = 1.0,
    columns: list[int] | None = None,
) -> np.ndarray:
    """A softmax over each question's candidates towards their F1 ** `power` (normalized):
    the best span takes most of the mass, partial overlaps some, and every wrong one pushes back.
    Zero-F1 candidates are sampled (`negatives` per question) to bound the cost. `offset` as in
    `fit_pairwise`; rows marked `extra` (the --extra set) weigh `extra_weight` each. With `columns`,
    only those weights are fitted (the rest of the score is `offset`); the result has their length."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(seed)
    cols = np.arange(len(FEATURES)) if columns is None else np.asarray(columns)
    lists = []
    for r in rows:
        f1 = r["f1"]
        if f1.max() < 0.3:
            continue
        pos, zero = np.flatnonzero(f1 > 0), np.flatnonzero(f1 == 0)
        if zero.size > negatives:
            zero = rng.choice(zero, negatives, replace=False)
        idx = np.concatenate([pos, zero])
        target = f1[idx] ** power
        X = r["X"][idx]
        base = X @ offset if offset is not None else np.zeros(len(idx))
        lists.append((X[:, cols], base, target / target.sum(), extra_weight if r.get("extra") else 1.0))
    lam = 1.0 / (2.0 * c)

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = float(lam * beta @ beta), 2.0 * lam * beta
        for X, base, t, sw in lists:
            s = X @ beta + base
            s = s - s.max()
            p = np.exp(s)
            z = p.sum()
            value -= sw * float(t @ (s - np.log(z)))
            grad += sw * (X.T @ (p / z - t))
        return value, grad

    result = minimize(loss, np.zeros(len(cols)), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return result.x


def fit(rows: list[dict], c: float) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    xs, ys, ws = [], [], []
    for r in rows:
        f1 = r["f1"]
        best = f1.max()
        pos = (f1 >= 0.5) & (f1 >= best - 1e-9)
        neg = f1 < 0.3
        if pos.any():
            xs.append(r["X"][pos])
            ys.append(np.ones(int(pos.sum())))
            ws.append(np.full(int(pos.sum()), 1.0 / pos.sum()))
        if neg.any():
            xs.append(r["X"][neg])
            ys.append(np.zeros(int(neg.sum())))
            ws.append(np.full(int(neg.sum()), 1.0 / neg.sum()))
    X, y, sw = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    model.fit(X, y, sample_weight=sw)
    return model.coef_[0]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--squad", type=Path, required=True)
    p.add_argument("--squad-questions", type=Path, help="the same questions in another language (XQuAD)")
    p.add_argument("--half", choices=["a", "b"], help="train on this half of the articles only")
    p.add_argument("--eval-half", choices=["a", "b"], help="also report on this half")
    p.add_argument("--index-dir", type=Path, help="index of the SQuAD paragraphs (default: a cache folder)")
    p.add_argument("--cache", type=Path, help="JSON lines file to keep retrieved passages between runs")
    p.add_argument("--extra", type=Path, help="a second SQuAD-format file used whole for training (e.g. ARCD train)")
    p.add_argument("--extra-index-dir", type=Path, help="index of the --extra paragraphs")
    p.add_argument("--extra-cache", type=Path, help="like --cache, for --extra")
    p.add_argument("--c", type=float, default=1.0, help="inverse regularization strength")
    p.add_argument("--pointwise", action="store_true", help="pointwise logistic regression instead of pairwise")
    p.add_argument("--listwise", action="store_true", help="softmax over each question's candidates (see fit_listwise)")
    p.add_argument("--only", help="comma-separated features: fit only these (listwise), the others keep their current weights")
    p.add_argument("--power", type=float, default=3.0, help="--listwise: the target is F1 ** power")
    p.add_argument("--extra-weight", type=float, default=1.0, help="--listwise: weight of each --extra question")
    p.add_argument("--rules-offset", action="store_true", help="fit around the hand-set RULES instead of adding them after")
    p.add_argument("--out", type=Path, help="write the weights here (default: only report)")
    args = p.parse_args(argv)

    squad = load_squad(args.squad)
    if args.squad_questions:
        add_parallel(squad, args.squad_questions)
    work = Path.home() / ".cache" / "sanad" / "train" / args.squad.stem
    sanad = Sanad(Settings.from_env(index_dir=args.index_dir or work / "index", progress=False))
    if not sanad.has_index():
        write_corpus(squad.paragraphs, work / "corpus")
        sanad.add_paths([work / "corpus"])
    questions = [q for q in squad.questions if q.answerable]
    train_q = _split(questions, args.half)
    rows = collect(sanad, train_q, args.cache)
    if args.extra:
        extra = load_squad(args.extra)
        work_x = Path.home() / ".cache" / "sanad" / "train" / args.extra.stem
        sanad_x = Sanad(Settings.from_env(index_dir=args.extra_index_dir or work_x / "index", progress=False))
        if not sanad_x.has_index():
            write_corpus(extra.paragraphs, work_x / "corpus")
            sanad_x.add_paths([work_x / "corpus"])
        rows += [{**r, "extra": True} for r in collect(sanad_x, [q for q in extra.questions if q.answerable], args.extra_cache)]
    offset = rule_weights() if args.rules_offset else None
    if args.only:
        # fit the named columns alone, around the current weights (theirs taken out), the rest kept
        cols = [FEATURES.index(name) for name in args.only.split(",")]
        fitted = load_weights() - rule_weights()
        fitted[cols] = 0.0
        fitted[cols] = fit_listwise(
            rows, args.c, args.power, offset=fitted + rule_weights(), extra_weight=args.extra_weight, columns=cols
        )
    elif args.listwise:
        fitted = fit_listwise(rows, args.c, args.power, offset=offset, extra_weight=args.extra_weight)
    else:
        fitted = fit(rows, args.c) if args.pointwise else fit_pairwise(rows, args.c, offset=offset)
    w = fitted + rule_weights()  # what assistant.spans.load_weights will use
    print("train", len(train_q), "questions:", evaluate(rows, w, train_q))
    print("  (current weights:", evaluate(rows, load_weights(), train_q), ")")
    if args.eval_half:
        test_q = _split(questions, args.eval_half)
        test = collect(sanad, test_q, args.cache)
        print("held-out", len(test_q), "questions:", evaluate(test, w, test_q))
        print("  sentence vs span choice:", loss_split(test, w, test_q))
        print("  (current weights:", evaluate(test, load_weights(), test_q), ")")
        print("  (current weights, sentence vs span choice:", loss_split(test, load_weights(), test_q), ")")
    if args.out:
        data = {
            "version": 1,
            "trained_on": f"{args.squad.name}" + (f" + {args.squad_questions.name}" if args.squad_questions else "")
            + (f", articles half {args.half}" if args.half else "") + (f"; {args.extra.name}" if args.extra else ""),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "c": args.c,
            "power": args.power if args.listwise or args.only else None,
            "rules_offset": args.rules_offset,
            "fit": f"listwise, only {args.only} around the previous weights" if args.only
            else "listwise" if args.listwise else "pointwise" if args.pointwise else "pairwise",
            "weights": {name: round(float(x), 4) for name, x in zip(FEATURES, fitted, strict=True)},
        }
        args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
