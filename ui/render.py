"""Answers, questions and reports as HTML for the chat page.

Everything that comes from an article, a file name or a question is escaped here, before it reaches
the browser: an article holding `<script>` or `<img onerror=...>` must show as text. Gradio's own
sanitizer is a second fence, not the first. The output never contains a newline, so no Markdown
pass could re-interpret article text either.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from assistant.answer import Answer, ArticleMeta, Citation, Hit
from ui.bidi import Direction, direction, foreign_runs

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "sources": "Sources",
        "passage": "passage {k} of {n}",
        "chars": "characters",
        "whole": "Show the whole passage",
        "abstain": "The articles do not say.",
        "closest": "Closest passages found",
        "short": "Short answer",
        "pending": "Searching the articles…",
        "error": "Could not answer",
        "understood": "Understood as",
        "source": "source",
        "as_quoted": "As the source says",
        "also": "Also published by",
    },
    "ar": {
        "sources": "المصادر",
        "passage": "المقطع {k} من {n}",
        "chars": "الأحرف",
        "whole": "عرض المقطع كاملًا",
        "abstain": "لا تذكر المقالات ذلك.",
        "closest": "أقرب المقاطع التي وُجدت",
        "short": "الإجابة المختصرة",
        "pending": "جارٍ البحث في المقالات…",
        "error": "تعذّرت الإجابة",
        "understood": "فُهم السؤال على أنه",
        "source": "المصدر",
        "as_quoted": "كما ورد في المصدر",
        "also": "نُشر أيضًا في",
    },
}

GENERIC_ERROR = {
    "en": "Something went wrong on the server while answering. The details were logged; please try again.",
    "ar": "حدث خطأ في الخادم أثناء الإجابة. سُجّلت التفاصيل؛ يُرجى المحاولة مرة أخرى.",
}

# Invisible characters that could reorder or hide the text around them: bidi embeddings, overrides
# and isolates (U+202A-E, U+2066-9), C0/C1 controls except tab and newline, and lone surrogates
# (which would also break the JSON sent to the page).
_UNSAFE = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MARKER = re.compile(r"\[(\d{1,3})\]")


def esc(text: Any) -> str:
    """Text -> HTML that displays exactly as text, one line (newlines become <br>)."""
    s = _SURROGATE.sub("\ufffd", str(text))
    s = _UNSAFE.sub("", s)
    s = html.escape(s, quote=True)
    return s.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])


def _block(tag: str, cls: str, inner: str, text_for_dir: str, extra: str = "") -> str:
    d = direction(text_for_dir)
    lang = "ar" if d == "rtl" else "en"
    return f'<{tag} class="{cls}" dir="{d}" lang="{lang}"{extra}>{inner}</{tag}>'


def highlight(text: str, base: int, outer: tuple[int, int] | None, inner: tuple[int, int] | None) -> str:
    """Escape `text` (which sits at document offset `base`) with two nested highlights.

    `outer` (the quote inside a passage) becomes <span class="sanad-quoted">, `inner` (the answering
    span) a <mark>; both are document offsets, clamped to the text so bad offsets cannot break the page.
    """
    n = len(text)

    def clamp(lo: int, hi: int, a: int, b: int) -> tuple[int, int]:
        a, b = min(max(a - base, lo), hi), min(max(b - base, lo), hi)
        return a, max(a, b)

    o0, o1 = clamp(0, n, *outer) if outer else (0, n)
    i0, i1 = clamp(o0, o1, *inner) if inner else (o0, o0)
    mid = esc(text[o0:i0]) + (f'<mark class="sanad-span">{esc(text[i0:i1])}</mark>' if i1 > i0 else "")
    mid += esc(text[i1:o1])
    if outer:
        mid = f'<span class="sanad-quoted">{mid}</span>'
    return esc(text[:o0]) + mid + esc(text[o1:])


def _span(c: Citation) -> tuple[int, int] | None:
    if c.span_start is None or c.span_end is None or c.span_end <= c.span_start:
        return None
    return (c.span_start, c.span_end)


def _anchor(key: str, n: int) -> str:
    return f"sanad-{key}-src-{n}"


def _isolated(text: str, base: Direction) -> str:
    """Escape `text`, wrapping each run in the other direction in <bdi dir lang>, so an Arabic name or
    phrase (with its digits and punctuation) keeps its order inside an English line, and the reverse."""
    out, pos = [], 0
    for a, b in foreign_runs(text, base):
        d = "rtl" if base == "ltr" else "ltr"
        lang = "ar" if d == "rtl" else "en"
        out.append(f'{esc(text[pos:a])}<bdi dir="{d}" lang="{lang}">{esc(text[a:b])}</bdi>')
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out)


def _linked_text(text: str, key: str, numbers: set[int], lang: str) -> str:
    """Escape the answer and turn each known [n] into a badge linking to source n."""
    word = _labels(lang)["source"]
    base: Direction = "rtl" if lang == "ar" else "ltr"
    out, pos = [], 0
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if n not in numbers:
            continue
        out.append(_isolated(text[pos : m.start()], base))
        out.append(f'<a class="sanad-cite" href="#{_anchor(key, n)}" title="{word} {n}" data-n="{n}">{n}</a>')
        pos = m.end()
    out.append(_isolated(text[pos:], base))
    return "".join(out)


def answer_body(text: str, citations: Iterable[Citation], lang: str) -> str:
    """The answer text without the quotes its source cards show, so each quote is read once, in its card.

    A quote in «» is dropped; an answer that is nothing but a quote and its marker becomes a short
    pointer to that source ("As the source says [1]").
    """
    for c in citations:
        quote = c.quote.strip()
        if not quote:
            continue
        text = text.replace(f"«{quote}»", "")
        rest = text.strip()
        if rest.startswith(quote) and not _MARKER.sub("", rest[len(quote) :]).strip():
            text = f"{_labels(lang)['as_quoted']} {rest[len(quote) :].strip()}"
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_WEB_LINK = re.compile(r"^https?://[^\s\x00-\x1f]+$", re.IGNORECASE)


def safe_link(url: str) -> str | None:
    """An http(s) address fit for an href, or None (javascript:, data: and the like are never linked)."""
    url = (url or "").strip()
    return url if _WEB_LINK.match(url) else None


def render_article(meta: ArticleMeta | None, doc_id: str) -> str:
    """A news source as a reader names it: outlet · date · title, linked to the article when its
    address is known; the document id when nothing else is."""
    parts = []
    if meta is not None:
        if meta.source:
            parts.append(f'<bdi class="sanad-outlet">{esc(meta.source)}</bdi>')
        if meta.date:
            parts.append(f'<bdi class="sanad-date" dir="ltr">{esc(meta.date[:10])}</bdi>')
        if meta.title:
            parts.append(f'<bdi class="sanad-title">{esc(meta.title)}</bdi>')
    line = " · ".join(parts) if parts else f'<bdi class="sanad-doc">{esc(doc_id)}</bdi>'
    link = safe_link(meta.url) if meta is not None else None
    if link:
        line = f'<a class="sanad-article-link" href="{esc(link)}" target="_blank" rel="noopener noreferrer nofollow">{line}</a>'
    return f'<span class="sanad-article">{line}</span>'


def render_also(also: Iterable[ArticleMeta], lang: str) -> str:
    """The other outlets that published the same (near-duplicate) article."""
    items = [render_article(a, a.doc_id) for a in also]
    if not items:
        return ""
    return f'<div class="sanad-also">{_labels(lang)["also"]}: {"، ".join(items) if lang == "ar" else "; ".join(items)}</div>'


def passage_label(place: tuple[int, int] | None, lang: str) -> str:
    """'passage 3 of 12': the passage's place among its own document's passages."""
    if place is None:
        return ""
    k, n = place
    return _labels(lang)["passage"].format(k=f'<bdi dir="ltr">{k}</bdi>', n=f'<bdi dir="ltr">{n}</bdi>')


def render_source(c: Citation, key: str, lang: str, place: tuple[int, int] | None = None) -> str:
    """One numbered source: outlet · date · title (linked), passage k of n in its document, the quote with
    its span, the whole passage on demand, and who else published the article."""
    lab = _labels(lang)
    where = passage_label(place, lang)
    where += " · " if where else ""
    where += f'{lab["chars"]} <bdi dir="ltr">{c.passage_start}–{c.passage_end}</bdi>'
    has_meta = c.meta is not None and any((c.meta.source, c.meta.date, c.meta.title))
    doc = f' <bdi class="sanad-doc-id">{esc(c.doc_id)}</bdi>' if has_meta else ""
    head = (
        f'<div class="sanad-source-head"><span class="sanad-num">{c.n}</span>'
        f'{render_article(c.meta, c.doc_id)}{doc}<span class="sanad-where">{where}</span></div>'
    )
    quote = _block("blockquote", "sanad-quote", highlight(c.quote, c.start, None, _span(c)), c.quote)
    passage = _block(
        "div",
        "sanad-passage-text",
        highlight(c.passage_text, c.passage_start, (c.start, c.end), _span(c)),
        c.passage_text,
    )
    details = f'<details class="sanad-passage"><summary>{lab["whole"]}</summary>{passage}</details>'
    also = render_also(c.also, lang)
    return f'<div class="sanad-source" id="{_anchor(key, c.n)}">{head}{quote}{details}{also}</div>'


def _closest(hits: list[Hit], lang: str, limit: int = 3) -> str:
    if not hits:
        return ""
    items = "".join(
        f'<li>{render_article(h.meta, h.doc_id)}{_block("div", "sanad-hit", esc(h.text), h.text)}</li>'
        for h in hits[:limit]
    )
    return f'<details class="sanad-closest"><summary>{_labels(lang)["closest"]}</summary><ul>{items}</ul></details>'


def render_answer(answer: Answer, key: str, places: Mapping[int, tuple[int, int]] | None = None) -> str:
    """The assistant's message: linked answer text, then its sources (or a clear abstention note).

    `key` makes the anchors of this message unique on a page that shows many answers; `places` gives
    each source number's passage place in its document, (k, n), when known.
    """
    lang = answer.lang if answer.lang in LABELS else "en"
    lab = _labels(lang)
    d = "rtl" if lang == "ar" else "ltr"
    parts: list[str] = []
    if answer.standalone_question and answer.standalone_question.strip() != answer.question.strip():
        parts.append(
            f'<div class="sanad-understood">{lab["understood"]}: <bdi>{esc(answer.standalone_question)}</bdi></div>'
        )
    if answer.abstained:
        # The chain's own wording when it gave one (already in the question's language), else ours.
        note = answer.text.strip() or lab["abstain"]
        body = _block("div", "sanad-abstain-title", esc(note), note)
        parts.append(f'<div class="sanad-abstain" role="note">{body}</div>')
        parts.append(_closest(answer.retrieved, lang))
        return f'<div class="sanad-answer sanad-abstained" dir="{d}" lang="{lang}">{"".join(parts)}</div>'

    numbers = {c.n for c in answer.citations}
    body = answer_body(answer.text, answer.citations, lang)
    parts.append(f'<div class="sanad-text" dir="{d}" lang="{lang}">{_linked_text(body, key, numbers, lang)}</div>')
    if answer.short and answer.short.strip() and answer.short.strip() not in body:
        parts.append(f'<div class="sanad-short">{lab["short"]}: <bdi>{esc(answer.short)}</bdi></div>')
    if answer.citations:
        places = places or {}
        sources = "".join(render_source(c, key, lang, places.get(c.n)) for c in answer.citations)
        parts.append(
            f'<div class="sanad-sources"><div class="sanad-sources-title">{lab["sources"]}</div>{sources}</div>'
        )
    return f'<div class="sanad-answer" dir="{d}" lang="{lang}">{"".join(parts)}</div>'


def render_question(text: str) -> str:
    """The user's message, escaped, laid out in its own direction."""
    return _block("div", "sanad-question", esc(text), text)


