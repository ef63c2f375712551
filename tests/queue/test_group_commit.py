"""Group commit: changes waiting for the write lock are committed together, each atomic."""

from __future__ import annotations

import threading
import time

from kiosk.queue import QueueEngine, errors

from .conftest import MakeEngine


def _held_batch(engine: QueueEngine, calls: list) -> list:
    """Run ``calls`` in threads while the write lock is held, so they commit as one batch."""
    store = engine._store
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except errors.QueueError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    with store._write_lock:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(store._pending) < len(calls):
            assert time.monotonic() < deadline, "the changes did not queue up"
            time.sleep(0.001)
    for t in threads:
        t.join(60)
    return results


def test_a_failing_change_is_rolled_back_alone(make_engine: MakeEngine) -> None:
    engine = make_engine(**{r"daily_limit = 300": "daily_limit = 2"})
    commits: list[list[str]] = []
    engine.subscribe(lambda events: commits.append([e["type"] for e in events]))
    results = _held_batch(
        engine,
        [lambda: engine.issue("ho-tich") for _ in range(4)] + [lambda: engine.issue("dat-dai")],
    )
    numbers = sorted(r["number"] for r in results if isinstance(r, dict))
    assert numbers == ["A001", "A002", "C001"]
    assert sum(isinstance(r, errors.DailyLimitReached) for r in results) == 2
    assert commits == [["issued", "issued", "issued"]]  # one commit for the whole batch
    ids = [e["id"] for e in engine.events_after(0, 100)]
    assert ids == list(range(1, len(ids) + 1))  # rolled-back changes left no hole


def test_counters_in_one_batch_still_get_different_tickets(engine: QueueEngine) -> None:
    for _ in range(3):
        engine.issue("ho-tich")
    results = _held_batch(engine, [lambda: engine.call_next("1"), lambda: engine.call_next("2")])
    assert sorted(r["number"] for r in results) == ["A001", "A002"]
    assert {r["counter"] for r in results} == {"1", "2"}
