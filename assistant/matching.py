"""Finding a question's words in a sentence: same stem, same derivation, same name, same meaning.

Retrieval ranks passages; answering needs to know *which* words of a sentence echo the question,
for three reasons: to pick the sentence that covers the question best, to keep question words out
of the short answer, and to measure how much of the question the articles support (abstention).
Light stems alone miss derivations (دمرت / تدمير, قتلوا / مقتل), so a rough consonant root
counts as a weaker match; an English question meets Arabic text through the dictionary both
ways (its words translated, the sentence's words glossed) and through name skeletons.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.answer_type import WHERE, QuestionType, counts_people
from index.normalize import normalize
from index.numbers import dual_count, find_numbers, format_number, parse_number
from index.stem import stem
from index.stopwords import is_stopword
from index.tokens import Token, analyze, tokenize
from index.translit import MIN_KEY, arabic_keys, skeleton_en, span_keys

# How much a match of each kind counts, relative to the same stem.
EXACT, NAME, GLOSS, ROOT = 1.0, 0.9, 0.8, 0.7
NEAR_NAME = 0.85  # a name one consonant off (see `_one_off`): the same name, a little less surely
MAX_SENSES = 3  # dictionary senses read per English word
UNSEEN_EN_WEIGHT = 0.5  # share of the top idf for an English word none of whose translations occur
TRANSLATION_FLOOR = 0.2  # translations weighted below this share of the best one are ignored
# A question's verb the articles never use is most often their verb in another person or tense
# (تدور for دارت), not a missing topic: it weighs this share of an unseen word in coverage.
UNSEEN_VERB_SHARE = 0.5
PLACE_NOUN_SHARE = 0.5  # weight share of the asked noun of "which town / region" in sentence coverage
# Question words that carry no topic once the answer type is known.
_EN_FILLER = frozenset(
    "whats name named called kind type sort ones one according say said says do does did happen happened".split()
)
# "take place" is "happen" in two words: the event's frame, never its topic ("where did the vote take place").
_EN_TAKE = frozenset("take takes taking took taken".split())

# Arabic question fillers: "according to", "said", and nouns that describe the answer rather
# than the topic ("the party that ...", "the source", "the relation") carry no topic.
_AR_FILLER = frozenset(
    normalize(w)
    for w in "بحسب حسب وفق وفقا طبقا قال قالت ذكر ذكرت أعلن الجهة جهة المصدر مصدر صلة علاقة نوع طبيعة "
    "شيء الشيء أشياء الأشياء".split()
)
_AR_PREFIXES = ("وال", "فال", "بال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_AR_SUFFIXES = ("هما", "كما", "هم", "هن", "ها", "نا", "كم", "ون", "ين", "ان", "ات", "وا", "يه", "ه", "ت", "ي", "ا")
_AR_DERIV = ("است", "ان", "ت", "م", "ي", "ن", "ا")
_AR_ENCLITICS = ("هما", "كما", "هم", "هن", "كم", "نا", "ها", "ه", "ي", "ك")


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in word)


_HAMZA_KEEP = str.maketrans({"أ": "ء", "إ": "ء", "ؤ": "ء", "ئ": "ء"})


@lru_cache(maxsize=200_000)
def root_key(word: str) -> str:
    """A rough consonant root of an Arabic word (تدمير, دمرت, المدمرات -> دمر; يرأس, رئيس -> رءس).

    Takes the word as written, because normalization folds a hamza into alef and hollow roots
    would lose a radical. Strips one proclitic, up to two suffixes and one derivational prefix,
    then the long vowels after the first letter. Keys under three letters are too ambiguous and
    are dropped.
    """
    return _root(word, True)


def _root(word: str, derivation: bool, clitic: bool = True) -> str:
    if len(word) < 3 or not _is_arabic(word):
        return ""
    w = normalize(word.translate(_HAMZA_KEEP))
    for p in _AR_PREFIXES if clitic else ():
        if w.startswith(p) and len(w) - len(p) >= 3:
            w = w[len(p) :]
            break
    for _ in range(2):
        for s in _AR_SUFFIXES:
            if w.endswith(s) and len(w) - len(s) >= 3:
                w = w[: -len(s)]
                break
    for p in (*_AR_DERIV, "ء") if derivation else ():
        if w.startswith(p) and len(w) - len(p) >= 3:
            w = w[len(p) :]
            break
    if w[0] == "ء":
        w = "ا" + w[1:]  # an initial hamza is written on alef either way (أول, اول)
    w = w.replace("اء", "ا")  # the hamza of a plural pattern (قذائف, رسائل) is no radical
    core = w[0] + "".join(c for c in w[1:] if c not in "اوي")
    if len(core) < 3 and len(w) == 3:
        core = w  # a hollow root keeps its middle letter: أصيبوا / أصيبا -> صيب
    return core if len(core) >= 3 else ""


@lru_cache(maxsize=200_000)
def root_keys(word: str) -> frozenset[str]:
    """`root_key` and the reading it can miss: a first letter that looks like a derivational
    prefix but is a radical (نقاط / نقطة -> نقط, not قاط). Broken plurals keep their radicals in
    order, so the plural and the singular meet on one of the two readings."""
    return frozenset({root_key(word), _root(word, False)} - {""})


_ONE_LETTER_CLITICS = frozenset("وفبلك")


@lru_cache(maxsize=200_000)
def derived_roots(word: str) -> frozenset[str]:
    """`root_keys` plus the readings Arabic question words need against Arabic text: the form VIII
    reading (see `_form8`: تجتمع / جمعية), and one that keeps a first letter which looks like a
    one-letter proclitic (فريقين / الفرق, بدأت / بدأ)."""
    keys = set(root_keys(word))
    if normalize(word)[:1] in _ONE_LETTER_CLITICS:
        keys |= {_root(word, False, clitic=False)} - {""}
    return frozenset(keys | {r for k in keys if (r := _form8(k))})


def _form8(core: str) -> str:
    """The root of a form VIII derivation (تجتمع, اجتماع -> جمع; اصطدم -> صدم): its infixed ت
    (ط after an emphatic) sits after the first radical, so the reading keeps the other three."""
    if len(core) == 4 and (core[1] == "ت" or (core[1] == "ط" and core[0] in "صضطظ")):
        return core[0] + core[2:]
    return ""


def arabic_bases(norm: str) -> list[str]:
    """The word, without proclitics, without a pronoun suffix: the forms a dictionary may list."""
    out = [norm]
    for p in _AR_PREFIXES:
        if norm.startswith(p) and len(norm) - len(p) >= 2:
            out.append(norm[len(p) :])
            break
    for base in list(out):
        for s in _AR_ENCLITICS:
            if base.endswith(s) and len(base) - len(s) >= 2:
                out.append(base[: -len(s)])
                break
    return list(dict.fromkeys(out))


_GLOSS_CACHE: dict[int, tuple[object, dict[str, frozenset[str]]]] = {}


def english_gloss(norm: str, lexicon) -> frozenset[str]:
    """English stems of the dictionary senses of one Arabic word (empty when unknown)."""
    if lexicon is None or not _is_arabic(norm):
        return frozenset()
    owner, cache = _GLOSS_CACHE.get(id(lexicon), (None, None))
    if owner is not lexicon or cache is None:
        cache = {}
        _GLOSS_CACHE.clear()
        _GLOSS_CACHE[id(lexicon)] = (lexicon, cache)
    found = cache.get(norm)
    if found is None:
        found = frozenset()
        for cand in [*arabic_bases(norm), stem(norm)]:
            senses = lexicon.ar_to_en.get(cand)
            if senses:
                found = frozenset(stem(w) for s in senses[:4] for w in s.split() if w.isalpha() and not is_stopword(w))
                break
        if len(cache) < 200_000:
            cache[norm] = found
    return found


_PAST_ENDINGS = ("تا", "وا", "ت")  # دمرت, قتلوا, أصابتا: past-tense endings on a three-letter verb


def _sentence_gloss(norm: str, lexicon) -> frozenset[str]:
    """`english_gloss` of a sentence word; a past-tense verb the dictionary lists only bare
    (دمرت -> دمر "destruct") is read as its three-letter stem, so "destroyed" can find it."""
    found = english_gloss(norm, lexicon)
    if found or not _is_arabic(norm):
        return found
    bare = norm[1:] if norm[:1] in "وف" and len(norm) > 4 else norm  # ودمرت: و + دمرت
    for end in _PAST_ENDINGS:
        base = bare[: -len(end)]
        if bare.endswith(end) and len(base) == 3 and not base.startswith("ال"):
            return english_gloss(base, lexicon)
    return found


FUZZY_NAME = 5  # name skeletons this long may differ in one consonant (an English zh, an Arabic ج)


def _names_by_length(view: SentenceView) -> dict[int, list[tuple[int, str]]]:
    """The sentence's name keys grouped by length, built once per view: only keys of a name's own
    length can be one consonant off it."""
    table = view.memo.get("names_by_length")
    if table is None:
        table = {}
        for i, keys in enumerate(view.names):
            for k in keys:
                table.setdefault(len(k), []).append((i, k))
        view.memo["names_by_length"] = table
    return table


def _one_off(a: str, b: str) -> bool:
    """Two consonant skeletons of one length that differ in exactly one place (zh read as s or j)."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