def render_pending(lang: str) -> str:
    return _block("div", "sanad-pending", esc(_labels(lang)["pending"]), _labels(lang)["pending"])


def render_error(message: str, lang: str) -> str:
    """A readable error line in the chat (never a traceback)."""
    title = _labels(lang)["error"]
    return _block(
        "div",
        "sanad-error",
        f'<span class="sanad-error-title">{title}</span> {esc(message)}',
        title,
        ' role="alert"',
    )


def model_label(model: Any) -> str:
    """A model's name for visitors: a hub id as is, a local folder by its own name only (no server path)."""
    name = str(model)
    if name.startswith(("/", "~", "\\")) or re.match(r"[A-Za-z]:[/\\]", name):
        return (PureWindowsPath(name) if "\\" in name else PurePosixPath(name)).name or "?"
    return name


def render_stats(stats: Mapping[str, Any]) -> str:
    """The 'what is indexed' panel."""
    rows = [
        ("Documents · المستندات", stats.get("documents", "?")),
        ("Passages · المقاطع", stats.get("passages", "?")),
        ("Model · النموذج", model_label(stats.get("model", "?"))),
    ]
    cells = "".join(
        f'<div class="sanad-stat"><span class="sanad-stat-k">{esc(k)}</span><bdi class="sanad-stat-v">{esc(v)}</bdi></div>'
        for k, v in rows
    )
    return f'<div class="sanad-stats">{cells}</div>'


