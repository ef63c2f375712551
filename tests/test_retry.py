"""The one retry mechanism (hardware/retry.py): Retry-After in both forms, stopping cuts a wait."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_fixed

from hardware.retry import Retryable, Stopped, cancellable, parse_retry_after, wait_retry_after

NOW = datetime(2026, 12, 6, 3, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        ("Sun, 06 Dec 2026 03:00:30 GMT", 30.0),
        ("Sun, 06 Dec 2026 02:00:00 GMT", 0.0),  # a date in the past: now
        ("", None),
        (None, None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("١٢", None),  # Arabic-Indic digits are digits to str.isdigit, not to HTTP
    ],
)
def test_retry_after_reads_seconds_and_http_dates(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def _retrying(sleeps: list[float], **kw) -> Retrying:
    return Retrying(
        stop=stop_after_attempt(3),
        retry=retry_if_exception_type(Retryable),
        sleep=sleeps.append,
        **kw,
    )


def test_the_servers_wish_wins_over_backoff_up_to_the_limit() -> None:
    wishes = iter([4.0, None])
    sleeps: list[float] = []

    def flaky() -> str:
        wish = next(wishes, "done")
        if wish == "done":
            return "ok"
        raise Retryable("busy", wish)

    wait = wait_retry_after(wait_fixed(1.5), limit=10)
    assert _retrying(sleeps, wait=wait)(flaky) == "ok"
    assert sleeps == [4.0, 1.5]


def test_a_wish_over_the_limit_raises_the_callers_sentence() -> None:
    def busy() -> None:
        raise Retryable("busy", 3600)

    wait = wait_retry_after(wait_fixed(1), limit=60, too_long=lambda s: RuntimeError(f"{s:.0f}"))
    with pytest.raises(RuntimeError, match="3600"):
        _retrying([], wait=wait)(busy)


def test_stopping_cuts_a_backoff_short() -> None:
    stop = threading.Event()
    calls: list[int] = []

    def failing() -> None:
        calls.append(1)
        stop.set()  # the owner shuts down during the first attempt
        raise Retryable("down")

    retrying = Retrying(
        retry=retry_if_exception_type(Retryable),
        wait=wait_fixed(3600),
        sleep=cancellable(stop.wait),
    )
    with pytest.raises(Stopped):
        retrying(failing)
    assert calls == [1]
