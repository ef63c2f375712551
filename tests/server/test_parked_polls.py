"""Long-polls parked at their connection (kiosk/server/parking.py, fastpath.ParkedPolls).

A board's usual long-poll that must wait is parked without a task and answered
with bytes written straight to its connection. These tests speak raw HTTP/1.1
over real sockets to a real server, so they see the exact bytes, the
connection's state afterwards (keep-alive, pipelining, ``Connection: close``)
and what a hang-up leaves behind.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kiosk.server.budgets import MAX_WAITS_PER_CALLER
from kiosk.server.run import ServerHandle

from .conftest import TOKENS, Api

BOARD = f"Authorization: Bearer {TOKENS['board']}\r\n"


def poll(
    after: int, wait: float = 20, extra: str = "", headers: str = "", host: str = "127.0.0.1"
) -> bytes:
    return (
        f"GET /api/v1/events?after={after}&wait={wait:g}{extra} HTTP/1.1\r\n"
        f"Host: {host}\r\n{BOARD}{headers}\r\n"
    ).encode()


class Raw:
    """One client connection, reading whole answers (head, body) as they arrive."""

    def __init__(self, server: ServerHandle) -> None:
        host, port = server.url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answer(self) -> tuple[bytes, bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        length = int(_header(head, b"content-length") or b"0")
        while len(self.buffer) < length:
            self._more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return head, body

    def closed(self) -> bool:
        """True once the server has closed the connection (all answers read)."""
        return self.buffer == b"" and self.sock.recv(1) == b""

    def _more(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buffer += data

    def close(self) -> None:
        self.sock.close()


def _header(head: bytes, name: bytes) -> bytes | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def _without_date(head: bytes) -> bytes:
    return b"\r\n".join(x for x in head.split(b"\r\n") if not x.lower().startswith(b"date:"))


def until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Wait for ``condition`` (checked every few ms), or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.005)


@pytest.fixture
def raw(server: ServerHandle) -> Iterator[Callable[[], Raw]]:
    opened: list[Raw] = []

    def connect() -> Raw:
        opened.append(Raw(server))
        return opened[-1]

    yield connect
    for conn in opened:
        conn.close()


def parked(server: ServerHandle) -> int:
    return len(server.app.state.parked_polls)


def head_of(api: Api) -> int:
    return int(api.get("/api/v1/events", "board").json()["head"])


def called(body: bytes) -> list[dict[str, Any]]:
    return [e for e in json.loads(body)["events"] if e["type"] == "called"]


def test_a_parked_poll_gets_the_routes_bytes(
    server: ServerHandle, api: Api, raw: Callable[[], Raw]
) -> None:
    api.issue("ho-tich")
    now = head_of(api)
    fast, route = raw(), raw()
    fast.send(poll(now))
    route.send(poll(now, extra="&via=route"))  # an extra parameter: the app's route waits
    until(lambda: parked(server) == 1, "the usual poll is parked (the other is not)")
    ticket = api.post("/api/v1/counters/1/next", "counter:1").json()
    (fast_head, fast_body), (route_head, route_body) = fast.answer(), route.answer()
    assert fast_head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert _without_date(fast_head) == _without_date(route_head)
    assert fast_body == route_body
    assert [e["ticket"]["id"] for e in called(fast_body)] == [ticket["id"]]
    assert parked(server) == 0


def test_two_parked_polls_are_woken_by_one_commit(
    server: ServerHandle, api: Api, raw: Callable[[], Raw]
) -> None:
    api.issue("ho-tich")
    now = head_of(api)
    boards = [raw(), raw()]
    for board in boards:
        board.send(poll(now))
    until(lambda: parked(server) == 2, "both polls are parked")
    api.post("/api/v1/counters/1/next", "counter:1")
    first, second = (board.answer() for board in boards)
    assert first[1] == second[1]
    assert len(called(first[1])) == 1
    assert parked(server) == 0


def test_the_connection_serves_its_next_request_after_a_parked_answer(
    server: ServerHandle, api: Api, raw: Callable[[], Raw]
) -> None:
    api.issue("ho-tich")
    api.issue("ho-tich")
    now = head_of(api)
    board = raw()
    board.send(poll(now))
    until(lambda: parked(server) == 1, "the poll is parked")
    api.post("/api/v1/counters/1/next", "counter:1")
    _, body = board.answer()
    last = json.loads(body)["last"]
    # The next poll on the same kept-alive connection is parked and answered again.
    board.send(poll(last))
    until(lambda: parked(server) == 1, "the second poll is parked")
    api.post("/api/v1/counters/1/next", "counter:1")
    _, body = board.answer()
    assert len(called(body)) == 1
    # And an ordinary request after it goes through the app as usual.
    board.send(f"GET /api/v1/services HTTP/1.1\r\nHost: 127.0.0.1\r\n{BOARD}\r\n".encode())
    head, body = board.answer()
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(body)


def test_a_request_pipelined_behind_a_parked_poll_is_answered_after_it(
    server: ServerHandle, api: Api, raw: Callable[[], Raw]
) -> None:
    api.issue("ho-tich")
    now = head_of(api)
    board = raw()
    board.send(poll(now) + b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    until(lambda: parked(server) == 1, "the poll is parked")
    api.post("/api/v1/counters/1/next", "counter:1")
    _, first = board.answer()
    head, second = board.answer()
    assert len(called(first)) == 1
    assert head.startswith(b"HTTP/1.1 200") and b"events" not in second


def test_connection_close_is_answered_then_closed(
    server: ServerHandle, api: Api, raw: Callable[[], Raw]
) -> None:
    api.issue("ho-tich")
    now = head_of(api)
    board = raw()
    board.send(poll(now, headers="Connection: close\r\n"))
    until(lambda: parked(server) == 1, "the poll is parked")
    api.post("/api/v1/counters/1/next", "counter:1")
    head, body = board.answer()
    assert _header(head, b"connection") == b"close"
    assert len(called(body)) == 1
    assert board.closed()


def test_a_hang_up_while_parked_gives_the_place_back(
    server: ServerHandle, api: Api, raw: Callable[[], Raw]
) -> None:
    api.issue("ho-tich")
    now = head_of(api)
    # As many polls as one device may hold, then all hung up.
    gone = [raw() for _ in range(MAX_WAITS_PER_CALLER)]
    for board in gone:
        board.send(poll(now))
    until(lambda: parked(server) == MAX_WAITS_PER_CALLER, "every poll is parked")
    for board in gone:
        board.close()
    until(lambda: parked(server) == 0, "the hung-up polls have left")
    # The device's places are free again: a new poll is parked, not refused (429).
    board = raw()
    board.send(poll(now))
    until(lambda: parked(server) == 1, "the new poll is parked")
    api.post("/api/v1/counters/1/next", "counter:1")
    head, body = board.answer()
    assert head.startswith(b"HTTP/1.1 200")
    assert len(called(body)) == 1


def test_a_parked_poll_times_out_with_the_routes_empty_page(
    server: ServerHandle, api: Api, raw: Callable[[], Raw]
) -> None:
    api.issue("ho-tich")
    now = head_of(api)
    fast, route = raw(), raw()
    fast.send(poll(now, wait=0.3))
    route.send(poll(now, wait=0.3, extra="&via=route"))
    (fast_head, fast_body), (route_head, route_body) = fast.answer(), route.answer()
    assert fast_body == route_body == b'{"events":[],"last":%d,"head":%d}' % (now, now)
    assert _without_date(fast_head) == _without_date(route_head)
    assert parked(server) == 0


def test_polls_that_need_no_wait_or_name_another_host_are_not_parked(
    server: ServerHandle, api: Api, raw: Callable[[], Raw]
) -> None:
    api.issue("ho-tich")
    now = head_of(api)
    board = raw()
    board.send(poll(now - 1))  # an event is there already: answered at once
    _, body = board.answer()
    assert len(json.loads(body)["events"]) == 1
    board.send(poll(now, host="evil.example"))
    head, _ = board.answer()
    assert head.startswith(b"HTTP/1.1 421")  # HostCheck's refusal, as for any request
    assert parked(server) == 0
