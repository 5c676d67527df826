"""The chat's HTML: escaping, citation links, highlights, direction, abstentions. Pure, no server."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from assistant.answer import Answer, Citation, Hit
from ui.bidi import direction, foreign_runs, language
from ui.render import (
    esc,
    highlight,
    render_answer,
    render_error,
    render_question,
    render_stats,
    render_upload_report,
)

EVIL = "<script>document.title='pwned'</script><img src=x onerror=\"alert(1)\">"
AR_DOC = "افتتحت البلدية مكتبة عائمة على البحيرة. وتضم المكتبة 4200 كتاب في رفوفها. " + EVIL + " انتهى."


def citation(doc: str, quote: str, span: str, n: int = 1, doc_id: str = "lake.ar.txt") -> Citation:
    s = doc.index(quote)
    ss = doc.index(span, s)
    return Citation(n, doc_id, s, s + len(quote), quote, 0, len(doc), doc, ss, ss + len(span))


def test_direction_follows_the_majority_of_strong_letters() -> None:
    assert direction("كم كتابا تضم المكتبة؟") == "rtl"
    assert direction("How many books?") == "ltr"
    assert direction("ما هو GDP في 2020؟") == "rtl"  # Arabic majority, one Latin word
    assert direction("What does مكتبة mean in this text?") == "ltr"
    assert direction("ab اب") == "ltr"  # tie: the first strong letter decides
    assert direction("اب ab") == "rtl"
    assert direction("123 ?!") == "ltr"  # no letters
    assert language("سؤال") == "ar" and language("question") == "en"


def test_answer_markers_link_to_their_numbered_sources() -> None:
    c1 = citation(AR_DOC, "وتضم المكتبة 4200 كتاب في رفوفها.", "4200 كتاب", 1)
    c2 = citation(AR_DOC, "افتتحت البلدية مكتبة عائمة على البحيرة.", "مكتبة عائمة", 2)
    ans = Answer("كم كتابا؟", "ar", "تضم 4200 كتاب [1] في مكتبة عائمة [2] [7].", False, [c1, c2])
    html = render_answer(ans, "k1")
    for n in (1, 2):
        assert f'href="#sanad-k1-src-{n}"' in html
        assert f'id="sanad-k1-src-{n}"' in html
    assert html.count('class="sanad-cite"') == 2
    assert "[7]" in html  # no source 7: left as text, not a dead link
    assert "[1]" not in html and "[2]" not in html


def test_quote_highlights_exactly_the_answering_span_and_passage_is_expandable() -> None:
    c = citation(AR_DOC, "وتضم المكتبة 4200 كتاب في رفوفها.", "4200 كتاب")
    html = render_answer(Answer("q", "ar", "نعم [1]", False, [c]), "k")
    marks = re.findall(r'<mark class="sanad-span">(.*?)</mark>', html)
    assert marks == ["4200 كتاب", "4200 كتاب"]  # in the quote and again in the whole passage
    assert '<details class="sanad-passage">' in html and "عرض المقطع كاملًا" in html
    quoted = re.search(r'<span class="sanad-quoted">(.*?)</span>', html)
    assert quoted is not None
    assert re.sub(r"</?mark[^>]*>", "", quoted.group(1)) == esc(c.quote)


def test_everything_from_articles_and_questions_is_escaped() -> None:
    c = citation(AR_DOC, EVIL, "pwned")
    ans = Answer(EVIL, "en", f"It says {EVIL} [1]", False, [c], [Hit(3, "d", 0, len(AR_DOC), 1.0, AR_DOC)])
    ans.citations[0].doc_id = '<b onmouseover="x()">doc</b>'
    ans.standalone_question = EVIL + " again"
    for html in (render_answer(ans, "k"), render_question(EVIL), render_error(EVIL, "en")):
        assert "<script" not in html and "<img" not in html and "<b " not in html
        assert "&lt;script&gt;" in html or "&lt;img" in html
    report = render_upload_report(added=["<img src=x onerror=y>.txt"], refused=[("<i>.bin", "<b>binary</b>")])
    assert "<img" not in report and "<i>" not in report and "<b>" not in report
    assert "&lt;b&gt;binary&lt;/b&gt;" in report


def test_direction_is_set_per_block_by_its_own_script() -> None:
    c = citation(AR_DOC, "وتضم المكتبة 4200 كتاب في رفوفها.", "4200 كتاب")
    html = render_answer(Answer("How many books?", "en", "4200 books [1].", False, [c]), "k")
    assert html.startswith('<div class="sanad-answer" dir="ltr" lang="en">')
    assert '<blockquote class="sanad-quote" dir="rtl" lang="ar">' in html
    assert "Sources" in html
    assert render_question("كم كتابا؟").startswith('<div class="sanad-question" dir="rtl"')
    assert render_question("How many?").startswith('<div class="sanad-question" dir="ltr"')


def test_abstention_reads_as_a_note_in_the_questions_language() -> None:
    hit = Hit(0, "lake.ar.txt", 0, len(AR_DOC), 0.2, AR_DOC)
    ar = render_answer(Answer("من فاز؟", "ar", "", True, [], [hit]), "k")
    assert "لا تذكر المقالات ذلك." in ar and 'class="sanad-abstain"' in ar and 'dir="rtl"' in ar
    assert "sanad-error" not in ar
    en = render_answer(Answer("Who won?", "en", "No passage answers this.", True), "k")
    assert "No passage answers this." in en and 'class="sanad-abstain"' in en and 'dir="ltr"' in en


def test_unsafe_invisible_characters_are_dropped_and_output_is_one_line() -> None:
    s = esc("a\u202eb\ud800c\x00d\ne")
    assert s == "ab\ufffdcd<br>e"
    c = citation("line one.\n\nline two 42.", "line two 42.", "42")
    html = render_answer(Answer("q?", "en", "a\n\nb [1]", False, [c]), "k")
    assert "\n" not in html


def test_highlight_clamps_offsets_that_fall_outside_the_text() -> None:
    assert highlight("abcdef", 10, None, (12, 99)) == 'ab<mark class="sanad-span">cdef</mark>'
    assert highlight("abcdef", 10, (0, 11), (50, 60)) == '<span class="sanad-quoted">a</span>bcdef'
    assert highlight("abc", 0, None, None) == "abc"


def test_stats_panel_shows_documents_passages_and_model() -> None:
    html = render_stats({"documents": 3, "passages": 41, "model": "m<odel>"})
    assert ">3<" in html and ">41<" in html and "m&lt;odel&gt;" in html


@given(st.text())
def test_no_text_can_open_a_tag(text: str) -> None:
    inner = re.sub(r"^<div [^>]*>|</div>$", "", render_question(text))
    assert "<" not in inner.replace("<br>", "")


# -- an English answer over Arabic evidence: the quote once, right-to-left, isolated -------------------
AR_QUOTE = "وقال رئيس الوفد رستم عمروف إن الجولة الثانية بدأت في 4 فبراير."


def english_over_arabic(short: str, text: str) -> tuple[Answer, Citation]:
    doc = "مقدمة الخبر. " + AR_QUOTE + " خاتمة."
    c = citation(doc, AR_QUOTE, short)
    return Answer("Who leads the delegation?", "en", text, False, [c]), c


def test_an_english_answer_shows_its_arabic_quote_once_in_its_card() -> None:
    ans, c = english_over_arabic("رستم عمروف", f"رستم عمروف [1]\n\n«{AR_QUOTE}»")
    html = render_answer(ans, "k")
    text = re.search(r'<div class="sanad-text"[^>]*>(.*?)</div>', html)
    assert text is not None and AR_QUOTE not in text.group(1) and "«" not in text.group(1)
    quote = re.search(r'<blockquote class="sanad-quote"([^>]*)>(.*?)</blockquote>', html)
    assert quote is not None and 'dir="rtl"' in quote.group(1) and 'lang="ar"' in quote.group(1)
    assert re.sub(r"<[^>]+>", "", quote.group(2)) == AR_QUOTE


def test_arabic_words_in_an_english_line_are_isolated_with_their_digits() -> None:
    ans, _ = english_over_arabic("4 فبراير", f"4 فبراير [1]\n\n«{AR_QUOTE}»")
    html = render_answer(ans, "k")
    assert '<div class="sanad-text" dir="ltr" lang="en"><bdi dir="rtl" lang="ar">4 فبراير</bdi> <a class="sanad-cite"' in html
    ar = render_answer(Answer("من؟", "ar", "قاله Rustem Umerov 2024 [1]", False, ans.citations), "k")
    assert '<div class="sanad-text" dir="rtl" lang="ar">قاله <bdi dir="ltr" lang="en">Rustem Umerov 2024</bdi> <a' in ar


def test_an_answer_that_is_only_its_quote_points_to_the_card() -> None:
    ans, _ = english_over_arabic("", f"{AR_QUOTE} [1]")
    html = render_answer(ans, "k")
    assert html.count(esc(AR_QUOTE)) == 2  # the card's quote, and the whole passage folded under it
    assert "As the source says" in html and 'href="#sanad-k-src-1"' in html


def test_passages_are_numbered_within_their_document() -> None:
    ans, _ = english_over_arabic("رستم عمروف", "رستم عمروف [1]")
    assert "passage 3 of 12" in re.sub(r"<[^>]+>", "", render_answer(ans, "k", {1: (3, 12)}))
    ar = Answer("من؟", "ar", "رستم عمروف [1]", False, ans.citations)
    assert "المقطع 3 من 12" in re.sub(r"<[^>]+>", "", render_answer(ar, "k", {1: (3, 12)}))
    no_place = re.sub(r"<[^>]+>", "", render_answer(ans, "k"))
    assert "passage" not in no_place.replace("whole passage", "")  # no number rather than a wrong one


def test_a_local_model_folder_is_shown_by_its_name_only() -> None:
    html = render_stats({"documents": 1, "passages": 2, "model": "/home/editor/models/arabic-mini"})
    assert "arabic-mini" in html and "/home" not in html and "editor" not in html


def test_reasons_in_both_languages_keep_the_arabic_right_to_left() -> None:
    report = render_upload_report(refused=[("big.txt", {"en": "too large (50.0 MB)", "ar": "أكبر من الحد (50.0 ميغابايت)"})])
    assert 'too large (50.0 MB)<bdi class="sanad-reason-ar" dir="rtl" lang="ar">أكبر من الحد (50.0 ميغابايت)</bdi>' in report


def test_foreign_runs_take_their_numbers_and_leave_edge_punctuation_outside() -> None:
    def runs(text: str, base: str) -> list[str]:
        return [text[a:b] for a, b in foreign_runs(text, base)]

    assert runs("11642 دبابة [1]", "ltr") == ["11642 دبابة"]
    assert runs("He said: دمرت 11642. Then more.", "ltr") == ["دمرت 11642"]
    assert runs("ما دور Steve Witkoff في 2025؟", "rtl") == ["Steve Witkoff"]
    assert runs("(رستم) and (عمروف)", "ltr") == ["رستم", "عمروف"]
    assert runs("only English", "ltr") == [] and runs("", "rtl") == []


# -- news sources: outlet · date · title, linked; other outlets that published it ----------------------
def test_a_news_source_card_names_outlet_date_title_and_links_the_article() -> None:
    from assistant.answer import ArticleMeta

    c = citation(AR_DOC, "وتضم المكتبة 4200 كتاب في رفوفها.", "4200 كتاب", doc_id="feed.jsonl#7")
    c.meta = ArticleMeta("feed.jsonl#7", "مكتبة <b>عائمة</b>", "okaz", "2015-07-21T02:51:32", "https://news.example/a?x=1&y=2")
    c.also = (ArticleMeta("feed.jsonl#8", "", "sabq", "2015-07-22", "javascript:alert(1)"),)
    html = render_answer(Answer("كم كتابا؟", "ar", "4200 [1]", False, [c]), "k")
    head = html.split('class="sanad-source-head"', 1)[1].split("</div>", 1)[0]
    assert re.search(r"okaz</bdi> · <bdi[^>]*>2015-07-21</bdi> · <bdi[^>]*>مكتبة &lt;b&gt;عائمة&lt;/b&gt;</bdi>", head)
    assert 'href="https://news.example/a?x=1&amp;y=2"' in head and 'rel="noopener noreferrer nofollow"' in head
    assert "feed.jsonl#7" in head  # the document id stays, smaller, for those who check offsets
    also = html.split('class="sanad-also"', 1)[1]
    assert "نُشر أيضًا في" in also and "sabq" in also and "2015-07-22" in also
    assert "javascript:" not in html  # an address that is not http(s) is shown as text, never linked


def test_a_plain_file_source_still_shows_its_name() -> None:
    c = citation(AR_DOC, "وتضم المكتبة 4200 كتاب في رفوفها.", "4200 كتاب")
    html = render_answer(Answer("q", "ar", "4200 [1]", False, [c]), "k")
    assert '<bdi class="sanad-doc">lake.ar.txt</bdi>' in html and "sanad-also" not in html


def test_the_page_filter_reads_the_date_range_and_outlets() -> None:
    import datetime as dt

    import pytest

    from ui.handlers import page_filter

    f = page_filter(" 2015-07-01 ", "", ["okaz", "Sabq"])
    assert (f.since, f.until, f.sources) == (dt.date(2015, 7, 1), None, frozenset({"okaz", "sabq"}))
    assert page_filter(None, None, None).empty
    with pytest.raises(ValueError, match="--until"):
        page_filter("", "July", [])
