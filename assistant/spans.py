"""The short answer inside a sentence: the number, date, name, place or phrase the question asks for.

Every run of up to `MAX_WORDS` words of the best sentences is a candidate. Each is described by a
few dozen features (is it exactly a number phrase, a date, a name-like run? how does it sit
next to the words it shares with the question, in the same clause? how long is it, for this
question type?) and scored by a linear model: hand-readable weights in
`assistant/data/span_model.json`, fitted offline (`scripts/train_span_model.py`). The readers of
their own type do the reading: `index.numbers` (digits, number words, duals), `index.dates`.

Spans keep their offsets into the document, so the short answer can be highlighted inside the
cited sentence; `display` is what a reader of the question's language sees (1,512,300 / March
12-13 / 4 years for English; names stay in the source script).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from assistant.answer_type import (
    COUNT,
    DURATION,
    HOW,
    PLACE_NOUNS,
    QUANTITY,
    WHAT,
    WHEN,
    WHERE,
    WHO,
    WHY,
    YESNO,
    QuestionType,
)
from assistant.matching import (
    EXACT,
    ROOT,
    Key,
    Match,
    SentenceView,
    arabic_bases,
    arabic_nouns,
    english_gloss,
    key_hits,
    match,
    root_keys,
    sentence_numbers,
    verb_like,
)
from index.dates import find_dates, format_date
from index.normalize import normalize
from index.numbers import find_duals, find_numbers, format_number
from index.stopwords import is_stopword
from index.translit import MIN_KEY, arabic_keys, skeleton_en

MAX_WORDS = 10
EDGE_HIT = 0.85  # a span neither starts nor ends on a question word found as such (stem or name)
# A break between two tokens: a comma-like one (lists may cross it) or a strong one (never crossed).
_COMMA = re.compile(r"[،,]")
_STRONG = re.compile(r"[.:;؛()\[\]«»\"“”!?؟/]|\s[-–—]\s?|[-–—]\s")


def _words(text: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in text.split())


# Function words an answer neither starts nor ends with (stop words minus a few that can: هناك, كل ...).
_EDGE_OK = _words("هناك كل بعض غير أكثر اكثر نحو دون مثل all some more most")
_TITLES = _words(
    "الرئيس رئيس المبعوث مبعوث الوزير وزير اللاعب المدرب الملك الأمير الشيخ السيد السيدة الدكتور "
    "المستشار الجنرال العقيد العميد اللواء القائد الناطق المتحدث النائب السفير البابا الإمام الكاتب الشاعر "
    "الفنان العالم الدكتورة المهندس "
    "president minister envoy king prince sheikh mr mrs ms dr general coach"
)
_PLACE_CUES = _words("في ب من إلى الى قرب بالقرب داخل شمال جنوب شرق غرب وسط نحو عند in at near from to into")
# Attribution: "... بحسب صحيفة X" / "وفقا لمصادر Y" / "نقلا عن Z": the source of the report follows.
_ATTRIB_CUES = _words("وفق وفقا بحسب حسب طبقا")
_CAUSE_CUES = _words("بسبب جراء نتيجة لأن بفضل إثر اثر لكون لان because due owing")
_OTHERS = _words("آخرين آخرون أخرى others")  # "3 قتلى و12 آخرين": the noun of the number before
_COMPLEMENTIZERS = _words("إن أن ان بأن وأن وإن that")
_TIME_UNITS = {
    normalize(k): v
    for k, v in {
        "سنة": "year", "سنوات": "years", "سنين": "years", "عام": "year", "أعوام": "years", "عاما": "years",
        "شهر": "month", "أشهر": "months", "شهور": "months", "شهرا": "months", "يوم": "day", "أيام": "days",
        "يوما": "days", "أسبوع": "week", "أسابيع": "weeks", "أسبوعا": "weeks", "ساعة": "hour",
        "ساعات": "hours", "دقيقة": "minute", "دقائق": "minutes", "عقد": "decade", "عقود": "decades",
        "قرن": "century", "قرون": "centuries", "years": "years", "year": "year", "months": "months",
        "days": "days", "weeks": "weeks", "hours": "hours", "decades": "decades", "centuries": "centuries",
    }.items()
}  # fmt: skip
_APPROX_EN = {
    normalize(k): v
    for k, v in {
        "أكثر من": "more than", "اكثر من": "more than", "أقل من": "less than", "نحو": "about",
        "حوالي": "about", "حوالى": "about", "قرابة": "nearly", "زهاء": "about", "ما يقارب": "nearly",
        "قبل": "ago", "منذ": "since",
    }.items()
}  # fmt: skip

ENTITY, VALUE, TEXT = "ent", "val", "txt"
_GROUP = {WHO: ENTITY, WHERE: ENTITY, COUNT: VALUE, QUANTITY: VALUE, WHEN: VALUE, DURATION: VALUE}
_LEN_BUCKETS = (1, 2, 3, 4, 5, 7)  # lengths 1, 2, 3, 4, 5-6, 7+


_DIST_BUCKETS = (1, 2, 3, 4, 7)  # distance to the nearest question word: 1, 2, 3, 4-6, 7+
# Closed-class words right before a span that tell its role (في X, عام X, منذ X), by normalized form.
_PREV_WORDS = ("في", "من", "الي", "علي", "عن", "مع", "بعد", "قبل", "منذ", "حتي", "عام", "سنه", "الذي", "التي",
               "هو", "هي", "ب", "ل", "و", "بين", "نحو", "in", "of", "by", "the")  # fmt: skip
_PREV_SET = frozenset(_PREV_WORDS)
# Closed-class words right after a span that tell where it ends (X في, X الذي, X ، ), by normalized form.
_NEXT_WORDS = ("في", "من", "الي", "علي", "عن", "مع", "بعد", "قبل", "الذي", "التي", "الذين", "هو", "هي", "و", "ان",
               "او", "عام", "منذ", "خلال", "حيث", "of", "in", "and", "the", "to", "was", "is", "who", "which")  # fmt: skip
_NEXT_SET = frozenset(_NEXT_WORDS)
_ALL_KINDS = (WHO, WHERE, WHEN, DURATION, COUNT, QUANTITY, WHY, HOW, YESNO, WHAT)


def _dist_bucket(d: int) -> int:
    return next(b for b in reversed(_DIST_BUCKETS) if d >= b)


def _len_bucket(n: int) -> int:
    return next(b for b in reversed(_LEN_BUCKETS) if n >= b)


FEATURES: tuple[str, ...] = (
    "bias",
    *(f"len{b}_{g}" for g in (ENTITY, VALUE, TEXT) for b in _LEN_BUCKETS),
    "hit_in", "stop_in", "comma_in",
    "adj_left", "adj_right", "near_left", "near_right", "far_left", "far_right", "clause_share",
    *(f"num_exact_{k}" for k in (COUNT, QUANTITY, WHEN, DURATION, "other")),
    "num_part", "unit_target", "unit_other", "unit_target_val", "num_in_question", "unit_rival", "unit_time",
    *(f"date_exact_{k}" for k in (WHEN, DURATION, "other")),
    "date_part",
    *(f"dur_exact_{k}" for k in (WHEN, DURATION, VALUE, "other")),
    *(f"name_mean_{k}" for k in (WHO, WHERE, WHAT, "other")),
    "name_all_who", "name_all_where",
    "title_before_who", "place_before_where", "place_before_other", "cause_before_why", "cause_before_other",
    "comp_before_what", "comp_before_other",
    "target_before_ent", "target_before_other", "target_in",
    "first_al", "first_waw", "latin_in",
    "start_clause", "end_clause",
    "sent_cov", "sent_first", "sent_second", "hit_first",
    *(f"dleft{b}" for b in _DIST_BUCKETS), "dleft_none",
    *(f"dright{b}" for b in _DIST_BUCKETS), "dright_none",
    "between", "verb_in_ent", "verb_first", "name_edges_ent", "target_only",
    *(f"prev_{w}_{g}" for w in _PREV_WORDS for g in (ENTITY, VALUE, TEXT)),
    *(f"next_{w}_{g}" for w in _NEXT_WORDS for g in (ENTITY, VALUE, TEXT)),
    *(f"next_break_{g}" for g in (ENTITY, VALUE, TEXT)),
    *(f"klen{b}_{k}" for k in _ALL_KINDS for b in _LEN_BUCKETS),
    *(f"kadj_{side}_{k}" for k in _ALL_KINDS for side in ("left", "right")),
    *(f"name_end_{g}" for g in (ENTITY, VALUE, TEXT)),
    *(f"stop_edge_{g}" for g in (ENTITY, VALUE, TEXT)),
    "name_cut_left", "name_cut_right", "nisba_first_ent",
    "asked_title_before_who", "place_name_where", "echo_edge_ent", "paren_name_ent",
    "said_clause_what", "relation_between", "date_grain_when",
    "hit_all", "value_in_ent", "verb_only", "source_after_attrib",
    "hole_before_next", "hole_after_next", "hole_before_prev", "hole_after_prev",
)  # fmt: skip
_COL = {name: i for i, name in enumerate(FEATURES)}


@dataclass(frozen=True)
class AnswerSpan:
    start: int  # document offsets of the source text
    end: int
    text: str  # document[start:end]
    display: str  # what the reader sees, in the question's language where the value allows
    kind: str  # number | date | duration | phrase
    score: float
    unit: str | None = None  # the counted noun in the question's (English) words, for "87 warplanes"
    counts_target: bool = False  # a number followed by the noun the question counts (or its dual)
    timed: bool = False  # a number followed by a time unit (4 سنوات): a duration, not an amount
    unit_fit: float = 0.0  # how well the words after the number name the asked noun phrase (`unit_fit`)


@dataclass(frozen=True)
class SentenceInfo:
    """Sentence-level facts that every candidate span of the sentence shares."""

    coverage: float
    position: int  # 0 = the best-covering sentence
    hit_rank: int  # rank of the retrieved passage it came from


# Set by hand, added to the fitted weights: facts about counting that the training questions
# (few of which ask about lists of counted things) cannot teach. A number that counts another noun
# when one in the same sentence counts the asked noun is the wrong one; "4 years" is no count.
RULES = {
    "unit_rival": -2.0,
    "unit_time": -1.5,
    "unit_target": 1.0,
    "num_in_question": -4.0,
    "title_before_who": 2.0,  # الوزير X / President X
    "verb_in_ent": -1.5,  # a name or a place holds no verb
    "comp_before_other": -1.5,  # after إن / that comes a clause, not a name, place or value
    "target_only": -3.0,  # "which region?" is not answered by "the region"
    "name_edges_ent": 1.5,  # a name starts and ends on a name, not on an ordinary word beside it
    "target_before_ent": 2.0,  # apposition: "which agency" -> the name right after "agency"
    "place_before_where": 1.5,  # في X / near X
    "len2_ent": 0.5,  # names and places are mostly two words in news (first and last name, مدينة X)
    "nisba_first_ent": -1.0,  # الرئيس الأوكراني X: the name is X, not the adjective before it
    "asked_title_before_who": 2.0,  # من هو الوزير الفرنسي -> الوزير الفرنسي X, not الرئيس الألماني Y
    "place_name_where": 0.8,  # في باريس / بموسكو: a name after a place preposition answers "where"
    "echo_edge_ent": -1.5,  # a name or place neither starts nor ends on a word of the question (بمقتل)
    "paren_name_ent": 2.0,  # هيئة الإذاعة البريطانية (بي بي سي): the name in brackets after the asked noun
    "said_clause_what": 1.0,  # ماذا قال X -> قال X إنّ [the answer]: what the asked speaker said
    "relation_between": 1.0,  # ما صلة X بـY -> X [شقيق] Y: the word the question's two names enclose
    "date_grain_when": 2.0,  # the date part the question's time word asks for (what day -> a weekday)
    "source_after_attrib": 4.0,  # من المصدر الذي نقل ... -> the name after وفق / بحسب / نقلا عن
    "name_cut_right": -0.5,  # a name is taken whole
    "name_cut_left": -0.5,
}  # each checked not to lower F1 on the held-out half of XQuAD dev


@lru_cache(maxsize=1)
def load_weights() -> np.ndarray:
    """The span model's fitted weights plus `RULES`, in `FEATURES` order (a missing feature weighs 0)."""
    path = resources.files("assistant") / "data" / "span_model.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    weights = data["weights"]
    fitted = np.array([float(weights.get(name, 0.0)) for name in FEATURES], dtype=np.float64)
    return fitted + rule_weights()