GLOSS_PREFIX = 5  # English stems sharing this many first letters may be one word's derivations
GLOSS_SHARE = 0.7  # ... when the shared start is this much of the shorter stem (destroy / destruct)


def _gloss_close(a: str, b: str) -> bool:
    """destroy ~ destruct, injur ~ injuri: two English stems of one family, by a long shared start."""
    n = len(os.path.commonprefix([a, b]))
    return n >= GLOSS_PREFIX and n >= GLOSS_SHARE * min(len(a), len(b))


@lru_cache(maxsize=200_000)
def _name_keys(norm: str) -> frozenset[str]:
    return frozenset(k for k in arabic_keys(norm) if len(k) >= MIN_KEY) if _is_arabic(norm) else frozenset()


@lru_cache(maxsize=100_000)
def _dual(token_norm: str, noun_norm: str) -> bool:
    return dual_count(token_norm, noun_norm) is not None


@dataclass(frozen=True)
class Key:
    """One question word (or name, or dictionary phrase) and every form that counts as finding it."""

    label: str
    weight: float
    exact: frozenset[str] = frozenset()  # every analysed term that counts (union of `alts`)
    roots: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    gloss: frozenset[str] = frozenset()
    derived: bool = False  # an Arabic question word: its roots also meet form VIII readings (see `derived_roots`)
    target: bool = False  # part of the noun a "how many / which" question asks about
    seen: bool = True  # some form of it occurs in the index at all
    dual_of: str = ""  # an Arabic noun whose dual (دبابتين for دبابة) also counts as finding it
    telling: bool = True  # absence from the index says the articles lack the topic (not a translation miss)
    # Readings as term tuples: a translation "طائرة حربية" is found only with both of its words.
    alts: tuple[tuple[str, ...], ...] = ()
    at: int = -1  # index of its first word in the (English) question, for `phrase_share`


