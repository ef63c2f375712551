"""The HTTP surface a tester found wanting (issue 16's fresh-eyes trial), on a real `kiosk serve`.

* Every answer carries ``X-Content-Type-Options: nosniff``: pages, static files,
  API answers (the fast paths included), every error, the limits' refusals and
  the answers written before the app runs.
* No error body repeats the request's path.
* Static files come only from real files of the static folders: never a page's
  template, never through an encoded separator or a dot segment (one check per mount).
* A validation error (422) is one plain sentence naming the field and what it
  allows, never pydantic's "Input should be ...".
"""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from tests.security.conftest import BOARD, KIOSK, Centre, attacker_request, issue

COUNTER_1 = "dev-counter-1"


def _raw(centre: Centre, data: bytes) -> bytes:
    """Bytes on a fresh connection; everything the server answers before closing it."""
    with socket.create_connection(("127.0.0.1", centre.port), timeout=60) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


# -- nosniff on every answer ---------------------------------------------------
ANSWERS = [
    ("GET", "/healthz", {}, None, 200),
    ("GET", "/console/", {}, None, 200),
    ("GET", "/console/console.js", {}, None, 200),
    ("GET", "/api/v1/services", {"Authorization": f"Bearer {BOARD}"}, None, 200),
    ("GET", "/api/v1/events?after=0", {"Authorization": f"Bearer {BOARD}"}, None, 200),  # fast
    # each token's first request verifies it (the app); its next one takes the fast path
    ("POST", "/api/v1/tickets", {"Authorization": f"Bearer {KIOSK}"}, {"service": "ho-tich"}, 201),
    ("POST", "/api/v1/tickets", {"Authorization": f"Bearer {KIOSK}"}, {"service": "ho-tich"}, 201),
    ("GET", "/api/v1/counters/2", {"Authorization": "Bearer dev-counter-2"}, None, 200),
    ("POST", "/api/v1/counters/2/next", {"Authorization": "Bearer dev-counter-2"}, None, 200),
    ("GET", "/api/v1/services", {}, None, 401),
    ("GET", "/api/v1/report", {"Authorization": f"Bearer {BOARD}"}, None, 403),
    ("GET", "/no/such/page", {}, None, 404),
    ("DELETE", "/healthz", {}, None, 405),
    ("GET", "/api/v1/events?after=x", {"Authorization": f"Bearer {BOARD}"}, None, 422),
    ("GET", "/healthz", {"Host": "evil.example"}, None, 421),
    ("POST", "/api/v1/tickets", {"Authorization": f"Bearer {KIOSK}"}, b"x" * 100_000, 413),
    ("POST", "/api/v1/tickets", {"Authorization": f"Bearer {KIOSK}"}, b"{not json", 400),
]


@pytest.mark.parametrize(("method", "path", "headers", "body", "status"), ANSWERS)
def test_every_answer_says_nosniff(
    shared_centre: Centre,
    method: str,
    path: str,
    headers: dict[str, str],
    body: Any,
    status: int,
) -> None:
    if path.endswith("/next"):
        # xdist may run this case on a worker whose centre saw none of the issuing
        # cases above: a waiting ticket of its own keeps the answer a 200, not a 204
        assert issue(shared_centre.url).status_code == 201
    got, answer_headers, _ = attacker_request(
        shared_centre, method, path, headers=headers, body=body
    )
    assert got == status
    assert answer_headers.get("x-content-type-options") == "nosniff"


@pytest.mark.parametrize(
    "data",
    [
        b"GARBAGE\x01 / HTTP/1.1\r\n\r\n",  # not HTTP: the server's parser answers
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # 414 before the app
    ],
)
def test_answers_before_the_app_say_nosniff_too(shared_centre: Centre, data: bytes) -> None:
    answer = _raw(shared_centre, data)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith((b"HTTP/1.1 400", b"HTTP/1.1 414"))
    assert b"\r\nx-content-type-options: nosniff" in head.lower()
    assert json.loads(body)["error"] in ("bad_request", "request_line_too_long")


