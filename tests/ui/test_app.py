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