def rule_weights() -> np.ndarray:
    return np.array([RULES.get(name, 0.0) for name in FEATURES], dtype=np.float64)


# -- per-token facts ---------------------------------------------------------------------------------


@dataclass
class _Phrase:
    i: int  # token range [i, j)
    j: int
    kind: str  # number | date | duration
    display: str
    start: int  # sentence offsets of the phrase itself (و120 -> 120, ودبابتين -> دبابتين)
    end: int
    unit_tokens: tuple[int, ...] = ()
    value: float | None = None
    timed: bool = False
    grain: frozenset[str] = frozenset()  # a date's parts: weekday, day (one, not a range), month, year


# The time noun of "what day / which year / في أي شهر" and the date part that answers it.
_GRAIN_OF = {
    **dict.fromkeys(_words("يوم اليوم أيام day days"), "day"),
    **dict.fromkeys(_words("شهر الشهر month months"), "month"),
    **dict.fromkeys(_words("عام العام سنة السنة year years"), "year"),
}


def _grain_fit(qtype: QuestionType, grain: frozenset[str]) -> bool:
    """Does a date answer the question's own time word? "What day" wants a weekday or one day
    (not 5 و6 مايو), "which year" a year; a plain "when" a calendar date (a month or a year)."""
    asked = _GRAIN_OF.get(normalize(qtype.target[0])) if qtype.target else None
    if asked == "day":
        return bool(grain & {"weekday", "day"})
    if asked is not None:
        return asked in grain
    return bool(grain & {"month", "year"})


def _token_range(view: SentenceView, start: int, end: int) -> tuple[int, int]:
    idx = [k for k, t in enumerate(view.tokens) if t.end > start and t.start < end]
    return (idx[0], idx[-1] + 1) if idx else (0, 0)


def _verbal(norm: str) -> bool:
    """A verb right after a number (80 قتلوا, 5 يقاتلون): a past plural in -وا on a stem of three
    letters or more (not عضوا, whose و is radical), or an imperfect plural (ي / ت ... ون)."""
    if norm.startswith("ال") or norm in _TIME_UNITS or not any("\u0600" <= c <= "\u06ff" for c in norm):
        return False
    return (norm.endswith("وا") and len(norm) >= 5) or (norm[:1] in "يت" and norm.endswith("ون") and len(norm) >= 5)


def _unit_tokens(view: SentenceView, brk: np.ndarray, j: int, limit: int = 2) -> tuple[int, ...]:
    """The words after a number that name what it counts ("1636 من أنظمة ..." skips the من)."""
    out: list[int] = []
    k = j
    while k < len(view.tokens) and len(out) < limit and not (k > 0 and brk[k - 1]):
        norm = view.tokens[k].norm
        if not out and norm in ("من", "of"):
            k += 1
            continue
        if norm[:1].isdigit() or (out and norm[:1] == "و" and len(norm) > 3):
            break  # another number, or the next item of a list (5 سفن وغواصتين): not this one's noun
        if _verbal(norm):
            break  # "80 قتلوا": the number is the subject of a verb, it counts no noun
        out.append(k)
        k += 1
    return tuple(out)


