"""Issuing through kiosk/server/fastpath.py answers exactly as the route does.

A verified kiosk token with ``Content-Type: application/json`` takes the fast
path; the same request with ``application/json; charset=utf-8`` goes through
FastAPI's route. Every answer, success or refusal, must be the same.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from .conftest import TOKENS, Api

FAST = "application/json"
ROUTE = "application/json; charset=utf-8"
# Differ between any two tickets: their identity and their place.
_OWN = {"id", "number", "issued_at", "ahead", "eta_minutes"}


def post(api: Api, ctype: str, body: Any, **headers: str) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return api.post(
        "/api/v1/tickets", "kiosk", data=data, headers={"Content-Type": ctype, **headers}
    )


def test_a_ticket_from_the_fast_path_is_the_routes_ticket(api: Api) -> None:
    by_route = post(api, ROUTE, {"service": "dat-dai", "lang": "km", "procedure": "1.001193"})
    fast = post(api, FAST, {"service": "dat-dai", "lang": "km", "procedure": "1.001193"})
    assert (by_route.status_code, fast.status_code) == (201, 201)
    assert fast.headers["content-type"] == by_route.headers["content-type"]
    a, b = by_route.json(), fast.json()
    assert list(a) == list(b)
    assert {k: v for k, v in a.items() if k not in _OWN} == {
        k: v for k, v in b.items() if k not in _OWN
    }
    assert b["ahead"] == a["ahead"] + 1
    assert api.get(f"/api/v1/tickets/{b['id']}").json()["number"] == b["number"]


def test_a_retry_gets_the_same_ticket_on_either_path(api: Api) -> None:
    key = {"Idempotency-Key": "retry-0001"}
    first = post(api, FAST, {"service": "ho-tich"}, **key)
    again = post(api, ROUTE, {"service": "ho-tich"}, **key)
    third = post(api, FAST, {"service": "ho-tich"}, **key)
    assert first.status_code == 201
    assert first.json()["id"] == again.json()["id"] == third.json()["id"]
    reused = post(api, FAST, {"service": "dat-dai"}, **key)
    assert (reused.status_code, reused.json()["error"]) == (422, "idempotency_key_reused")


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ({"service": "ho-tich", "kiosk": "kiosk-2"}, {}),  # another kiosk's id
        ({"service": "no-such-service"}, {}),
        ({"service": "ho-tich", "lang": "fr"}, {}),
        ({"service": "ho-tich", "priority_reason": "elderly"}, {}),
        ({"service": "ho-tich", "extra": 1}, {}),
        ({"service": 5}, {}),
        (b"{not json", {}),
        (b"[]", {}),
        ({"service": "ho-tich"}, {"Idempotency-Key": "short"}),
    ],
)
def test_refusals_are_the_routes_answers(api: Api, body: Any, headers: dict[str, str]) -> None:
    post(api, ROUTE, {"service": "ho-tich"})  # the token is verified: the fast path is open
    by_route = post(api, ROUTE, body, **headers)
    fast = post(api, FAST, body, **headers)
    assert by_route.status_code >= 400
    assert (fast.status_code, fast.json()) == (by_route.status_code, by_route.json())


def test_other_roles_and_unknown_tokens_get_the_routes_answers(api: Api) -> None:
    for token in (TOKENS["board"], "not-a-token"):
        r = api.post(
            "/api/v1/tickets",
            token=token,
            data=b'{"service": "ho-tich"}',
            headers={"Content-Type": FAST},
        )
        assert r.status_code in (401, 403), r.text
        assert r.json()["error"] in ("unauthorized", "forbidden")
