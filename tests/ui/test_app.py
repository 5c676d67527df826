"""How the web chat is served: address, login, upload cap, guard and sweeper. No browser needed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from assistant.config import Settings
from ui.access import AccessError
from ui.app import launch, launch_options
from ui.guard import WebGuard
from ui.passwords import add_user


def test_served_on_localhost_without_login_by_default() -> None:
    opts = launch_options(Settings.from_env(environ={}))
    assert opts["server_name"] == "127.0.0.1" and opts["server_port"] == 7860
    assert opts["auth"] is None
    assert opts["show_error"] is False  # exceptions never reach the page as raw text
    assert opts["max_file_size"] == 10 * 5 * 10**6  # the server's hard cap; the 5 MB rule is ours


def test_the_guard_and_the_upload_sweeper_are_installed() -> None:
    kwargs = launch_options(Settings.from_env(environ={}))["app_kwargs"]
    assert [m.cls for m in kwargs["middleware"]] == [WebGuard]
    assert callable(kwargs["lifespan"])


def test_half_a_login_refuses_to_start() -> None:
    with pytest.raises(AccessError, match="SANAD_PASSWORD is not set"):
        launch_options(Settings.from_env(environ={"SANAD_USERNAME": "editor"}))


def test_login_from_the_environment_and_the_users_file(tmp_path: Path) -> None:
    users = tmp_path / "users"
    add_user(users, "alice", "alice's password")
    env = {"SANAD_USERNAME": "editor", "SANAD_PASSWORD": "editor pass", "SANAD_USERS_FILE": str(users)}
    auth = launch_options(Settings.from_env(environ=env))["auth"]
    assert callable(auth)
    assert asyncio.run(auth("editor", "editor pass")) and asyncio.run(auth("alice", "alice's password"))
    assert not asyncio.run(auth("alice", "editor pass"))


def test_an_open_address_is_refused_before_anything_loads(tmp_path: Path) -> None:
    settings = Settings.from_env(environ={}, host="0.0.0.0", index_dir=tmp_path / "idx")
    with pytest.raises(AccessError, match="--allow-anonymous"):
        launch(settings)
    assert not (tmp_path / "idx").exists()  # refused before the index (or the model) was touched


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