UNIT_WINDOW = 3  # words after a number read for the counted noun and its adjectives (مركبة قتالية مدرعة)
MODIFIER_SHARE = 0.4  # of a unit's fit, the share that the asked noun's adjectives carry
TELLING_SHARE = 0.5  # an adjective at least this rare (idf share of the rarest question word) tells the noun
FIT_TIE = 0.05  # numbers whose unit fits this much less than the best one count something else


def _key_fit(view: SentenceView, key: Key, where: set[int]) -> float:
    """How fully `key` is found among tokens `where`: a multi-word reading by the share of its
    words there ("طائرة حربية" for warplanes: طائرة alone is half of it), else its best hit."""
    best = max((s for k, s in key_hits(view, key) if k in where), default=0.0)
    multi = [a for a in key.alts if len(a) > 1]
    if not multi:
        return best
    stems = {view.stems[k] for k in where}
    roots = {r for k in where for r in root_keys(view.tokens[k].text)}
    single = max(
        (EXACT if a[0] in stems else ROOT if root_keys(a[0]) & roots else 0.0 for a in key.alts if len(a) == 1),
        default=0.0,
    )
    phrase = max(
        sum(EXACT if t in stems else ROOT if root_keys(t) & roots else 0.0 for t in a) / len(a) for a in multi
    )
    return max(single, phrase, best if best < EXACT else 0.0)


def unit_fit(
    view: SentenceView, units: set[int], heads: list[Key], modifiers: list[Key], telling: list[Key] | None = None
) -> float:
    """How well the words after a number name the asked noun phrase: its head noun (in full, or
    by part of a multi-word translation), then its adjectives ("435 طائرة حربية" fits "warplanes"
    better than "125 ألف طائرة مسيرة"; "28 سفينة حربية" fits "السفن الحربية" better than 435 طائرة حربية).
    `telling`: the adjectives that may stand for a head noun the words after the number miss."""
    if not units or not heads:
        return 0.0
    # The counted noun comes first; a later word is its adjective (50 طائرة قتالية), which
    # names the asked noun only as such, not by a shared root (قتالية is no count of قتلى).
    first, rest = {min(units)}, units - {min(units)}
    head = max(_key_fit(view, k, first) for k in heads)
    later = max((_key_fit(view, k, rest) for k in heads), default=0.0) if rest else 0.0
    head = max(head, later if later > ROOT else 0.0)
    if not modifiers:
        return head
    mods = sum(_key_fit(view, k, units) for k in modifiers) / len(modifiers)
    if head == 0:
        # the noun itself missed (a synonym the dictionary lacks: ships / قطع) but its
        # adjectives are there (naval -> بحرية): a weaker fit, below any number of the noun
        # itself. Only by telling adjectives (French civilians are not 300 جندي فرنسي).
        return MODIFIER_SHARE * sum(_key_fit(view, k, units) for k in telling or ()) / len(modifiers)
    return head * (1.0 - MODIFIER_SHARE + MODIFIER_SHARE * mods)


def _modifier_keys(keys: list[Key], qtype: QuestionType) -> list[Key]:
    """The question's keys for the adjectives of the asked noun (حربية in طائرة حربية, air defense)."""
    words = {normalize(w) for w in qtype.target[1:]}
    return [k for k in keys if not k.target and words & {normalize(w) for w in k.label.split()}]


def _unit_fits(
    view: SentenceView, brk: np.ndarray, numbers: list[_Phrase], keys: list[Key], qtype: QuestionType, duals: list[str]
) -> dict[tuple[int, int], float]:
    """`unit_fit` of every number phrase of the sentence, by its token range."""
    heads = [k for k in keys if k.target]
    if not heads:
        return {}
    mods = _modifier_keys(keys, qtype)
    # Adjectives that tell what is counted: not a name's (Ukrainian) nor one as common in the
    # articles as a nationality (الفرنسيين, by its low idf against the question's rarest word).
    top = max(k.weight for k in keys)
    telling = [k for k in mods if not k.label[:1].isupper() and k.weight >= TELLING_SHARE * top]
    out: dict[tuple[int, int], float] = {}
    last = 0.0  # fit of the previous number, which "12 آخرين" (12 others) counts again
    for p in sorted(numbers, key=lambda p: p.i):
        if p.unit_tokens and view.tokens[p.unit_tokens[0]].norm in _OTHERS:
            out[(p.i, p.j)] = last
            continue
        if p.unit_tokens == (p.i,):  # a dual: the noun is the number itself
            after = set(_unit_tokens(view, brk, p.j, UNIT_WINDOW - 1)) if p.j < len(view.tokens) else set()
            head = 1.0 if duals else 0.0
            m = sum(_key_fit(view, k, after) for k in mods) / len(mods) if mods and head else 1.0
            out[(p.i, p.j)] = head * (1.0 - MODIFIER_SHARE + MODIFIER_SHARE * m)
        else:
            fit = unit_fit(view, set(_unit_tokens(view, brk, p.j, UNIT_WINDOW)), heads, mods, telling)
            # named before the number: only by the noun itself, not a word of its root (قتلى is
            # no count of مقاتلين), since this reading reaches further than the words after it
            before = set(_counted_before(view, brk, p.i))
            if before and max(_key_fit(view, k, before) for k in heads) > ROOT:
                fit = max(fit, unit_fit(view, before, heads, mods, telling))
            out[(p.i, p.j)] = max(fit, last) if _among(view, brk, p.i) else fit
        last = out[(p.i, p.j)]
    return out


_COUNT_NOUNS = _words("عدد العدد حصيلة الحصيلة إجمالي اجمالي")  # "the number of" a news figure is given by
_TO_VALUE = _words("إلى الى لتصل ليصل ليبلغ لتبلغ")  # ... rose to / reached N
COUNTED_REACH = 16  # words back from the number to the عدد that heads what it counts
_COUNTED_STOP = _words("منذ في من خلال قبل بعد حتى عند مع على عن إلى الى")


def _counted_before(view: SentenceView, brk: np.ndarray, i: int) -> tuple[int, ...]:
    """What a number counts when news names it first: "ارتفع عدد القتلى والجرحى منذ بداية الحرب
    إلى 1200" / "بلغ عدد الزوار 900": the words after عدد / حصيلة, up to a preposition, when the
    number follows إلى or that phrase directly, in the same clause."""
    toks = view.tokens
    if i == 0 or brk[i - 1]:
        return ()
    k = i - 1
    while k >= 0 and i - k <= COUNTED_REACH and (k == i - 1 or not brk[k]):
        if toks[k].norm in _COUNT_NOUNS:
            words: list[int] = []
            for m in range(k + 1, min(k + 1 + UNIT_WINDOW + 1, i)):
                norm = toks[m].norm
                if norm in _COUNTED_STOP or norm[:1].isdigit() or brk[m - 1]:
                    break
                words.append(m)
            after = words[-1] + 1 if words else k + 1
            direct = after == i or toks[i - 1].norm in _TO_VALUE
            return tuple(words) if direct and words else ()
        k -= 1
    return ()


_AMONG = _words("بينهم بينها منهم منها")  # "1200 شخص، من بينهم 70 ...": a share of the same noun


def _among(view: SentenceView, brk: np.ndarray, i: int) -> bool:
    """A number right after من بينهم / منهم counts a part of what the number before it counts."""
    return i > 0 and not brk[i - 1] and view.tokens[i - 1].norm in _AMONG


def is_time_unit(word: str) -> bool:
    """سنوات, أيام, years ...: the nouns that make a number a duration."""
    return normalize(word) in _TIME_UNITS


def _plural_nisba(noun: str, token: str) -> bool:
    """عسكري -> العسكريين is the plural, not the dual: for -ي adjectives the two are spelled alike
    and the plural is what news means (docs/arabic-text.md §5 on -ين)."""
    n = normalize(noun)
    if n.endswith("ا") and len(n) > 3:
        n = n[:-1]  # accusative: عسكريا
    return n.endswith("ي") and normalize(token).endswith("ين")


