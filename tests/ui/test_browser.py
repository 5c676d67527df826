"""The web chat in a real browser: headless Chromium against the app on a free local port.

Covers what a visitor sees: cited answers in Arabic and English laid out in their own direction,
an uploaded article becoming answerable, a follow-up understood from the conversation, and HTML
inside an article or a question showing as text without running. Screenshots go to
artifacts/screenshots/.
"""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.sanad import Sanad

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--no-first-run --disable-sync --disable-quic --window-size=1400,1800"
).split()
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ANSWER = "#sanad-chat .sanad-answer, #sanad-chat .sanad-error"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()), reason="no chromium"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sanad(tmp_path_factory: pytest.TempPathFactory) -> Sanad:
    """One facade on the built-in sample article, shared by the apps below."""
    from assistant.sanad import Sanad

    s = Sanad(Settings.from_env(environ={}, index_dir=tmp_path_factory.mktemp("web") / "idx"))
    s.ensure_index()
    return s


@contextmanager
def serving(sanad: Sanad, **settings: Any) -> Iterator[str]:
    from ui.app import start

    demo, url = start(sanad, sanad.settings.replace(port=free_port(), **settings))
    try:
        yield url
    finally:
        demo.close()


@pytest.fixture(scope="module")
def server(sanad: Sanad) -> Iterator[str]:
    with serving(sanad) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def open_page(d: webdriver.Chrome, url: str) -> webdriver.Chrome:
    d.get(url)
    WebDriverWait(d, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#sanad-input textarea"))
    WebDriverWait(d, 30).until(lambda d: "Documents" in d.find_element(By.ID, "sanad-stats").text)
    return d


@pytest.fixture
def page(server: str, browser: webdriver.Chrome) -> webdriver.Chrome:
    """A fresh page, so every test starts with an empty conversation."""
    return open_page(browser, server)


def ask(d: webdriver.Chrome, question: str) -> WebElement:
    """Type a question, press Enter, return the new answer (or error) element."""
    before = len(d.find_elements(By.CSS_SELECTOR, ANSWER))
    box = d.find_element(By.CSS_SELECTOR, "#sanad-input textarea")
    box.send_keys(question)
    box.send_keys(Keys.ENTER)
    WebDriverWait(d, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ANSWER)) > before)
    return d.find_elements(By.CSS_SELECTOR, ANSWER)[-1]


def direction_of(d: webdriver.Chrome, el: WebElement) -> str:
    return d.execute_script("return getComputedStyle(arguments[0]).direction", el)


def upload(d: webdriver.Chrome, *files: Path) -> str:
    """Upload through the page's file input; return the report once every file is listed."""
    field = WebDriverWait(d, 30).until(lambda _: d.find_element(By.CSS_SELECTOR, "#sanad-upload input[type=file]"))
    field.send_keys("\n".join(str(f) for f in files))  # waited for: under load the side panel renders late
    report = d.find_element(By.ID, "sanad-report")
    WebDriverWait(d, 120).until(lambda _: all(f.name in report.text for f in files))
    return report.text


def documents(d: webdriver.Chrome) -> int:
    rows = d.find_elements(By.CSS_SELECTOR, "#sanad-stats .sanad-stat-v")
    return int(rows[0].text)


def test_arabic_and_english_answers_cite_sources_in_their_own_direction(page: webdriver.Chrome) -> None:
    ar = ask(page, "كم دبابة دمرت منذ بداية الحرب؟")
    assert "sanad-answer" in ar.get_attribute("class")
    assert ar.find_elements(By.CSS_SELECTOR, ".sanad-source"), "an answer must show its sources"
    assert ar.find_elements(By.CSS_SELECTOR, "a.sanad-cite"), "an answer must show its citation markers"
    assert "11642" in ar.text
    assert direction_of(page, ar) == "rtl"
    question_ar = page.find_elements(By.CSS_SELECTOR, "#sanad-chat .sanad-question")[-1]
    assert direction_of(page, question_ar) == "rtl"

    # A marker links to its source on the page.
    marker = ar.find_element(By.CSS_SELECTOR, "a.sanad-cite")
    target = marker.get_attribute("href").split("#", 1)[1]
    assert ar.find_element(By.ID, target).get_attribute("class") == "sanad-source"

    en = ask(page, "How many tanks have been destroyed since the war began?")
    assert en.find_elements(By.CSS_SELECTOR, ".sanad-source")
    assert direction_of(page, en) == "ltr"
    assert "Sources" in en.text
    page.save_screenshot(str(SHOTS / "chat-arabic-english.png"))


