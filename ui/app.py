"""The web chat: the Gradio page over the Sanad facade, and `sanad chat`'s `launch()`.

Questions and uploads run in separate queue groups, so indexing never queues behind asking or the
reverse; the facade makes `ask()` thread-safe and serializes writers.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from index.errors import SanadError
from index.filters import SearchFilter
from ui import sweep
from ui.access import exposure_warning, load_accounts
from ui.guard import WebGuard
from ui.handlers import Handlers
from ui.throttle import LoginThrottle

if TYPE_CHECKING:
    import gradio as gr

    from assistant.sanad import Sanad

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
ASK_CONCURRENCY = 16  # questions answered at once; uploads have their own group of one
UPLOAD_HARD_CAP = 10  # the server refuses uploads above this many times the per-file limit
# The page's script (static/upload-limit.js) keeps files over the limit in the browser and hands their
# names and sizes to these events, so they are listed under "Refused" like any other refusal.
TAKE_OVERSIZE = "window.sanadTakeOversize ? window.sanadTakeOversize() : ''"


def load_examples(path: Path = STATIC / "examples.json") -> dict[str, list[str]]:
    """Example questions per language: data that goes with the built-in sample corpus, not code."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("no example questions at %s", path)
        return {"ar": [], "en": []}
    return {
        lang: [q for q in data.get(lang, []) if isinstance(q, str) and q.strip()] for lang in ("ar", "en")
    }


def _header() -> str:
    return (
        '<div id="sanad-header"><span class="sanad-title"><span class="ar" lang="ar">سند</span> · Sanad</span>'
        '<span class="sanad-sub">Ask about the articles in Arabic or English; every answer cites its sources.</span>'
        '<span class="sanad-sub" dir="rtl" lang="ar">اسأل عن المقالات بالعربية أو بالإنجليزية، وكل إجابة تذكر مصادرها.</span>'
        "</div>"
    )


def filter_controls(h: Handlers, default: SearchFilter | None = None) -> gr.State:
    """The side panel's search scope: a date range and a choice of outlets (none chosen: all).

    The choice lives in the visitor's session state, so the page's "ask" endpoint keeps taking
    the question alone (HTTP clients and the load test are unchanged) and uses the scope set here.
    """
    import gradio as gr

    default = default or SearchFilter()
    outlets = h.outlet_choices()
    chosen = [o for o in outlets if o.casefold() in default.sources]
    since0 = default.since.isoformat() if default.since else ""
    until0 = default.until.isoformat() if default.until else ""
    scope = gr.State({"since": since0, "until": until0, "outlets": chosen})
    gr.HTML('<div class="sanad-panel-title">Search only · ابحث في</div>')
    with gr.Group(elem_id="sanad-filters"):
        since = gr.Textbox(label="From · من (YYYY-MM-DD)", value=since0, elem_id="sanad-since", max_lines=1)
        until = gr.Textbox(label="To · إلى (YYYY-MM-DD)", value=until0, elem_id="sanad-until", max_lines=1)
        pick = gr.Dropdown(choices=outlets, value=chosen, multiselect=True, label="Outlets · المصادر",
                           elem_id="sanad-outlets", allow_custom_value=False)  # fmt: skip
    controls = [since, until, pick]

    def keep(s: str, u: str, o: list[str] | None) -> dict:
        return {"since": s or "", "until": u or "", "outlets": list(o or [])}

    for c in controls:
        c.change(keep, controls, scope, queue=False, api_visibility="private")
    return scope


