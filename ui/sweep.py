"""Uploaded files are transient: what was never indexed is deleted, on a timer, from Gradio's upload folder.

The page indexes an upload right after sending it and deletes it then (ui/handlers.py). What stays
behind is what a client sent straight to the upload API and never asked to index, and the temp files
Gradio's multipart parser leaves when an upload is cut off. `sweep_uploads` removes both once older
than the time-to-live (an empty temp file after a minute), and the folders they emptied.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

UPLOAD_DIR = re.compile(r"[0-9a-f]{64}")  # Gradio keeps each upload in a folder named by its sha256
PARTIAL = re.compile(r"tmp[0-9a-z_]{6,}")  # tempfile names of uploads still (or never fully) received
EMPTY_GRACE_S = 60.0  # an upload in progress is a non-empty temp file within a minute


def _older(p: Path, seconds: float, now: float) -> bool:
    try:
        return now - p.lstat().st_mtime >= seconds
    except OSError:
        return False


def _remove(p: Path) -> bool:
    try:
        p.unlink()
    except OSError:
        return False
    return True


def sweep_uploads(root: Path, ttl_s: float, now: float | None = None) -> int:
    """Delete uploads older than `ttl_s` (and empty partial files older than a minute); returns the count."""
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(root.iterdir())
    except OSError:
        return 0
    for entry in entries:
        if entry.is_symlink():
            continue
        if entry.is_dir() and UPLOAD_DIR.fullmatch(entry.name):
            emptied = 0
            for f in list(entry.iterdir()):
                if f.is_file() and not f.is_symlink() and _older(f, ttl_s, now):
                    emptied += _remove(f)
            removed += emptied
            # An empty folder we did not empty may be an upload about to be moved in: give it a minute.
            with suppress(OSError):
                if not any(entry.iterdir()) and (emptied or _older(entry, min(ttl_s, EMPTY_GRACE_S), now)):
                    entry.rmdir()
        elif entry.is_file() and PARTIAL.fullmatch(entry.name):
            try:
                empty = entry.stat().st_size == 0
            except OSError:
                continue
            if _older(entry, min(ttl_s, EMPTY_GRACE_S) if empty else ttl_s, now):
                removed += _remove(entry)
    return removed


def lifespan(upload_root: Callable[[], str], ttl_s: float) -> Callable[[Any], Any]:
    """A FastAPI lifespan that sweeps the upload folder every `ttl_s / 4` (at most every 30 s)."""
    every = min(max(ttl_s / 4, 0.2), 30.0)

    async def loop() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                n = await asyncio.to_thread(sweep_uploads, Path(upload_root()), ttl_s)
            except Exception:
                log.exception("sweeping the upload folder failed")
                continue
            if n:
                log.info("removed %d upload file(s) that were never indexed", n)

    @asynccontextmanager
    async def run(_app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    return run