def _numbers(
    view: SentenceView, brk: np.ndarray, target_nouns: list[str], lang: str, found: list | None = None
) -> list[_Phrase]:
    spans = list(find_numbers(view.text) if found is None else found)
    for noun in target_nouns:
        spans += [d for d in find_duals(view.text, noun) if not _plural_nisba(noun, d.text)]
    out, seen = [], set()
    for n in spans:
        i, j = _token_range(view, n.start, n.end)
        if i >= j or (i, j) in seen:
            continue
        seen.add((i, j))
        dual = n.unit is not None and n.text == n.unit and n.value == 2
        display = format_number(n.value, lang)
        if lang == "ar" and n.text.replace(",", "").isdigit():
            display = n.text
        if view.text[n.end : n.end + 2].lstrip()[:1] in ("%", "\u066a"):
            display += "%"
        units = (i,) if dual else _unit_tokens(view, brk, j)
        timed = bool(units) and not dual and view.tokens[units[0]].norm in _TIME_UNITS
        out.append(_Phrase(i, j, "number", display, n.start, n.end, units, n.value, timed))
    return out


def _dates(view: SentenceView, lang: str) -> list[_Phrase]:
    out = []
    for d in find_dates(view.text):
        i, j = _token_range(view, d.start, d.end)
        if i < j:
            display = (format_date(d, lang) or d.text) if lang == "en" else d.text
            parts = {"weekday": d.weekday is not None, "day": d.day is not None and d.day_end is None,
                     "month": d.month is not None, "year": d.year is not None}  # fmt: skip
            out.append(_Phrase(i, j, "date", display, d.start, d.end, grain=frozenset(k for k, v in parts.items() if v)))
    return out


def _durations(view: SentenceView, brk: np.ndarray, numbers: list[_Phrase], lang: str) -> list[_Phrase]:
    """A number followed by a time unit, with a qualifier before it (قرابة 4 سنوات, قبل 3 أيام)."""
    toks = view.tokens
    out = []
    for p in numbers:
        if p.kind != "number" or p.j >= len(toks) or brk[p.j - 1] or toks[p.j].norm not in _TIME_UNITS:
            continue
        words = [format_number(p.value or 0.0, "en"), _TIME_UNITS[toks[p.j].norm]]
        i = p.i
        while i > 0 and not brk[i - 1] and p.i - i < 3:
            two = f"{toks[i - 2].norm} {toks[i - 1].norm}" if i > 1 else ""
            width = 2 if two in _APPROX_EN else 1 if toks[i - 1].norm in _APPROX_EN else 0
            if not width:
                break
            word = _APPROX_EN[two if width == 2 else toks[i - 1].norm]
            if word in ("ago", "since"):
                words = ["since", *words] if word == "since" else [*words, "ago"]
            else:
                words.insert(0, word)
            i -= width
        s = toks[i].start if i < p.i else p.start
        e = toks[p.j].end
        display = " ".join(words) if lang == "en" else view.text[s:e]
        out.append(_Phrase(i, p.j + 1, "duration", display, s, e))
    return out


UNKNOWN_VERB = 0.3  # name-likeness of a word the dictionary lacks but shaped like a verb


def _name_like(view: SentenceView, k: int, lexicon) -> float:
    """How much token k looks like part of a name: unknown to the dictionary, or a capitalized Latin word."""
    tok = view.tokens[k]
    if is_stopword(tok.norm) or tok.norm[:1].isdigit():
        return 0.0
    if not any("\u0600" <= c <= "\u06ff" for c in tok.norm):
        return 1.0 if tok.text[:1].isupper() else 0.2
    if lexicon is None:
        return 0.5
    return arabic_name_score(tok.norm, lexicon)


def _nisba(norm: str) -> bool:
    """الأميركي / البريطانية / العراقيين: an adjective made from a name (a nationality, a region),
    which describes the person asked about but is not their name."""
    if not norm.startswith("ال") or len(norm) < 6:
        return False
    return norm.endswith(("ي", "يه", "يين", "يون"))


def arabic_name_score(norm: str, lexicon) -> float:
    """Name-likeness of one Arabic word, from the dictionary.

    A word the dictionary translates is an ordinary word, unless the translation is the same name
    written in Latin letters (ستيف -> steve, لندن -> london: same consonant skeleton, see
    `index.translit`). The accusative -ا (عاما) is tried without it. An unknown word is a name,
    less surely when shaped like a nisba adjective (الأميركي) or an imperfect verb."""
    forms = [norm, norm[:-1]] if norm.endswith("ا") and len(norm) > 3 else [norm]
    for form in forms:
        gloss = english_gloss(form, lexicon)
        if gloss:
            keys = {key for key in arabic_keys(form) if len(key) >= MIN_KEY}
            transliterated = any(skeleton_en(g) in keys for g in gloss)
            return 1.0 if transliterated and not _nisba(form) else 0.0
    bases = arabic_bases(norm)
    if len(norm) < 3 or any(is_stopword(b) for b in bases):
        return 0.0  # تم, بما: a function word, maybe with a clitic
    if _nisba(norm):
        return 0.5
    verb = verb_like(norm) or (norm[:1] == "ل" and verb_like(norm[1:]))  # لتنتهي: لِ + a verb
    return UNKNOWN_VERB if verb else 1.0


def _prefix_prep(norm: str, preps: str, lexicon=None) -> bool:
    """بموسكو / وبموسكو: a one-letter preposition glued to the word. Not when the dictionary knows
    the whole word and not its rest (بلجيكا, بلغاريا: the ب is the name's first letter)."""
    if norm[:1] in "وف" and len(norm) > 4:
        norm = norm[1:]
    if not (norm[:1] in preps and len(norm) > 3 and not norm.startswith(("بال", "لل", "كال"))):
        return False
    known = getattr(lexicon, "ar_to_en", None)
    return known is None or norm not in known or norm[1:] in known


