"""POST /api/v1/tickets/withdraw over real HTTP: a number nobody was shown leaves the queue."""

from __future__ import annotations

from typing import Any

from .conftest import Api


def issue_with_key(api: Api, key: str, service: str = "dat-dai") -> dict[str, Any]:
    r = api.post(
        "/api/v1/tickets", "kiosk", json={"service": service}, headers={"Idempotency-Key": key}
    )
    assert r.status_code == 201, r.text
    return r.json()


def waiting(api: Api, service: str = "dat-dai") -> int:
    services = api.get("/api/v1/services", "board").json()
    rows = services["services"] if isinstance(services, dict) else services
    return next(s["waiting"] for s in rows if s["id"] == service)


def withdraw(api: Api, key: str) -> Any:
    return api.post("/api/v1/tickets/withdraw", "kiosk", json={"idempotency_key": key})


def test_a_withdrawn_ticket_leaves_the_queue_and_a_repeat_answers_the_same(api: Api) -> None:
    ghost = issue_with_key(api, "answer-came-too-late")
    after = issue_with_key(api, "the-next-citizen")
    assert (waiting(api), api.get(f"/api/v1/tickets/{after['id']}").json()["ahead"]) == (2, 1)

    r = withdraw(api, "answer-came-too-late")
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["status"]) == (ghost["id"], "withdrawn")
    assert (waiting(api), api.get(f"/api/v1/tickets/{after['id']}").json()["ahead"]) == (1, 0)
    events = api.get("/api/v1/events?after=0", "board").json()["events"]
    assert events[-1]["type"] == "withdrawn" and events[-1]["ticket"]["id"] == ghost["id"]

    again = withdraw(api, "answer-came-too-late")
    assert (again.status_code, again.json()) == (200, r.json())
    assert api.get("/api/v1/events?after=0", "board").json()["events"][-1] == events[-1]
    # The counter calls the citizen who holds a number, not the ghost.
    called = api.post("/api/v1/counters/3/next", "counter:3").json()
    assert called["id"] == after["id"]


def test_no_ticket_under_the_key_is_404_and_a_called_one_is_409(api: Api) -> None:
    r = withdraw(api, "never-reached-the-disk")
    assert (r.status_code, r.json()["error"]) == (404, "not_found")
    issue_with_key(api, "called-already")
    api.post("/api/v1/counters/3/next", "counter:3")
    r = withdraw(api, "called-already")
    assert (r.status_code, r.json()["error"]) == (409, "wrong_state")
    r = withdraw(api, "bad key!")
    assert (r.status_code, r.json()["error"]) == (422, "invalid_request")
    r = api.post("/api/v1/tickets/withdraw", "board", json={"idempotency_key": "x" * 8})
    assert r.status_code == 403