@dataclass
class SentenceView:
    """One sentence, analysed once: tokens (offsets into the sentence) and their matchable forms."""

    start: int  # document offsets
    end: int
    text: str
    tokens: list[Token]
    stems: list[str]
    roots: list[str]
    names: list[frozenset[str]]
    gloss: list[frozenset[str]] | None
    runs: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)  # multi-token name keys
    # Positions by form, so finding a key costs a few lookups instead of a pass over the tokens.
    at: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    dual_slots: list[int] = field(default_factory=list)  # tokens ending like a dual (-ين, -ان, -تا, -تي)
    memo: dict = field(default_factory=dict)  # question-independent facts other modules derive once

    def positions(self, kind: str, form: str) -> tuple[int, ...]:
        return self.at.get((kind, form), ())


def sentence_view(text: str, start: int, end: int, lexicon=None, english: bool = False) -> SentenceView:
    toks = tokenize(text)
    stems = [stem(t.norm) for t in toks]
    roots = [root_key(t.text) for t in toks]
    names = [_name_keys(t.norm) for t in toks]
    gloss = [_sentence_gloss(t.norm, lexicon) for t in toks] if english and lexicon is not None else None
    runs: dict[str, list[tuple[int, int]]] = {}
    if english:
        for key, i, j in span_keys([t.norm for t in toks]):
            if j - i > 1:
                runs.setdefault(key, []).append((i, j))
    at: dict[tuple[str, str], list[int]] = {}
    for i in range(len(toks)):
        at.setdefault(("s", stems[i]), []).append(i)
        # a function word (قبل, بين) is no derivation of a content word (المقبلة, تبيين)
        if not is_stopword(toks[i].norm):
            plain = root_keys(toks[i].text)
            for r in plain:
                at.setdefault(("r", r), []).append(i)
            for r in derived_roots(toks[i].text) - plain:
                at.setdefault(("r8", r), []).append(i)
        for k in names[i]:
            at.setdefault(("n", k), []).append(i)
        for g in gloss[i] if gloss is not None else ():
            at.setdefault(("g", g), []).append(i)
            if len(g) >= GLOSS_PREFIX:
                at.setdefault(("gp", g[:GLOSS_PREFIX]), []).append(i)
    duals = [i for i, t in enumerate(toks) if t.norm.endswith(("ين", "ان", "تا", "تي"))]
    # Tuples, not lists: a tuple of ints leaves the garbage collector's lists, and a server keeps
    # thousands of views (`ViewCache`), whose position lists made every full collection walk
    # about a million objects (a 300-400 ms pause on some question).
    frozen_at = {k: tuple(v) for k, v in at.items()}
    frozen_runs = {k: tuple(v) for k, v in runs.items()}
    return SentenceView(start, end, text, toks, stems, roots, names, gloss, frozen_runs, frozen_at, duals)