def build_app(sanad: Sanad, settings: Settings, default_filter: SearchFilter | None = None) -> gr.Blocks:
    """The chat page. Styling is passed at launch (`launch_options`), as Gradio 6 expects."""
    import gradio as gr

    h = Handlers(sanad, settings)
    examples = load_examples()

    def add(
        files: list[Any] | None,
        oversize: str | None = "",
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> tuple[str, str, None]:
        return h.add(files, oversize, progress)

    def pick(sample: list[str]) -> str:
        return sample[0] if sample else ""

    with gr.Blocks(title="Sanad · سند", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        state = gr.State({"shown": [], "plain": []})
        gr.HTML(_header())
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chat = gr.Chatbot(
                    elem_id="sanad-chat",
                    show_label=False,
                    height="64vh",
                    render_markdown=False,  # our HTML is final; no Markdown pass over article text
                    sanitize_html=True,
                    latex_delimiters=[],
                    allow_tags=False,
                    buttons=[],
                    feedback_options=None,
                    placeholder="<b>Ask a question · اطرح سؤالًا</b>",
                )
                with gr.Row():
                    box = gr.Textbox(
                        elem_id="sanad-input",
                        show_label=False,
                        placeholder="Your question… · سؤالك…",
                        scale=6,
                        max_length=settings.max_question_chars,
                        autofocus=True,
                    )
                    send = gr.Button("Ask · اسأل", variant="primary", scale=1, elem_id="sanad-send")
                    clear = gr.Button("Clear · مسح", scale=1, elem_id="sanad-clear")
                sets = []
                for lang, label in (("ar", "أمثلة"), ("en", "Examples")):
                    if examples[lang]:
                        sets.append(
                            gr.Dataset(
                                label=label,
                                components=[box],
                                samples=[[q] for q in examples[lang]],
                                elem_id=f"sanad-examples-{lang}",
                                layout="gallery",
                            )
                        )
            with gr.Column(scale=1, min_width=260):
                gr.HTML('<div class="sanad-panel-title">Indexed · المفهرس</div>')
                stats = gr.HTML(h.stats(), elem_id="sanad-stats")
                gr.HTML(
                    '<div class="sanad-panel-title">Add articles · أضف مقالات</div>'
                    f'<div class="sanad-hint" data-sanad-max-bytes="{int(settings.upload_max_mb * 1e6)}">'
                    f".txt / .md, UTF-8, ≤ {settings.upload_max_mb:g} MB each</div>"
                )
                files = gr.File(file_count="multiple", show_label=False, elem_id="sanad-upload", height=120)
                report = gr.HTML("", elem_id="sanad-report", min_height=90)
                oversize = gr.Textbox("", visible="hidden", elem_id="sanad-oversize")
                refuse_all = gr.Button("oversize", visible="hidden", elem_id="sanad-oversize-go")
                scope = filter_controls(h, default_filter)

        ask_opts: dict[str, Any] = {"concurrency_limit": ASK_CONCURRENCY, "concurrency_id": "ask"}
        outs = [box, chat, state]
        ins = [box, state, scope]
        box.submit(h.ask, ins, outs, **ask_opts)
        send.click(h.ask, ins, outs, **ask_opts)
        for ds in sets:
            ds.click(pick, ds, box, queue=False).then(h.ask, ins, outs, **ask_opts)
        clear.click(lambda: ("", [], {"shown": [], "plain": []}), None, outs, queue=False)
        files.upload(
            add,
            [files, oversize],
            [report, stats, files],
            concurrency_limit=1,
            concurrency_id="upload",
            show_progress="full",
            show_progress_on=[report],
            preprocess=False,  # the raw FileData: Gradio's preprocess leaves an empty temp file per upload
            js=f"(files, over) => [files, {TAKE_OVERSIZE}]",
        )
        refuse_all.click(
            h.refuse_oversized,
            oversize,
            report,
            queue=False,
            js=f"(over) => [{TAKE_OVERSIZE}]",
            api_visibility="private",
        )
        demo.load(h.stats, None, stats, queue=False)
    return demo


def launch_options(settings: Settings) -> dict[str, Any]:
    """Everything `Blocks.launch()` needs: address, login, limits, the guard and upload sweeper, and
    (Gradio 6) theme, CSS and the page's script. A half-set login raises AccessError."""
    import gradio as gr
    from gradio.utils import get_upload_folder
    from starlette.middleware import Middleware

    accounts = load_accounts(settings)
    theme = gr.themes.Soft(
        primary_hue="teal",
        font=[
            gr.themes.LocalFont("IBM Plex Sans"),
            "Noto Sans",
            "Noto Naskh Arabic",
            "Noto Sans Arabic",
            "sans-serif",
        ],
    )
    throttle = LoginThrottle(settings.login_max_failures, settings.login_window_s)
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": accounts.gradio_auth() if accounts else None,
        "auth_message": "Sanad · سند" if accounts else None,
        "max_file_size": int(settings.upload_max_mb * UPLOAD_HARD_CAP * 1e6),
        "show_error": False,
        "ssr_mode": False,
        "footer_links": [],
        "theme": theme,
        "css": (STATIC / "style.css").read_text(encoding="utf-8"),
        "js": (STATIC / "upload-limit.js").read_text(encoding="utf-8"),
        "app_kwargs": {
            "middleware": [Middleware(WebGuard, throttle=throttle, upload_root=get_upload_folder)],
            "lifespan": sweep.lifespan(get_upload_folder, settings.upload_ttl_s),
        },
        "quiet": True,
    }


def start(sanad: Sanad, settings: Settings, default_filter: SearchFilter | None = None) -> tuple[gr.Blocks, str]:
    """Build and serve the page without blocking; returns (app, local URL). Tests use this too."""
    demo = build_app(sanad, settings, default_filter)
    demo.queue(default_concurrency_limit=ASK_CONCURRENCY)
    _, url, _ = demo.launch(prevent_thread_lock=True, **launch_options(settings))
    return demo, url


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Gradio's own start-up requests


@contextmanager
def _private_upload_folder() -> Iterator[None]:
    """Uploads go to a folder of this process only (mode 0700), removed at exit, unless GRADIO_TEMP_DIR
    names one: other local users cannot read them, and the sweeper touches no other app's files."""
    if os.environ.get("GRADIO_TEMP_DIR"):
        yield
        return
    folder = tempfile.mkdtemp(prefix="sanad-uploads-")
    os.environ["GRADIO_TEMP_DIR"] = folder
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop("GRADIO_TEMP_DIR", None)


def launch(settings: Settings | None = None, default_filter: SearchFilter | None = None) -> None:
    """`sanad chat`: check who may connect, load the index and model while Gradio imports, then serve
    until interrupted.

    An address other than loopback without a login is refused (AccessError) unless
    `settings.allow_anonymous`, which prints a `warning:` line instead. A problem with the index
    (missing, corrupt, locked) does not stop the page: it is logged here and shown to visitors as a
    readable message without server paths, like any other SanadError.
    """
    settings = settings or Settings.from_env()
    warning = exposure_warning(settings, load_accounts(settings))
    if warning:
        print(warning, file=sys.stderr, flush=True)  # noqa: T201
    _configure_logging()
    t0 = time.perf_counter()
    box: dict[str, Any] = {}

    def warm() -> None:
        try:
            from assistant.sanad import open_sanad

            box["sanad"] = sanad = open_sanad(settings)
            sanad.ensure_index()
            sanad.retrieve("warm up", top_k=1)
            from assistant.extract import warm_reader

            warm_reader(settings)
        except SanadError as e:
            box["problem"] = e
        except BaseException as e:  # re-raised below, in the main thread
            box["failure"] = e

    with _private_upload_folder():
        worker = threading.Thread(target=warm, name="sanad-warm", daemon=True)
        worker.start()
        import gradio  # noqa: F401  (imported while the model loads)

        worker.join()
        if "failure" in box:
            raise box["failure"]
        if "sanad" not in box:
            raise box["problem"]
        if "problem" in box:
            log.error("%s", box["problem"])
        demo, url = start(box["sanad"], settings, default_filter)
        log.info("Sanad chat ready at %s (%.1f s after start)", url, time.perf_counter() - t0)
        print(f"Sanad chat: {url}", flush=True)  # noqa: T201
        demo.block_thread()  # returns on Ctrl-C, after closing the server