def _proximity(hit: np.ndarray, clause: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Question words near a span, closer ones counting more.

    left[i]: sum of hit[k] / (i - k) over k < i, for a span starting at token i;
    right[j]: sum of hit[k] / (k - j + 1) over k >= j, for a span ending before token j.
    With `clause`, only tokens in the span's clause count (of token i, resp. token j - 1).
    """
    n = len(hit)
    pos = np.arange(n)
    d = pos[:, None] - pos[None, :]  # d[p, k] = p - k
    left_w = np.where(d > 0, 1.0 / np.maximum(d, 1), 0.0)
    right_w = np.where(d <= 0, 1.0 / (1 - np.minimum(d, 0)), 0.0)  # row q: k >= q, weight 1/(k - q + 1)
    if clause is not None:
        left_w = left_w * (clause[:, None] == clause[None, :])
        ref = np.concatenate([[clause[0]], clause[:-1]])  # the clause of token q - 1
        right_w = right_w * (ref[:, None] == clause[None, :])
    left = left_w @ hit
    right = np.concatenate([right_w @ hit, [0.0]])
    return np.minimum(left, 3.0), np.minimum(right, 3.0)


# -- candidates and features -------------------------------------------------------------------------


@dataclass
class Candidates:
    """Candidate spans of one sentence: token ranges, their features, and any typed phrase they are."""

    view: SentenceView
    ij: list[tuple[int, int]]
    X: np.ndarray
    phrases: dict[tuple[int, int], _Phrase]
    unit_label: str | None = None  # the question's counted noun, shown after a matching number (English)
    counting: frozenset[tuple[int, int]] = frozenset()  # numbers whose unit fits the asked noun best


def _kind_col(prefix: str, kind: str, allowed: tuple[str, ...]) -> int:
    return _COL[f"{prefix}_{kind if kind in allowed else 'other'}"]


@dataclass
class _Static:
    """Facts of a sentence that no question changes, computed once per cached view."""

    norms: list[str]
    comma: np.ndarray  # break after token k (a comma-like one)
    strong: np.ndarray
    brk: np.ndarray
    clause: np.ndarray
    stop: np.ndarray
    edge_bad: list[bool]
    name: np.ndarray
    latin: np.ndarray
    verb: np.ndarray
    first_al: np.ndarray
    first_waw: np.ndarray
    titles: np.ndarray  # token is a title word, or a nisba adjective after one (الوزير X, المبعوث الأميركي X)
    nisba: np.ndarray  # token is shaped like a nisba adjective (الأميركي)
    place: np.ndarray  # token is a place cue (في X)
    cause: np.ndarray
    attrib: np.ndarray  # token is an attribution cue (وفق X, بحسب X, the عن of نقلا عن X)
    comp: np.ndarray
    prep_place: np.ndarray  # token starts with a glued ب / ل (بموسكو)
    first_b: np.ndarray  # token starts with ب (after a و / ف)
    place_noun: np.ndarray  # token is a place noun (مدينة, مقاطعات, region)
    prev_col: np.ndarray  # per start token: the `prev_<word>` column base it sets, or -1
    next_col: np.ndarray  # per token as the word after a span: the `next_<word>` column base, or -1
    numbers: list = None  # find_numbers of the sentence
    dates: list = None  # _Phrase list, by lang


def _title_runs(norms: list[str], brk: np.ndarray) -> np.ndarray:
    """Title words and the nisba adjectives that follow them in the same clause: in المبعوث
    الأميركي ستيف the name comes after the adjective, not right after the title. A title in the
    construct state (no article: رئيس الوفد, وزير الخارجية) takes the definite noun after it into
    the title too, since the name comes after that noun."""
    out = np.zeros(len(norms))
    for k, x in enumerate(norms):
        joined = k > 0 and out[k - 1] > 0 and not brk[k - 1]
        construct = joined and norms[k - 1] in _TITLES and not norms[k - 1].startswith("ال")
        out[k] = x in _TITLES or (joined and _nisba(x)) or (construct and x.startswith("ال") and len(x) > 3)
    # The title's complement (المبعوث الخاص للمفاوضات مع الجانب X: "envoy for the talks with ..."):
    # a word with a glued ل, then at most a preposition and its noun; the name comes after it.
    k = 1
    while k < len(norms):
        if out[k - 1] == 1.0 and not out[k] and not brk[k - 1] and norms[k].startswith("لل") and len(norms[k]) > 4:
            out[k] = COMPLEMENT
            if k + 2 < len(norms) and not brk[k] and not brk[k + 1] and norms[k + 1] in _COMPLEMENT_PREPS:
                out[k + 1] = out[k + 2] = COMPLEMENT
                k += 2
        k += 1
    return out


COMPLEMENT = 0.5  # `_title_runs` value of a title's complement (not a title word itself)
_COMPLEMENT_PREPS = _words("مع في لدى عن إلى الى على بين")


def _bracketed_after_target(
    view: SentenceView, tgt: np.ndarray, brk: np.ndarray, si: np.ndarray, sj: np.ndarray
) -> np.ndarray:
    """Per span: it fills a pair of brackets right after a phrase holding the asked noun, with no
    other break between: "which broadcaster" -> هيئة الإذاعة البريطانية (بي بي سي)."""
    toks, text = view.tokens, view.text
    out = np.zeros(len(si), dtype=bool)
    for r, (i, j) in enumerate(zip(si, sj, strict=True)):
        if i == 0 or not text[toks[i - 1].end : toks[i].start].strip().endswith("("):
            continue
        if j < len(toks) and not text[toks[j - 1].end : toks[j].start].strip().startswith(")"):
            continue
        k = i - 1
        while k >= 0 and i - k <= 4 and (k == i - 1 or not brk[k]):
            if tgt[k] > 0:
                out[r] = True
                break
            k -= 1
    return out


def _asked_titles(titles: np.ndarray, hit: np.ndarray, brk: np.ndarray) -> np.ndarray:
    """Per token of a title run (الوزير الفرنسي): how fully the run so far echoes the question.
    The person asked about by their title is the name after the title the question names."""
    out = np.zeros(len(titles))
    for k in range(len(titles)):
        if titles[k] > 0:
            before = out[k - 1] if k > 0 and titles[k - 1] > 0 and not brk[k - 1] else None
            if titles[k] == COMPLEMENT:  # the complement carries the title's echo on
                out[k] = before or 0.0
            else:
                out[k] = hit[k] if before is None else min(before, hit[k])
    return out


def _static(view: SentenceView, lexicon) -> _Static:
    memo = view.memo.get("spans")
    if memo is not None:
        return memo
    toks = view.tokens
    n = len(toks)
    gaps = [view.text[toks[k].end : toks[k + 1].start] for k in range(n - 1)]
    comma = np.array([bool(_COMMA.search(g)) for g in gaps] + [True])
    strong = np.array([bool(_STRONG.search(g)) for g in gaps] + [True])
    brk = comma | strong
    clause = np.concatenate([[0], np.cumsum(brk[:-1])]).astype(np.int64)
    norms = [t.norm for t in toks]

    def flags(pred) -> np.ndarray:
        return np.array([bool(pred(x)) for x in norms], dtype=np.float64)

    prev_col = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        prev = norms[i - 1] if i > 0 and not strong[i - 1] else ""
        x = norms[i]
        word = (
            prev if prev in _PREV_SET
            else "ب" if _prefix_prep(x, "ب", lexicon)
            else "ل" if _prefix_prep(x, "ل", lexicon)
            else "و" if x[:1] == "و" and len(x) > 3
            else None
        )  # fmt: skip
        if word is not None:
            prev_col[i] = _COL[f"prev_{word}_{ENTITY}"]
    next_col = np.full(n, -1, dtype=np.int64)
    for k, x in enumerate(norms):
        word = x if x in _NEXT_SET else "و" if x[:1] == "و" and len(x) > 3 else None
        if word is not None:
            next_col[k] = _COL[f"next_{word}_{ENTITY}"]
    name = np.array([_name_like(view, k, lexicon) for k in range(n)], dtype=np.float64)
    for k in range(1, n):
        # A word the dictionary lacks, verb-shaped only by its first letters (يانغ: ي + انغ),
        # right after a name in the same clause is the surname, not a verb.
        if name[k] == UNKNOWN_VERB and name[k - 1] >= 0.99 and not brk[k - 1]:
            name[k] = 1.0
    memo = _Static(
        norms=norms,
        comma=comma,
        strong=strong,
        brk=brk,
        clause=clause,
        stop=flags(is_stopword),
        edge_bad=[is_stopword(x) and x not in _EDGE_OK for x in norms],
        name=name,
        latin=flags(lambda x: any("a" <= c <= "z" for c in x)),
        # ستانلي looks like a future verb (س + تانلي), but the dictionary may read it as "Stanley"
        verb=flags(verb_like) * (name < 0.99),
        first_al=flags(lambda x: x.startswith("ال")),
        first_waw=flags(lambda x: x[:1] == "و" and len(x) > 3),
        titles=_title_runs(norms, brk),
        nisba=flags(_nisba),
        place=flags(lambda x: x in _PLACE_CUES),
        cause=flags(lambda x: x in _CAUSE_CUES),
        attrib=np.array(
            [float(x in _ATTRIB_CUES or (x == "عن" and k > 0 and norms[k - 1] == "نقلا")) for k, x in enumerate(norms)]
        ),
        comp=flags(lambda x: x in _COMPLEMENTIZERS),
        prep_place=flags(lambda x: _prefix_prep(x, "بل", lexicon)),
        place_noun=flags(lambda x: x in PLACE_NOUNS),
        first_b=flags(lambda x: (x[1:] if x[:1] in "وف" and len(x) > 4 else x)[:1] == "ب"),
        prev_col=prev_col,
        next_col=next_col,
        numbers=list(sentence_numbers(view)),
    )
    view.memo["spans"] = memo
    return memo


def _nearest(hit: np.ndarray, clause: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per token i: distance back to the nearest question word before i in i's clause (0: none);
    per end j: distance on to the nearest one at or after j in the clause of token j - 1 (0: none)."""
    n = len(hit)
    left = np.zeros(n + 1, dtype=np.int64)
    last = -1
    for i in range(n):
        if last >= 0 and clause[last] == clause[i]:
            left[i] = i - last
        if hit[i] > 0:
            last = i
    right = np.zeros(n + 1, dtype=np.int64)
    nxt = -1
    for j in range(n, 0, -1):
        k = j  # candidates k >= j, in the clause of token j - 1
        if k < n and hit[k] > 0:
            nxt = k
        if nxt >= 0 and clause[nxt] == clause[j - 1]:
            right[j] = nxt - j + 1
    return left, right


def _bucket_cols(values: np.ndarray, buckets: tuple[int, ...], prefix: str, none: str) -> np.ndarray:
    cols = np.array([_COL[f"{prefix}{b}"] for b in buckets])
    idx = np.searchsorted(np.array(buckets), values, side="right") - 1
    return np.where(values > 0, cols[np.maximum(idx, 0)], _COL[none])


def candidates(
    view: SentenceView,
    m: Match,
    keys: list[Key],
    qtype: QuestionType,
    lang: str,
    info: SentenceInfo,
    lexicon=None,
    question_values: frozenset[float] = frozenset(),
) -> Candidates:
    """Every candidate span of the sentence with its feature row (see `FEATURES`)."""
    toks = view.tokens
    n = len(toks)
    if n == 0:
        return Candidates(view, [], np.zeros((0, len(FEATURES))), {})
    st = _static(view, lexicon)
    kind, group = qtype.kind, _GROUP.get(qtype.kind, TEXT)
    hit = np.array(m.per_token, dtype=np.float64)
    target_keys = [k for k in keys if k.target]
    tgt = np.array(match(view, target_keys).per_token if target_keys else [0.0] * n, dtype=np.float64)
    comma, strong, brk, clause, norms, stop = st.comma, st.strong, st.brk, st.clause, st.norms, st.stop
    # A word found as a question word's root or dictionary sense (بمقتل for "killed") belongs to
    # an ordinary word family, whatever the dictionary says of its own form: no name.
    name = np.where((hit > 0) & (hit < EDGE_HIT), 0.0, st.name)

    target_nouns = (
        ([qtype.target[0]] if lang == "ar" else arabic_nouns(qtype.target[0], lexicon))
        if qtype.target and kind in (COUNT, QUANTITY)
        else []
    )
    numbers = _numbers(view, brk, target_nouns, lang, st.numbers)
    dates = view.memo.get(("dates", lang))
    if dates is None:
        dates = view.memo[("dates", lang)] = _dates(view, lang)
    if kind in (COUNT, QUANTITY):
        # the day or the year inside a date (في 1 مارس 1979) counts nothing
        numbers = [p for p in numbers if not any(d.i <= p.i and p.j <= d.j and d.j - d.i > p.j - p.i for d in dates)]
    durations = _durations(view, brk, numbers, lang)
    phrases: dict[tuple[int, int], _Phrase] = {}
    numtok = np.zeros(n)
    datetok = np.zeros(n)
    for p in numbers:
        phrases.setdefault((p.i, p.j), p)
        numtok[p.i : p.j] = 1
    for p in dates:
        phrases[(p.i, p.j)] = p
        datetok[p.i : p.j] = 1
    for p in durations:
        phrases[(p.i, p.j)] = p

    # How well each number's following words name the asked noun phrase; a number that fits
    # less well than another one in the sentence counts something else (a rival).
    fits = _unit_fits(view, brk, numbers, keys, qtype, target_nouns)
    best_fit = max(fits.values(), default=0.0)
    time_target = bool(qtype.target) and normalize(qtype.target[0]) in _TIME_UNITS

    ij: list[tuple[int, int]] = []
    edge_bad = st.edge_bad
    edge_hit = hit >= EDGE_HIT
    for i in range(n):
        crossed = False  # past a strong break only a typed phrase may go on (23 يناير/كانون الثاني)
        skip_start = edge_bad[i] or edge_hit[i]
        for j in range(i + 1, min(n, i + MAX_WORDS) + 1):
            crossed = crossed or (j - 1 > i and bool(strong[j - 2]))
            p = phrases.get((i, j))
            if p is not None:
                own = hit[i:j].min() >= 0.99 and p.unit_tokens != (i,)  # (a dual echoes the asked noun)
                if not own and not (p.kind == "number" and p.value in question_values):
                    ij.append((i, j))  # the question's own number or date is never its answer
                continue
            if crossed or skip_start or edge_bad[j - 1] or edge_hit[j - 1]:
                continue
            ij.append((i, j))
    if not ij:
        return Candidates(view, [], np.zeros((0, len(FEATURES))), phrases)

    pairs = np.array(ij, dtype=np.int64)
    si, sj = pairs[:, 0], pairs[:, 1]
    span_len = (sj - si).astype(np.float64)
    R = np.arange(len(ij))
    X = np.zeros((len(ij), len(FEATURES)))

    def cs(a: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(a)])

    def mean_in(a: np.ndarray) -> np.ndarray:
        c = cs(a)
        return (c[sj] - c[si]) / span_len

    def any_in(a: np.ndarray) -> np.ndarray:
        c = cs(a)
        return c[sj] > c[si]

    X[:, _COL["bias"]] = 1.0
    X[:, _COL["sent_cov"]] = info.coverage
    X[:, _COL["sent_first"]] = float(info.position == 0)
    X[:, _COL["sent_second"]] = float(info.position == 1)
    X[:, _COL["hit_first"]] = float(info.hit_rank == 0)
    len_cols = np.array([_COL[f"len{b}_{group}"] for b in _LEN_BUCKETS])
    X[R, len_cols[np.searchsorted(np.array(_LEN_BUCKETS), sj - si, side="right") - 1]] = 1.0
    X[:, _COL["hit_in"]] = mean_in(hit)
    X[:, _COL["stop_in"]] = mean_in(stop)
    comma_pad = np.concatenate([comma[:-1].astype(np.float64), [0.0]])  # comma after token k, k < n - 1
    c_comma = cs(comma_pad)
    X[:, _COL["comma_in"]] = (c_comma[np.maximum(sj - 1, si)] - c_comma[si]) > 0
    brk_before = np.concatenate([[True], brk[:-1]])  # a break before token i (or the start)
    left_ok = ~brk_before[si] & (si > 0)
    right_ok = (n > sj) & ~brk[sj - 1]
    hit_pad = np.concatenate([hit, [0.0]])
    prev_i = np.maximum(si - 1, 0)
    X[:, _COL["adj_left"]] = np.where(left_ok, hit[prev_i], 0.0)
    X[:, _COL["adj_right"]] = np.where(right_ok, hit_pad[sj], 0.0)
    near_left, near_right = _proximity(hit, clause)
    far_left, far_right = _proximity(hit, None)
    X[:, _COL["near_left"]] = near_left[si]
    X[:, _COL["near_right"]] = near_right[sj]
    X[:, _COL["far_left"]] = far_left[si]
    X[:, _COL["far_right"]] = far_right[sj]
    total_hits = hit.sum()
    clause_hits = np.bincount(clause, weights=hit, minlength=int(clause.max()) + 1)
    X[:, _COL["clause_share"]] = clause_hits[clause[si]] / total_hits if total_hits else 0.0

    typed_rows = np.zeros(len(ij), dtype=bool)
    for r, (i, j) in enumerate(ij):
        phrase = phrases.get((i, j))
        if phrase is None:
            continue
        typed_rows[r] = True
        row = X[r]
        if phrase.kind == "number":
            row[_kind_col("num_exact", kind, (COUNT, QUANTITY, WHEN, DURATION))] = 1.0
            unit_t = fits.get((phrase.i, phrase.j), 0.0)
            row[_COL["unit_target"]] = unit_t
            row[_COL["unit_target_val"]] = unit_t if group == VALUE else 0.0
            if qtype.target and unit_t == 0 and phrase.unit_tokens and not stop[phrase.unit_tokens[0]]:
                row[_COL["unit_other"]] = 1.0
            row[_COL["num_in_question"]] = float(phrase.value in question_values)
            row[_COL["unit_rival"]] = float(best_fit > 0 and unit_t < best_fit - FIT_TIE)
            if group == VALUE and phrase.unit_tokens and norms[phrase.unit_tokens[0]] in _TIME_UNITS:
                row[_COL["unit_time"]] = float(kind in (COUNT, QUANTITY) and not time_target)
        elif phrase.kind == "date":
            row[_kind_col("date_exact", kind, (WHEN, DURATION))] = 1.0
            if kind == WHEN:
                row[_COL["date_grain_when"]] = float(_grain_fit(qtype, phrase.grain))
        else:
            k2 = kind if kind in (WHEN, DURATION) else VALUE if group == VALUE else "other"
            row[_COL[f"dur_exact_{k2}"]] = 1.0
    plain = ~typed_rows
    X[:, _COL["num_part"]] = plain & any_in(numtok)
    X[:, _COL["date_part"]] = plain & any_in(datetok)
    X[R, _COL[f"name_mean_{kind if kind in (WHO, WHERE, WHAT) else 'other'}"]] = mean_in(name)
    not_name = (name < 0.99).astype(np.float64)
    if kind in (WHO, WHERE):
        X[:, _COL[f"name_all_{kind}"]] = ~any_in(not_name)
    if kind == WHO:
        after_title = left_ok & (st.titles[prev_i] > 0) & (st.titles[si] != COMPLEMENT)  # not inside its complement
        X[:, _COL["title_before_who"]] = after_title
        X[:, _COL["asked_title_before_who"]] = np.where(after_title, _asked_titles(st.titles, hit, brk)[prev_i], 0.0)
    cue = left_ok & (st.place[prev_i] > 0)
    if kind == WHERE:
        # بموسكو, not بداية / بحضور: a glued ب / ل marks a place only on a name
        X[:, _COL["place_before_where"]] = cue | ((st.prep_place[si] > 0) & (name[si] >= 0.99))
        # في X / بX, not لX ("for X"): the glued ل marks a beneficiary more often than a place
        at_place = cue | ((st.prep_place[si] > 0) & (st.first_b[si] > 0) & (name[si] >= 0.99))
        at_place |= left_ok & (st.place_noun[prev_i] > 0)  # مقاطعة X / مدينة X
        X[:, _COL["place_name_where"]] = at_place & ~any_in(not_name)
    else:
        X[:, _COL["place_before_other"]] = cue | (st.prep_place[si] > 0)
    X[:, _COL["cause_before_why" if kind == WHY else "cause_before_other"]] = left_ok & (st.cause[prev_i] > 0)
    comp_col = "comp_before_what" if kind in (WHAT, HOW, YESNO) else "comp_before_other"
    X[:, _COL[comp_col]] = left_ok & (st.comp[prev_i] > 0)
    if qtype.source:
        X[:, _COL["source_after_attrib"]] = left_ok & (st.attrib[prev_i] > 0)
    if qtype.speech:
        # إنّ / that right after a question word (the asked speaker, or their verb of saying)
        before = np.maximum(si - 2, 0)
        spoke = (si >= 2) & (hit[before] >= EDGE_HIT) & ~brk[before]
        X[:, _COL["said_clause_what"]] = left_ok & (st.comp[prev_i] > 0) & spoke
    tb_col = "target_before_ent" if group == ENTITY else "target_before_other"
    X[:, _COL[tb_col]] = np.where(left_ok, tgt[prev_i], 0.0)
    X[:, _COL["target_in"]] = mean_in(tgt)
    X[:, _COL["first_al"]] = st.first_al[si]
    X[:, _COL["first_waw"]] = st.first_waw[si]
    X[:, _COL["latin_in"]] = mean_in(st.latin)
    X[:, _COL["start_clause"]] = brk_before[si]
    X[:, _COL["end_clause"]] = brk[sj - 1]
    dl_tok, dr_tok = _nearest(hit, clause)
    dl, dr = dl_tok[si], dr_tok[sj]
    X[R, _bucket_cols(dl, _DIST_BUCKETS, "dleft", "dleft_none")] = 1.0
    X[R, _bucket_cols(dr, _DIST_BUCKETS, "dright", "dright_none")] = 1.0
    X[:, _COL["between"]] = (dl > 0) & (dr > 0)
    if qtype.relation:
        X[:, _COL["relation_between"]] = (dl == 1) & (dr == 1)
    if group == ENTITY:
        X[:, _COL["name_edges_ent"]] = (name[si] >= 0.99) & (name[sj - 1] >= 0.99)
        X[:, _COL["echo_edge_ent"]] = (hit[si] > 0) | (hit[sj - 1] > 0)
        X[:, _COL["paren_name_ent"]] = _bracketed_after_target(view, tgt, brk, si, sj) & ~any_in(st.latin)
        X[:, _COL["verb_in_ent"]] = any_in(st.verb)
    X[:, _COL["target_only"]] = ~any_in((tgt <= 0).astype(np.float64))
    X[:, _COL["verb_first"]] = st.verb[si]
    pc = st.prev_col[si]
    has = pc >= 0
    offset = {ENTITY: 0, VALUE: 1, TEXT: 2}[group]  # prev_<w>_ent, _val, _txt are adjacent columns
    X[R[has], pc[has] + offset] = 1.0
    # The word after the span (X في / X الذي / X and) or a clause break, by answer group.
    nc = np.where(right_ok, st.next_col[np.minimum(sj, n - 1)], -1)
    has = nc >= 0
    X[R[has], nc[has] + offset] = 1.0
    X[:, _COL[f"next_break_{group}"]] = brk[sj - 1]
    # Length and neighbouring question words by the question's own type (who/where/when... each
    # expect answers of their own length and position), on top of the grouped ones.
    X[R, _COL[f"klen{_len_bucket(1)}_{kind}"] + np.searchsorted(np.array(_LEN_BUCKETS), sj - si, side="right") - 1] = 1.0
    X[:, _COL[f"kadj_left_{kind}"]] = X[:, _COL["adj_left"]]
    X[:, _COL[f"kadj_right_{kind}"]] = X[:, _COL["adj_right"]]
    X[:, _COL[f"name_end_{group}"]] = name[sj - 1] >= 0.99
    X[:, _COL[f"stop_edge_{group}"]] = (stop[si] > 0) | (stop[sj - 1] > 0)
    # A name cut in two (فلاديمير | بوتين): the span ends on a name and the next word, in the same
    # clause, looks like a name too (graded by how much), or likewise at its start.
    name_pad = np.concatenate([name, [0.0]])
    X[:, _COL["name_cut_right"]] = np.where(right_ok & (name[sj - 1] >= 0.99), name_pad[sj], 0.0)
    X[:, _COL["name_cut_left"]] = np.where(left_ok & (name[si] >= 0.99), name[prev_i], 0.0)
    if group == ENTITY:
        X[:, _COL["nisba_first_ent"]] = st.nisba[si]  # الأوكراني فولوديمير: the adjective is not the name
    _type_fit(X, group, hit, numtok + datetok, st.verb, si, sj)
    _hole(X, view, keys, qtype, lang, brk, si, sj)
    counting = {
        (p.i, p.j) for p in numbers if fits.get((p.i, p.j), 0.0) > 0 and fits[(p.i, p.j)] >= best_fit - FIT_TIE
    }
    label = " ".join(reversed(qtype.target)) if lang == "en" and qtype.target and group == VALUE else None
    return Candidates(view, ij, X, phrases, label, frozenset(counting))


