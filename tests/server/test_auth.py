"""Who may do what: 401 without or with an unknown token, 403 for the wrong role."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.server import auth
from kiosk.server.run import ServerHandle, start_in_thread
from tests.conftest import write_config

from .conftest import TOKENS, Api, StartServer

ALL = set(TOKENS)
# (method, path, json body, roles allowed)
ENDPOINTS = [
    ("GET", "/api/v1/services", None, ALL),
    ("GET", "/api/v1/events?after=0", None, ALL),
    ("POST", "/api/v1/tickets", {"service": "ho-tich"}, {"kiosk"}),
    ("POST", "/api/v1/tickets/{ticket}/print-result", {"ok": True}, {"kiosk"}),
    ("POST", "/api/v1/tickets/withdraw", {"idempotency_key": "no-such-key"}, {"kiosk"}),
    ("GET", "/api/v1/counters/2", None, {"counter:2", "admin"}),
    ("POST", "/api/v1/counters/2/next", None, {"counter:2"}),
    ("POST", "/api/v1/counters/2/recall", None, {"counter:2"}),
    ("POST", "/api/v1/counters/2/start", None, {"counter:2"}),
    ("POST", "/api/v1/counters/2/no-show", None, {"counter:2"}),
    ("POST", "/api/v1/counters/2/done", None, {"counter:2"}),
    ("POST", "/api/v1/counters/2/transfer", {"service": "dat-dai"}, {"counter:2"}),
    ("POST", "/api/v1/counters/2/pause", None, {"counter:2"}),
    ("POST", "/api/v1/counters/2/resume", None, {"counter:2"}),
    ("GET", "/api/v1/report", None, {"admin"}),
    ("POST", "/api/v1/auth/logout", None, ALL),
]
OPEN = ["/healthz", "/api/v1/info", "/openapi.json", "/docs"]


def test_role_matrix(api: Api) -> None:
    ticket = api.issue()["id"]
    for method, path, body, allowed in ENDPOINTS:
        path = path.format(ticket=ticket)
        for token in (None, "not-a-token"):
            r = api.call(method, path, token=token, json=body)
            assert r.status_code == 401, (method, path, token, r.text)
            assert r.json()["error"] == "unauthorized"
            assert r.headers["WWW-Authenticate"] == "Bearer"
        for role in TOKENS:
            r = api.call(method, path, role, json=body)
            if role in allowed:
                assert r.status_code not in (401, 403), (method, path, role, r.text)
            else:
                assert r.status_code == 403, (method, path, role, r.text)
                assert r.json()["error"] == "forbidden"


def test_open_endpoints_need_no_token(api: Api) -> None:
    for path in OPEN:
        assert api.get(path).status_code == 200, path
    ticket = api.issue()
    assert api.get(f"/api/v1/tickets/{ticket['id']}").json()["number"] == ticket["number"]


def test_counter_2_cannot_act_for_counter_3(api: Api) -> None:
    api.issue("dat-dai")
    r = api.post("/api/v1/counters/3/next", "counter:2")
    assert r.status_code == 403
    assert "counter 3" in r.json()["detail"]
    assert api.post("/api/v1/counters/3/next", "counter:3").json()["number"] == "C001"


def test_a_scheme_other_than_bearer_is_401(api: Api) -> None:
    r = api.get("/api/v1/services", headers={"Authorization": "Basic ZGV2OmRldg=="})
    assert r.status_code == 401


def test_a_spray_of_unknown_tokens_is_cut_off(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "TOKEN_MAX_FAILURES", 3)  # each new wrong token costs scrypt
    assert api.get("/api/v1/services", "board").status_code == 200
    codes = [api.get("/api/v1/services", token=f"guess-{i}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    # A wrong token already seen stays a cheap 401; known devices go on working.
    assert api.get("/api/v1/services", token="guess-0").status_code == 401
    assert api.get("/api/v1/services", "board").status_code == 200


def test_pin_session_for_the_staff_console(api: Api) -> None:
    r = api.post("/api/v1/auth/pin", json={"counter": "1", "pin": "1111"})
    assert r.status_code == 200, r.text
    session = r.json()
    assert session["role"] == "counter:1" and session["expires_at"].endswith("Z")
    token = session["token"]
    assert api.get("/api/v1/counters/1", token=token).status_code == 200
    assert api.post("/api/v1/counters/1/next", token=token).status_code == 204
    assert api.post("/api/v1/counters/2/next", token=token).status_code == 403
    assert api.post("/api/v1/tickets", token=token, json={"service": "ho-tich"}).status_code == 403
    assert api.post("/api/v1/auth/logout", token=token).status_code == 204
    assert api.get("/api/v1/counters/1", token=token).status_code == 401


class ManualClock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_wrong_pin_makes_this_device_wait_before_the_next_try(tmp_path: Path) -> None:
    clock = ManualClock()
    cfg = load_config(write_config(tmp_path))
    handle = start_in_thread(cfg, "127.0.0.1", 0, auth_clock=clock)
    try:
        api = Api(handle.url)
        for _ in range(2):  # the first mistyped PIN costs nothing; the second makes it wait
            r = api.post("/api/v1/auth/pin", json={"counter": "2", "pin": "0000"})
            assert r.status_code == 401 and r.json()["error"] == "wrong_pin"
        # Even the right PIN waits: the try is counted before the PIN is checked.
        r = api.post("/api/v1/auth/pin", json={"counter": "2", "pin": "2222"})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        # Other counters are not held up.
        assert api.post("/api/v1/auth/pin", json={"counter": "3", "pin": "3333"}).status_code == 200
        # Still waiting a moment before the time is up; the right PIN opens once it is.
        clock.now += auth.pin_delay(2) - 0.5
        r = api.post("/api/v1/auth/pin", json={"counter": "2", "pin": "2222"})
        assert r.status_code == 429
        clock.now += 0.5
        assert api.post("/api/v1/auth/pin", json={"counter": "2", "pin": "2222"}).status_code == 200
    finally:
        handle.stop()


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"counter": "9", "pin": "1111"}, 422, "unknown_counter"),
        ({"counter": "1"}, 422, "invalid_request"),
        ({"counter": "1", "pin": 1111}, 422, "invalid_request"),
    ],
)
def test_pin_login_bad_input(api: Api, body: dict, status: int, error: str) -> None:
    r = api.post("/api/v1/auth/pin", json=body)
    assert (r.status_code, r.json()["error"]) == (status, error)


def test_counter_without_a_pin(start_server: StartServer) -> None:
    counter_4_pin = r'(display = "log://\?address=4"\n)pin_hash = "[^"]+"\n'
    handle: ServerHandle = start_server(**{counter_4_pin: r"\1"})
    r = Api(handle.url).post("/api/v1/auth/pin", json={"counter": "4", "pin": "4444"})
    assert (r.status_code, r.json()["error"]) == (403, "pin_not_configured")
