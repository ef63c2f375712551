"""A kiosk whose answer was lost retries with the same key and gets the same ticket."""

from __future__ import annotations

from kiosk.client import CentreClient
from kiosk.server.run import ServerHandle
from tests.server.conftest import TOKENS, Api


def test_the_same_key_returns_the_same_ticket_and_no_second_number(api: Api) -> None:
    headers = {"Idempotency-Key": "k" * 32}
    body = {"service": "ho-tich", "kiosk": "kiosk-1"}
    first = api.post("/api/v1/tickets", "kiosk", json=body, headers=headers)
    again = api.post("/api/v1/tickets", "kiosk", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["number"] == first.json()["number"] == "A001"
    other = api.post("/api/v1/tickets", "kiosk", json=body, headers={"Idempotency-Key": "x" * 32})
    assert other.json()["number"] == "A002"
    issued = [
        e
        for e in api.get("/api/v1/events?after=0", "board").json()["events"]
        if e["type"] == "issued"
    ]
    assert len(issued) == 2


def test_a_malformed_key_is_a_4xx_with_a_reason(api: Api) -> None:
    r = api.post(
        "/api/v1/tickets",
        "kiosk",
        json={"service": "ho-tich"},
        headers={"Idempotency-Key": "bad key!"},
    )
    assert r.status_code == 422
    assert r.json()["error"]


def test_the_client_sends_a_key_and_the_token_names_the_kiosk(server: ServerHandle) -> None:
    client = CentreClient(server.url, TOKENS["kiosk"])
    ticket = client.issue_ticket("chung-thuc", idempotency_key="retry-key-0001")
    again = client.issue_ticket("chung-thuc", idempotency_key="retry-key-0001")
    assert ticket["kiosk"] == "kiosk-1"
    assert again["id"] == ticket["id"]
    client.close()
