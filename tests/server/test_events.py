"""Long-poll delivery, timeouts, and resuming by last id across reconnects and restarts."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import requests

from kiosk.config import load_config
from kiosk.server.run import start_in_thread
from tests.conftest import write_config

from .conftest import TOKENS, Api


def test_returns_at_once_when_events_exist(api: Api) -> None:
    api.issue()
    body = api.get("/api/v1/events?after=0&wait=30", "board").json()
    assert [e["type"] for e in body["events"]] == ["day_reset", "issued"]
    assert body["last"] == body["head"] == body["events"][-1]["id"]


def test_head_is_the_newest_id_even_when_a_page_is_full(api: Api) -> None:
    for _ in range(4):
        api.issue()
    body = api.get("/api/v1/events?after=0&limit=2", "board").json()
    assert (body["last"], body["head"]) == (2, 5)


def test_without_after_answers_the_current_position(api: Api) -> None:
    api.issue()
    body = api.get("/api/v1/events", "board").json()
    assert body == {"events": [], "last": 2, "head": 2}


def test_times_out_empty_with_last_unchanged(api: Api) -> None:
    head = api.get("/api/v1/events", "board").json()["head"]
    body = api.get(f"/api/v1/events?after={head}&wait=0.2", "board").json()
    assert body == {"events": [], "last": head, "head": head}


def test_a_waiting_board_gets_the_call(api: Api) -> None:
    api.issue("dat-dai")
    head = api.get("/api/v1/events", "board").json()["head"]
    answer: list[dict] = []
    board = Api(api.url)
    waiter = threading.Thread(
        target=lambda: answer.append(
            board.get(f"/api/v1/events?after={head}&wait=30", "board").json()
        )
    )
    waiter.start()
    assert api.post("/api/v1/counters/3/next", "counter:3").status_code == 200
    waiter.join(60)
    assert not waiter.is_alive()
    [called] = answer[0]["events"]
    assert (called["type"], called["counter"], called["service"]) == ("called", "3", "dat-dai")
    assert called["ticket"]["number"] == "C001" and called["ticket"]["status"] == "called"


def _drain(url: str, after: int, until: int) -> list[int]:
    """Read events like a board: small pages, a new connection each time."""
    seen: list[int] = []
    while after < until:
        with requests.Session() as fresh:
            r = fresh.get(
                f"{url}/api/v1/events?after={after}&wait=5&limit=3",
                headers={"Authorization": f"Bearer {TOKENS['board']}"},
                timeout=60,
            )
        body = r.json()
        seen += [e["id"] for e in body["events"]]
        after = body["last"]
    return seen


def test_resume_by_last_id_misses_nothing_while_writers_run(api: Api) -> None:
    writers = [threading.Thread(target=lambda: [api.issue() for _ in range(15)]) for _ in range(3)]
    reader_result: list[list[int]] = []
    # 1 day_reset + 45 issued events in total.
    reader = threading.Thread(target=lambda: reader_result.append(_drain(api.url, 0, 46)))
    reader.start()
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
    reader.join(120)
    assert reader_result[0] == list(range(1, 47))


def test_resume_after_a_server_restart(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path))
    first = start_in_thread(cfg, "127.0.0.1", 0)
    api = Api(first.url)
    api.issue("ho-tich")
    last = api.get("/api/v1/events?after=0", "board").json()["last"]
    api.issue("chung-thuc")  # happens while the board is away
    first.stop()
    second = start_in_thread(cfg, "127.0.0.1", 0)
    try:
        api = Api(second.url)
        api.issue("dat-dai")
        body = api.get(f"/api/v1/events?after={last}", "board").json()
        assert [e["ticket"]["number"] for e in body["events"]] == ["B001", "C001"]
        assert [e["id"] for e in body["events"]] == [last + 1, last + 2]
    finally:
        second.stop()


def test_a_stopping_server_answers_its_long_polls(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path))
    handle = start_in_thread(cfg, "127.0.0.1", 0)
    head = Api(handle.url).get("/api/v1/events", "board").json()["head"]
    answer: list[dict] = []
    waiter = threading.Thread(
        target=lambda: answer.append(
            Api(handle.url).get(f"/api/v1/events?after={head}&wait=30", "board").json()
        )
    )
    waiter.start()
    # The poll waits at the server: parked at its connection (no task), or a task.
    parked, in_flight = handle.app.state.parked_polls, handle._server.server_state.tasks
    deadline = time.monotonic() + 60
    while not (len(parked) or in_flight) and waiter.is_alive():
        assert time.monotonic() < deadline, "the long poll never reached the server"
        time.sleep(0.01)
    assert waiter.is_alive()  # still waiting: what answers it now is the stop
    handle.stop()
    waiter.join(60)
    # Answered (empty) rather than cut off when the graceful shutdown runs out.
    assert answer == [{"events": [], "last": head, "head": head}]
