"""Who may use the web chat: the login accounts, and whether an address may be served without one.

Safe by default: on a loopback address the chat is private to this machine and login is optional;
on any other address it is refused unless there is a login or the operator says `--allow-anonymous`
(then a `warning:` line says what is exposed). A half-configured login (only a user name, or only a
password) is an error, never a silent "login off".
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings
from index.errors import SanadError
from ui.passwords import hash_password, read_users, verify_password

log = logging.getLogger(__name__)

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class AccessError(SanadError):
    """The chat cannot start with this address and login configuration."""


@dataclass(frozen=True)
class Accounts:
    """Users who may log in: {name: scrypt record}. Checking a password costs one scrypt either way."""

    users: dict[str, str] = field(repr=False)
    _dummy: str = field(default_factory=lambda: hash_password("no such user"), repr=False)

    def verify(self, name: str, password: str) -> bool:
        record = self.users.get(name)
        ok = verify_password(password, record or self._dummy)  # unknown names take as long as known ones
        return ok and record is not None

    def gradio_auth(self) -> Callable[[str, str], Awaitable[bool]]:
        """The `auth=` callable for Gradio: scrypt runs in a worker thread, not on the event loop."""
        import anyio.to_thread

        async def auth(name: str, password: str) -> bool:
            ok = await anyio.to_thread.run_sync(self.verify, name, password)
            if not ok:
                log.warning("login refused for user %r", name[:64])
            return ok

        return auth


def load_accounts(settings: Settings) -> Accounts | None:
    """The accounts from SANAD_USERNAME/SANAD_PASSWORD and the users file, or None when login is off."""
    if bool(settings.username) != bool(settings.password):
        missing, given = (
            ("SANAD_PASSWORD", "SANAD_USERNAME") if settings.username else ("SANAD_USERNAME", "SANAD_PASSWORD")
        )
        msg = f"{missing} is not set but {given} is: set both for a login, or neither"
        raise AccessError(msg)
    users = read_users(Path(settings.users_file)) if settings.users_file else {}
    if settings.username:
        users[settings.username] = hash_password(settings.password)
    return Accounts(users) if users else None


def is_loopback(host: str) -> bool:
    """True when `host` only listens on this machine (127.0.0.0/8, ::1, or a name resolving only there)."""
    name = host.strip().strip("[]")
    if name.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def exposure_warning(settings: Settings, accounts: Accounts | None) -> str | None:
    """None when the address is safe as configured, a `warning:` line for an open non-loopback address,
    or AccessError when such an address has neither a login nor an explicit `--allow-anonymous`."""
    if accounts is not None or is_loopback(settings.host):
        return None
    where = f"{settings.host}:{settings.port}"
    if not settings.allow_anonymous:
        msg = (
            f"refusing to serve the chat on {where} without a login, where anyone on the network could ask "
            "and add articles; add a user (sanad users add NAME), or set SANAD_USERNAME and SANAD_PASSWORD, "
            "or pass --allow-anonymous to serve it openly"
        )
        raise AccessError(msg)
    return (
        f"warning: serving on {where} without a login: anyone who can reach this address can ask questions, "
        "read the indexed articles in answers and add articles to the index"
    )