def test_uploaded_article_becomes_answerable_and_refusals_are_listed(
    page: webdriver.Chrome, tmp_path: Path
) -> None:
    question = "كم كتابا تضم المكتبة العائمة على بحيرة السوسن؟"
    before = ask(page, question)
    assert "4200" not in before.text

    article = tmp_path / "floating-library.ar.txt"
    article.write_text(
        "افتتحت بلدية مدينة زهرة الوادي يوم السبت مكتبة عائمة على بحيرة السوسن.\n\n"
        "وتضم المكتبة العائمة 4200 كتاب للأطفال والكبار، وتفتح أبوابها كل يوم من التاسعة صباحا.\n\n"
        "وقال رئيس البلدية إن المكتبة صُممت على قارب خشبي طوله 30 مترا.\n",
        encoding="utf-8",
    )
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 binary")
    docs_before = documents(page)
    report = upload(page, article, scan)
    assert "Indexed" in report and "Refused" in report
    assert "scan.pdf" in report and ".txt" in report.split("scan.pdf", 1)[1]  # the reason is shown
    WebDriverWait(page, 10).until(lambda d: documents(d) == docs_before + 1)

    after = ask(page, question)
    assert "sanad-answer" in after.get_attribute("class")
    assert "4200" in after.text
    docs = [e.text for e in after.find_elements(By.CSS_SELECTOR, ".sanad-doc")]
    assert article.name in docs
    page.save_screenshot(str(SHOTS / "upload-answerable.png"))


def test_follow_up_is_understood_from_the_conversation(page: webdriver.Chrome) -> None:
    first = ask(page, "كم دبابة دمرت منذ بداية الحرب؟")
    assert "11642" in first.text
    follow = ask(page, "وماذا عن السفن الحربية؟")
    assert "sanad-answer" in follow.get_attribute("class")
    assert "sanad-abstained" not in follow.get_attribute("class")
    quotes = " ".join(q.text for q in follow.find_elements(By.CSS_SELECTOR, ".sanad-quote"))
    assert "حرب" in quotes  # a quote from the article (which count the reader picks is the reader's tests' business)
    # The page passed the conversation on: the elliptical question was resolved (and says how).
    assert follow.find_elements(By.CSS_SELECTOR, ".sanad-understood")
    assert direction_of(page, follow) == "rtl"
    page.save_screenshot(str(SHOTS / "follow-up.png"))


def test_html_in_articles_and_questions_shows_as_text(page: webdriver.Chrome, tmp_path: Path) -> None:
    title = page.title
    payload = "<img src=x onerror=\"document.title='pwned'\">"
    script = "<script>document.title='pwned2'</script>"
    article = tmp_path / "lighthouse-log.md"
    article.write_text(
        f"# سجل المنارة\n\nكتب حارس المنارة {payload} في سجله أنه أحصى 317 نورسا على جزيرة فارنيل.\n\n"
        f"{script} وأغلقت العاصفة ميناء فارنيل يومين في شهر مارس.\n",
        encoding="utf-8",
    )
    upload(page, article)
    answer = ask(page, "كم نورسا أحصى حارس المنارة على جزيرة فارنيل؟")
    for summary in answer.find_elements(By.CSS_SELECTOR, "details.sanad-passage summary"):
        summary.click()
    assert "317" in answer.text
    assert payload in answer.text, "the article's HTML must be visible as text"
    ask(page, f"{payload} {script}")
    question = page.find_elements(By.CSS_SELECTOR, "#sanad-chat .sanad-question")[-1]
    assert question.text == f"{payload} {script}"  # the question's HTML is shown as typed
    assert not page.find_elements(By.CSS_SELECTOR, "#sanad-chat img[src='x'], #sanad-chat script")
    assert page.title == title
    page.save_screenshot(str(SHOTS / "html-as-text.png"))


def test_example_questions_answer_on_click(page: webdriver.Chrome) -> None:
    for lang in ("ar", "en"):
        before = len(page.find_elements(By.CSS_SELECTOR, ANSWER))
        page.find_element(By.CSS_SELECTOR, f"#sanad-examples-{lang} button").click()
        WebDriverWait(page, 60).until(lambda d, n=before: len(d.find_elements(By.CSS_SELECTOR, ANSWER)) > n)
    answers = page.find_elements(By.CSS_SELECTOR, ANSWER)
    assert [direction_of(page, a) for a in answers[-2:]] == ["rtl", "ltr"]
    assert all("sanad-error" not in a.get_attribute("class") for a in answers)


def login(d: webdriver.Chrome, url: str, user: str, password: str) -> None:
    d.get(url)
    name = WebDriverWait(d, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, "input[type=text]"))
    assert not d.find_elements(By.ID, "sanad-chat"), "the chat must not show before login"
    name.send_keys(user)
    d.find_element(By.CSS_SELECTOR, "input[type=password]").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "button[type=submit], button.primary").click()


