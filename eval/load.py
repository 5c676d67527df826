"""`python -m eval.load`: many clients asking the web chat at once, checked answer by answer.

N clients send questions (Arabic and English, from a questions file) for T seconds through the
Gradio HTTP API, each request in a fresh session, and every response is compared with the answer
that question gets when asked alone: a response showing another question's answer is *crossed*,
one showing no known answer is *wrong*, a failed request is an *error*. With `--upload FILE` an
article is uploaded through the page's API a third of the way in, so questions are answered while
it is indexed; each response must then match the answer before or after the upload.

Without `--url` it starts its own server (`sanad chat`, in a child process) on a free loopback port
over a temporary index of the built-in sample article, and computes the expected answers with the
Python API on the same index. With `--url` the expected answers come from a first, sequential pass
through that server. Only loopback addresses are accepted: this is a test tool, not a load cannon.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

from eval.questions import read_questions

DEFAULT_QUESTIONS = Path(__file__).parent / "data" / "sample.jsonl"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_ANCHOR_KEY = re.compile(r"sanad-[0-9a-f]{8}-src-")  # per-message anchor ids (ui.render) differ by design


@dataclass
class Outcome:
    question: str
    kind: str  # ok | error | crossed | wrong
    latency_ms: float
    started: float
    detail: str = ""


# -- talking to the server -------------------------------------------------------------------------
def normalize_html(html: str) -> str:
    return _ANCHOR_KEY.sub("sanad-KEY-src-", html)


def _message_text(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, list):  # Gradio 6: [{"type": "text", "text": ...}]
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def ask_over_http(client, base: str, question: str, timeout: float) -> tuple[str, str]:
    """One question in a fresh session: (the user bubble's HTML, the answer's HTML)."""
    r = client.post(f"{base}gradio_api/call/ask", json={"data": [question]}, timeout=timeout)
    r.raise_for_status()
    event_id = r.json()["event_id"]
    event, data = "", None
    with client.stream("GET", f"{base}gradio_api/call/ask/{event_id}", timeout=timeout) as resp:
        resp.raise_for_status()
        for line in resp.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = json.loads(line.split(":", 1)[1])
                break
    if event != "complete" or not isinstance(data, list) or len(data) < 2:
        raise RuntimeError(f"server sent {event or 'nothing'}: {str(data)[:200]}")
    messages = data[1]
    if len(messages) < 2:
        raise RuntimeError(f"expected a question and an answer, got {len(messages)} message(s)")
    return _message_text(messages[-2]), normalize_html(_message_text(messages[-1]))


def expected_from_api(sanad, questions: list[str]) -> dict[str, str]:
    """What each question shows when asked alone, rendered as the page renders it."""
    from ui.handlers import answer_html

    return {q: normalize_html(answer_html(sanad, sanad.ask(q), "0" * 8)) for q in questions}


def classify(
    question: str, user_html: str, answer_html: str, expected: dict[str, set[str]]
) -> tuple[str, str]:
    from ui.render import render_question

    if "sanad-error" in answer_html:
        return "error", re.sub(r"<[^>]+>", " ", answer_html)[:200]
    if user_html != render_question(question):
        return "crossed", "the response shows another question"
    if answer_html in expected[question]:
        return "ok", ""
    others = [q for q, answers in expected.items() if q != question and answer_html in answers]
    if others:
        return "crossed", f"the answer of {others[0][:60]!r}"
    return "wrong", "an answer this question does not get when asked alone"


# -- the load --------------------------------------------------------------------------------------
def run_clients(
    base: str, questions: list[str], clients: int, seconds: float, timeout: float, seed: int = 0
) -> list[tuple[str, str, str, float, float, str]]:
    """(question, user_html, answer_html, started, latency_ms, error) per request, from all clients."""
    import httpx

    results: list[tuple[str, str, str, float, float, str]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client_loop(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        with httpx.Client() as client:
            while time.monotonic() < deadline:
                q = rng.choice(questions)
                t0 = time.monotonic()
                try:
                    user, answer = ask_over_http(client, base, q, timeout)
                    row = (q, user, answer, t0, (time.monotonic() - t0) * 1000, "")
                except Exception as e:  # noqa: BLE001 - every failure is counted and reported
                    row = (q, "", "", t0, (time.monotonic() - t0) * 1000, f"{type(e).__name__}: {e}"[:300])
                with lock:
                    results.append(row)

    threads = [threading.Thread(target=client_loop, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 30)
    return results


def upload_through_page(base: str, path: Path) -> str:
    """Upload an article the way the page does (the `add` endpoint); returns the report's text."""
    from gradio_client import Client, handle_file

    report, _, _ = Client(base, verbose=False).predict([handle_file(str(path))], api_name="/add")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(report))).strip()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summarize(outcomes: list[Outcome], clients: int, seconds: float) -> dict:
    kinds = Counter(o.kind for o in outcomes)
    served = [o.latency_ms for o in outcomes if o.kind != "error"]
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(outcomes),
        "served": len(served),
        "errors": kinds["error"],
        "crossed": kinds["crossed"],
        "wrong": kinds["wrong"],
        "throughput_per_s": round(len(served) / seconds, 2) if seconds else 0.0,
        "latency_ms": {
            "p50": round(percentile(served, 50), 1),
            "p95": round(percentile(served, 95), 1),
            "max": round(max(served), 1) if served else float("nan"),
        },
    }


