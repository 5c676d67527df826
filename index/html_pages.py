"""A saved web page -> one article: its main text, title, publication date, site and address.

Menus, footers, comments and related-article lists are not the article; telling them apart is
trafilatura's job (a maintained main-content extractor), and htmldate's (through it) for the date.
The stored text is what the extractor returns, so citations point into that text, not the HTML.
"""

from __future__ import annotations

import logging

from index.documents import Document, Refusal, make_document
from index.pubdate import BadDate, parse_published

# Metadata only: a date guessed from the body's text could be any date the article mentions.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def page_document(name: str, html: str) -> Document | Refusal:
    """The article in `html` (already decoded), or why there is none."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.ERROR)  # it logs every page it finds thin
    try:
        found = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception as e:  # a malformed page must not stop a batch; say why it was skipped
        return Refusal(name, f"the page could not be parsed ({type(e).__name__})")
    if found is None or not (getattr(found, "text", None) or "").strip():
        return Refusal(name, "no article text found in the page")
    text = found.text.strip().replace("\r\n", "\n").replace("\r", "\n")
    try:
        date = parse_published(found.date) or ""
    except BadDate:
        date = ""  # a page's metadata date is a hint; an unreadable one is dropped, not the page
    source = (found.sitename or found.hostname or "").strip()
    title = " ".join((found.title or "").split())
    return make_document(name, text, title=title, source=source, date=date, url=(found.url or "").strip())
