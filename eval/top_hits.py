"""The top hits of every question, written down so that two ways of serving one corpus can be compared.

    python -m eval.top_hits --index-dir /tmp/one --out /tmp/one.json
    python -m eval.top_hits --index-dir /tmp/sharded --engine ray --out /tmp/sharded.json
    python -m eval.top_hits --compare /tmp/one.json /tmp/sharded.json

The questions are XQuAD dev's (Arabic and English, `--xquad`) and the sample set's
(`--questions`); each gets its top `--k` passages (doc_id, start, end, fused score). `--compare`
reports every question whose list differs (ids or offsets; scores within `--tolerance`) and
exits 1 if any does.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
XQUAD_DIR = ROOT.parent / "shared" / "data" / "xquad-dev"
SAMPLE_QUESTIONS = ROOT / "eval" / "data" / "sample.jsonl"


def load_questions(xquad_dir: Path | None = XQUAD_DIR, sample: Path | None = SAMPLE_QUESTIONS) -> list[tuple[str, str]]:
    """(id, question) of XQuAD dev (both languages, when the folder exists) and of the sample set."""
    from eval.questions import read_questions
    from eval.squad import add_parallel, load_squad

    out: list[tuple[str, str]] = []
    if xquad_dir is not None and (Path(xquad_dir) / "xquad.ar.json").is_file():
        squad = load_squad(Path(xquad_dir) / "xquad.ar.json")
        if (Path(xquad_dir) / "xquad.en.json").is_file():
            add_parallel(squad, Path(xquad_dir) / "xquad.en.json")
        out += [(f"xquad:{q.id}", q.question) for q in squad.questions]
    if sample is not None and Path(sample).is_file():
        out += [(f"sample:{q.id}", q.question) for q in read_questions(Path(sample))[0]]
    return out


def top_hits(sanad: Any, questions: Iterable[tuple[str, str]], k: int = 10, filt: Any = None) -> dict[str, list[list]]:
    """{question id: [[doc_id, start, end, score], ...]} in rank order."""
    return {
        qid: [[h.doc_id, h.start, h.end, h.score] for h in sanad.retrieve(text, top_k=k, filter=filt)]
        for qid, text in questions
    }


def differences(a: dict[str, list[list]], b: dict[str, list[list]], tolerance: float = 1e-9) -> list[str]:
    """One line per question whose hits differ between `a` and `b` (missing questions count)."""
    out = []
    for qid in sorted(set(a) | set(b)):
        x, y = a.get(qid), b.get(qid)
        if x is None or y is None:
            out.append(f"{qid}: only in {'the second' if x is None else 'the first'}")
            continue
        if [h[:3] for h in x] != [h[:3] for h in y]:
            out.append(f"{qid}: {[h[:3] for h in x]} != {[h[:3] for h in y]}")
        elif any(abs(p[3] - q[3]) > tolerance * max(1.0, abs(p[3])) for p, q in zip(x, y, strict=True)):
            out.append(f"{qid}: scores differ {[h[3] for h in x]} != {[h[3] for h in y]}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path)
    ap.add_argument("--engine", choices=("local", "ray"), default="local")
    ap.add_argument("--ray-address", default=None)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--xquad", type=Path, default=XQUAD_DIR)
    ap.add_argument("--questions", type=Path, default=SAMPLE_QUESTIONS)
    ap.add_argument("--compare", type=Path, nargs=2, metavar=("A.json", "B.json"))
    ap.add_argument("--tolerance", type=float, default=1e-9, help="relative score difference allowed")
    args = ap.parse_args(argv)
    if args.compare:
        a, b = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        diff = differences(a, b, args.tolerance)
        for line in diff:
            print(line)
        print(f"{len(set(a) | set(b))} questions, {len(diff)} differ")
        return 1 if diff else 0
    if args.index_dir is None or args.out is None:
        ap.error("--index-dir and --out are needed (or --compare A B)")
    from assistant.config import Settings
    from assistant.sanad import open_sanad

    settings = Settings.from_env(index_dir=args.index_dir, engine=args.engine, ray_address=args.ray_address, progress=False)
    sanad = open_sanad(settings)
    try:
        hits = top_hits(sanad, load_questions(args.xquad, args.questions), args.k)
    finally:
        sanad.close()
    args.out.write_text(json.dumps(hits, ensure_ascii=False), encoding="utf-8")
    print(f"{len(hits)} questions -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
