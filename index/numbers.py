"""Numbers in Arabic and English text, read as values with offsets into the original text.

Answer extraction needs "how many" answers as spans of the article, and the eval compares
numbers as numbers ("1,512,300" = "مليون و512 ألفا و300"). Arabic news mixes digits and number
words freely, and no offline library reads those mixtures or duals (docs/arabic-text.md §5), so
this is a small hand-written reader:

- tokens come from `index.tokens.tokenize` (raw offsets, per-token normalized form);
- each token is a digit group or a lexicon word, after stripping و/ف, ب/ل/ك and ال
  (but see `_NO_DEFINITE`: الاثنين is Monday, الواحد is "single", المئة is "percent");
- adjacent tokens (only whitespace, or a و/"and" between) are combined by a small state machine
  that keeps `group` (units, tens, hundreds, digits) and `total` (sums of group × scale).

Decisions: ordinals (الثاني, second) are not cardinals; أحد/إحدى/اثنا/اثنتا alone mean "one of"
or are incomplete and only count inside a teen (أحد عشر = 11); plural scales (آلاف, ملايين,
thousands) count only after a number (آلاف المتظاهرين is no number); negative signs are ignored.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from index.normalize import MARKS, normalize
from index.stopwords import is_stopword
from index.tokens import Token, tokenize


@dataclass(frozen=True)
class NumberSpan:
    value: float
    start: int
    end: int
    text: str
    unit: str | None  # the counted noun right after the number, original surface form


@dataclass(frozen=True)
class _Word:
    """Lexicon entry: what a number word contributes to a phrase."""

    kind: str  # unit | teen | tens | hundred | scale
    value: float
    lang: str  # ar | en
    teen_only: bool = False  # أحد, اثنا...: a number only before عشر/عشرة
    is_ten: bool = False  # عشر/عشرة: makes a teen after a unit
    mult: bool = False  # مئة / hundred alone: multiplies a preceding unit
    plural: bool = False  # آلاف, ملايين: needs a number before it
    dual: bool = False  # ألفين, مليونان: 2 × scale


def _ar_lexicon() -> dict[str, _Word]:
    lex: dict[str, _Word] = {}

    def add(words: str, word: _Word) -> None:
        for w in words.split():
            lex[normalize(w)] = word

    add("صفر", _Word("unit", 0, "ar"))
    add("واحد واحدة", _Word("unit", 1, "ar"))
    add("أحد إحدى", _Word("unit", 1, "ar", teen_only=True))
    add("اثنان اثنين اثنتان اثنتين ثنتان ثنتين", _Word("unit", 2, "ar"))
    add("اثنا اثني اثنتا اثنتي", _Word("unit", 2, "ar", teen_only=True))
    units = {
        3: "ثلاث ثلاثة ثلاثا",
        4: "أربع أربعة أربعا",
        5: "خمس خمسة خمسا",
        6: "ست ستة ستا",
        7: "سبع سبعة سبعا",
        8: "ثمان ثماني ثمانية ثمانيا",
        9: "تسع تسعة تسعا",
    }
    for value, words in units.items():
        add(words, _Word("unit", value, "ar"))
    add("عشر عشرة عشرا", _Word("unit", 10, "ar", is_ten=True))
    tens = {20: "عشر", 30: "ثلاث", 40: "أربع", 50: "خمس", 60: "ست", 70: "سبع", 80: "ثمان", 90: "تسع"}
    for value, stem in tens.items():
        add(f"{stem}ون {stem}ين", _Word("tens", value, "ar"))
    add("مئة مائة مئه مائه", _Word("hundred", 100, "ar", mult=True))
    add("مئتان مئتين مئتا مئتي مائتان مائتين مائتا مائتي", _Word("hundred", 200, "ar"))
    for value, stem in {3: "ثلاث", 4: "أربع", 5: "خمس", 6: "ست", 7: "سبع", 8: "ثمان", 9: "تسع"}.items():
        add(f"{stem}مئة {stem}مائة", _Word("hundred", value * 100, "ar"))
    add("ثمانيمئة ثمانيمائة", _Word("hundred", 800, "ar"))
    scales = {
        1e3: ("ألف ألفا", "آلاف ألوف", "ألفان ألفين ألفا ألفي"),
        1e6: ("مليون مليونا", "ملايين", "مليونان مليونين مليوني"),
        1e9: ("مليار مليارا بليون بليونا", "مليارات بلايين", "ملياران مليارين ملياري"),
        1e12: ("تريليون ترليون", "تريليونات ترليونات", "تريليونان تريليونين"),
    }
    for value, (singular, plural, dual) in scales.items():
        add(dual, _Word("scale", value, "ar", dual=True))
        add(plural, _Word("scale", value, "ar", plural=True))
        add(singular, _Word("scale", value, "ar"))  # last: ألفا is read as "12 ألفا", not a dual
    return lex


def _en_lexicon() -> dict[str, _Word]:
    lex: dict[str, _Word] = {}
    units = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    teens = (
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    )
    tens = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
    for value, w in enumerate(units):
        lex[w] = _Word("unit", value, "en")
    for value, w in enumerate(teens, start=10):
        lex[w] = _Word("teen", value, "en")
    for value, w in enumerate(tens, start=2):
        lex[w] = _Word("tens", value * 10, "en")
    lex["hundred"] = _Word("hundred", 100, "en", mult=True)
    for value, w in ((1e3, "thousand"), (1e6, "million"), (1e9, "billion"), (1e12, "trillion")):
        lex[w] = _Word("scale", value, "en")
    return lex


AR_NUMBER_WORDS: dict[str, _Word] = _ar_lexicon()
EN_NUMBER_WORDS: dict[str, _Word] = _en_lexicon()

# With ال these are not cardinals in news text: weekdays (الأحد, الاثنين), "single" (الواحد),
# "percent" (في المئة), "the lady" (الست).
_NO_DEFINITE = frozenset(
    k for k, w in AR_NUMBER_WORDS.items() if w.kind == "hundred" or (w.kind == "unit" and w.value <= 2)
) | {normalize("ست")}
_AR_KEYS = frozenset(AR_NUMBER_WORDS)
_SIX = frozenset({normalize("ست"), normalize("ستا")})
_CONJ = ("و", "ف")
_PREP = ("ب", "ل", "ك")
_AND = frozenset({"و", "and"})
_PERCENT_AFTER = frozenset({normalize(w) for w in ("في المئة", "في المائة", "بالمئة", "بالمائة")})


@lru_cache(maxsize=65536)
def arabic_prefixes(norm: str) -> tuple[tuple[int, str, bool], ...]:
    """Ways to read a normalized word as [و|ف][ب|ل|ك][ال] + rest: (prefix length, rest, definite).

    The bare word comes first, so واحد is never read as و + احد. ل + ال is spelled لل.
    Cached: it runs on every token of every passage and words repeat.
    """
    out = [(0, norm, False)]

    def add(length: int, rest: str, definite: bool) -> None:
        if len(rest) >= 2 and (length, rest, definite) not in out:
            out.append((length, rest, definite))

    for c in (0, 1) if norm[:1] in _CONJ else (0,):
        after_conj = norm[c:]
        for p in (0, 1) if after_conj[:1] in _PREP else (0,):
            rest = after_conj[p:]
            if rest.startswith("ال"):
                add(c + p + 2, rest[2:], True)
            if p and after_conj[0] == "ل" and rest.startswith("ل"):
                add(c + 2, rest[1:], True)
            if c or p:
                add(c + p, rest, False)
    return tuple(out)


@lru_cache(maxsize=65536)
def could_be(norm: str, keys: frozenset[str]) -> bool:
    """Cheap pre-check: can `norm`, after at most 4 prefix letters (و ب ال), be one of `keys`?"""
    return any(norm[k:] in keys for k in range(min(5, len(norm))))


def span_skip(norm: str, plen: int, definite: bool) -> int:
    """Normalized characters to leave out of a span: و/ف/ب/ل/ك go, ال stays (لل goes: ل + ال)."""
    if definite and norm[plen - 2 : plen] == "ال":
        return plen - 2
    return plen


def raw_prefix_len(raw: str, norm_len: int) -> int:
    """How many characters of `raw` make up the first `norm_len` normalized characters.

    Diacritics right after the prefix belong to the next letter, so they are skipped too.
    """
    acc = 0
    for k, ch in enumerate(raw):
        piece = normalize(ch)
        if acc >= norm_len and piece:
            return k
        acc += len(piece)
    return len(raw)


_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_THOUSANDS_DOT = re.compile(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?")
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")


def parse_digits(norm: str) -> float | None:
    """Value of one digit token: 1,234 / 1,234.5 / 2.5 / 2,5 / 1.234.567; None for 1.2.3 and the like."""
    try:
        if _THOUSANDS.fullmatch(norm):
            value = float(norm.replace(",", ""))
        elif _THOUSANDS_DOT.fullmatch(norm):
            value = float(norm.replace(".", "").replace(",", "."))
        elif _DECIMAL.fullmatch(norm):
            value = float(norm.replace(",", "."))
        else:
            return None
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class _Item:
    word: _Word | None  # None for digits
    value: float
    tok: int  # token index
    start: int  # raw start (after a stripped و/ب... prefix)
    end: int
    waw: bool  # joined to the previous item by و / and
    link: bool  # may continue a phrase started before it

    @property
    def kind(self) -> str:
        return self.word.kind if self.word else "digits"

    @property
    def lang(self) -> str | None:
        return self.word.lang if self.word else None


_HAMZA_ALEFS = frozenset("\u0623\u0625\u0622")


def _second_letter(raw: str) -> str:
    letters = [c for c in unicodedata.normalize("NFKC", raw) if c not in MARKS]
    return letters[1] if len(letters) > 1 else ""


def _lookup(tok: Token) -> tuple[_Word | float, int] | None:
    """(lexicon word or digit value, normalized characters before the span) for one token."""
    norm = tok.norm
    if norm[:1].isdigit():
        value = parse_digits(norm)
        return None if value is None else (value, 0)
    if norm in EN_NUMBER_WORDS:
        return EN_NUMBER_WORDS[norm], 0
    if not could_be(norm, _AR_KEYS):
        return None
    hamza_after_waw = norm.startswith("وا") and _second_letter(tok.text) in _HAMZA_ALEFS
    for plen, rest, definite in arabic_prefixes(norm):
        word = AR_NUMBER_WORDS.get(rest)
        if word is None or (definite and rest in _NO_DEFINITE):
            continue
        if plen == 0 and hamza_after_waw:
            continue  # وأحد folds to واحد but is و + أحد ("and one of")
        if plen and not definite and rest in _SIX and norm[0] != "و":
            continue  # لست = "I am not"
        if definite and word.plural:
            continue  # الآلاف, الملايين: "the thousands"
        return word, span_skip(norm, plen, definite)
    return None


def _gap_ok(text: str, a: Token, b: Token, hyphen: bool) -> bool:
    gap = text[a.end : b.start]
    if not gap or gap.isspace():
        return True
    return hyphen and gap.strip() == "-"


def _items(text: str, tokens: list[Token]) -> list[_Item]:
    """Number tokens, each with how it links to the previous one."""
    items: list[_Item] = []
    for i, tok in enumerate(tokens):
        found = _lookup(tok)
        if found is None:
            continue
        what, plen = found
        word, value = (what, what.value) if isinstance(what, _Word) else (None, what)
        start = tok.start + raw_prefix_len(tok.text, plen) if plen else tok.start
        waw = plen > 0 and tok.norm[0] == "و"
        link = False
        if items:
            prev = items[-1]
            en_words = bool(word and word.lang == "en" and prev.lang == "en")
            if prev.tok == i - 1:
                link = _gap_ok(text, tokens[i - 1], tok, hyphen=en_words)
            elif prev.tok == i - 2 and tokens[i - 1].norm in _AND and not waw:
                link = _gap_ok(text, tokens[i - 2], tokens[i - 1], False) and _gap_ok(
                    text, tokens[i - 1], tok, False
                )
                waw = link
        items.append(_Item(word, value, i, start, tok.end, waw, link))
    return _merge_teens(items)


def _merge_teens(items: list[_Item]) -> list[_Item]:
    """Arabic unit + عشر/عشرة (no و between) becomes one teen item: خمسة عشر = 15."""
    out: list[_Item] = []
    for it in items:
        prev = out[-1] if out else None
        if (
            prev is not None
            and it.word is not None
            and it.word.is_ten
            and it.link
            and not it.waw
            and prev.word is not None
            and prev.word.lang == "ar"
            and prev.kind == "unit"
            and 1 <= prev.value <= 9
        ):
            teen = _Word("teen", prev.value + 10, "ar")
            out[-1] = replace(prev, word=teen, value=prev.value + 10, end=it.end, tok=it.tok)
            continue
        out.append(it)
    return out


@dataclass(frozen=True)
class _State:
    total: float
    group: float
    last: str
    top: float  # smallest scale used so far; the next scale must be smaller
    lang: str | None


def _start(it: _Item) -> _State | None:
    w = it.word
    if w is None:
        return _State(0, it.value, "digits", math.inf, None)
    if w.teen_only:
        return None
    if w.kind == "scale":
        if w.plural:
            return None
        return _State(it.value * (2 if w.dual else 1), 0, "scale", it.value, w.lang)
    return _State(0, it.value, w.kind, math.inf, w.lang)


def _step(s: _State, it: _Item) -> _State | None:
    """The state after adding `it` to the phrase, or None if `it` starts something new."""
    w = it.word
    if w is not None and w.teen_only:
        return None
    if w is not None and s.lang is not None and w.lang != s.lang:
        return None
    lang = s.lang or (w.lang if w else None)
    kind = it.kind
    en = lang == "en"
    if kind == "scale":
        assert w is not None
        if it.value >= s.top:
            return None
        if s.group > 0 and not it.waw and s.last != "scale" and not w.dual:
            return _State(s.total + s.group * it.value, 0, "scale", it.value, lang)
        if s.last == "scale" and it.waw and not w.plural and not en:  # مليون وألف
            return _State(s.total + it.value * (2 if w.dual else 1), 0, "scale", it.value, lang)
        return None
    if kind == "digits":
        if s.last == "scale" and (it.waw or en):
            return _State(s.total, it.value, "digits", s.top, lang)
        return None
    if kind == "hundred" and w is not None and w.mult and not it.waw:
        if s.last in ("unit", "teen", "digits") and 0 < s.group < 100 and (en or s.group < 10):
            return _State(s.total, s.group * 100, "hundred", s.top, lang)
        return None
    if en:
        if s.last == "scale" or (s.last == "hundred" and s.group % 100 == 0):
            base = s.group if s.last == "hundred" else 0
            if kind in ("unit", "teen", "tens"):
                return _State(s.total, base + it.value, kind, s.top, lang)
            return None
        if s.last == "tens" and kind == "unit" and not it.waw and 1 <= it.value <= 9:
            return _State(s.total, s.group + it.value, "unit", s.top, lang)
        return None
    # Arabic: parts after the first are joined by و (خمسة وعشرون, مئة وخمسة, مليون وثلاثمئة).
    if not it.waw:
        return None
    if s.last == "scale" and kind in ("unit", "teen", "tens", "hundred"):
        return _State(s.total, it.value, kind, s.top, lang)
    if s.last == "hundred" and kind in ("unit", "teen", "tens") and s.group % 100 == 0:
        return _State(s.total, s.group + it.value, kind, s.top, lang)
    if s.last == "unit" and kind == "tens" and s.group % 10 != 0:
        return _State(s.total, s.group + it.value, kind, s.top, lang)
    return None


def _phrases(items: list[_Item]) -> list[tuple[int, int, float]]:
    """(first item, last item, value) for every number phrase, left to right, greedy."""
    out = []
    i = 0
    while i < len(items):
        state = _start(items[i])
        if state is None:
            i += 1
            continue
        j = i + 1
        while j < len(items) and items[j].link:
            nxt = _step(state, items[j])
            if nxt is None:
                break
            state = nxt
            j += 1
        out.append((i, j - 1, float(state.total + state.group)))
        i = j
    return out


def _unit_after(text: str, tokens: list[Token], tok: int, end: int) -> str | None:
    """The counted noun right after a number: next word, or % / في المئة, else None."""
    rest = text[end : end + 3].lstrip()
    if rest[:1] in ("%", "\u066a"):
        return rest[0]
    if tok + 1 >= len(tokens):
        return None
    nxt = tokens[tok + 1]
    if not text[end : nxt.start].isspace():
        return None
    if tok + 2 < len(tokens) and text[nxt.end : tokens[tok + 2].start].isspace():
        pair = f"{nxt.norm} {tokens[tok + 2].norm}"
        if pair in _PERCENT_AFTER:
            return text[nxt.start : tokens[tok + 2].end]
    if nxt.norm in _PERCENT_AFTER:
        return nxt.text
    if nxt.norm[:1].isdigit() or len(nxt.norm) < 2 or is_stopword(nxt.norm) or _lookup(nxt):
        return None
    return nxt.text


def find_numbers(text: str) -> list[NumberSpan]:
    """Every number phrase in `text` (digits, number words, mixtures), left to right."""
    tokens = tokenize(text)
    items = _items(text, tokens)
    spans = []
    for first, last, value in _phrases(items):
        start, end = items[first].start, items[last].end
        unit = _unit_after(text, tokens, items[last].tok, end)
        spans.append(NumberSpan(value, start, end, text[start:end], unit))
    return spans


def parse_number(text: str) -> float | None:
    """The value if all of `text` (ignoring punctuation) is one number phrase, else None."""
    tokens = tokenize(text)
    spans = find_numbers(text)
    if len(spans) != 1 or not tokens:
        return None
    span = spans[0]
    if tokens[0].start < span.start or tokens[-1].end > span.end:
        return None
    return span.value


def _dual_forms(noun_norm: str) -> set[str]:
    nouns = {noun_norm}
    if noun_norm.startswith("ال") and len(noun_norm) > 4:
        nouns.add(noun_norm[2:])
    for n in list(nouns):
        if n.endswith("ا") and len(n) >= 4:  # accusative: كم جنديا
            nouns.add(n[:-1])
    forms = set()
    for n in nouns:
        if len(n) < 2:
            continue
        if n.endswith("ه"):  # ة was folded to ه; the dual is built on ت
            stem = n[:-1] + "ت"
            forms.update(stem + s for s in ("ين", "ان", "ا", "ي"))
        else:
            forms.update(n + s for s in ("ين", "ان"))
    return forms


def dual_count(token_norm: str, noun_norm: str) -> int | None:
    """2 if `token_norm` is the dual of `noun_norm` (سيارتين for سيارة), else None.

    Unvocalized -ين is also the masculine plural, so this is only asked relative to the noun
    of a question (docs §5 "Duals"); construct -تا/-تي is accepted for feminine nouns only.
    """
    forms = _dual_forms(normalize(noun_norm).strip())
    if not forms:
        return None
    norm = normalize(token_norm)
    return 2 if any(rest in forms for _, rest, _ in arabic_prefixes(norm)) else None


def find_duals(text: str, noun: str) -> list[NumberSpan]:
    """Tokens of `text` that are the dual of `noun`, as spans of value 2 (unit = the token)."""
    forms = _dual_forms(normalize(noun).strip())
    out = []
    for tok in tokenize(text):
        for plen, rest, definite in arabic_prefixes(tok.norm):
            if rest in forms:
                keep = span_skip(tok.norm, plen, definite)
                start = tok.start + raw_prefix_len(tok.text, keep) if keep else tok.start
                out.append(NumberSpan(2.0, start, tok.end, text[start : tok.end], text[start : tok.end]))
                break
    return out


def format_number(value: float, lang: str) -> str:
    """Display form: 1,512,300 / 2.5 / 2,500,000,000 for both languages.

    Arabic answers keep western digits with ',' thousands separators too: the corpus (Gulf and
    Levantine news sites) writes numbers that way, and it keeps answers comparable across languages.
    """
    if lang not in ("ar", "en"):
        raise ValueError(f"lang must be 'ar' or 'en', not {lang!r}")
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")
