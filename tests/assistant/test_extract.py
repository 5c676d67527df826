"""Extractive answers end to end on a small synthetic news corpus: short answers by type, with the
supporting sentence, its citation and the short answer's offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.extract import ABSTAIN, compose
from assistant.sanad import Sanad

DEFENCE = """وزارة الدفاع تعلن حصيلة جديدة

أعلنت وزارة الدفاع في بيان صدر الثلاثاء أن قواتها دمرت منذ بداية الحرب 320 دبابة و45 مدفعا.

وأضاف البيان أنه جرى أيضا تدمير 87 طائرة حربية، و12 مروحية، وأكثر من 900 طائرة مسيرة، و14 سفينة حربية، وغواصتين.

وقال المتحدث باسم الوزارة العقيد سامر الخطيب إن العمليات ستتواصل حتى نهاية العام.

وعقدت لجنة التحقيق اجتماعها الأول في مدينة طنجة يومي 12 و13 مارس الماضي.

وبلغ عدد زوار المعرض الدولي للكتاب مليون و512 ألفا و300 زائر، بحسب المنظمين.

وتأخر افتتاح الجسر الجديد بسبب نقص التمويل وارتفاع أسعار الحديد.
"""
WEATHER = """طقس معتدل في معظم المناطق

توقعت هيئة الأرصاد أن يكون الطقس معتدلا في معظم المناطق خلال الأيام المقبلة، مع فرص لهطول أمطار خفيفة على المرتفعات.

