"""The committer: changes an event loop submits are committed together and resolve its futures."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kiosk.queue import IssueOrder, QueueEngine, errors

from .conftest import MakeEngine


def test_submitted_changes_share_commits_and_each_gets_its_answer(
    make_engine: MakeEngine,
) -> None:
    engine = make_engine(**{r"daily_limit = 300": "daily_limit = 3"})
    commits: list[list[str]] = []
    engine.subscribe(lambda events: commits.append([e["type"] for e in events]))

    async def run() -> list[Any]:
        store = engine._store
        # Held lock: everything submitted meanwhile waits for one commit.
        store._write_lock.acquire()
        futures = [engine.issue_soon("ho-tich") for _ in range(5)]
        futures.append(engine.issue_soon(IssueOrder("dat-dai", kiosk="kiosk-2")))
        assert not any(f.done() for f in futures)
        store._write_lock.release()
        return await asyncio.gather(*futures, return_exceptions=True)

    results = asyncio.run(run())
    tickets = [r for r in results if isinstance(r, dict)]
    assert sorted(t["number"] for t in tickets) == ["A001", "A002", "A003", "C001"]
    assert sum(isinstance(r, errors.DailyLimitReached) for r in results) == 2
    assert commits == [["issued"] * 4]  # one commit for the whole batch
    # Every answer is on disk: a fresh read finds each ticket.
    for ticket in tickets:
        assert engine.ticket(ticket["id"])["number"] == ticket["number"]


def test_call_next_soon_calls_like_call_next(engine: QueueEngine) -> None:
    first = engine.issue("ho-tich")

    async def run() -> Any:
        return await engine.call_next_soon("1"), await engine.call_next_soon("1")

    called, nobody = asyncio.run(run())
    assert (called["id"], called["status"], nobody) == (first["id"], "called", None)
    assert engine.ticket(first["id"])["status"] == "done"


def test_a_refusal_before_any_write_raises_at_once(engine: QueueEngine) -> None:
    async def run() -> None:
        engine.issue_soon("no-such-service")

    with pytest.raises(errors.UnknownService):
        asyncio.run(run())


def test_changes_submitted_to_a_closed_store_fail_with_one_sentence(
    make_engine: MakeEngine,
) -> None:
    engine = make_engine()

    async def run() -> None:
        await engine.issue_soon("ho-tich")  # the committer is running
        engine.close()
        await engine.issue_soon("ho-tich")

    with pytest.raises(errors.StorageError, match="closed"):
        asyncio.run(run())