@pytest.mark.parametrize(
    "path",
    [
        "/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/api/v1/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        "/console/%3Csvg%20onload%3Dalert(1)%3E.js",
    ],
)
def test_a_404_does_not_repeat_the_path(shared_centre: Centre, path: str) -> None:
    status, headers, body = attacker_request(shared_centre, "GET", path)
    assert status == 404 and headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["error"] == "not_found" and answer["detail"]
    assert "script" not in body.decode() and "alert" not in body.decode()
    assert "onerror" not in body.decode() and "onload" not in body.decode()


def test_a_405_and_an_unknown_counter_do_not_repeat_the_path(shared_centre: Centre) -> None:
    status, _, body = attacker_request(shared_centre, "DELETE", "/healthz%3Cb%3E")
    assert status == 404 and b"<b>" not in body and b"healthz" not in body
    status, headers, body = attacker_request(shared_centre, "DELETE", "/healthz")
    assert status == 405 and "GET" in headers["allow"] and b"healthz" not in body
    status, _, body = attacker_request(
        shared_centre,
        "POST",
        "/api/v1/counters/%3Ci%3Ex/next",
        headers={"Authorization": f"Bearer {COUNTER_1}"},
    )
    assert status == 404 and b"<i>" not in body and json.loads(body)["error"] == "unknown_counter"


# -- static files: real files of the static folders only ------------------------
# (mount, a file it serves, a template or source in or near its folder)
MOUNTS = [
    ("/console", "console.js", "index.html"),
    ("/rate", "rate.js", "index.html"),
    ("/t/static", "phone.js", "../templates/page.html"),
    ("/reports/static", "reports.css", "../templates/dashboard.html"),
    ("/js", "http.js", "../pages.py"),
]


@pytest.mark.parametrize(("mount", "real", "template"), MOUNTS)
def test_a_static_mount_serves_its_files_and_nothing_else(
    shared_centre: Centre, mount: str, real: str, template: str
) -> None:
    status, headers, body = attacker_request(shared_centre, "GET", f"{mount}/{real}")
    assert status == 200 and body and headers["x-content-type-options"] == "nosniff"
    name = template.rsplit("/", 1)[-1]
    climbs = [
        f"{mount}/x%2F..%2F{real}",  # an encoded separator, even to a real file
        f"{mount}/x%2f..%2f{name}",
        f"{mount}/x%5C..%5C{real}",  # an encoded backslash
        f"{mount}/x/../{real}",  # a dot segment sent as is
        f"{mount}//{real}",  # an empty segment
        f"{mount}/./{real}",
        f"{mount}//{name}",  # the template through the static folder
    ]
    if "/" in template:  # a file beside the folder, with its separators encoded
        climbs.append(f"{mount}/{template.replace('/', '%2F')}")
    for path in climbs:
        status, headers, body = attacker_request(shared_centre, "GET", path)
        assert status == 404, (path, status, body[:200])
        assert b"{%" not in body and b"{{" not in body and b"import " not in body
        assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("fonts", "font"),
    [("/console/fonts", "NotoSans-Regular.ttf"), ("/t/fonts", "NotoSansKhmer-Regular.ttf")],
)
def test_the_font_routes_do_not_reach_the_pages(
    shared_centre: Centre, fonts: str, font: str
) -> None:
    status, headers, _ = attacker_request(shared_centre, "GET", f"{fonts}/{font}")
    assert (status, headers["content-type"]) == (200, "font/ttf")
    for path in (
        f"{fonts}/..%2findex.html",  # the tester's request: was the console's template
        f"{fonts}/..%2Findex.html",
        f"{fonts}/..%2f..%2fconsole%2findex.html",
        f"{fonts}/%2e%2e%2findex.html",
        f"{fonts}/..%5cindex.html",
        f"{fonts}/../index.html",
    ):
        status, _, body = attacker_request(shared_centre, "GET", path)
        assert status == 404, (path, status, body[:200])
        assert b"{%" not in body and b"{{" not in body
        # under /t/ every address that is no ticket gets the phone's not-found page
        assert b"<html" not in body or b"We cannot find this ticket" in body


