"""What kind of answer a question asks for: a name, a place, a date, a number, a reason, a clause.

Retrieval uses it to find the question's interrogative frame (كم عدد / ما اسم / في أي عام): words
that say what is asked, not what the articles must contain (`assistant.query_ar`). Only
the question's own interrogative words decide it, read from the normalized question, so the same
rules serve any article. A "which/what + noun" question is typed by its head noun (في أي مدينة ->
where, in what year -> when); the noun a "how many" question counts is kept as `target`, because
the right number is the one followed by that noun.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.normalize import normalize
from index.stopwords import is_stopword
from index.tokens import Token, tokenize

WHO, WHERE, WHEN, DURATION = "who", "where", "when", "duration"
COUNT, QUANTITY, WHY, HOW, YESNO, WHAT = "count", "quantity", "why", "how", "yesno", "what"
KINDS = (WHO, WHERE, WHEN, DURATION, COUNT, QUANTITY, WHY, HOW, YESNO, WHAT)
NUMERIC = frozenset({COUNT, QUANTITY})


@dataclass(frozen=True)
class QuestionType:
    kind: str
    # The asked noun phrase in the question's words ("طائرة حربية", "warplanes"); head noun first.
    target: tuple[str, ...] = ()
    # Question tokens that only say what is asked (كم / how many / ما اسم): not topic words.
    wh_tokens: frozenset[int] = field(default_factory=frozenset)
    # "What did X say?" (ماذا قال X): the answer is what follows X's verb of saying (X said that ...).
    speech: bool = False
    # "What is X's relation to Y?" (ما صلة X بـY): the answer is the word linking X and Y (X, Y's brother).
    relation: bool = False
    # "Which source reported X?" (من المصدر الذي نقل ...): the answer is the name a report is
    # attributed to (... بحسب صحيفة X / نقلا عن مصادر Y).
    source: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


def _norms(words: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in words.split())


# Head nouns of "which X" / "أي X" questions, by the answer type they ask for (general vocabulary).
_PLACE_AR = _norms(
    "مدينة المدينة مدينه دولة الدولة بلد البلد مقاطعة المقاطعة منطقة المنطقة إقليم الإقليم قرية ولاية "
    "الولاية محافظة المحافظة جزيرة الجزيرة قارة القارة مكان المكان حي شارع مطار ملعب عاصمة العاصمة "
    "موقع الموقع بلدة البلدة بلدان البلدان دول الدول مدن المدن مناطق المناطق مقاطعات المقاطعات"
)
_PLACE_EN = _norms(
    "city cities country countries state states region regions province provinces town towns place "
    "places continent island capital county district village area location site stadium airport "
    "street neighborhood neighbourhood nation nations venue"
)
PLACE_NOUNS = _PLACE_AR | _PLACE_EN  # مدينة / مقاطعة / city ...: a name right after one is a place
_TIME_AR = _norms(
    "عام العام سنة السنة يوم اليوم شهر الشهر تاريخ التاريخ وقت الوقت قرن القرن عقد العقد فترة الفترة "
    "ساعة الساعة موسم الموسم أعوام سنوات أيام"
)
_TIME_EN = _norms("year years day days month months date time century decade period season hour era")
_PERSON_AR = _norms(
    "شخص الشخص رجل الرجل امرأة المرأة رئيس الرئيس لاعب اللاعب ملك الملك زعيم الزعيم مسؤول المسؤول "
    "وزير الوزير قائد القائد مدرب المدرب كاتب الكاتب عالم العالم فنان الفنان أمير الأمير مؤسس المؤسس "
    "مبعوث المبعوث جهة الجهة وكالة الوكالة منظمة المنظمة شركة الشركة فريق الفريق حزب الحزب صحيفة "
    "لاعبي اللاعبين لاعبو مدافعي أعضاء شخصية الشخصية ممثل الممثل ممثلة الممثلة مخترع المخترع عالم "
    "العلماء علماء رؤساء ملوك قادة مدير المدير لقب اسم"
)
_PERSON_EN = _norms(
    "person people man woman president player king queen leader official minister commander coach "
    "writer author scientist artist prince founder envoy agency organization organisation company "
    "team party newspaper group individual emperor general member"
)
_AMOUNT_AR = _norms("نسبة النسبة مساحة طول ارتفاع حجم قيمة مقدار تكلفة كلفة سعر عمق وزن سرعة عمر مبلغ")
_AMOUNT_EN = _norms("percentage percent proportion share amount size area length height value cost price depth weight speed age")
_DURATION_AR = _norms("مدة المدة")

_AR_WH = {
    **dict.fromkeys(_norms("لماذا لماذ"), WHY),
    **dict.fromkeys(_norms("كيف"), HOW),
    **dict.fromkeys(_norms("متى"), WHEN),
    **dict.fromkeys(_norms("أين اين"), WHERE),
    **dict.fromkeys(_norms("هل أ"), YESNO),
    **dict.fromkeys(_norms("ماذا"), WHAT),
}
_AR_WHICH = _norms("أي أية أيّ")
_AR_WHAT = _norms("ما")
_AR_WHO = _norms("من")
_AR_HOW_MANY = _norms("كم")
# كم دام / كم استمر: "how long did it last" asks for a duration, not an amount.
_AR_LASTED = _norms("دام دامت يدوم تدوم استمر استمرت يستمر تستمر استغرق استغرقت يستغرق تستغرق")
_AR_COUNT_NOUN = _norms("عدد العدد أعداد")
_AR_NAME = _norms("اسم أسماء")
# Nouns that count people in general: "how many people died" is answered by a number of the
# dead, wounded or passengers, which the sentence names by what happened to them, not as "people".
_PERSONS = _norms("شخص شخصا أشخاص الأشخاص الشخص الناس ناس فرد أفراد الأفراد people persons individuals")
_AR_FILLER = _norms("هو هي هم هن الذي التي الذين اللذان اللتان كان كانت بلغ يبلغ تبلغ بلغت يكون تكون من")
_AR_CAUSE = _norms("سبب السبب أسباب الأسباب الدافع دافع")
_AR_PREP = _norms("في من إلى الى على عن مع ب ل منذ حتى خلال")
_AR_SINCE = frozenset(normalize(p) for p in ("منذ متى", "إلى متى", "الى متى", "حتى متى"))

_EN_WH = {"who": WHO, "whom": WHO, "whose": WHO, "where": WHERE, "when": WHEN, "why": WHY}
_EN_AUX = _norms(
    "is are was were be been do does did can could has have had will would should shall may might must"
)
_EN_HOW_QUANTITY = {
    "much": QUANTITY, "long": DURATION, "old": QUANTITY, "far": QUANTITY, "big": QUANTITY,
    "large": QUANTITY, "tall": QUANTITY, "high": QUANTITY, "often": QUANTITY, "fast": QUANTITY,
    "heavy": QUANTITY, "deep": QUANTITY, "wide": QUANTITY, "small": QUANTITY,
}  # fmt: skip
_EN_NP_STOP = _EN_AUX | _norms("that which who of in on at to for by from with since according")


def _strip_conj(norm: str) -> str:
    """ومن / فكم -> من / كم: a leading و or ف on an interrogative."""
    if len(norm) >= 3 and norm[0] in "وف" and norm[1:] in _AR_WH.keys() | _AR_WHO | _AR_HOW_MANY | _AR_WHAT | _AR_WHICH:
        return norm[1:]
    return norm


def _head_kind(norm: str, lang: str) -> str | None:
    if lang == "ar":
        bare = norm[2:] if norm.startswith("ال") and len(norm) > 4 else norm
        for n in (norm, bare, "ال" + bare):
            if n in _PLACE_AR:
                return WHERE
            if n in _TIME_AR:
                return WHEN
            if n in _PERSON_AR:
                return WHO
            if n in _AMOUNT_AR:
                return QUANTITY
            if n in _DURATION_AR:
                return DURATION
        return None
    for table, kind in ((_PLACE_EN, WHERE), (_TIME_EN, WHEN), (_PERSON_EN, WHO), (_AMOUNT_EN, QUANTITY)):
        if norm in table:
            return kind
    return None


# Common irregular past forms that end an English noun phrase ("which envoy said ...").
_EN_VERBS = _norms(
    "said told won made took gave went became began led held lost found saw knew got came ran left "
    "built wrote sold bought brought thought fought caught taught kept sent spent paid met put set says "
    "say tell make take give become begin lead hold lose find know get come run leave build write"
)
_AR_ADJ_ENDINGS = ("ي", "يه", "يا", "ه", "ين", "ون", "يون", "يين")


def _arabic_modifier(head: str, norm: str) -> bool:
    """Can `norm` be an adjective after `head` (طائرة حربية), rather than a verb (شخصا قتلوا)?"""
    if norm.endswith("وا") or norm[:1] in "و":
        return False
    if head.startswith("ال") != norm.startswith("ال"):
        return False
    return norm.endswith(_AR_ADJ_ENDINGS)


_EN_NOT_PLURAL = frozenset("news series species means politics economics physics headquarters".split())


def _en_plural(norm: str) -> bool:
    """A plural noun by its -s (not news, series, status, crisis)."""
    return len(norm) > 3 and norm.endswith("s") and not norm.endswith(("ss", "us", "is")) and norm not in _EN_NOT_PLURAL


def _noun_phrase(toks: list[Token], i: int, lang: str, limit: int = 3) -> list[int]:
    """Token indexes of the noun phrase starting at `i` (stops at verbs' usual company: aux, stop words)."""
    out: list[int] = []
    j = i
    while j < len(toks) and len(out) < limit:
        n = toks[j].norm
        if lang == "en":
            if n in _EN_NP_STOP or is_stopword(n) or not n.isalpha():
                break
            if out and (n in _EN_VERBS or (n.endswith("ed") and len(n) > 4)):
                break  # "which agency reported ...": the verb ends the phrase
            if out and _en_plural(toks[out[-1]].norm) and not toks[out[-1]].text[:1].isupper():
                break  # "how many nations control ...": a plural noun is the head (a name, "Panthers player", is not)
        else:
            if is_stopword(n) or n[:1].isdigit():
                break
            if out and not _arabic_modifier(toks[out[0]].norm, n):
                break
        out.append(j)
        j += 1
    return out


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


def _ar_verb(norm: str) -> bool:
    return verb_like(norm)


def _arabic(toks: list[Token]) -> QuestionType:
    norms = [_strip_conj(t.norm) for t in toks]
    for i, n in enumerate(norms[:6]):
        if n in _AR_HOW_MANY:
            j = i + 1
            wh = {i}
            while j < len(norms) and (norms[j] in _AR_FILLER or norms[j] in _AR_COUNT_NOUN):
                wh.add(j)
                j += 1
            if j < len(norms) and norms[j] in _AR_LASTED:
                return QuestionType(DURATION, (), frozenset(wh | {j}))
            if j < len(norms) and _head_kind(norms[j], "ar") == QUANTITY:
                return QuestionType(QUANTITY, (toks[j].text,), frozenset(wh | {j}))
            np = _noun_phrase(toks, j, "ar", limit=2)
            if np and _ar_verb(norms[np[0]]):
                np = []  # كم تغير / كم يجب: a verb, no counted noun
            if np and _head_kind(norms[np[0]], "ar") in (WHEN, DURATION) and not any(
                norms[k] in _AR_COUNT_NOUN for k in wh
            ):
                return QuestionType(DURATION, tuple(toks[k].text for k in np), frozenset(wh))
            return QuestionType(COUNT if np else QUANTITY, tuple(toks[k].text for k in np), frozenset(wh))
        if n in _AR_WH:
            kind = _AR_WH[n]
            wh = {i}
            if kind == WHEN and i > 0 and f"{norms[i - 1]} {n}" in _AR_SINCE:
                return QuestionType(DURATION, (), frozenset({i - 1, i}))
            if kind == WHAT and i + 1 < len(norms) and norms[i + 1] in _AR_CAUSE:
                return QuestionType(WHY, (), frozenset({i, i + 1}))
            return QuestionType(kind, (), frozenset(wh))
        if n in _AR_WHICH and i + 1 < len(norms):
            if norms[i + 1] == normalize("من") and i + 2 < len(norms):  # أي من لاعبي الفريق
                return QuestionType(_head_kind(norms[i + 2], "ar") or WHAT, (toks[i + 2].text,), frozenset({i, i + 1}))
            kind = _head_kind(norms[i + 1], "ar") or WHAT
            wh = {i} | ({i - 1} if i > 0 and norms[i - 1] in _AR_PREP else set())
            if kind in (WHERE, WHEN):
                wh.add(i + 1)
            return QuestionType(kind, (toks[i + 1].text,), frozenset(wh))
        if n in _AR_WHAT:
            j = i + 1
            wh = {i}
            while j < len(norms) and norms[j] in _AR_FILLER - {normalize("من")}:
                wh.add(j)
                j += 1
            if j >= len(norms):
                return QuestionType(WHAT, (), frozenset(wh))
            nj = norms[j]
            if nj in _AR_CAUSE:
                return QuestionType(WHY, (), frozenset(wh | {j}))
            if nj in _AR_COUNT_NOUN:
                np = _noun_phrase(toks, j + 1, "ar", limit=2)
                return QuestionType(COUNT, tuple(toks[k].text for k in np), frozenset(wh | {j}))
            if nj in _AR_NAME:
                np = _noun_phrase(toks, j + 1, "ar", limit=2)
                return QuestionType(WHO, tuple(toks[k].text for k in np), frozenset(wh | {j}))
            kind = _head_kind(nj, "ar")
            if nj in _AR_PREP or (nj[:1] in "يت" and not nj.startswith("ال")):
                return QuestionType(WHAT, (), frozenset(wh))  # ما يمكن / ما في: no head noun
            if kind in (WHERE, WHEN, WHO, QUANTITY, DURATION):
                if kind in (QUANTITY, DURATION, WHEN) and not nj.startswith("ال"):
                    wh.add(j)  # ما نسبة / ما تاريخ: the noun only says what is asked
                return QuestionType(kind, (toks[j].text,), frozenset(wh))
            return QuestionType(WHAT, (toks[j].text,), frozenset(wh))
        if n in _AR_WHO:
            nxt = norms[i + 1] if i + 1 < len(norms) else ""
            if nxt in _AR_WHICH and i + 2 < len(norms):  # من أي X: "from which X"
                kind = _head_kind(norms[i + 2], "ar") or WHAT
                return QuestionType(kind, (toks[i + 2].text,), frozenset({i, i + 1}))
            if nxt in _norms("أين اين"):
                return QuestionType(WHERE, (), frozenset({i, i + 1}))
            if i == 0 or (i == 1 and norms[0] in _AR_PREP):
                return QuestionType(WHO, (), frozenset({i}))
    return QuestionType(WHAT, (), frozenset())


def _english(toks: list[Token]) -> QuestionType:
    norms = [t.norm for t in toks]
    for i, n in enumerate(norms):
        if n in _EN_WH:
            kind = _EN_WH[n]
            if kind == WHEN and i > 0 and norms[i - 1] in ("since", "until", "till"):
                kind = DURATION
            return QuestionType(kind, (), frozenset({i}))
        if n == "how" and i + 1 < len(norms):
            nxt = norms[i + 1]
            if nxt == "many":
                np = _noun_phrase(toks, i + 2, "en")
                target = tuple(toks[k].text for k in reversed(np))  # head noun (the last) first
                if np and _head_kind(norms[np[-1]], "en") == WHEN:
                    return QuestionType(DURATION, target, frozenset({i, i + 1}))
                return QuestionType(COUNT, target, frozenset({i, i + 1}))
            if nxt in _EN_HOW_QUANTITY:
                if nxt == "long" and i + 2 < len(norms) and norms[i + 2] == "ago":
                    return QuestionType(DURATION, (), frozenset({i, i + 1, i + 2}))
                return QuestionType(_EN_HOW_QUANTITY[nxt], (), frozenset({i, i + 1}))
            return QuestionType(HOW, (), frozenset({i}))
        if n in ("what", "which"):
            j = i + 1
            if j < len(norms) and norms[j] in ("happened", "happens", "happen"):
                return QuestionType(WHAT, (), frozenset({i, j}))
            if j < len(norms) and norms[j] in ("kind", "type", "sort") and j + 1 < len(norms) and norms[j + 1] == "of":
                j += 2
            k = j
            while k < len(norms) and (norms[k] in _EN_AUX or norms[k] in ("the", "a", "an")):
                k += 1
            if k > j and k < len(norms) and norms[k] in ("name", "names"):  # what is the name of ...
                np = _noun_phrase(toks, k + 2, "en") if k + 1 < len(norms) and norms[k + 1] == "of" else []
                return QuestionType(WHO, tuple(toks[x].text for x in reversed(np)), frozenset({i, k}))
            np = _noun_phrase(toks, j, "en")
            if np:
                head = norms[np[-1]]
                kind = _head_kind(head, "en")
                if head in ("name", "names"):
                    kind = WHO
                target = tuple(toks[k].text for k in reversed(np))
                wh = {i} | ({i - 1} if i > 0 and norms[i - 1] in ("in", "on", "at", "during", "from", "of") else set())
                if kind in (WHEN, QUANTITY, WHERE):
                    wh |= set(np) if kind != WHERE else set()
                    return QuestionType(kind, target, frozenset(wh))
                if kind == WHO:
                    return QuestionType(WHO, target, frozenset(wh))
                return QuestionType(WHAT, target, frozenset(wh))
            return QuestionType(WHAT, (), frozenset({i}))
    if norms and norms[0] in _EN_AUX:
        return QuestionType(YESNO, (), frozenset({0}))
    return QuestionType(WHAT, (), frozenset())


# Verbs of saying: a "what" question built on one asks for the reported words.
_SAYING = _norms("قال قالت يقول تقول ذكر ذكرت أعلن أعلنت صرح صرحت أكد أكدت say says said tell told announce announced")


_RELATION = _norms("صلة علاقة قرابة relation relationship related")
_SOURCE = _norms("المصدر مصدر المصادر نقل نقلت أورد أوردت source sources reported")


def counts_people(qtype: QuestionType) -> bool:
    """A count of people in general (كم شخصا / how many people), not of a kind of them (civilians)."""
    return qtype.kind == COUNT and bool(qtype.target) and normalize(qtype.target[0]) in _PERSONS


def detect_type(question: str, lang: str) -> QuestionType:
    """The expected answer type of `question` ('ar' or 'en'), with the asked noun when there is one."""
    toks = tokenize(question)
    if not toks:
        return QuestionType(WHAT)
    qtype = _arabic(toks) if lang == "ar" else _english(toks)
    norms = {_strip_conj(t.norm) for t in toks}
    speech = qtype.kind == WHAT and bool(norms & _SAYING)
    relation = qtype.kind in (WHAT, HOW, WHO) and bool(norms & _RELATION)
    source = qtype.kind in (WHO, WHAT) and bool(norms & _SOURCE)
    if speech or relation or source:
        return QuestionType(qtype.kind, qtype.target, qtype.wh_tokens, speech=speech, relation=relation, source=source)
    return qtype