HOLE_GAP = 1  # words allowed between a span and the question word it stands beside (a particle, قد)


def _hole(
    X: np.ndarray, view: SentenceView, keys: list[Key], qtype: QuestionType, lang: str, brk: np.ndarray,
    si: np.ndarray, sj: np.ndarray,
) -> None:
    """Where the wh-word stood: beside which question word. The answer fills the slot of the
    question's wh-phrase, so in the sentence it tends to sit where the question's word right after
    (or right before) the wh-phrase is found: "أي هيئة تقدم التوجيهات" -> [X] بتقديم التوجيهات.
    Which side it takes depends on word order, so both sides are features. Arabic questions only:
    an English question's word order says little about where its translations sit in an Arabic
    sentence (measured: no gain on XQuAD dev)."""
    if lang != "ar" or not qtype.wh_tokens:
        return
    lo, hi = min(qtype.wh_tokens), max(qtype.wh_tokens)
    placed = sorted((k.at, n) for n, k in enumerate(keys) if k.at >= 0 and not k.target)
    nxt = next((keys[n] for at, n in placed if at > hi), None)
    prv = next((keys[n] for at, n in reversed(placed) if at < lo), None)
    size = len(view.tokens)
    cb = np.concatenate([[0], np.cumsum(brk.astype(np.int64))])  # breaks in brk[a:b]: cb[b] - cb[a]
    for name, key in (("next", nxt), ("prev", prv)):
        if key is None:
            continue
        at = np.zeros(size + 1)
        for k, strength in key_hits(view, key):
            at[k] = max(at[k], strength)
        before = np.zeros(len(si))  # the span ends right before the word (within HOLE_GAP words)
        after = np.zeros(len(si))  # the span starts right after it
        for gap in range(HOLE_GAP + 1):
            share = 1.0 / (gap + 1)
            end = np.minimum(sj + gap, size)  # the word's index (size: none)
            ok = (sj + gap < size) & (cb[end] - cb[sj - 1] == 0)
            before = np.maximum(before, np.where(ok, at[end] * share, 0.0))
            start = np.maximum(si - 1 - gap, 0)
            ok = (si - 1 - gap >= 0) & (cb[si] - cb[start] == 0)
            after = np.maximum(after, np.where(ok, at[start] * share, 0.0))
        X[:, _COL[f"hole_before_{name}"]] = before
        X[:, _COL[f"hole_after_{name}"]] = after


