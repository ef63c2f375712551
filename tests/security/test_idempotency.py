"""Issue 15, item 11: an Idempotency-Key reused with a different request.

The same key and the same request give the ticket already issued (a retry of a
lost answer); the same key with a different body is 422, as payment APIs do,
never the earlier ticket of another service. Keys are per kiosk (its token).
"""

from __future__ import annotations

import requests

from tests.security.conftest import Centre, StartCentre, issue, kiosk_token_toml

SECOND_KIOSK = "kiosk-2-secret-token"


def _issue(centre: Centre, key: str, token: str = "dev-kiosk", **body: object) -> requests.Response:
    body.setdefault("service", "ho-tich")
    return requests.post(
        f"{centre.url}/api/v1/tickets",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        timeout=10,
    )


def test_a_reused_key_with_another_request_is_422(start_centre: StartCentre) -> None:
    centre = start_centre(kiosk_token_toml("kiosk-2", SECOND_KIOSK))
    key = "retry-key-0001"
    first = _issue(centre, key)
    assert first.status_code == 201
    assert _issue(centre, key).json()["id"] == first.json()["id"]  # a retry: same ticket
    for changed in ({"service": "dat-dai"}, {"priority": True}, {"lang": "en"}):
        r = _issue(centre, key, **changed)
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "idempotency_key_reused"
    # The same key from another kiosk is that kiosk's own request.
    elsewhere = _issue(centre, key, SECOND_KIOSK, service="dat-dai")
    assert elsewhere.status_code == 201 and elsewhere.json()["number"] == "C001"
    # Nothing else was issued: the next ho-tich number follows the first.
    assert issue(centre.url).json()["number"] == "A002"
