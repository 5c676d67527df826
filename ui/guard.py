"""An ASGI layer in front of Gradio's routes for what they cannot be told to do themselves.

- Logins: a client past its failed-login budget gets HTTP 429 (with Retry-After) before its
  credentials are even checked (ui/throttle.py counts the failures from Gradio's answers).
- Uploads: Gradio serves a visitor's uploaded files back through its file routes, which would make
  the chat a file host; nothing on this page needs that, so any file under the upload folder is 404.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from ui.throttle import LoginThrottle

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FILE_ROUTES = ("/file=", "/file/")  # Gradio's /gradio_api/file=PATH and its older /gradio_api/file/PATH


def client_of(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def requested_file(path: str) -> str | None:
    """The filesystem path a file-route request asks for, or None for any other route."""
    for marker in FILE_ROUTES:
        i = path.find(marker)
        if i != -1:
            return path[i + len(marker) :]
    return None


def is_under(target: str, root: Path) -> bool:
    """Whether `target` names something inside `root`, resolved the way Gradio's file route resolves it."""
    try:
        return Path(os.path.abspath(target)).resolve().is_relative_to(root)
    except (OSError, ValueError):
        return False


async def _respond(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] = ()) -> None:
    data = json.dumps(body).encode()
    base = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": base + list(headers)})
    await send({"type": "http.response.body", "body": data})


class WebGuard:
    """Pure ASGI middleware (no request body is read or buffered)."""

    def __init__(self, app: ASGIApp, throttle: LoginThrottle, upload_root: Callable[[], str]) -> None:
        self.app = app
        self.throttle = throttle
        self.upload_root = upload_root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope.get("method", ""), scope.get("path", "")
        if method in ("GET", "HEAD"):
            target = requested_file(path)
            if target is not None and is_under(target, Path(self.upload_root()).resolve()):
                await _respond(send, 404, {"detail": "Not Found"})
                return
        elif method == "POST" and path.rstrip("/").endswith("/login"):
            await self._login(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = client_of(scope)
        wait = self.throttle.retry_after(client)
        if wait > 0:
            seconds = max(1, round(wait))
            log.warning("login from %s refused: too many failed attempts", client)
            detail = f"Too many failed logins; try again in {seconds} s."
            await _respond(send, 429, {"detail": detail}, [(b"retry-after", str(seconds).encode())])
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    self.throttle.succeeded(client)
                elif message["status"] in (400, 401):  # Gradio: 400 "Incorrect credentials."
                    self.throttle.failed(client)
            await send(message)

        await self.app(scope, receive, watch)
