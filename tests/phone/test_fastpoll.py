"""The phones' long-poll parked by kiosk/server/phone/fastpoll.py answers exactly as the route does.

The page's plain poll (``lang``, ``v``, ``wait``) is taken from the parking desk
(kiosk/server/parking.py); the same request with one more (ignored) query
parameter goes through FastAPI's route. Both must give the same bytes and
headers, and the taker must really answer the page's polls itself (its own
count), park them without a task, and let go of a phone that hangs up.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import uvicorn

from kiosk.server.phone.fastpoll import PhonePolls, plain_query
from kiosk.server.phone.listener import listener_config, phone_app
from kiosk.server.phone.watch import TicketWatch
from kiosk.server.run import bind
from tests.console.centre import Centre, running_centre
from tests.phone.helpers import counter, until

ROUTE = "&via=route"  # an extra parameter: the fast path leaves the request to the route
SAME_HEADERS = ("content-type", "content-length", "cache-control", "x-content-type-options")


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


def _live(centre: Centre, ticket_id: str, query: str) -> requests.Response:
    return requests.get(f"{centre.url}/t/{ticket_id}/live?{query}", timeout=40)


def _layer(centre: Centre) -> PhonePolls:
    assert centre.handle is not None
    return centre.handle.app.state.phone_polls


def _watch(centre: Centre) -> TicketWatch:
    assert centre.handle is not None
    return centre.handle.app.state.ticket_watch


def _fast_and_route(
    centre: Centre, ticket_id: str, query: str
) -> tuple[list[requests.Response], requests.Response]:
    """Fast, route, fast: the page shows the minute, so one of the two fast answers
    was rendered in the route's minute."""
    layer = _layer(centre)
    before = layer.answered
    first = _live(centre, ticket_id, query)
    assert layer.answered == before + 1, "the fast path answered the page's poll itself"
    route = _live(centre, ticket_id, query + ROUTE)
    assert layer.answered == before + 1, "the route answered the poll with another parameter"
    second = _live(centre, ticket_id, query)
    return [first, second], route


@pytest.mark.parametrize(
    "query",
    ["v=", "lang=en&v=", "lang=km&v=0ld&wait=5", "lang=xx&wait=0.5&v=", "v={version}&wait=0"],
)
def test_answers_are_the_routes_answers(centre: Centre, query: str) -> None:
    ticket = centre.issue("ho-tich", lang="vi")
    _live(centre, ticket["id"], "v=")  # the layer is built with the app's first request
    counter(centre, "1", "next")
    version = requests.get(f"{centre.url}/t/{ticket['id']}/live", timeout=10).json()["version"]
    fast, route = _fast_and_route(centre, ticket["id"], query.format(version=version))
    assert route.status_code == 200
    assert route.content in {f.content for f in fast}
    for answer in fast:
        assert answer.status_code == 200
        assert [answer.headers[h] for h in SAME_HEADERS] == [route.headers[h] for h in SAME_HEADERS]
    if "{version}" in query:
        assert route.json() == {"version": version, "live": True}
    else:
        assert route.json()["status"] == "called" and "html" in route.json()


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/t/no-such-ticket/live", "v="),  # unknown: the route's friendly 404
        ("/t/{id}/live", "wait=-1"),  # refused by the route's validation
        ("/t/{id}/live", "wait=inf"),
        ("/t/{id}/live", "v=a&v=b"),
        ("/t/{id}/live", "v=%2F"),
        ("/t/" + "x" * 65 + "/live", "v="),
    ],
)
def test_unusual_polls_are_the_routes(centre: Centre, path: str, query: str) -> None:
    ticket = centre.issue("ho-tich")
    _live(centre, ticket["id"], "v=")
    layer = _layer(centre)
    before = layer.answered
    url = f"{centre.url}{path.format(id=ticket['id'])}?{query}"
    fast = requests.get(url, timeout=10)
    route = requests.get(url + ROUTE, timeout=10)
    assert layer.answered == before
    assert fast.status_code == route.status_code and fast.status_code in (200, 404, 422)
    if fast.status_code != 200:
        assert fast.json() == route.json()


def test_plain_query_reads_only_what_the_page_sends() -> None:
    query = plain_query(b"lang=km&v=3fa9c0e1d2b4&wait=25")
    assert query is not None
    assert (query.lang, query.version, query.wait) == ("km", "3fa9c0e1d2b4", 25.0)
    empty = plain_query(b"")
    assert empty is not None and (empty.lang, empty.version, empty.wait) == (None, "", 0.0)
    for raw in (b"v", b"wait=1e3", b"wait=-1", b"lang=vi&lang=km", b"v=%41", b"x=1", b"v=a&"):
        assert plain_query(raw) is None, raw


def test_a_parked_poll_is_answered_when_its_ticket_is_called(centre: Centre) -> None:
    ticket = centre.issue("ho-tich", lang="en")
    first = _live(centre, ticket["id"], "v=").json()
    layer, watch = _layer(centre), _watch(centre)
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(_live, centre, ticket["id"], f"lang=en&v={first['version']}&wait=30")
        until(lambda: watch.waiting() == 1, "the phone's poll to park")
        assert len(layer.waiting) == 1 and not layer._reads and not answer.done()
        answered = layer.answered
        counter(centre, "1", "next")
        called = answer.result(timeout=20).json()
    assert called["status"] == "called" and "counter 1" in called["html"].lower()
    assert layer.answered == answered + 1
    assert watch.waiting() == 0 and not layer.waiting


