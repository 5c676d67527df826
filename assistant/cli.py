"""The `sanad` command: index articles, ask from the shell, chat, score, benchmark.

Transports stay thin: parse, call the facade, print. Heavy imports happen inside the handlers so
that `sanad --help` and bad-input refusals are instant. Errors a user can act on are one line on
stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_USER_ERROR = 2


def _setup_process(verbose: bool) -> None:
    """Process-wide settings belong to the entry point, not to library code."""
    os.environ.setdefault("HF_HUB_OFFLINE", "0" if os.environ.get("SANAD_ALLOW_DOWNLOAD") else "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("index and model (also SANAD_INDEX_DIR, SANAD_MODEL, SANAD_LEXICON_DIR)")
    g.add_argument("--index-dir", type=Path, default=argparse.SUPPRESS, help="index folder (default: per-user data dir)")
    g.add_argument("--model", default=argparse.SUPPRESS, help="sentence-transformers model name or local folder")
    g.add_argument("--lexicon-dir", default=argparse.SUPPRESS, help="folder with the FreeDict dictd files")
    g.add_argument("--embed-backend", choices=("auto", "torch", "onnx", "onnx-int8"), default=argparse.SUPPRESS,
                   help="embedding runtime; onnx-int8 indexes about twice as fast, ~1 point lower English recall")  # fmt: skip
    g.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log progress details")
    g.add_argument("--no-progress", action="store_true", default=argparse.SUPPRESS, help="no progress bars")
    add_engine_flags(p)
    return p


def add_engine_flags(p: argparse.ArgumentParser) -> None:
    """--engine/--ray-address: this process, or an index in shards on a Ray cluster (index, ask, chat, eval)."""
    g = p.add_argument_group("where it runs (also SANAD_ENGINE, SANAD_RAY_ADDRESS)")
    g.add_argument("--engine", choices=("local", "ray"), default=argparse.SUPPRESS,
                   help="local (default): this process; ray: index and answer over shards on Ray (pip install 'sanad[ray]')")  # fmt: skip
    g.add_argument("--ray-address", metavar="ADDR", default=argparse.SUPPRESS,
                   help="a running Ray cluster (HOST:PORT or auto); default: start one on this machine, on 127.0.0.1")  # fmt: skip


def add_filter_flags(p: argparse.ArgumentParser) -> None:
    """--since/--until/--source: search only these articles (ask, chat, eval)."""
    g = p.add_argument_group("which articles to search")
    g.add_argument("--since", metavar="DATE", help="only articles published on or after DATE (YYYY-MM-DD)")
    g.add_argument("--until", metavar="DATE", help="only articles published on or before DATE")
    g.add_argument("--source", nargs="+", action="extend", default=[], metavar="NAME",
                   help="only articles from these outlets (repeatable; case is ignored)")  # fmt: skip


def filter_from_args(args: argparse.Namespace):
    """The SearchFilter the flags describe (ValueError names a bad date)."""
    from index.filters import SearchFilter

    return SearchFilter.build(getattr(args, "since", None), getattr(args, "until", None), getattr(args, "source", []))


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="sanad",
        description="Questions in Arabic or English over Arabic news, answered with cited passages.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    idx = sub.add_parser("index", help="add articles, show or rebuild the index", parents=[common])
    isub = idx.add_subparsers(dest="index_command", required=True, metavar="ACTION")
    add = isub.add_parser(
        "add", help="add articles: .txt/.md, .jsonl/.json/.csv records, .html pages, .zip of these, or folders",
        parents=[common],
    )
    add.add_argument("paths", nargs="+", type=Path)
    add.add_argument("--max-file-mb", type=float, default=None, help="refuse files larger than this (default 50)")
    add.add_argument("--shards", type=int, default=None, metavar="N",
                     help="with --engine ray: write the new articles as N shards (default: one per 250,000 articles)")  # fmt: skip
    add.add_argument("--workers", type=int, default=None, metavar="N",
                     help="with --engine ray: embedding workers (default: every CPU of the cluster)")  # fmt: skip
    add.add_argument(
        "--field", action="append", default=[], metavar="FIELD=NAME",
        help="read a record field from another key, e.g. --field date=date_extracted "
        "(fields: id, title, text, date, source, url; repeatable)",
    )
    isub.add_parser("info", help="what is indexed", parents=[common])
    isub.add_parser("rebuild", help="re-index everything with the current model and analyzer", parents=[common])
    isub.add_parser("sample", help="index the built-in sample article", parents=[common])

    ask = sub.add_parser("ask", help="answer one question", parents=[common])
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    ask.add_argument("--top-k", type=int, default=None, help="passages to retrieve (default 5)")
    add_filter_flags(ask)

    chat = sub.add_parser("chat", help="the web chat (or --cli for a terminal conversation)", parents=[common])
    chat.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    chat.add_argument("--port", type=int, default=None, help="port (default 7860)")
    chat.add_argument("--cli", action="store_true", help="chat in the terminal instead of the browser")
    chat.add_argument("--llm", default=None, help="provider:model for LangChain's init_chat_model (optional)")
    add_filter_flags(chat)
    chat.add_argument("--users-file", type=Path, default=None,
                      help="web chat logins (default: the per-user data dir; add users with: sanad users add NAME)")  # fmt: skip
    chat.add_argument("--allow-anonymous", action="store_true", default=None,
                      help="serve a non-loopback --host without a login (prints a warning; refused otherwise)")  # fmt: skip

    users = sub.add_parser("users", help="web chat logins: add, remove or list users")
    usub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    uadd = usub.add_parser("add", help="add a user, or change a password (asked twice, never echoed)")
    uadd.add_argument("name")
    uadd.add_argument("--password-stdin", action="store_true",
                      help="read the password from the first line of standard input (for scripts)")  # fmt: skip
    urm = usub.add_parser("remove", help="remove a user")
    urm.add_argument("name")
    ulist = usub.add_parser("list", help="list the user names")
    for p in (uadd, urm, ulist):
        p.add_argument("--users-file", type=Path, default=None,
                       help="credentials file (default: the per-user data dir; also SANAD_USERS_FILE)")  # fmt: skip

    ev = sub.add_parser("eval", help="score answers and retrieval (see eval/README.md)", add_help=False)
    ev.add_argument("rest", nargs=argparse.REMAINDER)
    bench = sub.add_parser("bench", help="speed and memory benchmark against peers", add_help=False)
    bench.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def settings_from_args(args: argparse.Namespace, **extra):
    from assistant.config import Settings

    return Settings.from_env(
        index_dir=getattr(args, "index_dir", None),
        model=getattr(args, "model", None),
        lexicon_dir=getattr(args, "lexicon_dir", None),
        embed_backend=getattr(args, "embed_backend", None),
        progress=False if getattr(args, "no_progress", False) else None,
        engine=getattr(args, "engine", None),
        ray_address=getattr(args, "ray_address", None),
        shards=getattr(args, "shards", None),
        ray_workers=getattr(args, "workers", None),
        **extra,
    )


class Bar:
    """A tqdm progress callback (done, total, stage) that restarts when the stage changes."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled and sys.stderr.isatty() or enabled and os.environ.get("SANAD_FORCE_PROGRESS") == "1"
        self._bar = None
        self._stage = None

    def __call__(self, done: int, total: int, stage: str) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage != self._stage:
            self.close()
            self._bar = tqdm(total=total, desc=stage, unit=" items", file=sys.stderr, leave=False)
            self._stage = stage
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _print_report(report) -> None:
    for name, reason in report.refused:
        print(f"refused {name}: {reason}", file=sys.stderr)
    print(
        f"added {len(report.added)}, replaced {len(report.replaced)}, unchanged {len(report.unchanged)}, "
        f"refused {len(report.refused)} ({report.passages} new passages)"
    )


