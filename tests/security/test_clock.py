"""Issue 15, item 10: the system clock stepped back across midnight.

The server (the same uvicorn app `kiosk serve` runs, on 127.0.0.1) reads an
injected clock. After midnight opened a new day, the clock jumps back to the
evening before: tickets still go into the open day, where counters call them,
and the jump is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.config import load_config
from kiosk.queue import QueueEngine
from kiosk.queue.clock import ManualClock
from kiosk.server.run import ServerHandle, start_in_thread
from tests.conftest import write_config
from tests.security.conftest import HANG_GUARD, issue

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 9, 23, 59, 50, tzinfo=HCM))


@pytest.fixture
def server(tmp_path: Path, clock: ManualClock) -> Iterator[ServerHandle]:
    cfg = load_config(write_config(tmp_path))
    engine = QueueEngine(cfg, tmp_path / "queue.sqlite3", clock=clock)
    handle = start_in_thread(cfg, "127.0.0.1", 0, engine=engine)
    yield handle
    handle.stop()
    engine.close()


def test_a_clock_stepped_back_over_midnight_issues_into_the_open_day(
    server: ServerHandle, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    evening = issue(server.url).json()
    assert (evening["day"], evening["number"]) == ("2026-03-09", "A001")
    clock.set(datetime(2026, 3, 10, 0, 0, 10, tzinfo=HCM))
    first = issue(server.url).json()
    assert (first["day"], first["number"]) == ("2026-03-10", "A001")
    with caplog.at_level(logging.WARNING, logger="kiosk.queue.store"):
        clock.set(datetime(2026, 3, 9, 23, 59, 55, tzinfo=HCM))  # NTP steps the clock back
        stepped = issue(server.url).json()
    assert (stepped["day"], stepped["number"]) == ("2026-03-10", "A002")
    assert any("clock stepped back" in r.getMessage() for r in caplog.records)
    assert any("before the open day 2026-03-10" in r.getMessage() for r in caplog.records)
    # The counters of the open day call it (its issue time is the clock's, 15 s "earlier").
    calls = [
        requests.post(
            f"{server.url}/api/v1/counters/1/next",
            headers={"Authorization": "Bearer dev-counter-1"},
            timeout=HANG_GUARD,
        ).json()["number"]
        for _ in range(2)
    ]
    assert sorted(calls) == ["A001", "A002"]