# -- our own server ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnServer:
    """`sanad chat` in a child process on a free loopback port, over `index_dir`."""

    def __init__(self, index_dir: Path, log_path: Path, startup_timeout: float = 300.0):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SANAD_")}
        env |= {"SANAD_INDEX_DIR": str(index_dir), "SANAD_HOST": "127.0.0.1", "SANAD_PROGRESS": "0"}
        for key in ("SANAD_MODEL", "SANAD_MODEL_LANGUAGES", "SANAD_LEXICON_DIR"):  # same answers as ours
            if os.environ.get(key):
                env[key] = os.environ[key]
        self._log = log_path.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "chat", "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=env,
        )
        self.url = self._wait_for_url(startup_timeout, log_path)

    def _wait_for_url(self, timeout: float, log_path: Path) -> str:
        found: list[str] = []

        def read() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                m = re.search(r"(http://127\.0\.0\.1:\d+/?)", line)
                if m:
                    found.append(m.group(1) if m.group(1).endswith("/") else m.group(1) + "/")
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if not found:
            self.stop()
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"the server did not start within {timeout:.0f} s; its log ends with:\n{tail}")
        return found[0]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # `sanad chat` closes the server on Ctrl-C
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(15)
        self._log.close()


# -- the command -------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    p.add_argument("--seconds", type=float, default=60.0, help="how long to send questions (default 60)")
    p.add_argument("--url", help="a running Sanad chat on a loopback address (default: start our own)")
    p.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSONL questions file")
    p.add_argument(
        "--index-dir", type=Path, help="own server only: index to serve (default: a temporary one)"
    )
    p.add_argument("--upload", type=Path, help="own server only: article uploaded a third of the way in")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds one request may take (default 120)")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    return p


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not 1 <= args.clients <= 200:
        parser.error("--clients must be between 1 and 200")
    if not 0 < args.seconds <= 3600:
        parser.error("--seconds must be more than 0 and at most 3600")
    if args.url:
        host = urlparse(args.url).hostname or ""
        if host not in LOOPBACK:
            parser.error(f"--url must be a loopback address ({', '.join(sorted(LOOPBACK))}), not {host!r}")
        if args.upload or args.index_dir:
            parser.error("--upload and --index-dir need our own server (leave out --url)")
    if args.upload and args.upload.suffix.lower() not in (".txt", ".md"):
        parser.error("--upload takes a .txt or .md article")


def load_questions(path: Path) -> list[str]:
    questions, problems = read_questions(path)
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    if not questions:
        raise SystemExit(f"error: no questions in {path}")
    return [q.question for q in questions]


