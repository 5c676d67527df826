"""Who may use the web chat: loopback or login, or an explicit --allow-anonymous with a warning."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from assistant.config import Settings
from ui.access import AccessError, exposure_warning, is_loopback, load_accounts
from ui.passwords import add_user


def settings(**kw) -> Settings:
    return Settings.from_env(environ={}, **kw)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_addresses(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "192.168.1.20", "2001:db8::1", "no-such-host.invalid"])
def test_other_addresses(host: str) -> None:
    assert not is_loopback(host)


def test_a_non_loopback_address_without_login_is_refused_in_one_line() -> None:
    with pytest.raises(AccessError) as err:
        exposure_warning(settings(host="0.0.0.0"), None)
    msg = str(err.value)
    assert "\n" not in msg and "0.0.0.0:7860" in msg and "--allow-anonymous" in msg and "sanad users add" in msg


def test_allow_anonymous_serves_with_a_warning_line() -> None:
    warning = exposure_warning(settings(host="0.0.0.0", allow_anonymous=True), None)
    assert warning is not None and warning.startswith("warning: ") and "\n" not in warning
    assert "0.0.0.0:7860" in warning and "without a login" in warning


def test_loopback_or_a_login_needs_no_warning(tmp_path: Path) -> None:
    assert exposure_warning(settings(), None) is None
    s = settings(host="0.0.0.0", username="editor", password="s3cret pass")
    assert exposure_warning(s, load_accounts(s)) is None


@pytest.mark.parametrize(
    ("env", "missing"),
    [({"SANAD_USERNAME": "editor"}, "SANAD_PASSWORD"), ({"SANAD_PASSWORD": "s3cret pass"}, "SANAD_USERNAME")],
)
def test_half_a_login_is_refused_naming_what_is_missing(env: dict[str, str], missing: str) -> None:
    with pytest.raises(AccessError, match=f"^{missing} is not set") as err:
        load_accounts(Settings.from_env(environ=env))
    assert "s3cret" not in str(err.value)


def test_accounts_come_from_the_environment_and_the_users_file(tmp_path: Path) -> None:
    users = tmp_path / "users"
    add_user(users, "alice", "alice's password")
    assert load_accounts(settings()) is None
    assert load_accounts(settings(users_file=str(tmp_path / "absent"))) is None
    accounts = load_accounts(settings(users_file=str(users), username="editor", password="editor pass"))
    assert accounts is not None and sorted(accounts.users) == ["alice", "editor"]
    assert accounts.verify("alice", "alice's password") and accounts.verify("editor", "editor pass")
    assert not accounts.verify("alice", "editor pass")
    assert not accounts.verify("nobody", "alice's password")
    assert not accounts.verify("nobody", "no such user")  # the decoy hash's own password opens nothing


def test_no_password_reaches_a_repr_or_a_log(caplog: pytest.LogCaptureFixture) -> None:
    s = settings(username="editor", password="hunter2-secret")
    assert "hunter2-secret" not in repr(s) and "hunter2-secret" not in str(s)
    accounts = load_accounts(s)
    assert accounts is not None and "hunter2-secret" not in repr(accounts)
    auth = accounts.gradio_auth()
    with caplog.at_level(logging.DEBUG):
        assert asyncio.run(auth("editor", "hunter2-secret")) is True
        assert asyncio.run(auth("editor", "hunter2-secreT")) is False
    assert "editor" in caplog.text  # the refusal is logged, by name only
    assert "hunter2" not in caplog.text
