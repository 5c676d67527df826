"""English question -> weighted Arabic BM25 terms, through the FreeDict lexicon.

The index only holds Arabic terms, so an English question has to be turned into the same analysed
form (index.tokens.analyze). A dictionary gives several senses per word and most are wrong in
context, so senses are capped and down-weighted by rank. Each question word's senses, other forms
and name matches also form one synonym set (`groups`, Pirkola's structured query): the translated
channel gives a passage the best term of each set, so it is the number of question words a passage
meets that ranks it, not how many readings of one word it happens to hold. Names are the
other half of a news question and rarely in a dictionary (or in it with the wrong reading:
Amazon -> «امرأة قوية»), so capitalized and unknown words also yield consonant-skeleton keys
(index.translit), resolved against the index vocabulary when the caller passes a name index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from index.dates import MONTH_NAMES_EN, MONTHS_AR, MONTHS_EN, WEEKDAY_NAMES_EN, WEEKDAYS_AR, WEEKDAYS_EN
from index.lexicon import Lexicon
from index.stem import stem
from index.stopwords import ENGLISH_STOPWORDS
from index.tokens import Token, analyze, tokenize
from index.translit import MIN_KEY, skeleton_en

MAX_SENSES = 3  # translations used per English word or phrase
SENSE_DECAY = 0.5  # weight of sense r is SENSE_DECAY**r before normalization
LATIN_WEIGHT = 0.3  # untranslated Latin tokens are kept: Arabic news quotes some (NATO, iPhone)
NUMBER_WEIGHT = 1.0
NAME_WEIGHT = 1.0  # index terms whose skeleton matches a name of the question
NAME_SPLIT = 0.5  # a key matching k index terms gives each NAME_WEIGHT / k**NAME_SPLIT
SIBLING_WEIGHT = 0.3  # translations of the word's singular/plural
PHRASE_SPLIT = 0.5  # a sense of k content words gives each its weight / k**PHRASE_SPLIT
GROUP_SENSES = 3  # senses per word in its synonym set (5 or 8 measured the same: few words have more)
GROUP_DECAY = 0.5  # weight of sense r in a synonym set
# The word's singular/plural or base form (lost -> lose) is another reading of the same word: in
# its set it cannot add up with the first, so it may be nearly as strong. Chosen on held-in questions.
GROUP_SIBLING_WEIGHT = 0.7
GROUP_NAME_SPLIT = 0.5  # a key matching k index terms gives each 1 / k**GROUP_NAME_SPLIT in the set
# A number written in digits (a year, a score) is about the most specific thing a question asks;
# number words ("one", "two") are not, and stay at NUMBER_WEIGHT. Chosen on held-in questions.
GROUP_NUMBER_WEIGHT = 2.0

# Generic question frames ("what is X called", "what kind of", "the name of") carry no topic.
_QUESTION_WORDS = frozenset("whats name named called kind type ones one".split())

NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER_RE = re.compile(r"\d")
_ROMAN_RE = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_value(text: str) -> int | None:
    """Value of an upper-case Roman numeral of 2+ letters (XLIX -> 49), else None.

    Arabic writes the numbering of events, wars and monarchs in digits: «سوبر بول 49»."""
    if len(text) < 2 or not _ROMAN_RE.fullmatch(text):
        return None
    values = [_ROMAN[c] for c in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


@dataclass
class QueryTranslation:
    """Arabic terms with weights, name keys for cross-script matching, English words left over."""

    terms: dict[str, float] = field(default_factory=dict)
    # One synonym set per question word: its senses, siblings and name matches. A passage should
    # get credit once per word (the best of its alternatives), not once per sense; see
    # index.lexical.LexicalIndex.scores_grouped.
    groups: list[dict[str, float]] = field(default_factory=list)
    senses: dict[str, float] = field(default_factory=dict)  # the Arabic translations as written, weighted
    name_keys: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _calendar() -> dict[str, list[str]]:
    """English month and weekday name -> every Arabic name of it (يناير and كانون الثاني)."""
    table: dict[str, list[str]] = {}
    for names, en_table, ar_table in (
        (MONTH_NAMES_EN, MONTHS_EN, MONTHS_AR),
        (WEEKDAY_NAMES_EN, WEEKDAYS_EN, WEEKDAYS_AR),
    ):
        for name in names:  # full names only: "mar", "dec" are words too
            number = en_table[name.lower()]
            table[name.lower()] = [ar for ar, n in ar_table.items() if n == number]
    return table


# English plurals and past forms no suffix rule undoes (people is the plural of person).
_IRREGULAR = {
    "people": "person", "men": "man", "women": "woman", "children": "child", "feet": "foot",
    "teeth": "tooth", "mice": "mouse", "geese": "goose", "lives": "life", "wives": "wife",
    "knives": "knife", "leaves": "leaf", "thieves": "thief", "halves": "half",
    "fought": "fight", "led": "lead", "held": "hold",
    "built": "build", "sold": "sell", "bought": "buy", "brought": "bring", "caught": "catch",
    "taught": "teach", "sent": "send", "spent": "spend", "lost": "lose", "won": "win",
    "began": "begin", "begun": "begin", "took": "take", "taken": "take", "gave": "give", "given": "give",
    "wrote": "write", "written": "write", "chose": "choose", "chosen": "choose", "fell": "fall",
    "fallen": "fall", "shot": "shoot", "struck": "strike", "stole": "steal", "stolen": "steal",
}  # fmt: skip


def english_lemmas(word: str) -> list[str]:
    """The word and its likely dictionary forms (plural, past, gerund), most likely first."""
    out = [word]
    if word in _IRREGULAR:
        out.append(_IRREGULAR[word])
    if len(word) <= 3:
        return out
    if word.endswith("ies"):
        out.append(word[:-3] + "y")
    if word.endswith("es"):
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        out.append(word[:-1])
    if word.endswith("ied"):
        out.append(word[:-3] + "y")
    if word.endswith("ed"):
        out += [word[:-2], word[:-1]]
        if len(word) > 5 and word[-3] == word[-4]:
            out.append(word[:-3])  # stopped -> stop
    if word.endswith("ing") and len(word) > 5:
        out += [word[:-3], word[:-3] + "e"]
        if word[-4] == word[-5]:
            out.append(word[:-4])  # running -> run
    if word.endswith("'s"):
        out.append(word[:-2])
    return list(dict.fromkeys(out))


def _siblings(lexicon: Lexicon, word: str, primary: list[str]) -> list[str]:
    """First translations of the word's singular or plural that add a new index term: Arabic
    broken plurals (نقطة/نقاط) share no stem with their singular, and the passage may use either."""
    have = {t for sense in primary for t in analyze(sense)}
    out: list[str] = []
    for form in english_lemmas(word)[1:] + [word + "s", word + "es"]:
        for tr in lexicon.en_to_ar.get(form, ())[:1]:
            if tr not in out and not set(analyze(tr)) <= have:
                out.append(tr)
    return out


def _lookup(lexicon: Lexicon, phrase: str, name_like: bool = False) -> list[str] | None:
    """Translations of a lowercased word or phrase, trying lemmas of its last word.

    A capitalized word only loses a plural -s: Jared is not a form of "jar".
    """
    head, _, last = phrase.rpartition(" ")
    lemmas = english_lemmas(last)
    if name_like:
        lemmas = [w for w in lemmas if w in (last, last[:-1])]
    for lemma in lemmas:
        key = f"{head} {lemma}" if head else lemma
        found = lexicon.en_to_ar.get(key)
        if found:
            return found
    return None


def _add_senses(
    out: QueryTranslation,
    group: dict[str, float],
    senses: list[str],
    weight: float,
    group_weight: float | None = None,
) -> None:
    """Spread `weight` over the first senses in `out.terms`, each content word of a sense getting
    its share, and put the senses into the word's synonym set `group` at rank-decayed weights.

    `out.senses` collects each sense as written, with its share, for the character n-gram channel."""
    cut = senses[:MAX_SENSES]
    raw = [SENSE_DECAY**r for r in range(len(cut))]
    total = sum(raw)
    mine: dict[str, float] = {}
    for sense, r in zip(cut, raw, strict=True):
        words = analyze(sense)
        if words:
            out.senses[sense] = out.senses.get(sense, 0.0) + weight * r / total
        w = weight * r / total / max(len(words), 1) ** PHRASE_SPLIT
        for term in words:
            mine[term] = max(mine.get(term, 0.0), w)
    _merge(out.terms, mine)
    top = weight if group_weight is None else group_weight
    for rank, sense in enumerate(senses[:GROUP_SENSES]):
        words = analyze(sense)
        w = top * GROUP_DECAY**rank / max(len(words), 1) ** PHRASE_SPLIT
        _keep_best(group, dict.fromkeys(words, w))


def _add_spellings(out: QueryTranslation, group: dict[str, float], names: list[str]) -> None:
    """Every spelling of one name at full weight (not senses: all are right, an article uses one)."""
    mine: dict[str, float] = {}
    for name in names:
        words = analyze(name)
        for term in words:
            mine[term] = max(mine.get(term, 0.0), 1.0 / len(words) ** PHRASE_SPLIT)
    _merge(out.terms, mine)
    _keep_best(group, mine)


def _merge(terms: dict[str, float], new: dict[str, float]) -> None:
    """Weights of different question words add up: passages matching several of them rank first."""
    for term, w in new.items():
        terms[term] = terms.get(term, 0.0) + w


def _keep_best(group: dict[str, float], new: dict[str, float]) -> None:
    """Alternatives of one word: a term keeps its best weight, never a sum."""
    for term, w in new.items():
        group[term] = max(group.get(term, 0.0), w)


def _add_terms(
    out: QueryTranslation,
    group: dict[str, float],
    new: Iterable[str],
    weight: float,
    group_weight: float | None = None,
) -> None:
    mine = dict.fromkeys(new, weight)
    _merge(out.terms, mine)
    _keep_best(group, mine if group_weight is None else dict.fromkeys(mine, group_weight))


def _add_name(out: QueryTranslation, group: dict[str, float], matched: Iterable[str]) -> None:
    matched = list(matched)
    _merge(out.terms, dict.fromkeys(matched, NAME_WEIGHT / max(len(matched), 1) ** NAME_SPLIT))
    _keep_best(group, dict.fromkeys(matched, NAME_WEIGHT / max(len(matched), 1) ** GROUP_NAME_SPLIT))


# A country and the adjective of its people: Arabic news names a party by its nationality far
# more often than by its country ("السفير الأميركي" for "the United States' ambassador", "القوات
# الروسية" for "Russia's forces"), so a country also searches its adjective, like a sibling form.
# Not the other way: "a French colony" is no sign of France in the sentence (measured on XQuAD).
_DEMONYMS = {
    "united states": "american", "us": "american", "usa": "american", "america": "american",
    "russia": "russian", "ukraine": "ukrainian", "china": "chinese", "france": "french",
    "britain": "british", "united kingdom": "british", "uk": "british", "germany": "german",
    "italy": "italian", "spain": "spanish", "turkey": "turkish", "iran": "iranian", "iraq": "iraqi",
    "syria": "syrian", "egypt": "egyptian", "israel": "israeli", "lebanon": "lebanese",
    "jordan": "jordanian", "saudi arabia": "saudi", "qatar": "qatari", "kuwait": "kuwaiti",
    "yemen": "yemeni", "oman": "omani", "bahrain": "bahraini", "libya": "libyan", "tunisia": "tunisian",
    "algeria": "algerian", "morocco": "moroccan", "sudan": "sudanese", "palestine": "palestinian",
    "afghanistan": "afghan", "pakistan": "pakistani", "india": "indian", "japan": "japanese",
    "korea": "korean", "europe": "european", "africa": "african", "canada": "canadian",
    "brazil": "brazilian", "mexico": "mexican", "poland": "polish", "greece": "greek",
    "sweden": "swedish", "norway": "norwegian", "netherlands": "dutch", "belgium": "belgian",
    "switzerland": "swiss", "austria": "austrian", "hungary": "hungarian", "ethiopia": "ethiopian",
    "somalia": "somali", "nigeria": "nigerian", "indonesia": "indonesian", "malaysia": "malaysian",
    "australia": "australian", "belarus": "belarusian", "armenia": "armenian",
}  # fmt: skip
DEMONYM_WORDS = 2  # the longest country name in words


def _demonym_spans(toks: list[Token]) -> list[tuple[int, int, str]]:
    """(start, end, adjective) of every country named in the question."""
    out = []
    i = 0
    while i < len(toks):
        for n in range(min(DEMONYM_WORDS, len(toks) - i), 0, -1):
            span = toks[i : i + n]
            adjective = _DEMONYMS.get(" ".join(t.norm for t in span))
            # a country is a name: "United States", "US" (not the pronoun us)
            capital = all(t.text[:1].isupper() for t in span) and (len(span[0].norm) > 2 or span[0].text.isupper())
            if adjective is not None and capital:
                out.append((i, i + n, adjective))
                i += n - 1
                break
        i += 1
    return out


def _is_name_like(tok: Token, first: bool) -> bool:
    return tok.text[:1].isupper() and not (first and tok.norm in ENGLISH_STOPWORDS)


def _name_spans(toks: list[Token]) -> list[tuple[str, int, int]]:
    """(skeleton key, start, end) of capitalized words and of runs of 2-3 of them.

    "Super Bowl" also gives the key of "superbowl", so it meets «سوبر بول» however it is split.
    Out-of-dictionary words are added by the caller.
    """
    spans: list[tuple[str, int, int]] = []
    start = None
    for idx in range(len(toks) + 1):
        tok = toks[idx] if idx < len(toks) else None
        if tok is not None and tok.norm.isalpha() and _is_name_like(tok, first=idx == 0):
            if start is None:
                start = idx
            continue
        if start is not None:
            for n in range(1, 4):
                for j in range(start, idx - n + 1):
                    key = skeleton_en("".join(t.norm for t in toks[j : j + n]))
                    if len(key) >= MIN_KEY:
                        spans.append((key, j, j + n))
            start = None
    return spans


def _phrase_at(toks: list[Token], i: int, lexicon: Lexicon) -> tuple[int, list[str] | None]:
    """Longest multi-word entry starting at token i ("prime minister"), as (length, translations).

    A phrase never starts or ends on a stop word, so "the prime minister of" tries the middle.
    """
    for n in range(min(lexicon.max_en_words, 4, len(toks) - i), 1, -1):
        span = toks[i : i + n]
        if span[0].norm in ENGLISH_STOPWORDS or span[-1].norm in ENGLISH_STOPWORDS:
            continue
        found = _lookup(lexicon, " ".join(t.norm for t in span))
        if found:
            return n, found
    return 1, None


def translate_query(
    question_en: str,
    lexicon: Lexicon,
    names: Mapping[str, Iterable[str]] | None = None,
) -> QueryTranslation:
    """Arabic terms for an English question; see the module docstring for the weighting.

    `names` (optional) maps skeleton keys to Arabic index terms (index.translit.name_index over
    the indexed passages). Matching terms are added with NAME_WEIGHT, shared among the terms of
    one key. The dictionary's reading is kept too: demoting it cost recall in measurement,
    because short keys collide.
    """
    toks = tokenize(question_en)
    out = QueryTranslation()
    spans = _name_spans(toks)
    calendar = _calendar()
    group_of: dict[int, dict[str, float]] = {}  # token index -> the synonym set of its word
    i = 0
    while i < len(toks):
        idx, tok, norm = i, toks[i], toks[i].norm
        group: dict[str, float] = {}
        n, found = _phrase_at(toks, i, lexicon)
        i += n
        if found:
            _add_senses(out, group, found, 1.0)
        elif _NUMBER_RE.search(norm):  # digits stay digits: the index keeps them as they are
            _add_terms(out, group, analyze(norm), NUMBER_WEIGHT, GROUP_NUMBER_WEIGHT)
        elif norm in calendar and (_is_name_like(tok, idx == 0) or norm not in ENGLISH_STOPWORDS):  # "May"
            _add_spellings(out, group, calendar[norm])
        elif not (norm in ENGLISH_STOPWORDS or norm in _QUESTION_WORDS or not norm.isalpha()):
            after_name = idx > 0 and _is_name_like(toks[idx - 1], first=idx == 1)
            _translate_word(out, group, tok, idx, lexicon, spans, after_name)
        if group:
            out.groups.append(group)
            for j in range(idx, idx + n):
                group_of[j] = group
    for a, _, adjective in _demonym_spans(toks):
        group = group_of.get(a)
        if group is None:
            continue
        # each sense on its own: the first two are mostly one word's spellings (أميركي / أمريكي)
        for sense in (_lookup(lexicon, adjective) or [])[:2]:
            _add_senses(out, group, [sense], SIBLING_WEIGHT, GROUP_SIBLING_WEIGHT)
    named: set[int] = set()  # tokens already matched to a name of the index
    for key, a, b in spans:
        if names is not None and key in names and not named.issuperset(range(a, b)):
            group = group_of.get(a) if b - a == 1 else None
            if group is None:
                group = {}
                out.groups.append(group)
            _add_name(out, group, names[key])
            named.update(range(a, b))
    out.name_keys = list(dict.fromkeys(key for key, _, _ in spans))
    return out


def _translate_word(
    out: QueryTranslation,
    group: dict[str, float],
    tok: Token,
    idx: int,
    lexicon: Lexicon,
    spans: list[tuple[str, int, int]],
    after_name: bool = False,
) -> None:
    """One content word: its senses and its singular/plural's, else the word itself and a name key."""
    norm = tok.norm
    name_like = _is_name_like(tok, first=idx == 0)
    if norm in NUMBER_WORDS:  # "five" may be written 5 in the article
        _add_terms(out, group, [NUMBER_WORDS[norm]], NUMBER_WEIGHT)
    found = _lookup(lexicon, norm, name_like)
    if found:
        _add_senses(out, group, found, 1.0)
        siblings = _siblings(lexicon, norm, found[:MAX_SENSES])
        if siblings and SIBLING_WEIGHT:
            _add_senses(out, group, siblings, SIBLING_WEIGHT, GROUP_SIBLING_WEIGHT)
        return
    out.untranslated.append(tok.text)
    _add_terms(out, group, [stem(norm)], LATIN_WEIGHT)
    number = roman_value(tok.text) if after_name else None  # Super Bowl XLIX, Louis XIV
    if number is not None:
        _add_terms(out, group, [str(number)], NUMBER_WEIGHT, GROUP_NUMBER_WEIGHT)
    key = skeleton_en(norm)
    if not name_like and len(key) >= MIN_KEY:  # an unknown lowercase word may be a name too
        spans.append((key, idx, idx + 1))