Note = str | Mapping[str, str]  # one line, or the same line per language {"en": ..., "ar": ...}


def _note(why: Note) -> str:
    """A reason after a file name: English as is, Arabic isolated right-to-left beside it."""
    if not why:
        return ""
    if isinstance(why, str):
        inner = esc(why)
    else:
        inner = esc(why.get("en", ""))
        if why.get("ar"):
            inner += f'<bdi class="sanad-reason-ar" dir="rtl" lang="ar">{esc(why["ar"])}</bdi>'
    return f' <span class="sanad-reason">— {inner}</span>'


def render_upload_report(
    added: Iterable[str] = (),
    replaced: Iterable[str] = (),
    unchanged: Iterable[str | tuple[str, Note]] = (),
    refused: Iterable[tuple[str, Note]] = (),
    error: str | None = None,
) -> str:
    """What happened to each uploaded file: indexed, replaced, already there, or refused and why."""
    groups = [
        ("ok", "Indexed · أُضيف", [(n, "") for n in added]),
        ("ok", "Replaced · استُبدل", [(n, "") for n in replaced]),
        ("same", "Already indexed · موجود مسبقًا", [(n, "") if isinstance(n, str) else n for n in unchanged]),
        ("refused", "Refused · مرفوض", list(refused)),
    ]
    out = []
    if error:
        out.append(f'<div class="sanad-error" role="alert">{esc(error)}</div>')
    for cls, title, items in groups:
        if not items:
            continue
        lis = "".join(f"<li><bdi>{esc(name)}</bdi>{_note(why)}</li>" for name, why in items)
        out.append(
            f'<div class="sanad-upload-{cls}"><div class="sanad-upload-title">{title}</div><ul>{lis}</ul></div>'
        )
    return f'<div class="sanad-upload">{"".join(out)}</div>'
