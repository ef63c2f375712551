"""The HTTP API of docs/api.md walked end to end, and every kind of bad input."""

from __future__ import annotations

import csv
import io
import socket

import pytest

from kiosk.server.run import ServerHandle

from .conftest import Api, StartServer


def test_walk_a_ticket_from_issue_to_done(api: Api) -> None:
    r = api.post(
        "/api/v1/tickets",
        "kiosk",
        json={"service": "ho-tich", "priority": False, "lang": "km", "procedure": "1.001193"},
    )
    assert r.status_code == 201
    ticket = r.json()
    contract = (
        "id",
        "number",
        "service",
        "priority",
        "issued_at",
        "ahead",
        "eta_minutes",
        "status",
    )
    assert set(contract) <= set(ticket)
    assert (ticket["number"], ticket["status"], ticket["ahead"]) == ("A001", "waiting", 0)
    assert api.get(f"/api/v1/tickets/{ticket['id']}").json()["status"] == "waiting"

    called = api.post("/api/v1/counters/2/next", "counter:2")
    assert called.status_code == 200
    assert (called.json()["id"], called.json()["counter"]) == (ticket["id"], "2")
    assert api.get(f"/api/v1/tickets/{ticket['id']}").json()["status"] == "called"
    assert api.post("/api/v1/counters/2/recall", "counter:2").json()["calls"] == 2
    assert api.post("/api/v1/counters/2/start", "counter:2").json()["status"] == "serving"
    done = api.post("/api/v1/counters/2/done", "counter:2")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert api.get(f"/api/v1/tickets/{ticket['id']}").json()["status"] == "done"
    assert api.post("/api/v1/counters/2/next", "counter:2").status_code == 204

    events = api.get("/api/v1/events?after=0", "board").json()["events"]
    assert [e["type"] for e in events] == [
        "day_reset", "issued", "called", "recalled", "serving", "done"
    ]  # fmt: skip
    assert events[2]["counter"] == "2" and events[2]["ticket"]["number"] == "A001"


def test_info_describes_the_centre_without_auth(api: Api) -> None:
    info = api.get("/api/v1/info").json()
    assert info["languages"] == ["vi", "km", "en"] and info["timezone"] == "Asia/Ho_Chi_Minh"
    assert info["centre"]["name"]["km"].startswith("មជ្ឈមណ្ឌល")
    services = {s["id"]: s for s in info["services"]}
    assert services["ho-tich"]["prefix"] == "A" and services["ho-tich"]["counters"] == ["1", "2"]
    assert services["van-hoa-xa-hoi"]["band"] == [5001, 5999]
    assert [c["id"] for c in info["counters"]] == ["1", "2", "3", "4"]
    assert info["counters"][0]["priority"] is True
    assert {r["id"] for r in info["priority_reasons"]} >= {"elderly", "merit"}


def test_services_listing(api: Api) -> None:
    api.issue("dat-dai")
    listing = api.get("/api/v1/services", "kiosk").json()
    land = next(s for s in listing["services"] if s["id"] == "dat-dai")
    assert (land["waiting"], land["eta_minutes"], land["issued_today"]) == (1, 8, 1)


def test_counter_view_transfer_and_no_show_recall(api: Api) -> None:
    api.issue("ho-tich")
    api.issue("dat-dai")
    api.post("/api/v1/counters/1/next", "counter:1")
    moved = api.post("/api/v1/counters/1/transfer", "counter:1", json={"service": "dat-dai"})
    assert moved.status_code == 200 and moved.json()["service"] == "dat-dai"
    view = api.get("/api/v1/counters/3", "admin").json()
    assert view["waiting"] == {"dat-dai": 2} and view["current"] is None
    assert api.post("/api/v1/counters/3/next", "counter:3").json()["number"] == "A001"
    assert api.post("/api/v1/counters/3/no-show", "counter:3").json()["status"] == "no_show"
    view = api.get("/api/v1/counters/3", "counter:3").json()
    assert [t["number"] for t in view["no_shows"]] == ["A001"]
    assert view["today"] == {"called": 1, "done": 0, "no_show": 1, "transferred": 0}
    back = api.post("/api/v1/counters/3/recall", "counter:3", json={"ticket": "A001"})
    assert back.status_code == 200 and back.json()["status"] == "called"
    paused = api.post("/api/v1/counters/3/pause", "counter:3").json()
    assert paused["paused"] is True
    r = api.post("/api/v1/counters/3/next", "counter:3")
    assert (r.status_code, r.json()["error"]) == (409, "counter_paused")
    assert api.post("/api/v1/counters/3/resume", "counter:3").json()["paused"] is False


