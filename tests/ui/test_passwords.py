"""The credentials file: salted scrypt hashes, written atomically, owner-only, never a password."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ui.passwords import (
    CredentialsError,
    add_user,
    check_name,
    hash_password,
    read_users,
    remove_user,
    verify_password,
)


def test_a_hash_checks_its_password_only_and_is_salted() -> None:
    a, b = hash_password("correct horse"), hash_password("correct horse")
    assert a != b  # a fresh salt each time: equal passwords do not show as equal hashes
    assert a.startswith("scrypt$16384$8$1$") and "correct horse" not in a
    assert verify_password("correct horse", a) and verify_password("correct horse", b)
    assert not verify_password("correct horsE", a)
    assert not verify_password("", a)


@pytest.mark.parametrize(
    "record",
    ["", "scrypt$1$2", "md5$16384$8$1$00$00", "scrypt$x$8$1$00$00", "scrypt$16384$8$1$zz$00", "scrypt$3$8$1$00$00"],
)
def test_a_malformed_record_never_matches(record: str) -> None:
    assert not verify_password("anything", record)


def test_users_are_added_changed_and_removed_in_an_owner_only_file(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "users"
    assert read_users(path) == {}  # no file yet: no users
    assert add_user(path, "alice", "first password") is True
    assert add_user(path, "bob", "bob's password") is True
    assert add_user(path, "alice", "second password") is False  # a change, not a new user
    users = read_users(path)
    assert sorted(users) == ["alice", "bob"]
    assert verify_password("second password", users["alice"])
    assert not verify_password("first password", users["alice"])
    text = path.read_text(encoding="utf-8")
    assert "password" not in text.split("\n", 1)[1]  # only the header comment says the word
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["users"]  # no temp file left behind
    remove_user(path, "bob")
    assert sorted(read_users(path)) == ["alice"]
    with pytest.raises(CredentialsError, match="no user 'bob'"):
        remove_user(path, "bob")


@pytest.mark.parametrize("name", ["", "two words", "a:b", "x" * 65, "tab\there", "bell\x07"])
def test_bad_user_names_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="user name"):
        check_name(name)
    with pytest.raises(CredentialsError):
        add_user(tmp_path / "users", name, "long enough password")
    assert not (tmp_path / "users").exists()


@pytest.mark.parametrize(("password", "why"), [("short", "at least 8"), ("x" * 1025, "at most 1024")])
def test_bad_passwords_are_refused_and_change_nothing(password: str, why: str, tmp_path: Path) -> None:
    path = tmp_path / "users"
    add_user(path, "alice", "first password")
    before = path.read_bytes()
    with pytest.raises(CredentialsError, match=why):
        add_user(path, "alice", password)
    assert path.read_bytes() == before


def test_a_malformed_line_is_an_error_naming_the_line_not_its_content(tmp_path: Path) -> None:
    path = tmp_path / "users"
    path.write_text("# comment\n\nalice:plaintext-secret\n", encoding="utf-8")
    with pytest.raises(CredentialsError, match="line 3") as err:
        read_users(path)
    assert "plaintext-secret" not in str(err.value)
