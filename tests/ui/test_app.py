"""How the web chat is served: address, login, upload cap. No browser needed."""

from __future__ import annotations

from assistant.config import Settings
from ui.app import launch_options


def test_served_on_localhost_without_login_by_default() -> None:
    opts = launch_options(Settings.from_env(environ={}))
    assert opts["server_name"] == "127.0.0.1" and opts["server_port"] == 7860
    assert opts["auth"] is None
    assert opts["show_error"] is False  # exceptions never reach the page as raw text
    assert opts["max_file_size"] == 10 * 5 * 10**6  # the server's hard cap; the 5 MB rule is ours


def test_login_only_when_both_username_and_password_are_set() -> None:
    env = {"SANAD_USERNAME": "editor"}
    assert launch_options(Settings.from_env(environ=env))["auth"] is None
    env["SANAD_PASSWORD"] = "pw"
    assert launch_options(Settings.from_env(environ=env))["auth"] == ("editor", "pw")


def test_page_styles_name_the_arabic_fonts() -> None:
    css = launch_options(Settings.from_env(environ={}))["css"]
    assert "Noto Naskh Arabic" in css and "Noto Sans Arabic" in css


# -- the search scope on the page: a date range and a choice of outlets -------------------------------
def test_the_page_offers_a_date_range_and_the_indexed_outlets(news_sanad) -> None:
    from index.filters import SearchFilter
    from ui.app import build_app

    settings = Settings.from_env(environ={})
    demo = build_app(news_sanad, settings, SearchFilter.build("2015-07-01", None, ["okaz"]))
    by_id = {getattr(b, "elem_id", None): b for b in demo.blocks.values()}
    assert by_id["sanad-since"].value == "2015-07-01" and by_id["sanad-until"].value == ""
    outlets = by_id["sanad-outlets"]
    assert [c[0] for c in outlets.choices] == ["almadina", "alriyadh", "arriyadiyah", "Gulf News", "okaz", "sabq", "spa"]
    assert outlets.value == ["okaz"] and outlets.multiselect
    scopes = [b for b in demo.blocks.values() if type(b).__name__ == "State" and isinstance(b.value, dict) and "outlets" in b.value]
    assert [s.value for s in scopes] == [{"since": "2015-07-01", "until": "", "outlets": ["okaz"]}]


def test_asking_on_the_page_searches_only_the_chosen_outlets_and_dates(news_sanad) -> None:
    from ui.handlers import Handlers

    h = Handlers(news_sanad, Settings.from_env(environ={}))
    fresh = {"shown": [], "plain": []}
    *_, (_, shown, _) = h.ask("كم سريرا في مستشفى النخيل الجديد؟", fresh, {"since": "", "until": "", "outlets": ["alriyadh"]})
    html = shown[-1]["content"]
    assert "alriyadh" in html and "2015-07-12" in html and "https://news.example/riyadh/1" in html
    assert "نُشر أيضًا في" in html  # spa and okaz carried the same wire story
    *_, (_, shown, _) = h.ask("كم سريرا في مستشفى النخيل الجديد؟", fresh, {"since": "yesterday"})
    assert "sanad-error" in shown[-1]["content"] and "--since" in shown[-1]["content"]
