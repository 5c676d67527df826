"""Failed-login counting per client, on a clock the test moves."""

from __future__ import annotations

from ui.throttle import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_failures_in_a_minute_lock_out_that_client_only() -> None:
    clock = Clock()
    t = LoginThrottle(5, 60, clock)
    for _ in range(4):
        t.failed("10.0.0.1")
        clock.now += 1
    assert t.retry_after("10.0.0.1") == 0
    t.failed("10.0.0.1")
    assert 55 < t.retry_after("10.0.0.1") <= 60
    assert t.retry_after("10.0.0.2") == 0  # another client is not affected


def test_the_lock_lifts_as_old_failures_age_out() -> None:
    clock = Clock()
    t = LoginThrottle(3, 60, clock)
    for _ in range(3):
        t.failed("c")
        clock.now += 10
    assert t.retry_after("c") > 0
    clock.now = 1000.0 + 60  # the first failure is a minute old
    assert t.retry_after("c") == 0
    t.failed("c")  # ... but the next one locks again: two recent plus this one
    assert t.retry_after("c") > 0


def test_a_successful_login_clears_the_count() -> None:
    t = LoginThrottle(2, 60, Clock())
    t.failed("c")
    t.succeeded("c")
    t.failed("c")
    assert t.retry_after("c") == 0