def _type_fit(
    X: np.ndarray, group: str, hit: np.ndarray, valtok: np.ndarray, verb: np.ndarray, si: np.ndarray, sj: np.ndarray
) -> None:
    """Does a span have the shape of an answer at all? Written into X in place.

    An answer is rarely made only of the question's own words (they are what the question already
    knows), a who/where answer holds no number or date, and a lone verb answers nothing. Three
    general columns fitted alone around the other weights (scripts/train_span_model.py --only):
    too few to learn the training articles, where refitting all weights with them did.
    """
    ch = np.concatenate([[0], np.cumsum(hit > 0)])
    X[:, _COL["hit_all"]] = ch[sj] - ch[si] == sj - si
    if group == ENTITY:
        cv = np.concatenate([[0.0], np.cumsum(valtok)])
        X[:, _COL["value_in_ent"]] = cv[sj] > cv[si]
    X[:, _COL["verb_only"]] = (sj - si == 1) & (verb[si] > 0)


TYPED_KINDS = {COUNT: ("number",), QUANTITY: ("number",), WHEN: ("date", "duration"), DURATION: ("duration", "date")}


def fit_level(qtype: QuestionType, span: AnswerSpan) -> int:
    """How well a span fits the asked type: 2 counts the asked noun, 1 is a value of the right kind."""
    typed = TYPED_KINDS.get(qtype.kind)
    if not typed or span.kind not in typed:
        return 0
    return 2 if qtype.kind == COUNT and qtype.target and span.counts_target else 1


