"""Web chat logins: salted scrypt password hashes and the credentials file that holds them.

The file has one user per line, `name:scrypt$N$r$p$salt$hash` (hex), like an htpasswd file: it can be
read, copied and diffed, and a leaked copy gives no password back without a brute-force search that
scrypt makes slow and memory-hungry. It is written atomically and readable by its owner only.
Passwords are never written anywhere, logged or kept in a setting that a repr could show.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
from pathlib import Path

from index.errors import SanadError

# scrypt cost: 16 MB of memory and ~50 ms per check here; a login is rare, a guess is expensive.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024  # scrypt takes any length; a megabyte "password" is only a way to burn CPU

_NAME = re.compile(r"[^\s:]{1,64}")


class CredentialsError(SanadError):
    """The credentials file or a user name/password given for it cannot be used."""


def check_name(name: str) -> str:
    """The user name as stored, or CredentialsError saying why it cannot be one."""
    if not _NAME.fullmatch(name or "") or not name.isprintable():
        msg = "a user name is 1-64 printable characters without spaces or ':'"
        raise CredentialsError(msg)
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        msg = f"the password must be at least {MIN_PASSWORD_CHARS} characters"
        raise CredentialsError(msg)
    if len(password) > MAX_PASSWORD_CHARS:
        msg = f"the password must be at most {MAX_PASSWORD_CHARS} characters"
        raise CredentialsError(msg)
    return password


def hash_password(password: str, salt: bytes | None = None) -> str:
    """`scrypt$N$r$p$salt$hash`: everything needed to check the password later, but not the password."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def verify_password(password: str, record: str) -> bool:
    """True when `password` matches `record` (constant-time compare; a malformed record never matches)."""
    try:
        kind, n, r, p, salt, key = record.split("$")
        if kind != "scrypt":
            return False
        expected = bytes.fromhex(key)
        got = _scrypt(password[:MAX_PASSWORD_CHARS], bytes.fromhex(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int = KEY_BYTES) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=64 * 2**20)


def read_users(path: Path) -> dict[str, str]:
    """{name: hash record} from a credentials file; blank lines and `#` comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as e:
        msg = f"cannot read the users file {path} ({getattr(e, 'strerror', None) or e})"
        raise CredentialsError(msg) from e
    users: dict[str, str] = {}
    for no, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, record = line.partition(":")
        if not sep or not _NAME.fullmatch(name) or not record.startswith("scrypt$") or record.count("$") != 5:
            msg = f"the users file {path} has a malformed line {no}; re-add that user with: sanad users add NAME"
            raise CredentialsError(msg)
        users[name] = record
    return users


def write_users(path: Path, users: dict[str, str]) -> None:
    """Replace the file atomically, owner read/write only (a crash leaves the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "# Sanad web chat users: name:scrypt$N$r$p$salt$hash (sanad users add/remove NAME)\n"
    body += "".join(f"{name}:{record}\n" for name, record in sorted(users.items()))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_user(path: Path, name: str, password: str) -> bool:
    """Add `name` or change its password; True when the user is new."""
    users = read_users(path)
    new = check_name(name) not in users
    users[name] = hash_password(check_password(password))
    write_users(path, users)
    return new


def remove_user(path: Path, name: str) -> None:
    users = read_users(path)
    if name not in users:
        msg = f"no user {name!r} in {path}"
        raise CredentialsError(msg)
    del users[name]
    write_users(path, users)
