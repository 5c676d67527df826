"""A rough word-by-word English gloss of Arabic text, for an English-only embedder.

all-MiniLM-L6-v2 cannot read Arabic; a gloss ("envoy russian negotiations ukraine ...") puts an
Arabic passage and an English question in the same space well enough to rank passages. Each word
is looked up through the lexicon with its clitics peeled off (و/ف/ب/ل/ك, ال, pronoun suffixes),
then by its light10 stem; longer dictionary phrases win. Latin words and digits are kept; an
unknown Arabic word (usually a name) is romanized so that it can still meet its English spelling.
"""

from __future__ import annotations

from index.lexicon import Lexicon
from index.stem import stem
from index.stopwords import ARABIC_STOPWORDS
from index.tokens import tokenize

GLOSS_VERSION = "2"  # part of the dense index fingerprint: bump when the output changes
MAX_PHRASE = 3
KEEP_UNKNOWN = True  # romanize unknown Arabic words (names) instead of dropping them

_CONJUNCTIONS = ("و", "ف")
_PREPOSITIONS = ("بال", "كال", "لل", "ال", "ب", "ل", "ك")  # لل is ل + ال
_ENCLITICS = ("هما", "كما", "هم", "هن", "كم", "كن", "نا", "ها", "ه", "ي", "ك")
_ROMAN = {
    "ا": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "",
    "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "u",
    "ي": "i", "ء": "", "ؤ": "", "ئ": "", "پ": "p", "ڤ": "v", "چ": "ch", "گ": "g",
}  # fmt: skip


def romanize(word_norm: str) -> str:
    """A readable Latin spelling of a normalized Arabic word (بوتين -> butin), '' if none."""
    if word_norm.startswith("ال") and len(word_norm) > 4:
        word_norm = word_norm[2:]
    out = []
    for i, c in enumerate(word_norm):
        r = _ROMAN.get(c, "")
        if i == 0 and c in "وي":
            r = "w" if c == "و" else "y"
        elif c == "ه" and i == len(word_norm) - 1 and i > 0:
            r = "a"  # a folded ة
        out.append(r)
    return "".join(out)


def _candidates(word: str) -> list[str]:
    """The word, then with proclitics (و/ف, then ب/ل/ك and ال) and/or an enclitic removed,
    least stripped first, then its light10 stem."""
    forms = [word]
    for strip in (_CONJUNCTIONS, _PREPOSITIONS):
        for base in list(forms):
            for p in strip:
                if base.startswith(p) and len(base) - len(p) >= 2:
                    forms.append(base[len(p) :])
    for base in list(forms):
        for s in _ENCLITICS:
            if base.endswith(s) and len(base) - len(s) >= 2:
                forms.append(base[: -len(s)])
    forms.append(stem(word))
    return list(dict.fromkeys(forms))


GLOSS_CACHE_MAX = 300_000  # distinct words remembered per lexicon (a few tens of MB at most)


def gloss_word(word_norm: str, lexicon: Lexicon) -> str | None:
    """First English sense of one normalized Arabic word, or None."""
    cache = lexicon.gloss_cache
    if word_norm in cache:
        return cache[word_norm]
    out = None
    for cand in _candidates(word_norm):
        found = lexicon.ar_to_en.get(cand)
        if found:
            out = found[0]
            break
    if len(cache) >= GLOSS_CACHE_MAX:
        cache.clear()
    cache[word_norm] = out
    return out


def gloss_arabic(text: str, lexicon: Lexicon) -> str:
    """English gloss of `text`; see the module docstring."""
    toks = tokenize(text)
    heads = lexicon.ar_phrase_heads
    out: list[str] = []
    i = 0
    while i < len(toks):
        norm = toks[i].norm
        if not any("\u0600" <= c <= "\u06ff" for c in norm):
            out.append(norm)  # Latin words and numbers as they are
            i += 1
            continue
        matched = 0
        longest = min(MAX_PHRASE, len(toks) - i) if norm in heads else 1
        for n in range(longest, 1, -1):
            phrase = " ".join(t.norm for t in toks[i : i + n])
            found = lexicon.ar_to_en.get(phrase)
            if found:
                out.append(found[0])
                matched = n
                break
        if matched:
            i += matched
            continue
        i += 1
        if norm in ARABIC_STOPWORDS:
            continue
        word = gloss_word(norm, lexicon)
        if word:
            out.append(word)
        elif KEEP_UNKNOWN:
            roman = romanize(norm)
            if roman:
                out.append(roman)
    return " ".join(out)