def fits_better(new: AnswerSpan, old: AnswerSpan, qtype: QuestionType) -> bool | None:
    """Between two numbers of different sentences that both count the asked noun, the one whose
    words name more of its phrase (1293 من أنظمة الدفاع الجوي for "air defense systems", not
    9 أنظمة روبوتية), as `unit_rival` decides inside one sentence; None when that does not decide."""
    if fit_level(qtype, new) != 2 or fit_level(qtype, old) != 2 or abs(new.unit_fit - old.unit_fit) <= FIT_TIE:
        return None
    return new.unit_fit > old.unit_fit


def typed_first(spans: list[AnswerSpan], qtype: QuestionType) -> list[AnswerSpan]:
    """Only the spans at the best type level (all of them when the question asks for no value)."""
    if not spans:
        return spans
    level = max(fit_level(qtype, sp) for sp in spans)
    return [sp for sp in spans if fit_level(qtype, sp) == level]


_YEAR = re.compile(r"[0-9\u0660-\u0669]{4}")
YEAR_RANGE = (1000, 2100)


def _kind_for(phrase: _Phrase, text: str, qtype: QuestionType) -> str:
    """The phrase's kind for this question: a bare four-digit number (في 1519) answers "when"
    as a year, though out of context it is only a number."""
    bare = qtype.kind == WHEN and phrase.kind == "number" and not phrase.unit_tokens and phrase.value is not None
    if bare and YEAR_RANGE[0] <= phrase.value <= YEAR_RANGE[1] and _YEAR.fullmatch(text[phrase.start : phrase.end]):
        return "date"
    return phrase.kind


def _levels(cands: Candidates, qtype: QuestionType) -> np.ndarray:
    """`fit_level` of every candidate row, without building the spans."""
    typed = TYPED_KINDS.get(qtype.kind)
    out = np.zeros(len(cands.ij), dtype=np.int64)
    if not typed:
        return out
    counted = qtype.kind == COUNT and bool(qtype.target)
    for r, ij in enumerate(cands.ij):
        phrase = cands.phrases.get(ij)
        if phrase is not None and _kind_for(phrase, cands.view.text, qtype) in typed:
            out[r] = 2 if counted and phrase.kind == "number" and ij in cands.counting else 1
    return out


def best_spans(
    cands: Candidates, weights: np.ndarray | None = None, limit: int = 5, qtype: QuestionType | None = None
) -> list[AnswerSpan]:
    """The best-scoring candidates as `AnswerSpan`s (document offsets, display form), best first.

    With `qtype`, only the candidates at the best type level (`typed_first`) compete."""
    if not cands.ij:
        return []
    w = load_weights() if weights is None else weights
    scores = cands.X @ w
    if qtype is not None:
        levels = _levels(cands, qtype)
        scores = np.where(levels == levels.max(), scores, -np.inf)
    order = np.argsort(-scores, kind="stable")[:limit]
    order = order[np.isfinite(scores[order])]
    v = cands.view
    out = []
    for r in order:
        i, j = cands.ij[r]
        phrase = cands.phrases.get((i, j))
        s, e = (phrase.start, phrase.end) if phrase is not None else (v.tokens[i].start, v.tokens[j - 1].end)
        display = phrase.display if phrase is not None else v.text[s:e]
        plain = phrase.kind if phrase is not None else "phrase"
        kind = _kind_for(phrase, v.text, qtype) if phrase is not None and qtype is not None else plain
        if kind != plain:
            display = v.text[s:e]  # a year is written without a thousands separator
        counts = kind == "number" and (i, j) in cands.counting
        unit = cands.unit_label if counts else None
        timed = phrase is not None and phrase.timed
        fit = float(cands.X[r, _COL["unit_target"]]) if counts else 0.0
        span = AnswerSpan(v.start + s, v.start + e, v.text[s:e], display, kind, float(scores[r]), unit, counts, timed, fit)
        out.append(span)
    return out