def source_line(meta, doc_id: str) -> str:
    """outlet · date · title, the way a reader names a news source ("" parts left out)."""
    if meta is None:
        return doc_id
    parts = [meta.source, meta.date[:10], meta.title]
    return " · ".join(p for p in parts if p) or doc_id


def _print_answer(answer) -> None:
    print(answer.text)
    if answer.short and answer.short not in answer.text:
        print(f"\n→ {answer.short}")
    if answer.resolved_date:
        r = answer.resolved_date
        print(f"  («{r['words']}» in an article of {r['published'][:10]} = {r['date']})")
    if answer.citations:
        print("\nSources:" if answer.lang == "en" else "\nالمصادر:")
        for c in answer.citations:
            where = f"{c.doc_id} [{c.start}:{c.end}]" + (f"  {c.meta.url}" if c.meta and c.meta.url else "")
            named = source_line(c.meta, c.doc_id)
            if named == c.doc_id:  # a plain file: its name is its source
                print(f"[{c.n}] {where}")
            else:
                print(f"[{c.n}] {named}")
                print(f"    {where}")
            print(f"    {c.quote}")
            if c.also:
                print("    also published by: " + "; ".join(source_line(a, a.doc_id) for a in c.also))


def _with_index(sanad, settings) -> None:
    bar = Bar(settings.progress)
    try:
        report = sanad.ensure_index(bar)
    finally:
        bar.close()
    if report is not None:
        print(f"indexed the built-in sample corpus into {settings.index_dir}", file=sys.stderr)


