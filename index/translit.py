"""Consonant-skeleton keys that let a name written in English meet the same name in Arabic.

News names (people, places) are mostly missing from any dictionary, and Arabic writes them by
sound: Lavrov -> لافروف. Both scripts agree far better on consonants than on vowels, so each side
is reduced to a small consonant alphabet (b t j d r s f k l m n h g; z and s merge, as English plural -s is often ز) with vowels, glides and
doubled letters removed. Equal keys are a *candidate* match only; short keys collide with ordinary
words, so callers should require >= MIN_KEY letters and confirm with other evidence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

MIN_KEY = 3

# Arabic letters after index.normalize (ة is already ه, أ/إ/آ are ا, ى is ي).
_AR_MAP = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "k", "د": "d", "ذ": "d",
    "ر": "r", "ز": "s", "س": "s", "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "d",
    "غ": "g", "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "پ": "b", "ڤ": "f", "چ": "j", "گ": "g",
}  # fmt: skip
# Deleted: long vowels, glides, hamza carriers, ain (English writes it as a vowel or not at all).
_AR_DROP = set("اأإآءؤئىويةع")

# zh is the Slavic ж, which Arabic writes ج (Zhukov / جوكوف, Druzhba / دروجبا).
_EN_DIGRAPHS = (("zh", "j"), ("ph", "f"), ("th", "t"), ("dh", "d"), ("kh", "k"), ("gh", "g"), ("sh", "s"),
                ("ch", "s"), ("ck", "k"), ("qu", "k"), ("q", "k"), ("x", "ks"), ("p", "b"), ("v", "f"))  # fmt: skip
_EN_SOFT_C = re.compile(r"c(?=[eiy])")
_EN_SOFT_G = re.compile(r"g(?=[ei])")
_VOWELS = set("aeiouwy")


def _collapse(key: str) -> str:
    out = []
    for c in key:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


@lru_cache(maxsize=200_000)  # a corpus repeats its words: indexing asks for each one many times
def skeleton_ar(word_norm: str) -> str:
    """Key of one normalized Arabic word (or a phrase: spaces are ignored); '' if nothing is left."""
    word = word_norm.replace(" ", "")
    if word.startswith("ال") and len(word) > 4:
        word = word[2:]
    # تش is how Arabic writes "ch" (تشاد, تشرشل); نغ is the English "ng" (هونغ كونغ).
    word = word.replace("تش", "ش").replace("نغ", "ن")
    if word.endswith("ه"):  # after normalization a final ه is usually a ة: Sarah ~ ساره
        word = word[:-1]
    return _collapse("".join(_AR_MAP.get(c, "") for c in word if c not in _AR_DROP))


def skeleton_en(word: str) -> str:
    """Key of one English word (or a phrase: spaces are ignored); '' if nothing is left."""
    word = unicodedata.normalize("NFKD", word.lower())
    word = "".join(c for c in word if "a" <= c <= "z")
    if not word:
        return ""
    word = _EN_SOFT_G.sub("j", _EN_SOFT_C.sub("s", word))
    for a, b in _EN_DIGRAPHS:
        word = word.replace(a, b)
    word = word.replace("c", "k").replace("z", "s")
    word = re.sub(r"ng(?![aeiouy])", "n", word)  # Washington ~ واشنطن
    out = []
    for i, c in enumerate(word):
        if c in _VOWELS:
            continue
        if c == "h" and i > 0 and (i == len(word) - 1 or word[i - 1] not in _VOWELS):
            continue  # silent h: final (Jeddah) or after a consonant; kept in Doha, Bahrain
        out.append(c)
    return _collapse("".join(out))


_CLITICS = ("وال", "فال", "بال", "كال", "لل", "و", "ف", "ب", "ل", "ك")


@lru_cache(maxsize=200_000)
def arabic_keys(word_norm: str) -> frozenset[str]:
    """Keys of an Arabic token as written and without a leading conjunction/preposition (بموسكو)."""
    forms = {word_norm}
    for p in _CLITICS:
        if word_norm.startswith(p) and len(word_norm) - len(p) >= 3:
            forms.add(("ال" if p.endswith("ال") else "") + word_norm[len(p) :])
    return frozenset(k for k in map(skeleton_ar, forms) if k)


def span_keys(norms: list[str], max_span: int = 3) -> list[tuple[str, int, int]]:
    """(key, start, end) for every run of 1..max_span tokens, so a name matches however it is split.

    A run's key joins the keys of its tokens (the first one with its clitics stripped), which is
    what skeleton_en gives for the English words written together.
    """
    out = []
    for i in range(len(norms)):
        firsts = arabic_keys(norms[i])
        for first in firsts:
            if len(first) >= MIN_KEY:
                out.append((first, i, i + 1))
            key = first
            for j in range(i + 1, min(i + max_span, len(norms))):
                nxt = skeleton_ar(norms[j])
                if not nxt:
                    break
                key = _collapse(key + nxt)
                if len(key) >= MIN_KEY:
                    out.append((key, i, j + 1))
    return out


def name_index(
    token_norms: Iterable[list[str]],
    known: Callable[[str], bool],
    term: Callable[[str], str],
    skip: Callable[[str], bool],
) -> dict[str, list[str]]:
    """Skeleton key -> index terms, over the Arabic words of a corpus that look like names.

    `token_norms` gives each passage's normalized tokens. A single word is indexed only when the
    dictionary does not know it (`known`), so ordinary words do not collide with names; a run of
    2-3 words needs at least one unknown word and no `skip` (stop) word. `term` turns a token into
    its index term (index.stem.stem). Feed the result to assistant.translate.translate_query.
    """
    out: dict[str, set[str]] = {}
    # Per distinct word, once: usable in a name (Arabic, not a stop word) and unknown to the dictionary.
    seen: dict[str, tuple[bool, bool]] = {}
    for norms in token_norms:
        flags = []
        for n in norms:
            f = seen.get(n)
            if f is None:
                usable = any("\u0600" <= c <= "\u06ff" for c in n) and not skip(n)
                f = seen[n] = (usable, usable and not known(n))
                if len(seen) > 500_000:
                    seen.clear()
            flags.append(f)
        # Names never cross a stop word or a non-Arabic token, so only runs of usable words holding
        # at least one unknown word can give keys; in news most runs hold none.
        i = 0
        while i < len(norms):
            if not flags[i][0]:
                i += 1
                continue
            j = i
            while j < len(norms) and flags[j][0]:
                j += 1
            unknown = [f[1] for f in flags[i:j]]
            if any(unknown):
                run = norms[i:j]
                for key, a, b in span_keys(run):
                    if any(unknown[a:b]):
                        out.setdefault(key, set()).update(term(n) for n in run[a:b])
            i = j
    return {k: sorted(v) for k, v in out.items()}