def test_the_pages_are_rendered_not_their_templates(shared_centre: Centre) -> None:
    for page in ("/console/", "/console/index.html", "/rate/", "/rate/index.html"):
        status, _, body = attacker_request(shared_centre, "GET", page)
        assert status == 200 and b"<html" in body
        assert b"{%" not in body and b"{{" not in body, page


# -- validation errors in plain words ----------------------------------------------
BAD_REQUESTS = [
    # (method, path, token, body, headers, field the sentence names, words it must have)
    ("GET", "/api/v1/events?after=x", BOARD, None, {}, "after", "whole number"),
    ("GET", "/api/v1/events?after=0&limit=0", BOARD, None, {}, "limit", "at least 1"),
    ("GET", "/api/v1/events?after=0&limit=100000", BOARD, None, {}, "limit", "at most"),
    ("GET", "/api/v1/events?after=0&wait=-1", BOARD, None, {}, "wait", "at least 0"),
    ("GET", "/api/v1/events?after=0&wait=inf", BOARD, None, {}, "wait", "finite number"),
    ("POST", "/api/v1/tickets", KIOSK, {"service": 5}, {}, "service", "a string"),
    ("POST", "/api/v1/tickets", KIOSK, {"priority": False}, {}, "service", "missing"),
    ("POST", "/api/v1/tickets", KIOSK, {"service": "ho-tich", "foo": 1}, {}, "foo", "field"),
    ("POST", "/api/v1/tickets", KIOSK, {"service": "ho-tich", "lang": "fr"}, {}, "lang", "'vi'"),
    ("POST", "/api/v1/tickets", KIOSK, {"service": "x" * 65}, {}, "service", "64 characters"),
    (
        "POST",
        "/api/v1/tickets",
        KIOSK,
        {"service": "ho-tich", "priority": "yes"},
        {},
        "priority",
        "true or false",
    ),
    (
        "POST",
        "/api/v1/tickets",
        KIOSK,
        {"service": "ho-tich", "procedure": "a b"},
        {},
        "procedure",
        "catalogue code",
    ),
    (
        "POST",
        "/api/v1/tickets",
        KIOSK,
        {"service": "ho-tich"},
        {"Idempotency-Key": "short"},
        "Idempotency-Key",
        "8 to 64",
    ),
    ("POST", "/api/v1/tickets/abc/rating", None, {"score": "4"}, {}, "score", "whole number"),
    (
        "POST",
        "/api/v1/tickets/abc/rating",
        None,
        {"score": 4, "reasons": "x"},
        {},
        "reasons",
        "list",
    ),
    ("POST", "/api/v1/auth/pin", None, {"counter": "1", "pin": ""}, {}, "pin", "empty"),
    ("GET", "/api/v1/report?format=pdf", "dev-admin", None, {}, "format", "'csv'"),
    ("GET", "/api/v1/counters/" + "9" * 65, "dev-admin", None, {}, "counter id", "64"),
]


@pytest.mark.parametrize(
    ("method", "path", "token", "body", "headers", "field", "words"), BAD_REQUESTS
)
def test_a_422_is_one_plain_sentence_naming_the_field(
    shared_centre: Centre,
    method: str,
    path: str,
    token: str | None,
    body: Any,
    headers: dict[str, str],
    field: str,
    words: str,
) -> None:
    all_headers = dict(headers)
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    status, _, raw = attacker_request(shared_centre, method, path, headers=all_headers, body=body)
    assert status == 422, raw
    answer = json.loads(raw)
    detail = answer["detail"]
    assert answer["error"] == "invalid_request"
    assert "Input should" not in raw.decode() and "input should" not in raw.decode()
    assert "\n" not in detail and field in detail and words in detail, detail
    # the machine-readable part stays: where, and the same plain words
    assert answer["fields"] and answer["fields"][0]["problem"] == detail
    assert answer["fields"][0]["field"].split(".")[0] in ("body", "query", "header", "path")
