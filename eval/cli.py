"""`sanad eval` / `python -m eval`: score Sanad on a question set and write the report.

Exit status: 0 when the run is clean, 1 when a `--fail-under` threshold is missed or a citation
does not match its source text, 2 for unusable input (missing files, no valid questions).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.cli import add_engine_flags, add_filter_flags, filter_from_args
from eval.questions import LANGS, Problem, Question, read_questions
from eval.summary import HEADLINE
from index.records import FieldMap

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
GROUPS = (*LANGS, "all")
SQUAD_LAYOUT = "2"  # bump when the paragraph file names change, so cached corpora are not mixed


@dataclass(frozen=True)
class Threshold:
    group: str  # ar | en | all
    metric: str
    value: float

    def __str__(self) -> str:
        return f"{self.group}.{self.metric}={self.value:g}"


def parse_threshold(spec: str) -> Threshold:
    """'f1=0.45' (overall) or 'ar.f1=0.45' (one language) -> Threshold; argparse reports errors."""
    name, sep, raw = spec.partition("=")
    group, dot, metric = name.strip().rpartition(".")
    group = group if dot else "all"
    if not sep or metric not in HEADLINE or group not in GROUPS:
        msg = f"{spec!r}: expected [LANG.]METRIC=VALUE with LANG in {', '.join(GROUPS)} and METRIC one of {', '.join(HEADLINE)}"
        raise argparse.ArgumentTypeError(msg)
    try:
        value = float(raw)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{spec!r}: {raw!r} is not a number") from e
    return Threshold(group, metric, value)


def _documents(index: dict) -> int:
    return int(index.get("added", 0)) + int(index.get("replaced", 0)) + int(index.get("unchanged", 0))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sanad eval",
        description="Score Sanad on a question set: index a corpus, answer every question, write a report.",
        epilog="File formats and metric definitions: eval/README.md.",
    )
    src = p.add_argument_group("input (either --corpus with --questions, or --squad)")
    src.add_argument("--corpus", type=Path, metavar="DIR", help="folder of .txt/.md articles (with --squad: where the paragraphs are written)")
    src.add_argument("--questions", type=Path, metavar="FILE.jsonl", help="questions, one JSON object per line")
    src.add_argument("--squad", type=Path, metavar="FILE.json", help="a SQuAD-format file: paragraphs become documents")
    src.add_argument("--squad-questions", type=Path, metavar="PARALLEL.json", help="the same questions in another language, matched by id")
    src.add_argument("--squad-articles", type=article_range, metavar="START:END",
                     help="ask only the questions of these articles (0-based, END excluded, e.g. 12: for XQuAD dev's "
                          "second half); every paragraph is still indexed")  # fmt: skip
    out = p.add_argument_group("output")
    out.add_argument("--report", type=Path, required=True, metavar="REPORT.json", help="where to write the JSON report")
    out.add_argument("--markdown", type=Path, metavar="REPORT.md", help="also write a markdown summary")
    out.add_argument("--plot", type=Path, metavar="REPORT.png", help="also write a plot comparing languages and metrics")
    out.add_argument("--fail-under", type=parse_threshold, nargs="+", action="extend", default=[], metavar="METRIC=VALUE",
                     help="exit 1 if a figure is below VALUE, e.g. contains=0.9 ar.f1=0.45 (see README for names)")  # fmt: skip
    run = p.add_argument_group("run")
    run.add_argument("--index-dir", type=Path, metavar="DIR", help="index to build or reuse (default: a cache folder per corpus and model)")
    run.add_argument("--top-k", type=int, metavar="K", help="passages retrieved per question (default: the setting, 5)")
    run.add_argument("--model", metavar="NAME", help="embedding model (default: the setting)")
    run.add_argument("--lang", choices=LANGS, help="only questions in this language")
    run.add_argument("--limit", type=int, metavar="N", help="only the first N questions (after --lang)")
    run.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap resamples for the 95%% intervals (0: none)")
    run.add_argument("--no-progress", action="store_true", help="no progress bars")
    run.add_argument("--field", action="append", default=[], metavar="FIELD=NAME",
                     help="read a record field of a .jsonl/.json/.csv corpus from another key (as sanad index add)")  # fmt: skip
    add_filter_flags(p)
    add_engine_flags(p)
    return p  # fmt: skip


def _check_args(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    try:
        args.filter = filter_from_args(args)
        args.fields = FieldMap.parse(args.field)
    except ValueError as e:
        p.error(str(e))
    if args.squad:
        if args.questions:
            p.error("use either --squad or --questions, not both")
        if not args.squad.is_file():
            p.error(f"--squad {args.squad}: no such file")
        if args.squad_questions and not args.squad_questions.is_file():
            p.error(f"--squad-questions {args.squad_questions}: no such file")
        if args.corpus and args.corpus.exists() and not args.corpus.is_dir():
            p.error(f"--corpus {args.corpus}: not a folder")
        return
    if args.squad_questions:
        p.error("--squad-questions needs --squad")
    if args.squad_articles and not args.squad:
        p.error("--squad-articles needs --squad")
    if not args.corpus or not args.questions:
        p.error("give --corpus DIR and --questions FILE.jsonl (or --squad FILE.json)")
    if not args.corpus.is_dir():
        p.error(f"--corpus {args.corpus}: no such folder")
    if not args.questions.is_file():
        p.error(f"--questions {args.questions}: no such file")
    if args.top_k is not None and args.top_k < 1:
        p.error("--top-k must be at least 1")
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")


def _cache_dir(kind: str, key: str, name: str) -> Path:
    from platformdirs import user_cache_dir

    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    return Path(user_cache_dir("sanad", appauthor=False)) / "eval" / kind / f"{name}-{digest}"


def article_range(text: str) -> tuple[int | None, int | None]:
    """'12:' / '0:12' / ':12' -> slice bounds."""
    a, sep, b = text.partition(":")
    try:
        if not sep:
            raise ValueError
        return (int(a) if a.strip() else None), (int(b) if b.strip() else None)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not START:END (e.g. 12: or 0:12)") from None


def squad_articles(paragraphs) -> list[str]:
    """Article folders in file order (a paragraph's doc_id is `<article>/<NNN>.txt`)."""
    out: list[str] = []
    for p in paragraphs:
        art = p.doc_id.split("/")[0]
        if art not in out:
            out.append(art)
    return out


def load_input(args: argparse.Namespace) -> tuple[list[Question], list[Problem], Path]:
    """Questions, skipped input, and the corpus folder (written first for --squad)."""
    if args.squad:
        from eval.squad import add_parallel, load_squad, other_files, write_corpus

        squad = load_squad(args.squad)
        if args.squad_questions:
            add_parallel(squad, args.squad_questions)
        if args.corpus:
            corpus = args.corpus
            write_corpus(squad.paragraphs, corpus)
            extra = other_files(squad.paragraphs, corpus)
            if extra:
                print(f"warning: {corpus} also holds {len(extra)} other article(s) (e.g. {extra[0]}); "
                      "they are indexed and retrieved too", file=sys.stderr)  # fmt: skip
        else:
            key = f"{SQUAD_LAYOUT}|{hashlib.sha256(args.squad.read_bytes()).hexdigest()}"
            corpus = _cache_dir("squad", key, args.squad.stem) / "corpus"
            write_corpus(squad.paragraphs, corpus, prune=True)
        questions, problems = squad.questions, squad.problems
        if args.squad_articles:
            chosen = set(squad_articles(squad.paragraphs)[slice(*args.squad_articles)])
            questions = [q for q in questions if q.doc_id.split("/")[0] in chosen]
    else:
        questions, problems = read_questions(args.questions)
        corpus = args.corpus
    if args.lang:
        questions = [q for q in questions if q.lang == args.lang]
    if args.limit:
        questions = questions[: args.limit]
    return questions, problems, Path(corpus)


def failed_thresholds(groups: dict[str, dict[str, Any]], thresholds: list[Threshold]) -> list[str]:
    """One line per threshold that is missed (a figure that could not be computed also misses)."""
    lines = []
    for t in thresholds:
        value = groups.get(t.group, {}).get(t.metric)
        if value is None:
            lines.append(f"FAIL {t}: {t.group}.{t.metric} could not be computed (no questions it applies to)")
        elif value < t.value:
            lines.append(f"FAIL {t}: {t.group}.{t.metric} is {value:.4f}, below {t.value:g}")
    return lines


def _public_settings(settings: Any) -> dict[str, Any]:
    """Every setting that can change a score, as plain JSON (credentials left out)."""
    values = dataclasses.asdict(settings)
    for secret in ("username", "password"):
        values.pop(secret, None)
    return {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}


def main(argv: list[str] | None = None) -> int:
    """Entry point for `sanad eval` and `python -m eval`; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_args(parser, args)

    from assistant.config import Settings
    from assistant.runtime import tune_gc_for_serving
    from eval.report import build_report, summary_table, write_json, write_markdown
    from eval.runner import run
    from eval.squad import SquadFileError
    from eval.summary import summarize
    from index.errors import SanadError

    try:
        questions, problems, corpus = load_input(args)
    except (SquadFileError, UnicodeDecodeError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    if not questions:
        print("error: no valid questions to ask (see the warnings above)", file=sys.stderr)
        return EXIT_USAGE
    tune_gc_for_serving()
    settings = Settings.from_env(model=args.model, engine=getattr(args, "engine", None), ray_address=getattr(args, "ray_address", None))
    engine = "" if settings.engine == "local" else f"|{settings.engine}"  # a sharded index never reuses a local one's folder
    index_dir = args.index_dir or _cache_dir("index", f"{corpus.resolve()}|{settings.model}{engine}", corpus.resolve().parent.name
                                             if corpus.name == "corpus" else corpus.name)  # fmt: skip
    settings = settings.replace(index_dir=index_dir)
    progress = settings.progress and not args.no_progress
    started, t0 = datetime.now(UTC), time.perf_counter()
    try:
        result = run(questions, settings, corpus, top_k=args.top_k, progress=progress, filt=args.filter,
                     fields=args.fields)  # fmt: skip
    except SanadError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)

    summary = {
        "languages": summarize(result.records, bootstrap=args.bootstrap),
        "offset_check": {"checked_records": len(result.records), "mismatches": len(result.offset_problems),
                         "problems": result.offset_problems[:100]},
        "skipped": [str(p) for p in problems],
        "warnings": result.warnings,
    }  # fmt: skip
    config = {
        "corpus": str(corpus),
        "questions": str(args.questions) if args.questions else None,
        "squad": str(args.squad) if args.squad else None,
        "squad_questions": str(args.squad_questions) if args.squad_questions else None,
        "index_dir": str(index_dir),
        "model": result.index.get("stats", {}).get("model") or settings.model,
        "top_k": args.top_k or settings.top_k,
        "lang": args.lang,
        "limit": args.limit,
        "filter": args.filter.to_dict(),
        "fields": {k: list(v) for k, v in args.fields.names.items()},
        "llm": settings.llm or None,
        "settings": _public_settings(settings),
        "bootstrap": args.bootstrap,
        "index": result.index,
        "started": started.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - t0, 1),
        "python": platform.python_version(),
    }
    report = build_report(summary, config, result.records)
    write_json(report, args.report)
    if args.markdown:
        write_markdown(report, args.markdown)
    if args.plot:
        from eval.plot import write_plot

        source = Path(config["questions"] or config["squad"]).name
        if args.squad_questions:
            source += f" + {args.squad_questions.name}"
        title = f"Sanad on {source}  (model {config['model']}, top-{config['top_k']})"
        write_plot(summary["languages"], args.plot, title=title)
    print(summary_table(summary["languages"]))
    idx = result.index
    built = "built" if idx.get("added") or idx.get("replaced") else "reused (checked)"
    docs = _documents(idx)
    print(f"\nindex: {idx.get('stats', {}).get('passages', '?')} passages from {docs} document{'s' * (docs != 1)}, "
          f"{built} in {idx.get('index_s', 0):.2f} s")  # fmt: skip
    print(f"\nreport: {args.report}" + "".join(f", {p}" for p in (args.markdown, args.plot) if p))

    status = EXIT_OK
    if result.offset_problems:
        for line in result.offset_problems[:20]:
            print(f"offset mismatch: {line}", file=sys.stderr)
        print(f"FAIL: {len(result.offset_problems)} citation/passage offset(s) do not match the source text "
              "(a bug in Sanad: quotes must equal the document at [start, end))", file=sys.stderr)  # fmt: skip
        status = EXIT_FAILED
    for line in failed_thresholds(summary["languages"], args.fail_under):
        print(line, file=sys.stderr)
        status = EXIT_FAILED
    return status