def sentence_numbers(view: SentenceView) -> list:
    """The sentence's number phrases (`find_numbers`), read once and kept on the view."""
    if "numbers" not in view.memo:
        view.memo["numbers"] = find_numbers(view.text)
    return view.memo["numbers"]


def value_form(value: float) -> str:
    """A number as the index and a question's number key write it: digits, no separators (55000)."""
    return format_number(value, "en").replace(",", "")


def _value_hits(view: SentenceView, key: Key) -> list[int]:
    """Tokens starting a number phrase whose value is one of the key's numbers: a question's
    "55,000" is in the sentence that writes «55 ألف» (read only for keys holding a number)."""
    values = {t for t in key.exact if t.isdigit()}
    if not values:
        return []
    first = {t.start: i for i, t in enumerate(view.tokens)}
    hits = (first.get(n.start) for n in sentence_numbers(view) if value_form(n.value) in values)
    return [i for i in hits if i is not None]


class ViewCache:
    """Sentence views of one index, analysed once: the same passages come back for many
    questions, and tokenizing, stemming and name keys cost far more than matching."""

    LIMIT = 5_000  # views kept before the cache starts over (tens of KB each, with English glosses)

    def __init__(self, index: object, lexicon: object) -> None:
        self.index = index
        self.lexicon = lexicon
        self._views: dict[tuple[str, int, int, bool], SentenceView] = {}
        self._spans: dict[tuple[str, int, int], list[tuple[int, int]]] = {}

    def sentences(self, doc_id: str, doc: str, start: int, end: int) -> list[tuple[int, int]]:
        """Sentence offsets of the passage doc[start:end] (`index.passages.sentences_in`)."""
        key = (doc_id, start, end)
        found = self._spans.get(key)
        if found is None:
            from index.passages import sentences_in

            found = list(sentences_in(start, end, doc))
            if len(self._spans) >= self.LIMIT:
                self._spans.clear()
            self._spans[key] = found
        return found

    def get(self, doc_id: str, doc: str, start: int, end: int, english: bool) -> SentenceView:
        key = (doc_id, start, end, english)
        view = self._views.get(key)
        if view is None:
            view = sentence_view(doc[start:end], start, end, self.lexicon, english)
            if len(self._views) >= self.LIMIT:
                self._views.clear()
            self._views[key] = view
        return view


