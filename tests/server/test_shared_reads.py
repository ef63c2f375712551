"""Long-polls woken by one commit share one page read (kiosk/server/budgets.py)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from kiosk.server.auth import Throttled
from kiosk.server.budgets import MAX_READS_PER_CALLER, MAX_READS_QUEUED, ReadBudget


def test_many_callers_share_one_read_and_one_device_keeps_its_budget() -> None:
    release = threading.Event()
    calls: list[int] = []

    def page(after: int) -> str:
        calls.append(after)
        release.wait(30)
        return f"page after {after}"

    async def main() -> None:
        budget = ReadBudget()
        try:
            callers = [f"board@10.0.{n // 250}.{n % 250}" for n in range(MAX_READS_QUEUED * 4)]
            shares = [asyncio.ensure_future(budget.shared(c, (7, 200), page, 7)) for c in callers]
            flood = [
                asyncio.ensure_future(budget.shared("board@10.9.9.9", (7, 200), page, 7))
                for _ in range(MAX_READS_PER_CALLER + 1)
            ]
            await asyncio.sleep(0)  # every request has joined the read under way
            release.set()
            assert await asyncio.gather(*shares) == ["page after 7"] * len(callers)
            outcomes = await asyncio.gather(*flood, return_exceptions=True)
            refused = [o for o in outcomes if isinstance(o, Throttled)]
            assert len(refused) == 1  # one device beyond its own budget is still refused
            assert calls == [7]  # hundreds of readers, one read
        finally:
            budget.close()

    asyncio.run(main())


def test_a_failed_read_fails_its_sharers_and_is_not_kept() -> None:
    def broken(after: int) -> str:
        raise OSError("disk gone")

    async def main() -> None:
        budget = ReadBudget()
        try:
            with pytest.raises(OSError):
                await budget.shared("board@a", (1, 200), broken, 1)
            assert await budget.shared("board@a", (1, 200), lambda after: "fine", 1) == "fine"
        finally:
            budget.close()

    asyncio.run(main())
