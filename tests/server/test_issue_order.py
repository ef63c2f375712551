"""An issue request reaches the engine as one ``IssueOrder``, every field intact.

The route and the fast path (kiosk/server/fastpath.py) both map the HTTP body with
``issue_call``; a field that one of them forgot would be lost between the kiosk and
the database without any error.
"""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from kiosk.queue import IssueOrder
from kiosk.server.models import IssueRequest
from kiosk.server.run import ServerHandle
from tests.server.conftest import Api


def test_the_order_carries_every_field_of_the_request() -> None:
    order = {f.name for f in fields(IssueOrder)}
    # The key comes as a header; every body field is in the order.
    assert set(IssueRequest.model_fields) | {"idempotency_key"} == order


# The fast path takes exactly this content type; with a charset the route answers.
@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
def test_every_field_of_a_request_is_stored(
    api: Api, server: ServerHandle, content_type: str
) -> None:
    body = {
        "service": "ho-tich",
        "priority": True,
        "priority_reason": "pregnancy",
        "lang": "km",
        "procedure": "1.001193",
        "kiosk": "kiosk-1",
    }
    headers = {"Idempotency-Key": f"order-{len(content_type)}", "Content-Type": content_type}
    r = api.post("/api/v1/tickets", "kiosk", data=json.dumps(body), headers=headers)
    assert r.status_code == 201, r.text
    stored = server.engine.ticket(r.json()["id"])
    assert (stored["priority"], stored["priority_reason"]) == (True, "pregnancy")
    assert (stored["lang"], stored["procedure"], stored["kiosk"]) == ("km", "1.001193", "kiosk-1")
    again = api.post("/api/v1/tickets", "kiosk", data=json.dumps(body), headers=headers)
    assert again.json()["id"] == stored["id"]  # the key went through too
