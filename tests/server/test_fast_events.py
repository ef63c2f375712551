"""Reading events through kiosk/server/fastpath.py answers exactly as the route does.

A verified token with a plain query (``after``, ``wait``, ``limit``) takes the
fast path; the same request with one more (ignored) query parameter goes
through FastAPI's route. Both must give the same bytes, and the fast path must
really answer the usual long-poll itself (checked on the ASGI layer).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from kiosk.server.run import ServerHandle

from .conftest import TOKENS, Api
from .fastlayer import asgi_call

ROUTE = "&via=route"  # an extra parameter: the fast path leaves the request to the app


def both(api: Api, query: str, role: str = "board") -> tuple[requests.Response, requests.Response]:
    route = api.get(f"/api/v1/events?{query}{ROUTE}", role)
    fast = api.get(f"/api/v1/events?{query}", role)
    return route, fast


def head(api: Api) -> int:
    return int(api.get("/api/v1/events", "board").json()["head"])


@pytest.mark.parametrize(
    "query",
    ["after=0", "after=0&limit=2", "after={head}", "after={beyond}", "after=1&wait=0"],
)
def test_pages_are_the_routes_pages(api: Api, query: str) -> None:
    for _ in range(3):
        api.issue("ho-tich")
    now = head(api)
    route, fast = both(api, query.format(head=now, beyond=now + 5))
    assert (route.status_code, fast.status_code) == (200, 200)
    assert fast.headers["content-type"] == route.headers["content-type"]
    assert fast.content == route.content


@pytest.mark.parametrize(
    "query", ["after=-1", "after=x", "after=1&limit=0", "after=1&limit=1001", "after=1&wait=-2"]
)
def test_queries_the_route_refuses_are_refused_alike(api: Api, query: str) -> None:
    route, fast = both(api, query)
    assert route.status_code == 422
    assert (fast.status_code, fast.json()) == (route.status_code, route.json())


def test_unknown_tokens_get_the_routes_answer(api: Api) -> None:
    route = api.get(f"/api/v1/events?after=0{ROUTE}", token="not-a-token")
    fast = api.get("/api/v1/events?after=0", token="not-a-token")
    assert route.status_code == 401
    assert (fast.status_code, fast.json()) == (route.status_code, route.json())


def test_a_long_poll_on_either_path_wakes_with_the_call(api: Api) -> None:
    api.issue("ho-tich")
    now = head(api)
    got: dict[str, Any] = {}

    def poll(name: str, extra: str) -> None:
        got[name] = api.get(f"/api/v1/events?after={now}&wait=20{extra}", "board")

    polls = [
        threading.Thread(target=poll, args=("fast", "")),
        threading.Thread(target=poll, args=("route", ROUTE)),
    ]
    for t in polls:
        t.start()
    # The call commits whether or not the polls are already waiting: either way
    # each answer must hold the called event (at once, or when woken).
    called = api.post("/api/v1/counters/1/next", "counter:1").json()
    for t in polls:
        t.join(30)
    fast, route = got["fast"].json(), got["route"].json()
    assert fast == route
    assert [e["type"] for e in fast["events"]] == ["called"]
    assert fast["events"][0]["ticket"]["id"] == called["id"]


def _asgi_get(server: ServerHandle, query: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    board = [(b"authorization", f"Bearer {TOKENS['board']}".encode())]
    return asgi_call(server, "GET", "/api/v1/events", board, query)


def test_the_usual_read_is_answered_by_the_fast_path_itself(server: ServerHandle, api: Api) -> None:
    api.issue("dat-dai")
    assert head(api) > 0  # verifies the board's token
    passed, sent = _asgi_get(server, b"after=0")
    assert passed == []
    assert sent[0]["status"] == 200
    assert b'"type":"issued"' in sent[1]["body"]
    passed, _ = _asgi_get(server, b"after=0&via=route")
    assert passed == ["/api/v1/events?after=0&via=route"]
