"""Calling next through kiosk/server/fastpath.py answers exactly as the route does.

A verified counter token (device or PIN session) with no body takes the fast
path; the same request with a body goes through FastAPI's route (which ignores
the body). Every answer, success or refusal, must be the same, and the fast
path must really answer the usual request itself (checked on the ASGI layer).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from kiosk.server.run import ServerHandle

from .conftest import TOKENS, Api
from .fastlayer import asgi_call

NEXT = "/api/v1/counters/{}/next"
# Differ between any two called tickets: their identity, number and times.
_OWN = {"id", "number", "seq", "issued_at", "queued_at", "called_at", "last_called_at"}


def fast(api: Api, counter: str, role: str | None = None, **kw: Any) -> requests.Response:
    return api.post(NEXT.format(counter), role or f"counter:{counter}", **kw)


def by_route(api: Api, counter: str, role: str | None = None, **kw: Any) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    return api.post(
        NEXT.format(counter), role or f"counter:{counter}", data=b"{}", headers=headers, **kw
    )


def test_a_call_from_the_fast_path_is_the_routes_call(api: Api) -> None:
    issued = [api.issue("ho-tich") for _ in range(3)]
    first = by_route(api, "1")
    second = fast(api, "1")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.headers["content-type"] == first.headers["content-type"]
    a, b = first.json(), second.json()
    assert list(a) == list(b)
    assert {k: v for k, v in a.items() if k not in _OWN} == {
        k: v for k, v in b.items() if k not in _OWN
    }
    assert [a["id"], b["id"]] == [issued[0]["id"], issued[1]["id"]]
    # The fast call finished the route's ticket (done), as the route does.
    assert api.get(f"/api/v1/tickets/{a['id']}").json()["status"] == "done"
    assert api.get(f"/api/v1/tickets/{b['id']}").json()["status"] == "called"


def test_nobody_waiting_is_204_on_either_path(api: Api) -> None:
    for call in (by_route, fast):
        r = call(api, "2")
        assert (r.status_code, r.content) == (204, b"")


@pytest.mark.parametrize(
    ("counter", "role", "token"),
    [
        ("1", "counter:2", None),  # another counter's staff
        ("9", "counter:1", None),  # no such counter
        ("1", "board", None),
        ("1", "kiosk", None),
        ("1", None, "not-a-token"),
    ],
)
def test_refusals_are_the_routes_answers(
    api: Api, counter: str, role: str | None, token: str | None
) -> None:
    if token is None:
        by_route(api, "1", role)  # the token is verified: the fast path is open to it
    route = by_route(api, counter, role, token=token)
    quick = api.post(NEXT.format(counter), role, token=token)
    assert route.status_code in (401, 403, 404)
    assert (quick.status_code, quick.json()) == (route.status_code, route.json())


def test_a_paused_counter_is_refused_on_either_path(api: Api) -> None:
    api.issue("dat-dai")
    assert api.post("/api/v1/counters/3/pause", "counter:3").status_code == 200
    route, quick = by_route(api, "3"), fast(api, "3")
    assert (route.status_code, route.json()["error"]) == (409, "counter_paused")
    assert (quick.status_code, quick.json()) == (route.status_code, route.json())


def test_a_pin_session_calls_through_the_fast_path(api: Api) -> None:
    token = api.post("/api/v1/auth/pin", json={"counter": "1", "pin": "1111"}).json()["token"]
    ticket = api.issue("chung-thuc")
    r = api.post(NEXT.format("1"), token=token)
    assert (r.status_code, r.json()["id"]) == (200, ticket["id"])


def test_the_usual_call_is_answered_by_the_fast_path_itself(server: ServerHandle, api: Api) -> None:
    assert fast(api, "1").status_code == 204  # verifies the token
    ticket = api.issue("ho-tich")
    auth = (b"authorization", f"Bearer {TOKENS['counter:1']}".encode())
    passed, sent = asgi_call(server, "POST", NEXT.format("1"), [auth, (b"content-length", b"0")])
    assert passed == []
    assert sent[0]["status"] == 200
    assert ticket["id"].encode() in sent[1]["body"]
    # A body, or a counter the token does not act for: the app answers.
    passed, _ = asgi_call(server, "POST", NEXT.format("1"), [auth, (b"content-length", b"2")])
    passed2, _ = asgi_call(server, "POST", NEXT.format("2"), [auth])
    assert passed + passed2 == [NEXT.format("1") + "?", NEXT.format("2") + "?"]
