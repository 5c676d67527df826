"""What a visitor may read about a problem on the server: what is wrong and what to do, never where.

Index errors name the index folder for the operator at the shell; the page says the kind of problem
in the visitor's language instead (the full message goes to the server log). Any other error's text
passes through a path scrubber as a second fence.
"""

from __future__ import annotations

import logging
import re

from index.errors import IndexLockedError, IndexMismatchError, IndexNotFoundError, IndexProblem, SanadError

log = logging.getLogger(__name__)

_INDEX_MESSAGES: list[tuple[type[IndexProblem], dict[str, str]]] = [
    (
        IndexNotFoundError,
        {
            "en": "There is no index on the server yet: add articles with the panel on the right, "
            "or on the server with: sanad index add PATH",
            "ar": "لا يوجد فهرس على الخادم بعد: أضف مقالات من اللوحة الجانبية، أو على الخادم بالأمر: sanad index add PATH",
        },
    ),
    (
        IndexLockedError,
        {
            "en": "The index is being updated by another process; please try again in a moment.",
            "ar": "يجري تحديث الفهرس في عملية أخرى؛ يُرجى المحاولة بعد قليل.",
        },
    ),
    (
        IndexMismatchError,
        {
            "en": "The index on the server was built with other settings; the server's operator can "
            "rebuild it with: sanad index rebuild",
            "ar": "بُني الفهرس على الخادم بإعدادات أخرى؛ يمكن لمشغّل الخادم إعادة بنائه بالأمر: sanad index rebuild",
        },
    ),
    (
        IndexProblem,  # corrupt, or any other index problem
        {
            "en": "The index on the server is damaged; the server's operator can repair it with: sanad index rebuild",
            "ar": "الفهرس على الخادم تالف؛ يمكن لمشغّل الخادم إصلاحه بالأمر: sanad index rebuild",
        },
    ),
]

# An absolute POSIX path (/a/b, ~/a) or Windows path (C:\a) at the start of a word or after a quote.
_PATH = re.compile(r"""(?:(?<=^)|(?<=[\s'"(=:,]))(?:~|[A-Za-z]:)?[/\\](?:[^\s'"<>;,)]+)""")
PATH_PLACEHOLDER = "…"


def scrub_paths(text: str) -> str:
    """`text` with every absolute filesystem path replaced by an ellipsis."""
    return _PATH.sub(PATH_PLACEHOLDER, text)


def for_visitors(err: SanadError, lang: str = "en") -> str:
    """The message to show on the page for `err`, in the page's `lang` ('ar' or 'en')."""
    for kind, text in _INDEX_MESSAGES:
        if isinstance(err, kind):
            log.error("%s", err)  # the operator's version, with the folder
            return text.get(lang, text["en"])
    return scrub_paths(str(err))
