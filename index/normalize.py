"""One normalizer for Arabic and English text: documents, questions, stop lists and dictionaries.

Matching only works if every side is folded the same way, so everything that compares words goes
through `normalize`. Offsets are never taken from normalized text: callers tokenize the original
text and normalize token by token (see `index.tokens`).
"""

from __future__ import annotations

import re
import unicodedata

ANALYZER_VERSION = "1"

# Deleted outright: tatweel, harakat, superscript alef, Quranic/extended marks, bidi and zero-width controls.
_DELETE = (
    "\u0640"
    + "".join(chr(c) for c in range(0x064B, 0x0653))
    + "\u0670"
    + "".join(chr(c) for c in range(0x0610, 0x061B))
    + "".join(chr(c) for c in range(0x0653, 0x0660))
    + "".join(chr(c) for c in range(0x06D6, 0x06EE))
    + "".join(chr(c) for c in range(0x200B, 0x2010))
    + "\u061c\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

_FOLD = {
    "\u0623": "\u0627",  # أ -> ا
    "\u0625": "\u0627",  # إ -> ا
    "\u0622": "\u0627",  # آ -> ا
    "\u0671": "\u0627",  # ٱ -> ا
    "\u0649": "\u064a",  # ى -> ي
    "\u0629": "\u0647",  # ة -> ه
    "\u06cc": "\u064a",  # Persian yeh -> ي
    "\u06a9": "\u0643",  # keheh -> ك
    "\u066b": ".",  # Arabic decimal separator
    "\u066c": ",",  # Arabic thousands separator
}
for _i in range(10):
    _FOLD[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _FOLD[chr(0x06F0 + _i)] = str(_i)  # Extended (Persian) digits

_TABLE = str.maketrans({**{c: None for c in _DELETE}, **_FOLD})

# Characters deleted by the table: used by the tokenizer so that a diacritic never splits a word.
MARKS = _DELETE


def normalize(text: str) -> str:
    """Fold `text` into the form used for matching (see module docstring)."""
    if not text:
        return ""
    text = text.replace("\ufdfc", "ريال")  # NFKC would give a Persian yeh here
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_TABLE)
    return text.lower()


def fold_hamza(text: str) -> str:
    """Optional extra fold (ؤ -> و, ئ -> ي) for fuzzy comparisons such as answer scoring."""
    return text.replace("\u0624", "\u0648").replace("\u0626", "\u064a").replace("\u0621", "")


_ARABIC_RE = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN_RE = re.compile(r"[A-Za-z\u00C0-\u024F]")


def script_counts(text: str) -> tuple[int, int]:
    """(Arabic letters, Latin letters) in `text`."""
    return len(_ARABIC_RE.findall(text)), len(_LATIN_RE.findall(text))


def is_arabic_char(ch: str) -> bool:
    return bool(_ARABIC_RE.match(ch))