_VIEW_CACHES: list[ViewCache] = []
MAX_VIEW_CACHES = 4  # indexes (snapshots) whose views are kept at once


def view_cache(index: object, lexicon: object) -> ViewCache:
    """The view cache of this index and dictionary (a new index gets a fresh one)."""
    for cache in _VIEW_CACHES:
        if cache.index is index and cache.lexicon is lexicon:
            return cache
    cache = ViewCache(index, lexicon)
    _VIEW_CACHES.insert(0, cache)
    del _VIEW_CACHES[MAX_VIEW_CACHES:]
    return cache


def key_hits(view: SentenceView, key: Key) -> list[tuple[int, float]]:
    """(token index, strength) for every token of the sentence where `key` is found."""
    out: dict[int, float] = {}

    def put(i: int, s: float) -> None:
        if s > out.get(i, 0.0):
            out[i] = s

    roots = (("r", key.roots, ROOT), ("r8", key.roots, ROOT)) if key.derived else (("r", key.roots, ROOT),)
    for kind, forms, strength in (*roots, ("g", key.gloss, GLOSS), ("n", key.names, NAME)):
        if kind == "g" and view.gloss is None:
            continue
        for form in forms:
            for i in view.positions(kind, form):
                put(i, strength)
    if view.gloss is not None:
        for form in key.gloss:
            if len(form) < GLOSS_PREFIX:
                continue
            for i in view.positions("gp", form[:GLOSS_PREFIX]):
                if form not in view.gloss[i] and any(_gloss_close(form, g) for g in view.gloss[i]):
                    put(i, ROOT)  # a derivation through the dictionary: weaker than a shared sense
        for form in key.names:  # an English question: a name spelled a little differently
            if len(form) < FUZZY_NAME:
                continue
            for i, k in _names_by_length(view).get(len(form), ()):
                if _one_off(form, k):
                    put(i, NEAR_NAME)
    for i in _value_hits(view, key):
        put(i, EXACT)
    for term in key.exact:
        for i in view.positions("s", term):
            put(i, EXACT)
    if key.dual_of:
        for i in view.dual_slots:
            if _dual(view.tokens[i].norm, key.dual_of):
                put(i, EXACT)
    for name in key.names:
        for i, j in view.runs.get(name, ()):
            for k in range(i, j):
                put(k, NAME)
    return sorted(out.items())


@dataclass
class Match:
    """How a sentence meets the question: per key its best strength, per token the key strength."""

    per_key: list[float]
    per_token: list[float]

    def coverage(self, keys: list[Key]) -> float:
        total = sum(k.weight for k in keys)
        return sum(k.weight * s for k, s in zip(keys, self.per_key, strict=True)) / total if total else 0.0


def _alt_strength(view: SentenceView, alt: tuple[str, ...]) -> float:
    """Share of a multi-word reading found in the sentence (a root match counting ROOT)."""
    got = 0.0
    for term in alt:
        if view.positions("s", term):
            got += EXACT
        else:
            got += ROOT if any(view.positions("r", r) for r in root_keys(term)) else 0.0
    return got / len(alt)


def match(view: SentenceView, keys: list[Key]) -> Match:
    per_key = []
    per_token = [0.0] * len(view.tokens)
    for key in keys:
        best = 0.0
        for i, s in key_hits(view, key):
            best = max(best, s)
            per_token[i] = max(per_token[i], s)
        multi = [a for a in key.alts if len(a) > 1]
        if multi and best > 0:
            # a phrase reading counts by how much of it is there; a one-word reading in full
            single = max((_alt_strength(view, a) for a in key.alts if len(a) == 1), default=0.0)
            other = best if best < EXACT else 0.0  # name, gloss or root matches
            best = max(single, other, *(_alt_strength(view, a) for a in multi))
        per_key.append(best)
    return Match(per_key, per_token)


