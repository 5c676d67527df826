"""Failed-login counting per client, so a password cannot be guessed at network speed.

A client with `max_failures` failed logins inside the last `window_s` seconds is turned away (HTTP 429)
until the oldest of them ages out, even with the right password; a successful login clears its count.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_CLIENTS = 10_000  # clients remembered at once; the least recently failing are forgotten first


class LoginThrottle:
    def __init__(self, max_failures: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max(1, int(max_failures))
        self.window_s = float(window_s)
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float] | None:
        times = self._failures.get(client)
        if times is None:
            return None
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if not times:
            del self._failures[client]
            return None
        return times

    def retry_after(self, client: str) -> float:
        """Seconds until `client` may try again; 0 when it may try now."""
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            if times is None or len(times) < self.max_failures:
                return 0.0
            return max(self.window_s - (now - times[-self.max_failures]), 0.001)

    def failed(self, client: str) -> None:
        with self._lock:
            now = self._clock()
            times = self._recent(client, now) or deque(maxlen=self.max_failures)
            times.append(now)
            self._failures[client] = times
            self._failures.move_to_end(client)
            while len(self._failures) > MAX_CLIENTS:
                self._failures.popitem(last=False)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