def test_a_poll_whose_wait_is_over_says_nothing_changed(centre: Centre) -> None:
    ticket = centre.issue("ho-tich")
    first = _live(centre, ticket["id"], "v=").json()
    layer, watch = _layer(centre), _watch(centre)
    answer = _live(centre, ticket["id"], f"v={first['version']}&wait=0.5")
    assert answer.json() == {"version": first["version"], "live": True}
    assert watch.waiting() == 0 and not layer.waiting


def test_a_phone_that_hangs_up_frees_its_place(centre: Centre) -> None:
    ticket = centre.issue("ho-tich")
    first = _live(centre, ticket["id"], "v=").json()
    layer, watch = _layer(centre), _watch(centre)
    answered = layer.answered
    phone = socket.create_connection(("127.0.0.1", centre.port), timeout=10)
    phone.sendall(
        f"GET /t/{ticket['id']}/live?lang=vi&v={first['version']}&wait=30 HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n\r\n".encode()
    )
    until(lambda: watch.waiting() == 1, "the phone's poll to park")
    phone.close()
    until(lambda: watch.waiting() == 0 and not layer.waiting, "the poll to end with its phone")
    changes, reads = watch.changes, watch.reads
    counter(centre, "1", "next")  # its ticket moves: nobody is left to answer
    # A parked phone of the ticket would be read again in the same wake-up.
    until(lambda: watch.changes > changes, "the call to reach the watch")
    assert watch.reads == reads and layer.answered == answered


def test_the_phones_own_listener_answers_their_polls_beside_the_framework(
    centre: Centre,
) -> None:
    """The LAN listener (kiosk/server/phone/listener.py) parks the polls at its connections too."""
    assert centre.handle is not None
    app = phone_app(centre.cfg, centre.handle.app.state.engine)
    server = uvicorn.Server(listener_config(app))
    sock = bind("127.0.0.1", 0)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        until(lambda: server.started, "the phones' listener to start")
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        ticket = centre.issue("ho-tich", lang="en")
        first = requests.get(f"{url}/t/{ticket['id']}/live?v=", timeout=10)
        assert first.json()["status"] == "waiting"
        layer: PhonePolls = app.state.phone_polls
        assert layer.answered == 1
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(
                requests.get, f"{url}/t/{ticket['id']}/live?v={first.json()['version']}&wait=30"
            )
            until(lambda: app.state.ticket_watch.waiting() == 1, "the poll to park")
            counter(centre, "1", "next")
            assert answer.result(timeout=20).json()["status"] == "called"
        assert layer.answered == 2
        # What phones load from it comes as from the API's listener: gzipped, WOFF2.
        page = requests.get(f"{url}/t/{ticket['id']}", timeout=10)
        assert (page.status_code, page.headers.get("content-encoding")) == (200, "gzip")
        font = requests.get(f"{url}/t/fonts/NotoSansKhmer-Labels.woff2", timeout=30)
        assert font.headers["content-type"] == "font/woff2"
        assert "content-encoding" not in font.headers
        # Its protocol is the API's guarded one: headers over the cap are refused.
        with socket.create_connection(("127.0.0.1", sock.getsockname()[1]), timeout=10) as s:
            s.sendall(b"GET /t/x/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 40_000)
            assert s.recv(64).startswith(b"HTTP/1.1 431 ")
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_what_the_apps_limits_refuse_is_refused_by_them(centre: Centre) -> None:
    """In front of the app, the layer leaves to it a Host it does not serve, and a body."""
    ticket = centre.issue("ho-tich")
    url = f"{centre.url}/t/{ticket['id']}/live?v="
    _live(centre, ticket["id"], "v=")
    layer = _layer(centre)
    before = layer.answered
    rebound = requests.get(url, headers={"Host": "attacker.example"}, timeout=10)
    assert rebound.status_code == 421 and rebound.json()["error"] == "wrong_host"
    with_body = requests.get(url, data=b"x" * 10, timeout=10)
    assert with_body.status_code == 200 and with_body.json()["version"]  # the route's answer
    assert layer.answered == before
    named = requests.get(url, headers={"Host": "localhost"}, timeout=10)
    assert named.status_code == 200 and layer.answered == before + 1


def _answers(conn: socket.socket, count: int) -> list[tuple[bytes, bytes]]:
    """``count`` HTTP answers (head, body) read in order from ``conn``."""
    data, found = b"", []
    while len(found) < count:
        head_end = data.find(b"\r\n\r\n")
        if head_end >= 0:
            head = data[:head_end]
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            end = head_end + 4 + length
            if len(data) >= end:
                found.append((head, data[head_end + 4 : end]))
                data = data[end:]
                continue
        chunk = conn.recv(65536)
        assert chunk, "the server closed the connection before answering"
        data += chunk
    return found


def test_pipelined_polls_are_answered_in_order_on_one_connection(centre: Centre) -> None:
    """A phone's browser may pipeline: each poll is parked in its turn and answered in order."""
    ticket = centre.issue("ho-tich", lang="en")
    first = _live(centre, ticket["id"], "v=").json()
    layer = _layer(centre)
    before = layer.answered
    polls = [f"v={first['version']}&wait=0", "lang=en&v=", f"v={first['version']}&wait=0.2"]
    with socket.create_connection(("127.0.0.1", centre.port), timeout=20) as phone:
        phone.sendall(
            b"".join(
                f"GET /t/{ticket['id']}/live?{q} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
                for q in polls
            )
        )
        answers = _answers(phone, 3)
    assert [head.split(b"\r\n")[0] for head, _ in answers] == [b"HTTP/1.1 200 OK"] * 3
    unchanged = {"version": first["version"], "live": True}
    assert json.loads(answers[0][1]) == unchanged
    assert b'"html"' in answers[1][1] and b"waiting" in answers[1][1]
    assert json.loads(answers[2][1]) == unchanged
    assert layer.answered == before + 3