def test_print_result(api: Api) -> None:
    ticket = api.issue()
    r = api.post(
        f"/api/v1/tickets/{ticket['id']}/print-result",
        "kiosk",
        json={"ok": False, "error": "paper out"},
    )
    assert r.status_code == 200
    assert (r.json()["print_status"], r.json()["print_error"]) == ("failed", "paper out")
    last = api.get("/api/v1/events?after=0", "board").json()["events"][-1]
    assert (last["type"], last["data"]) == ("print_failed", {"error": "paper out"})
    r = api.post("/api/v1/tickets/nope/print-result", "kiosk", json={"ok": True})
    assert (r.status_code, r.json()["error"]) == (404, "unknown_ticket")


def test_report_json_and_csv(api: Api) -> None:
    api.issue("dat-dai")
    api.post("/api/v1/counters/3/next", "counter:3")
    api.post("/api/v1/counters/3/done", "counter:3")
    figures = api.get("/api/v1/report", "admin").json()
    land = next(s for s in figures["services"] if s["id"] == "dat-dai")
    assert (land["issued"], land["served"]) == (1, 1)
    r = api.get(f"/api/v1/report?date={figures['day']}&format=csv", "admin")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert next(row for row in rows if row["id"] == "dat-dai")["served"] == "1"
    assert api.get("/api/v1/report?date=2020-01-01", "admin").json()["totals"]["issued"] == 0


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ('{"service": "ho-tich",', 400, "malformed_json"),
        ("[1, 2", 400, "malformed_json"),
        ('{"service": 5}', 422, "invalid_request"),
        ('{"service": "ho-tich", "priority": "yes"}', 422, "invalid_request"),
        ('{"service": "ho-tich", "lang": "fr"}', 422, "invalid_request"),
        ('{"service": "ho-tich", "colour": "red"}', 422, "invalid_request"),
        ('{"priority": true}', 422, "invalid_request"),
        ("[]", 422, "invalid_request"),
        ("null", 422, "invalid_request"),
        ('{"service": "passport"}', 422, "unknown_service"),
        ('{"service": "ho-tich", "priority_reason": "elderly"}', 422, "invalid_request"),
        ('{"service": "ho-tich", "procedure": "../../etc"}', 422, "invalid_request"),
    ],
)
def test_bad_ticket_requests(api: Api, body: str, status: int, error: str) -> None:
    r = api.post(
        "/api/v1/tickets", "kiosk", data=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == status, r.text
    answer = r.json()
    assert answer["error"] == error and isinstance(answer["detail"], str) and answer["detail"]


def test_bodies_that_are_not_json_objects(api: Api) -> None:
    r = api.post("/api/v1/tickets", "kiosk", data="service=ho-tich")
    assert (r.status_code, r.json()["error"]) == (422, "invalid_request")
    assert "JSON object" in r.json()["detail"]
    r = api.post(
        "/api/v1/tickets",
        "kiosk",
        data=b'{"service": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["error"]) == (400, "not_utf8")


@pytest.mark.parametrize(
    ("method", "path", "role", "status", "error"),
    [
        ("POST", "/api/v1/counters/99/next", "counter:1", 404, "unknown_counter"),
        ("GET", "/api/v1/counters/%F0%9F%98%80", "admin", 404, "unknown_counter"),
        ("GET", "/api/v1/tickets/unknown", None, 404, "unknown_ticket"),
        ("GET", "/api/v1/report?date=2025-02-30", "admin", 422, "invalid_date"),
        ("GET", "/api/v1/report?date=today", "admin", 422, "invalid_date"),
        ("GET", "/api/v1/report?format=xml", "admin", 422, "invalid_request"),
        ("GET", "/api/v1/events?after=-1", "board", 422, "invalid_request"),
        ("GET", "/api/v1/events?after=abc", "board", 422, "invalid_request"),
        ("GET", "/api/v1/events?after=99999999999999999999999", "board", 422, "invalid_request"),
        ("GET", "/api/v1/events?after=0&wait=inf", "board", 422, "invalid_request"),
        ("GET", "/api/v1/events?after=0&wait=nan", "board", 422, "invalid_request"),
        ("GET", "/api/v1/events?after=0&limit=0", "board", 422, "invalid_request"),
        ("POST", "/api/v1/counters/1/done", "counter:1", 409, "no_current_ticket"),
        ("POST", "/api/v1/counters/1/recall", "counter:1", 409, "no_current_ticket"),
        ("GET", "/api/v1/nothing-here", None, 404, "not_found"),
        ("DELETE", "/api/v1/tickets", "kiosk", 405, "method_not_allowed"),
    ],
)
def test_bad_requests_answer_json_4xx(
    api: Api, method: str, path: str, role: str | None, status: int, error: str
) -> None:
    r = api.call(method, path, role)
    assert r.status_code == status, r.text
    assert r.json()["error"] == error


def test_transfer_bad_input(api: Api) -> None:
    api.issue()
    api.post("/api/v1/counters/1/next", "counter:1")
    for body, error in (
        ({"service": "nowhere"}, "unknown_service"),
        ({"service": "ho-tich"}, "invalid_request"),
        ({}, "invalid_request"),
        ({"service": ["dat-dai"]}, "invalid_request"),
    ):
        r = api.post("/api/v1/counters/1/transfer", "counter:1", json=body)
        assert (r.status_code, r.json()["error"]) == (422, error), body


def test_huge_bodies_are_refused_with_413(api: Api) -> None:
    big = b'{"service": "' + b"x" * 100_000 + b'"}'
    r = api.post("/api/v1/tickets", "kiosk", data=big, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["error"]) == (413, "body_too_large")
    # Without a Content-Length (chunked), the body is counted as it arrives.
    r = api.post(
        "/api/v1/tickets",
        "kiosk",
        data=iter([big[i : i + 8192] for i in range(0, len(big), 8192)]),
        headers={"Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["error"]) == (413, "body_too_large")
    assert api.issue()["number"] == "A001"  # nothing was issued by the refused requests


def test_limits_over_http(start_server: StartServer) -> None:
    handle: ServerHandle = start_server(
        **{
            r"daily_limit = 300": "daily_limit = 1",
            r"^kiosk_rate_limit = \d+": "kiosk_rate_limit = 6",
        }
    )
    api = Api(handle.url)
    api.issue("ho-tich")
    r = api.post("/api/v1/tickets", "kiosk", json={"service": "ho-tich"})
    assert (r.status_code, r.json()["error"]) == (409, "daily_limit_reached")
    for _ in range(5):
        api.issue("dat-dai")
    r = api.post("/api/v1/tickets", "kiosk", json={"service": "dat-dai"})
    assert (r.status_code, r.json()["error"]) == (429, "rate_limited")
    assert int(r.headers["Retry-After"]) >= 1


def test_openapi_is_served(api: Api) -> None:
    spec = api.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {
        "/healthz",
        "/api/v1/info",
        "/api/v1/services",
        "/api/v1/tickets",
        "/api/v1/tickets/{ticket_id}",
        "/api/v1/tickets/{ticket_id}/print-result",
        "/api/v1/tickets/withdraw",
        "/api/v1/counters/{c}",
        "/api/v1/counters/{c}/next",
        "/api/v1/counters/{c}/recall",
        "/api/v1/counters/{c}/start",
        "/api/v1/counters/{c}/no-show",
        "/api/v1/counters/{c}/done",
        "/api/v1/counters/{c}/transfer",
        "/api/v1/counters/{c}/pause",
        "/api/v1/counters/{c}/resume",
        "/api/v1/events",
        "/api/v1/report",
        "/api/v1/auth/pin",
        "/api/v1/auth/logout",
    } <= paths
    docs = api.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_a_raw_garbage_request_does_not_hurt_the_server(server: ServerHandle, api: Api) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
        s.recv(1024)
    assert api.get("/healthz").status_code == 200
