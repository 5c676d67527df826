"""The chat page's callbacks: parse input, call one facade method, format the result.

They hold no logic of their own. A SanadError becomes a readable message without server paths
(ui/messages.py); anything else becomes a generic line in the page, with the traceback in the
server log only.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Settings
from index.errors import SanadError
from index.filters import SearchFilter
from ui import render, upload
from ui.bidi import language
from ui.messages import for_visitors, scrub_paths

if TYPE_CHECKING:
    from assistant.sanad import Sanad

log = logging.getLogger(__name__)


def _stats_html(sanad: Sanad) -> str:
    try:
        return render.render_stats(sanad.stats())
    except SanadError as e:
        return render.render_upload_report(error=for_visitors(e))
    except Exception:
        log.exception("stats failed")
        return render.render_upload_report(error=render.GENERIC_ERROR["en"])


def answer_html(sanad: Sanad, answer: Any, key: str) -> str:
    """An answer as the page shows it, its source cards numbered within their documents."""
    places: dict[int, tuple[int, int]] = {}
    for c in answer.citations:
        try:
            place = sanad.passage_place(c.doc_id, c.passage_start)
        except SanadError:
            place = None  # the index changed under us: the card simply goes without its number
        if place is not None:
            places[c.n] = place
    return render.render_answer(answer, key, places)


class Handlers:
    """The callbacks, bound to one facade. Per-visitor state lives in Gradio's session state."""

    def __init__(self, sanad: Sanad, settings: Settings) -> None:
        self.sanad = sanad
        self.settings = settings

    def ask(
        self, question: str | None, state: dict[str, list], scope: dict | None = None
    ) -> Iterator[tuple[str, list, dict]]:
        """Show the question at once, then the answer with its sources (or a readable error),
        searching only the articles of the date range and outlets chosen on the page (`scope`:
        {"since", "until", "outlets"})."""
        question = question or ""
        shown, plain = list(state.get("shown", [])), list(state.get("plain", []))
        if not question.strip():
            yield question, shown, state
            return
        lang = language(question)
        shown.append({"role": "user", "content": render.render_question(question)})
        yield "", [*shown, {"role": "assistant", "content": render.render_pending(lang)}], state
        try:
            scope = scope or {}
            filt = page_filter(scope.get("since"), scope.get("until"), scope.get("outlets"))
            answer = self.sanad.ask(question, history=plain or None, filter=filt)
            html = answer_html(self.sanad, answer, uuid.uuid4().hex[:8])
            # the question as answered (markup left out), so a follow-up carries its words only
            plain += [{"role": "user", "content": answer.question}, {"role": "assistant", "content": answer.text}]
        except SanadError as e:
            html = render.render_error(for_visitors(e, lang), lang)
        except ValueError as e:  # a date the page's filter cannot read: the message names the input, no path
            html = render.render_error(scrub_paths(str(e)), lang)
        except Exception:
            log.exception("answering failed")
            html = render.render_error(render.GENERIC_ERROR[lang], lang)
        shown.append({"role": "assistant", "content": html})
        yield "", shown, {"shown": shown, "plain": plain}

    def add(self, files: list[Any] | None, oversize: str | None = "", progress: Any = None) -> tuple[str, str, None]:
        """Index uploaded files with a progress bar; list what was added and what was refused, and why.

        `files` is the File component's raw value (FileData dicts; Gradio has checked that each was
        uploaded here); `oversize` lists the files the page kept back as over the size limit.
        """
        max_mb = self.settings.upload_max_mb
        paths = upload.uploaded_paths(files)
        refused: list[tuple[str, Any]] = upload.oversized_from_page(oversize, max_mb)
        accepted, screened = upload.screen(paths, max_mb)
        items, unreadable = upload.read_accepted(accepted)
        refused += screened + unreadable
        added: list[str] = []
        replaced: list[str] = []
        unchanged: list[Any] = []
        error = None
        try:
            hashes = upload.text_hashes(items, max_mb)
            items, unchanged = upload.drop_same_text(
                items, hashes, self.sanad.documents_with_text(h for h in hashes if h)
            )
            if items:

                def tick(done: int, total: int, desc: str = "") -> None:
                    if progress is not None:
                        progress((done, total), desc=desc or "Indexing")

                rep = self.sanad.add_texts(items, progress=tick)
                added, replaced = list(rep.added), list(rep.replaced)
                unchanged += list(rep.unchanged)
                refused += [(str(n), str(r)) for n, r in rep.refused]
        except SanadError as e:
            error = for_visitors(e)
        except Exception:
            log.exception("indexing uploads failed")
            error = render.GENERIC_ERROR["en"]
        finally:
            _forget_uploads(paths)
        report = render.render_upload_report(added, replaced, unchanged, refused, error)
        return report, _stats_html(self.sanad), None

    def refuse_oversized(self, oversize: str | None) -> str:
        """The report for an upload whose every file the page kept back as too large."""
        return render.render_upload_report(refused=upload.oversized_from_page(oversize, self.settings.upload_max_mb))

    def stats(self) -> str:
        return _stats_html(self.sanad)

    def outlet_choices(self) -> list[str]:
        """The outlets of the indexed articles, for the page's outlet choice."""
        try:
            return self.sanad.outlets()
        except SanadError:
            return []


def page_filter(since: str | None, until: str | None, outlets: list[str] | None) -> SearchFilter:
    """The chat page's date range and outlets as a SearchFilter (ValueError for an unreadable date)."""
    return SearchFilter.build((since or "").strip() or None, (until or "").strip() or None, outlets or [])


def _forget_uploads(paths: list[Path]) -> None:
    """Delete Gradio's temporary copies once indexed: the page must not keep serving uploaded files."""
    from gradio.utils import get_upload_folder

    cache = Path(get_upload_folder()).resolve()
    for p in paths:
        try:
            rp = p.resolve()
            if rp.is_relative_to(cache) and rp != cache and rp.is_file():
                rp.unlink()
                if rp.parent != cache and not any(rp.parent.iterdir()):
                    rp.parent.rmdir()  # Gradio's per-upload folder, now empty
        except OSError:
            log.debug("could not remove upload %s", p, exc_info=True)