وقالت الهيئة إن درجات الحرارة ستتراوح بين 18 و25 درجة مئوية في المدن الساحلية.
وتوفي 7 بحارة في العاصفة الرملية الأخيرة قرب الميناء.
"""


@pytest.fixture(scope="module")
def news(sanad_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Sanad:
    corpus = tmp_path_factory.mktemp("news")
    (corpus / "defence.ar.txt").write_text(DEFENCE, encoding="utf-8")
    (corpus / "weather.ar.txt").write_text(WEATHER, encoding="utf-8")
    sanad = Sanad(Settings.from_env(environ={}, index_dir=sanad_home / "news-index", progress=False))
    sanad.add_paths([corpus])
    return sanad


def check_citation(sanad: Sanad, answer) -> None:
    """The quote is the document's text; the short answer's span lies inside the quote."""
    c = answer.citations[0]
    doc = sanad.snapshot().index.document_text(c.doc_id)
    assert doc[c.start : c.end] == c.quote
    assert c.passage_start <= c.start < c.end <= c.passage_end
    assert c.start <= c.span_start < c.span_end <= c.end


@pytest.mark.parametrize(
    ("question", "short", "source"),
    [
        # the sentence about tanks shares "دمرت منذ بداية الحرب" with the question; the count follows the asked noun
        ("كم طائرة حربية دمرت منذ بداية الحرب؟", "87", "87"),
        ("كم دبابة دمرت؟", "320", "320"),
        ("كم غواصة دمرت؟", "2", "غواصتين"),  # a dual
        ("كم بلغ عدد زوار المعرض الدولي للكتاب؟", "1,512,300", "مليون و512 ألفا و300"),
        ("متى عقدت لجنة التحقيق اجتماعها الأول؟", "12 و13 مارس", "12 و13 مارس"),
        ("من هو المتحدث باسم الوزارة؟", "سامر الخطيب", "سامر الخطيب"),
        # people in general: the sentence counts them by who they were (بحارة), not as أشخاص
        ("كم شخصا توفي في العاصفة الرملية؟", "7", "7"),
    ],
)
def test_arabic_short_answers(news: Sanad, question: str, short: str, source: str) -> None:
    answer = news.ask(question)
    assert not answer.abstained
    assert answer.short == short
    check_citation(news, answer)
    c = answer.citations[0]
    assert news.snapshot().index.document_text(c.doc_id)[c.span_start : c.span_end] == source
    assert answer.text.startswith(f"{short} [1]") and c.quote in answer.text  # short answer, then the sentence


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("How many warplanes were destroyed?", "87 warplanes [1]"),
        ("How many submarines were destroyed?", "2 submarines [1]"),
        ("How many visitors did the book fair have?", "1,512,300 visitors [1]"),
        ("When did the investigation committee hold its first meeting?", "March 12-13 [1]"),
    ],
)
def test_english_questions_get_english_values_with_the_arabic_source_cited(news: Sanad, question: str, text: str) -> None:
    answer = news.ask(question)
    assert not answer.abstained
    assert answer.text.split("\n")[0] == text
    check_citation(news, answer)


def _followup(sanad: Sanad, first: str, second: str):
    earlier = sanad.ask(first)
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": earlier.text}]
    return sanad.ask(second, history=history)


@pytest.mark.parametrize("first", ["How many warplanes were destroyed?", "كم طائرة حربية دمرت؟"])
def test_number_of_the_whole_asked_noun_phrase(news: Sanad, first: str) -> None:
    # 900 also counts planes (طائرة مسيرة, drones), 87 counts warplanes (طائرة حربية)
    assert news.ask(first).short == "87"


@pytest.mark.parametrize("first", ["How many warplanes were destroyed?", "كم طائرة حربية دمرت؟"])
def test_followup_counts_its_own_noun_by_a_broken_plural(news: Sanad, first: str) -> None:
    # السفن (plural) is found as سفينة after the number; the warplanes of the earlier question give way
    answer = _followup(news, first, "وماذا عن السفن الحربية؟")
    assert not answer.abstained and answer.short == "14"


def test_where_gives_a_place(news: Sanad) -> None:
    answer = news.ask("أين عقدت لجنة التحقيق اجتماعها الأول؟")
    assert answer.short is not None and "طنجة" in answer.short


def test_why_gives_the_cause(news: Sanad) -> None:
    answer = news.ask("لماذا تأخر افتتاح الجسر الجديد؟")
    assert answer.short is not None and "نقص التمويل" in answer.short


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("ما موقف الصين من الحرب؟", "ar"),  # China appears nowhere
        ("كم عدد المدنيين الذين قتلوا؟", "ar"),  # no number counts civilians
        ("What did China say about the war?", "en"),
        ("كيف أطبخ الكسكس بالخضار في المنزل؟", "ar"),  # a topic the articles never touch
    ],
)
def test_unanswerable_questions_abstain_in_their_language(news: Sanad, question: str, lang: str) -> None:
    answer = news.ask(question)
    assert answer.abstained and answer.text == ABSTAIN[lang] and answer.citations == [] and answer.short is None


def test_the_number_naming_the_whole_asked_phrase_wins_across_sentences(sanad_home: Path, tmp_path: Path) -> None:
    # both sentences count "systems" (أنظمة); only one names "air defense" too
    text = (
        "وقالت الوكالة إن القوات أحبطت هجوما مضادا قرب البلدة، كما جرى تدمير 9 أنظمة روبوتية أرضية.\n\n"
        "وقال الجيش إنه دمر منذ بداية الحرب 640 دبابة، و1293 من أنظمة الدفاع الجوي.\n"
    )
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "report.ar.txt").write_text(text, encoding="utf-8")
    sanad = Sanad(Settings.from_env(environ={}, index_dir=tmp_path / "idx", progress=False))
    sanad.add_paths([tmp_path / "c"])
    for question in ("How many air defense systems were destroyed?", "كم نظاما للدفاع الجوي دمر الجيش؟"):
        answer = sanad.ask(question)
        assert not answer.abstained and answer.short in ("1,293", "1293"), (question, answer.short)


def test_a_shared_root_alone_does_not_name_the_asked_noun(sanad_home: Path, tmp_path: Path) -> None:
    # ميدانيا ("in the field") shares the root م-د-ن with المدنيين, but 6 counts people, not civilians: the articles
    # do not say how many civilians were killed. Where they do, the number is the answer.
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "field.ar.txt").write_text(
        "ميدانيا، أفادت السلطات بمقتل 6 أشخاص في قصف استهدف البلدة منذ بداية الحرب.\n", encoding="utf-8"
    )
    sanad = Sanad(Settings.from_env(environ={}, index_dir=tmp_path / "idx", progress=False))
    sanad.add_paths([tmp_path / "c"])
    assert sanad.ask("كم عدد المدنيين الذين قتلوا منذ بداية الحرب؟").abstained
    (tmp_path / "c" / "field.ar.txt").write_text(
        "ميدانيا، أفادت السلطات بمقتل 6 من المدنيين في قصف استهدف البلدة منذ بداية الحرب.\n", encoding="utf-8"
    )
    sanad.add_paths([tmp_path / "c"])
    answer = sanad.ask("كم عدد المدنيين الذين قتلوا منذ بداية الحرب؟")
    assert not answer.abstained and answer.short == "6"


@pytest.mark.parametrize(
    ("question", "short", "source"),
    [
        ("How many air defense systems were destroyed?", "1,293", "1293 من أنظمة الدفاع الجوي"),
        ("Who leads the Ukrainian delegation?", "رستم عمروف", "رئيس الوفد الأوكراني للمفاوضات رستم عمروف"),
        ("Who said 55,000 Ukrainian soldiers were killed?", "زيلينسكي", "55 ألف جندي"),
    ],
)
def test_the_issues_questions_on_the_sample_article(sample_sanad: Sanad, question: str, short: str, source: str) -> None:
    answer = sample_sanad.ask(question)
    assert answer.short == short and source in answer.citations[0].quote
    check_citation(sample_sanad, answer)


def test_compose_puts_the_short_answer_first() -> None:
    assert compose("ar", "87", "الجملة.", None) == "87 [1]\n\n«الجملة.»"
    assert compose("en", None, "الجملة.", None) == "الجملة. [1]"