def test_login_is_required_when_configured(sanad: Sanad, browser: webdriver.Chrome) -> None:
    with serving(sanad, username="editor", password="s3cret-pass") as url:
        login(browser, url, "editor", "wrong")
        WebDriverWait(browser, 10).until(lambda d: "incorrect" in d.page_source.lower())
        assert not browser.find_elements(By.ID, "sanad-chat")
        login(browser, url, "editor", "s3cret-pass")
        WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "sanad-chat"))
        open_page(browser, url)
        assert "sanad-answer" in ask(browser, "Where are the talks being held?").get_attribute("class")
    browser.delete_all_cookies()


def test_index_problems_read_as_messages_not_tracebacks(
    browser: webdriver.Chrome, tmp_path: Path, sanad: Sanad
) -> None:
    from assistant.sanad import Sanad

    empty = Sanad(sanad.settings.replace(index_dir=tmp_path / "no-index"))
    with serving(empty) as url:
        open_page(browser, url)
        err = ask(browser, "Where are the talks being held?")
        assert "sanad-error" in err.get_attribute("class")
        assert "no index" in err.text and "sanad index add" in err.text
        assert "Traceback" not in browser.page_source
        browser.save_screenshot(str(SHOTS / "error-no-index.png"))


def test_files_over_the_limit_are_refused_with_the_reason(
    sanad: Sanad, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    big = tmp_path / "long-report.txt"
    big.write_text("سطر من تقرير طويل.\n" * 2000, encoding="utf-8")  # ~40 KB
    with serving(sanad, upload_max_mb=0.01) as url:
        open_page(browser, url)
        docs_before = documents(browser)
        report = upload(browser, big)
        assert "Refused" in report and "too large" in report and "0.01 MB" in report
        assert documents(browser) == docs_before


def test_server_does_not_hand_out_local_files(server: str, sanad: Sanad) -> None:
    import urllib.error
    import urllib.request

    targets = ["/etc/passwd", str(sanad.settings.index_dir), str(Path(__file__).resolve())]
    for target in targets:
        for route in ("gradio_api/file=", "file="):
            try:
                with urllib.request.urlopen(f"{server}{route}{target}", timeout=10) as r:
                    status = r.status
            except urllib.error.HTTPError as e:
                status = e.code
            assert status in (403, 404), (route, target, status)


def test_questions_are_answered_while_an_upload_is_indexing(
    server: str, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    words = "مدينة نهر سوق جسر قطار مكتبة حديقة مدرسة ميناء مصنع سفينة طريق شارع مطار ملعب متحف".split()
    lines = [
        " ".join(words[(i * 7 + j * 3) % len(words)] for j in range(18)) + f" رقم {i}." for i in range(2500)
    ]
    big = tmp_path / "city-archive.ar.txt"
    big.write_text("\n\n".join(lines), encoding="utf-8")  # ~150 KB: several seconds of indexing

    open_page(browser, server)
    uploader = browser.current_window_handle
    browser.find_element(By.CSS_SELECTOR, "#sanad-upload input[type=file]").send_keys(str(big))
    browser.switch_to.new_window("tab")
    open_page(browser, server)
    answer = ask(browser, "كم دبابة دمرت منذ بداية الحرب؟")
    assert "11642" in answer.text
    browser.close()
    browser.switch_to.window(uploader)
    report = browser.find_element(By.ID, "sanad-report")
    assert "Indexed" not in report.text, "the question waited for the upload to finish"
    WebDriverWait(browser, 300).until(lambda _: big.name in report.text)


# -- answers that read cleanly (issue 18) ------------------------------------------------------------
EDGES_JS = """
const el = arguments[0], range = document.createRange(), out = [];
const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode())
  for (let i = 0; i < n.data.length; i++) out.push([n, i, n.data[i]]);
const rect = ([n, i]) => { range.setStart(n, i); range.setEnd(n, i + 1); const r = range.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top}; };
const isLetter = (c) => /[\\u0600-\\u06FF]/.test(c);
const lastLetter = out.map((x) => x[2]).findLastIndex(isLetter);
const tail = out.slice(lastLetter + 1).filter((x) => x[2].trim());
return {letter: rect(out[lastLetter]), tail: tail.map(rect), tailText: tail.map((x) => x[2]).join("")};
"""


def rect(d: webdriver.Chrome, el: WebElement) -> dict[str, float]:
    return d.execute_script("const r = arguments[0].getBoundingClientRect(); return {left: r.left, right: r.right};", el)


def test_an_english_answer_over_arabic_evidence_reads_cleanly(page: webdriver.Chrome) -> None:
    """Issue 18 #6-7: the LTR bubble keeps the Arabic right-to-left and isolated, the quote once, and
    the passage numbered within its document."""
    from ui.app import load_examples

    answer = ask(page, load_examples()["en"][0])  # an English question the sample answers in Arabic
    assert "sanad-answer" in answer.get_attribute("class") and direction_of(page, answer) == "ltr"
    text = answer.find_element(By.CSS_SELECTOR, ".sanad-text")
    assert direction_of(page, text) == "ltr"
    # The Arabic words of the answer line are isolated right-to-left; its marker stays after them.
    arabic = text.find_element(By.CSS_SELECTOR, "bdi[dir=rtl]")
    assert direction_of(page, arabic) == "rtl"
    marker = text.find_element(By.CSS_SELECTOR, "a.sanad-cite")
    assert rect(page, marker)["left"] >= rect(page, arabic)["right"] - 1
    # The quote is shown once, in its source card, right-to-left with its punctuation where Arabic puts it.
    quote = answer.find_element(By.CSS_SELECTOR, ".sanad-source blockquote.sanad-quote")
    assert direction_of(page, quote) == "rtl"
    assert page.execute_script("return getComputedStyle(arguments[0]).textAlign", quote) in ("right", "start")
    assert answer.text.count(quote.text) == 1 and quote.text not in text.text
    edges = page.execute_script(EDGES_JS, quote)
    for r in edges["tail"]:  # the closing punctuation sits to the left of the last word, on its line
        if abs(r["top"] - edges["letter"]["top"]) < 4:
            assert r["right"] <= edges["letter"]["left"] + 1, edges
    # Passage numbers count within the cited document: "passage k of n", 1 <= k <= n.
    where = answer.find_element(By.CSS_SELECTOR, ".sanad-where").text
    k, n = map(int, re.search(r"passage (\d+) of (\d+)", where).groups())
    assert 1 <= k <= n
    page.save_screenshot(str(SHOTS / "english-over-arabic.png"))


def test_a_new_articles_passage_is_numbered_in_that_article(page: webdriver.Chrome, tmp_path: Path) -> None:
    article = tmp_path / "harbour-crane.ar.txt"
    article.write_text(
        "ركّبت إدارة ميناء الصخيرات الجديد رافعة عملاقة يوم الإثنين.\n\n"
        "وتحمل الرافعة العملاقة 310 أطنان في الرفعة الواحدة، وقال مدير الميناء إنها الأكبر في المنطقة.\n",
        encoding="utf-8",
    )
    upload(page, article)
    answer = ask(page, "كم تحمل الرافعة العملاقة؟")
    cards = [c for c in answer.find_elements(By.CSS_SELECTOR, ".sanad-source") if article.name in c.text]
    assert cards, "the new article must be cited"
    where = cards[0].find_element(By.CSS_SELECTOR, ".sanad-where").text
    assert re.search(r"المقطع 1 من 1\b", where), where  # its only passage, not a count across the index


def test_a_50_mb_upload_is_listed_as_refused_in_both_languages(page: webdriver.Chrome, tmp_path: Path) -> None:
    """Issue 18 #8: the file never leaves the browser, and the panel says why, with the limit."""
    big = tmp_path / "archive-2024.txt"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # 52.4 MB, sparse: nothing is written to disk
    docs_before = documents(page)
    report = upload(page, big)
    assert "Refused" in report and "مرفوض" in report
    assert "52.4 MB" in report and "the limit is 5 MB per file" in report
    assert "52.4 ميغابايت" in report and "الحد 5 ميغابايت" in report
    assert documents(page) == docs_before
    assert "exceed" not in page.find_element(By.TAG_NAME, "body").text.lower()  # no brief pop-up instead
    page.save_screenshot(str(SHOTS / "upload-refused-50mb.png"))


def test_a_50_mb_file_beside_a_good_one_is_refused_and_the_other_indexed(
    page: webdriver.Chrome, tmp_path: Path
) -> None:
    big = tmp_path / "scans-2023.md"
    with big.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    good = tmp_path / "ferry-timetable.txt"
    good.write_text("The winter ferry to the northern island leaves at 07:15 every weekday.\n", encoding="utf-8")
    docs_before = documents(page)
    report = upload(page, big, good)
    assert "Indexed" in report and "Refused" in report
    assert report.index(good.name) < report.index("Refused") < report.index(big.name)
    assert "5 MB per file" in report.split(big.name, 1)[1]
    WebDriverWait(page, 10).until(lambda d: documents(d) == docs_before + 1)