PHRASE_GAP = 2  # question words this close form one phrase ("main point"), and so do their finds


def phrase_share(view: SentenceView, keys: list[Key]) -> float:
    """Share of key weight in question phrases whose words the sentence also holds side by side.

    A sentence that keeps "the main point" together answers it more surely than one that has
    "main" in one clause and "point" in another (or "main" as another sense of its translation).
    """
    total = sum(k.weight for k in keys)
    placed = [(k, [i for i, _ in key_hits(view, k)]) for k in keys if k.at >= 0]
    got = 0.0
    for a in range(len(placed)):
        for b in range(a + 1, len(placed)):
            (ka, ia), (kb, ib) = placed[a], placed[b]
            if not ia or not ib or abs(ka.at - kb.at) > PHRASE_GAP:
                continue
            if any(0 < abs(x - y) <= PHRASE_GAP for x in ia for y in ib):
                got += (ka.weight + kb.weight) / 2
    return got / total if total else 0.0


# -- the question side ---------------------------------------------------------------------------


class Idf:
    """idf of analysed terms in the index; a term the index never saw gets the highest idf."""

    def __init__(self, lex) -> None:
        self.lex = lex
        n = max(lex.n_rows, 1)
        self.max = math.log(1.0 + (n + 0.5) / 0.5)

    def __call__(self, term: str) -> float:
        return self.lex.idf(term) if term in self.lex.vocab else self.max

    def seen(self, term: str) -> bool:
        return term in self.lex.vocab


def verb_like(norm: str) -> bool:
    """An imperfect verb (يشارك, تجري, ستعقد): its absence from the articles says little."""
    if norm.startswith("ال"):
        return False
    if norm[:1] in "وف" and len(norm) > 4:
        norm = norm[1:]
    if norm.endswith("ه") or len(norm) < 3:
        return False  # a final ة (folded to ه): a noun (سيارة)
    if norm[:1] == "س" and norm[1:2] in ("ي", "ت", "ن"):
        return True
    if norm[:1] == "ي" or (norm[:1] in ("ت", "ن") and len(norm) <= 4):
        return True
    if norm[:2] == "تت" and len(norm) >= 4:
        return True  # تتحكم, تتعلق: a form V / VI imperfect (no noun starts so)
    # short past forms: بدأت, طالها, أودى (a noun pattern with م- is excluded: مطلب)
    if norm[:1] == "م" or len(norm) > 5:
        return False
    return (norm.endswith("ت") and len(norm) == 4) or (norm.endswith(("ها", "هم")) and len(norm) == 5) or (
        norm[:1] == "ا" and norm.endswith("ي") and len(norm) == 4
    )


def _known_bases(norm: str, idf: Idf) -> set[str]:
    """Stems of the word without a one-letter proclitic or a pronoun suffix (لقياس -> قياس,
    معرفته -> معرفة) that the index holds: the light stemmer keeps these clitics, so the word as
    written can be unknown though its base is in the articles."""
    out = set()
    for base in arabic_bases(norm)[1:]:
        forms = [base, base[:-1] + "ه"] if base.endswith("ت") and not norm.endswith("ت") else [base]
        out |= {t for f in forms if (t := stem(f)) and idf.seen(t)}
    return out


