"""Saved web pages: the article's main text and its metadata, not the page's menus and footers."""

from __future__ import annotations

from pathlib import Path

from index.documents import Document, Refusal, iter_articles, read_articles
from index.passages import split_passages

BODY = (
    "أعلنت البلدية افتتاح السوق الجديدة للمزارعين في وسط المدينة بعد عامين من العمل المتواصل. "
    "وقال رئيس البلدية إن السوق تضم أكثر من مئتي متجر وستفتح أبوابها كل يوم جمعة. "
    "وأضاف أن المشروع كلف ثلاثة ملايين ريال ومول من ميزانية البلدية."
)

PAGE = f"""<!doctype html>
<html lang="ar" dir="rtl"><head>
<meta charset="utf-8">
<title>سوق جديدة للمزارعين | صحيفة المثال</title>
<meta property="og:title" content="سوق جديدة للمزارعين">
<meta property="og:site_name" content="صحيفة المثال">
<meta property="article:published_time" content="2015-07-21T09:30:00+03:00">
<link rel="canonical" href="https://news.example.com/2015/07/21/market">
</head><body>
<nav><a href="/">الرئيسية</a> <a href="/sport">رياضة</a> <a href="/econ">اقتصاد</a></nav>
<article><h1>سوق جديدة للمزارعين</h1><p>{BODY}</p></article>
<aside><h3>الأكثر قراءة</h3><ul><li>خبر آخر لا علاقة له</li><li>إعلان</li></ul></aside>
<footer>جميع الحقوق محفوظة ٢٠١٥ · سياسة الخصوصية</footer>
</body></html>"""


def test_main_text_and_metadata_are_extracted() -> None:
    [doc] = list(read_articles("market.html", PAGE.encode("utf-8")))
    assert isinstance(doc, Document), doc
    assert doc.doc_id == "market.html"
    assert BODY in doc.text
    assert "سياسة الخصوصية" not in doc.text and "الرئيسية" not in doc.text  # footer and menu left out
    assert doc.title == "سوق جديدة للمزارعين"
    assert doc.source == "صحيفة المثال"
    assert doc.date.startswith("2015-07-21")
    assert doc.url == "https://news.example.com/2015/07/21/market"
    for p in split_passages(doc.doc_id, doc.text, 20):
        assert doc.text[p.start : p.end] == p.text


def test_a_page_without_article_text_is_refused() -> None:
    [item] = list(read_articles("empty.htm", b"<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>"))
    assert isinstance(item, Refusal) and item.reason == "no article text found in the page"


def test_a_page_in_another_encoding_is_refused_like_any_file(tmp_path: Path) -> None:
    (tmp_path / "old.html").write_bytes(PAGE.replace('charset="utf-8"', 'charset="windows-1256"').encode("cp1256", errors="replace"))
    [item] = list(iter_articles([tmp_path]))
    assert isinstance(item, Refusal) and "UTF-8" in item.reason