def cmd_index(args: argparse.Namespace) -> int:
    from assistant.sanad import open_sanad, sample_corpus_dir
    from index.records import FieldMap

    settings = settings_from_args(args)
    for flag in ("shards", "workers"):
        if getattr(args, flag, None) is not None and (settings.engine != "ray" or getattr(args, flag) < 1):
            print(f"sanad: error: --{flag} takes a positive number, with --engine ray", file=sys.stderr)
            return EXIT_USER_ERROR
    try:
        fields = FieldMap.parse(getattr(args, "field", None))
    except ValueError as e:
        print(f"sanad: error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    sanad = open_sanad(settings)
    bar = Bar(settings.progress)
    try:
        if args.index_command == "info":
            print(json.dumps(sanad.stats(), ensure_ascii=False, indent=2))
            return 0
        if args.index_command == "rebuild":
            report = sanad.rebuild(bar)
        else:
            paths = [sample_corpus_dir()] if args.index_command == "sample" else args.paths
            max_bytes = int(args.max_file_mb * 1e6) if getattr(args, "max_file_mb", None) else None
            report = sanad.add_paths(paths, bar, max_bytes, fields)
    finally:
        bar.close()
        sanad.close()
    _print_report(report)
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.question import clean_question
    from assistant.sanad import open_sanad

    settings = settings_from_args(args)
    clean_question(args.question, settings.max_question_chars)  # refuse before anything is written
    if args.top_k is not None and not 1 <= args.top_k <= 100:
        print("sanad: error: --top-k must be between 1 and 100", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        filt = filter_from_args(args)
    except ValueError as e:
        print(f"sanad: error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    sanad = open_sanad(settings)
    try:
        _with_index(sanad, settings)
        sanad.check_filter(filt)
        answer = sanad.ask(args.question, top_k=args.top_k, filter=filt)
    finally:
        sanad.close()
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer)
    return 0


def _with_users_file(settings, given: Path | None):
    """The users file: --users-file, else SANAD_USERS_FILE, else the per-user default."""
    from assistant.config import default_users_file

    if given is not None:
        return settings.replace(users_file=str(given.expanduser()))
    return settings if settings.users_file else settings.replace(users_file=str(default_users_file()))


def _new_password(from_stdin: bool) -> str:
    """The password, from stdin's first line or asked twice on the terminal; never an argument (shell history)."""
    import getpass

    from ui.passwords import CredentialsError

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        msg = "no terminal to ask for the password on; pass --password-stdin and send it on standard input"
        raise CredentialsError(msg)
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        msg = "the two passwords differ; nothing was changed"
        raise CredentialsError(msg)
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from assistant.config import Settings
    from ui.passwords import add_user, check_name, read_users, remove_user

    path = Path(_with_users_file(Settings.from_env(), args.users_file).users_file)
    if args.users_command == "list":
        for name in sorted(read_users(path)):
            print(name)
        return 0
    if args.users_command == "remove":
        remove_user(path, args.name)
        print(f"removed {args.name} from {path}")
        return 0
    check_name(args.name)  # before asking for a password
    new = add_user(path, args.name, _new_password(args.password_stdin))
    print(f"{'added' if new else 'changed the password of'} {args.name} in {path}")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from assistant.runtime import tune_gc_for_serving

    settings = settings_from_args(
        args, host=args.host, port=args.port, llm=args.llm, allow_anonymous=args.allow_anonymous
    )
    settings = _with_users_file(settings, args.users_file)
    try:
        filt = filter_from_args(args)
    except ValueError as e:
        print(f"sanad: error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    tune_gc_for_serving()
    if args.cli:
        return terminal_chat(settings, filt)
    from ui.app import launch

    launch(settings, filt)
    return 0


def terminal_chat(settings, filt=None) -> int:
    from assistant.sanad import open_sanad

    sanad = open_sanad(settings)
    try:
        return _converse(sanad, settings, filt)
    finally:
        sanad.close()


def _converse(sanad, settings, filt) -> int:
    from index.errors import SanadError

    _with_index(sanad, settings)
    if filt is not None:
        sanad.check_filter(filt)
    history: list[dict] = []
    print("Ask in Arabic or English; an empty line or Ctrl-D ends the conversation.")
    while True:
        try:
            line = input("> ")
        except EOFError:
            print()
            return 0
        if not line.strip():
            return 0
        try:
            answer = sanad.ask(line, history=history, filter=filt)
        except SanadError as e:
            print(f"sanad: {e}", file=sys.stderr)
            continue
        _print_answer(answer)
        print()
        history += [{"role": "user", "content": line}, {"role": "assistant", "content": answer.text}]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # eval and bench own their flags; hand them everything after the command word.
    for i, word in enumerate(argv):
        if word in ("eval", "bench") and all(a.startswith("-") for a in argv[:i]):
            _setup_process("-v" in argv or "--verbose" in argv)
            if word == "eval":
                from eval.cli import main as eval_main
            else:
                from eval.bench import main as eval_main
            return eval_main(argv[i + 1 :])
    args = parser.parse_args(argv)
    _setup_process(getattr(args, "verbose", False))
    from index.errors import SanadError

    handlers = {"index": cmd_index, "ask": cmd_ask, "chat": cmd_chat, "users": cmd_users}
    try:
        return handlers[args.command](args)
    except SanadError as e:
        print(f"sanad: error: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("sanad: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