def _arabic_keys(toks: list[Token], qtype: QuestionType, idf: Idf) -> list[Key]:
    target = {normalize(qtype.target[0])} if qtype.target else set()  # the head noun, not its adjectives
    keys = []
    for i, tok in enumerate(toks):
        if i in qtype.wh_tokens or is_stopword(tok.norm) or tok.norm in _AR_FILLER:
            continue
        term = stem(tok.norm)
        if not term:
            continue
        exact = {term}
        if tok.norm.endswith("ا") and len(tok.norm) >= 4:
            exact.add(stem(tok.norm[:-1]))  # accusative alef: جنديا ~ جندي
        known = _known_bases(tok.norm, idf) if not any(idf.seen(t) for t in exact) else set()
        exact |= known
        root = derived_roots(tok.text)
        is_target = tok.norm in target
        seen = any(idf.seen(t) for t in exact)
        verb = verb_like(tok.norm)
        weight = max(idf(t) for t in known) if known else max(idf(t) for t in exact)
        if verb and not seen:
            weight *= UNSEEN_VERB_SHARE
        keys.append(
            Key(
                tok.text,
                weight,
                frozenset(exact),
                root,
                target=is_target,
                seen=seen,
                dual_of=tok.norm if is_target else "",
                # a verb, or "people" in "how many people": the articles may say neither word
                telling=not verb and not (is_target and counts_people(qtype)),
                derived=True,
                at=i,
            )
        )
    return keys


def _acronym(words: list[Token]) -> bool:
    """An all-capital abbreviation (IPCC): Arabic articles mostly spell out what it stands for,
    so not finding it says little about whether they cover the topic."""
    return len(words) == 1 and len(words[0].text) >= 2 and words[0].text.isupper() and words[0].text.isascii()


def _senses(text: str, lexicon) -> list[str]:
    """Dictionary translations of an English word or phrase (lemmas of its last word tried too)."""
    from assistant.translate import english_lemmas

    head, _, last = text.lower().rpartition(" ")
    for lemma in english_lemmas(last):
        found = lexicon.en_to_ar.get(f"{head} {lemma}" if head else lemma)
        if found:
            return list(found[:MAX_SENSES])
    return []


def _readings(text: str, lexicon, names) -> list[tuple[str, ...]]:
    """Arabic readings of an English unit: each dictionary sense as a term tuple, plus the
    query translator's extra terms (name spellings found in the index, calendar names) one by one."""
    if lexicon is None:
        return []
    alts = [tuple(analyze(sense)) for sense in _senses(text, lexicon)]
    alts = [a for a in alts if a]
    from assistant.translate import translate_query

    try:
        terms = translate_query(text, lexicon, names=names).terms
    except TypeError:  # an older translator without name spellings
        terms = translate_query(text, lexicon).terms
    have = {t for a in alts for t in a}
    top = max(terms.values(), default=0.0)
    for term, w in sorted(terms.items(), key=lambda kv: -kv[1]):
        if term not in have and w >= TRANSLATION_FLOOR * top and _is_arabic(term):
            alts.append((term,))
            have.add(term)
    return alts


def _en_units(toks: list[Token], qtype: QuestionType, lexicon) -> list[tuple[list[int], bool]]:
    """Question tokens grouped into units: a capitalized run (a name), a dictionary phrase, or a word."""
    units: list[tuple[list[int], bool]] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if i in qtype.wh_tokens or is_stopword(tok.norm) or tok.norm in _EN_FILLER:
            i += 1
            continue
        if tok.norm in _EN_TAKE and i + 1 < len(toks) and toks[i + 1].norm == "place":
            i += 2
            continue
        if tok.text[:1].isupper() and tok.norm.isalpha() and i > 0:
            j = i + 1
            while j < len(toks) and toks[j].text[:1].isupper() and toks[j].norm.isalpha():
                j += 1
            units.append((list(range(i, j)), True))
            i = j
            continue
        if lexicon is not None and i + 1 < len(toks) and not is_stopword(toks[i + 1].norm):
            phrase = f"{tok.norm} {toks[i + 1].norm}"
            if phrase in lexicon.en_to_ar or phrase.rstrip("s") in lexicon.en_to_ar:
                units.append(([i, i + 1], False))
                i += 2
                continue
        units.append(([i], tok.text[:1].isupper() and tok.norm.isalpha()))
        i += 1
    return units