def outcomes_from(
    rows,
    before: dict[str, str],
    after: dict[str, str] | None = None,
    window: tuple[float, float] | None = None,
) -> list[Outcome]:
    """Classify every response. With an upload in `window`, a request that ended before it must get
    the old answer, one that started after it the new one, one that overlapped it either."""
    out = []
    for q, user, answer, started, latency, error in rows:
        ended = started + latency / 1000
        if after is None or window is None or ended < window[0]:
            allowed = {k: {v} for k, v in before.items()}
        elif started > window[1]:
            allowed = {k: {v} for k, v in after.items()}
        else:
            allowed = {k: {v, after[k]} for k, v in before.items()}
        kind, detail = ("error", error) if error else classify(q, user, answer, allowed)
        out.append(Outcome(q, kind, latency, started, detail))
    return out


def report(summary: dict, outcomes: list[Outcome], extra: dict) -> None:
    lat = summary["latency_ms"]
    print(
        f"{summary['clients']} clients x {summary['seconds']:g} s: {summary['served']} requests served "
        f"({summary['throughput_per_s']}/s), {summary['errors']} errors, {summary['crossed']} crossed answers, "
        f"{summary['wrong']} wrong answers; latency p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, "
        f"max {lat['max']:.0f} ms"
    )
    for key, value in extra.items():
        print(f"{key}: {value}")
    for o in [o for o in outcomes if o.kind != "ok"][:10]:
        print(f"  {o.kind}: {o.question[:60]!r}: {o.detail}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    check_args(parser, args)
    questions = load_questions(args.questions)
    extra: dict = {"questions": len(questions)}
    with tempfile.TemporaryDirectory(prefix="sanad-load-") as tmp:
        server = None
        try:
            if args.url:
                base = args.url if args.url.endswith("/") else args.url + "/"
                import httpx

                with httpx.Client() as client:  # the baseline: each question alone, one at a time
                    expected = {q: ask_over_http(client, base, q, args.timeout)[1] for q in questions}
                extra["expected"] = "a sequential pass through the server"
            else:
                from assistant.config import Settings
                from assistant.sanad import Sanad

                index_dir = args.index_dir or Path(tmp) / "index"
                server = OwnServer(index_dir, Path(tmp) / "server.log")  # indexes the sample if empty
                base = server.url
                sanad = Sanad(Settings.from_env(index_dir=index_dir, progress=False))
                expected = expected_from_api(sanad, questions)
                extra["expected"] = "Sanad.ask on the same index, one question at a time"
            print(f"server {base}: {args.clients} clients for {args.seconds:g} s", file=sys.stderr)
            uploader, after, window = None, None, []
            if args.upload:
                upload_result: dict = {}

                def upload() -> None:
                    time.sleep(args.seconds / 3)
                    t0 = time.monotonic()
                    try:
                        upload_result["report"] = upload_through_page(base, args.upload)
                    except Exception as e:  # noqa: BLE001 - reported as a failure of the run
                        upload_result["error"] = f"{type(e).__name__}: {e}"
                    window.extend([t0, time.monotonic()])
                    upload_result["seconds"] = round(window[1] - window[0], 2)

                uploader = threading.Thread(target=upload, daemon=True)
                uploader.start()
            t0 = time.monotonic()
            rows = run_clients(base, questions, args.clients, args.seconds, args.timeout)
            elapsed = time.monotonic() - t0
            if uploader is not None:
                uploader.join(args.timeout)
                extra["upload"] = upload_result
                after = expected_from_api(sanad, questions)  # the index now holds the upload
                extra["answers changed by the upload"] = sum(after[q] != expected[q] for q in questions)
                if len(window) == 2:
                    extra["requests during the upload"] = sum(
                        started < window[1] and started + latency / 1000 > window[0]
                        for _, _, _, started, latency, _ in rows
                    )
        finally:
            if server is not None:
                server.stop()
    outcomes = outcomes_from(rows, expected, after, tuple(window) if len(window) == 2 else None)
    summary = summarize(outcomes, args.clients, round(elapsed, 1))
    report(summary, outcomes, extra)
    if args.json:
        args.json.write_text(
            json.dumps({**summary, **extra, "failures": [asdict(o) for o in outcomes if o.kind != "ok"][:50]},
                       ensure_ascii=False, indent=1),
            encoding="utf-8",
        )  # fmt: skip
    failed = summary["errors"] or summary["crossed"] or summary["wrong"] or "error" in extra.get("upload", {})
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