def arabic_nouns(word_en: str, lexicon) -> list[str]:
    """Arabic nouns for an English noun (warplanes -> الطائره ...), singular forms first, for duals."""
    if lexicon is None:
        return []
    from assistant.translate import english_lemmas

    out: list[str] = []
    for lemma in reversed(english_lemmas(word_en.lower())):
        for tr in lexicon.en_to_ar.get(lemma, ())[:3]:
            out.append(tr.split()[0])
    return list(dict.fromkeys(out))


def _english_keys(toks: list[Token], qtype: QuestionType, idf: Idf, lexicon, names=None) -> list[Key]:
    from assistant.translate import english_lemmas

    target = {qtype.target[0].lower()} if qtype.target else set()  # the head noun, not its adjectives
    keys = []
    for idxs, name_like in _en_units(toks, qtype, lexicon):
        words = [toks[k] for k in idxs]
        text = " ".join(w.text for w in words)
        value = parse_number(text)
        if value is not None:  # 6 / six / 1,200: the value as the index writes it
            exact = frozenset(analyze(text)) | {value_form(value)}
            # one and two are mostly written as the noun's singular or dual (رجلين), not as numerals
            keys.append(Key(text, idf.max, exact, seen=any(idf.seen(t) for t in exact), telling=value > 2))
            continue
        # The words themselves (English articles, or English words quoted in Arabic ones), then readings.
        own = tuple(t for t in (stem(w.norm) for w in words) if t)
        alts = ([own] if own else []) + _readings(text, lexicon, names)
        exact = frozenset(t for a in alts for t in a)
        roots = frozenset(r for a in alts if len(a) == 1 for r in root_keys(a[0]))
        gloss = frozenset(stem(lemma) for w in words for lemma in english_lemmas(w.norm))
        names: set[str] = set()
        if name_like or not alts:
            joined = skeleton_en("".join(w.norm for w in words))
            names |= {joined} if len(joined) >= MIN_KEY else set()
            names |= {k for k in (skeleton_en(w.norm) for w in words) if len(k) >= MIN_KEY}
        seen_terms = [t for t in exact if idf.seen(t)]
        name_like = name_like and not all(idf.seen(t) for t in own)  # a name the index holds as written
        # A word whose translations the index never saw is as likely a dictionary miss as a
        # topic the articles lack; it counts, but less than a word we could look for.
        weight = max((idf(t) for t in seen_terms), default=UNSEEN_EN_WEIGHT * idf.max)
        is_target = any(w.norm in target for w in words)
        if is_target and qtype.kind == WHERE:
            weight *= PLACE_NOUN_SHARE  # "which town": the answer sentence names the town, seldom says "town"
        keys.append(
            Key(
                text,
                weight,
                exact,
                roots,
                frozenset(names),
                gloss,
                target=is_target,
                seen=bool(seen_terms),
                dual_of=next(iter(arabic_nouns(words[-1].norm, lexicon)), "") if is_target else "",
                telling=name_like and not _acronym(words),
                alts=tuple(alts),
                at=idxs[0],
                # translations the index never holds as written: their root also meets a form VIII
                # verb (شرط / تشترط), as Arabic question words do
                derived=not seen_terms,
            )
        )
    return keys


def question_keys(
    question: str, lang: str, qtype: QuestionType, lex, lexicon=None, context: Iterable[str] = (), names=None
) -> list[Key]:
    """The question's content words as `Key`s, weighted by idf in the index (`lex`, a LexicalIndex).

    `context` holds analysed terms carried over from an earlier question (follow-ups); they count
    at a low weight. `names` is the index's name-spelling table (English questions).
    """
    idf = Idf(lex)
    toks = tokenize(question)
    keys = _arabic_keys(toks, qtype, idf) if lang == "ar" else _english_keys(toks, qtype, idf, lexicon, names)
    have = {t for k in keys for t in k.exact}
    for term in context:
        if term not in have:
            keys.append(Key(term, 0.35 * idf(term), frozenset({term}), frozenset(), seen=idf.seen(term)))
            have.add(term)
    return keys
