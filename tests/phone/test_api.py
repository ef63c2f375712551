"""The phone page and the rating over real HTTP: privacy, unknown and old tickets, refusals."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from kiosk.config import load_config
from kiosk.queue import IssueOrder, ManualClock, QueueEngine, utc_now
from kiosk.server.devsecrets import DEV_TOKENS
from tests.conftest import run_cli, write_config
from tests.console.centre import Centre, running_centre
from tests.phone.helpers import counter, ratings, until


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    with running_centre(tmp_path) as c:
        yield c


def served(centre: Centre, c: str = "1", **body: object) -> dict:
    ticket = centre.issue("ho-tich", **body)
    counter(centre, c, "next")
    counter(centre, c, "done")
    return ticket


def rate(
    centre: Centre, ticket_id: str, body: object, token: str | None = None
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        f"{centre.url}/api/v1/tickets/{ticket_id}/rating", json=body, headers=headers, timeout=10
    )


def test_public_json_and_page_keep_private_things_private(centre: Centre) -> None:
    ticket = centre.issue(
        "ho-tich", lang="vi", priority=True, priority_reason="pregnancy", procedure="1.001193"
    )
    public = requests.get(f"{centre.url}/api/v1/tickets/{ticket['id']}", timeout=10).json()
    assert public["number"] == "A001" and public["status"] == "waiting"
    for secret in ("priority_reason", "kiosk", "procedure", "print_status", "print_error"):
        assert secret not in public
    page = requests.get(f"{centre.url}/t/{ticket['id']}", timeout=10)
    assert page.status_code == 200 and "Đang chờ đến lượt" in page.text
    for secret in ("pregnancy", "Phụ nữ mang thai", "1.001193", "kiosk-1"):
        assert secret not in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_an_unknown_id_is_a_friendly_page_in_three_languages(centre: Centre) -> None:
    # and an address cut short or with more after it (a hand-typed or mangled link)
    for ticket_id in ("nope", "x" * 65, "<b>x&amp;", "", "nope/more", "%3Cb%3E%2F"):
        page = requests.get(f"{centre.url}/t/{ticket_id}", timeout=10)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        for text in ("Không tìm thấy phiếu này", "រកមិនឃើញសំបុត្រនេះទេ", "We cannot find this ticket"):
            assert text in page.text
        assert "Traceback" not in page.text and "<b>" not in page.text
    bare = requests.get(f"{centre.url}/t", timeout=10)
    assert (bare.status_code, bare.headers["content-type"][:9]) == (404, "text/html")
    assert requests.get(f"{centre.url}/t/static/phone.css", timeout=10).status_code == 200
    live = requests.get(f"{centre.url}/t/nope/live", timeout=10)
    assert (live.status_code, live.json()["error"]) == (404, "unknown_ticket")


def test_old_tickets_say_their_day_and_nothing_more_after_a_week(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path))
    db = tmp_path / "queue.sqlite3"
    old = {}
    for days in (10, 3):  # oldest first: the clock never goes back to an earlier day
        engine = QueueEngine(cfg, db, clock=ManualClock(utc_now() - timedelta(days=days)))
        old[days] = engine.issue(IssueOrder("ho-tich", lang="vi"))
        engine.call_next("1")
        engine.done("1")
        engine.close()
    with running_centre(tmp_path) as centre:
        date3 = "/".join(reversed(old[3]["day"].split("-")))
        page = requests.get(f"{centre.url}/t/{old[3]['id']}", timeout=10)
        assert f"Phiếu này là của ngày {date3}." in page.text
        assert "A001" in page.text  # within a week: the number and how it ended
        date10 = "/".join(reversed(old[10]["day"].split("-")))
        page = requests.get(f"{centre.url}/t/{old[10]['id']}", timeout=10)
        assert page.status_code == 200 and f"Phiếu này là của ngày {date10}." in page.text
        assert "A001" not in page.text and "Tư pháp" not in page.text and "rating" not in page.text
        api = requests.get(f"{centre.url}/api/v1/tickets/{old[10]['id']}", timeout=10)
        assert (api.status_code, api.json()["error"]) == (410, "expired")
        # A rating window of 24 h has closed for both.
        assert rate(centre, old[3]["id"], {"score": 4}).status_code == 409


def test_rating_rules_over_http(centre: Centre) -> None:
    waiting = centre.issue("ho-tich", lang="vi")
    r = rate(centre, waiting["id"], {"score": 4})
    assert (r.status_code, r.json()["error"]) == (409, "not_ratable")
    counter(centre, "1", "next")
    counter(centre, "1", "done")
    for body, field in (
        ({"score": 0}, "score"),
        ({"score": 5}, "score"),
        ({"score": "4"}, "score"),
        ({"score": 4, "reasons": ["rude-guard"]}, "reason"),
        ({"score": 4, "comment": "x" * 501}, "comment"),
        ({"score": 4, "name": "Nguyễn Văn A"}, "name"),
    ):
        r = rate(centre, waiting["id"], body)
        assert r.status_code == 422, (body, r.text)
        assert field in json.dumps(r.json()), r.text
    assert rate(centre, "nope", {"score": 4}).status_code == 404
    # A counter's terminal session rates only that counter's tickets; other roles not at all.
    r = rate(centre, waiting["id"], {"score": 4}, DEV_TOKENS["counter:2"])
    assert (r.status_code, r.json()["error"]) == (409, "not_ratable")
    assert rate(centre, waiting["id"], {"score": 4}, DEV_TOKENS["board"]).status_code == 403
    r = rate(centre, waiting["id"], {"score": 2, "comment": " Lâu\u0000 quá "})
    assert r.status_code == 201 and r.json()["score"] == 2 and "comment" not in r.json()
    assert rate(centre, waiting["id"], {"score": 3}).status_code == 409
    assert [(x["score"], x["comment"]) for x in ratings(centre)] == [(2, "Lâu quá")]


def test_the_rating_form_without_javascript(centre: Centre) -> None:
    ticket = served(centre, lang="km")
    url = f"{centre.url}/t/{ticket['id']}/rating"
    empty = requests.post(url, data={"comment": "x"}, timeout=10)
    assert empty.status_code == 409 and "សូមជ្រើសរើសមុខមួយ។" in empty.text
    done = requests.post(
        url, data={"score": "1", "reasons": ["waited-too-long", "extra-papers"]}, timeout=10
    )
    assert done.status_code == 200 and done.url.endswith(f"/t/{ticket['id']}?lang=km")
    assert "សូមអរគុណចំពោះការវាយតម្លៃរបស់អ្នក!" in done.text
    row = ratings(centre)[0]
    assert (row["score"], json.loads(row["reasons"])) == (1, ["waited-too-long", "extra-papers"])


def test_terminal_question_and_terminal_rating(centre: Centre) -> None:
    ticket = served(centre, lang="km")
    question = requests.get(f"{centre.url}/rate/question/{ticket['id']}", timeout=10)
    assert question.status_code == 200 and "តើអ្នកពេញចិត្តនឹងសេវានេះកម្រិតណា?" in question.text
    assert question.headers["x-idle-seconds"] == "30"
    r = rate(centre, ticket["id"], {"score": 4}, DEV_TOKENS["counter:1"])
    assert r.status_code == 201 and r.json()["source"] == "terminal"
    again = requests.get(f"{centre.url}/rate/question/{ticket['id']}", timeout=10)
    assert again.status_code == 409


def test_live_answers_at_once_when_the_page_is_behind(centre: Centre) -> None:
    ticket = centre.issue("ho-tich", lang="en")
    first = requests.get(f"{centre.url}/t/{ticket['id']}/live", timeout=10).json()
    assert first["status"] == "waiting" and "Waiting for your turn" in first["html"]
    counter(centre, "1", "next")
    # The page's version is old: no waiting, the new state comes back at once.
    behind = requests.get(
        f"{centre.url}/t/{ticket['id']}/live",
        params={"v": first["version"], "wait": 30, "lang": "vi"},
        timeout=10,
    ).json()
    assert behind["status"] == "called" and behind["alert"] is True and behind["calls"] == 1
    assert "Đến lượt bạn: xin mời đến Quầy 1 – Ưu tiên" in behind["html"]


def test_a_phone_that_goes_away_leaves_no_long_poll_behind(centre: Centre) -> None:
    # Without noticing the hang-up, the long-poll would sit out its whole wait (30 s).
    assert centre.handle is not None
    watch = centre.handle.app.state.ticket_watch
    ticket = centre.issue("ho-tich")
    first = requests.get(f"{centre.url}/t/{ticket['id']}/live", timeout=10).json()
    phone = socket.create_connection(("127.0.0.1", centre.port), timeout=10)
    phone.sendall(
        f"GET /t/{ticket['id']}/live?v={first['version']}&wait=30 HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n\r\n".encode()
    )
    until(lambda: watch.waiting() == 1, "the phone's long-poll to wait")
    phone.close()  # the phone sleeps: its Wi-Fi connection is gone
    until(lambda: watch.waiting() == 0, "the long-poll to end with its connection")
    # A phone still connected waits as before and is answered when its ticket is called.
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(
            requests.get,
            f"{centre.url}/t/{ticket['id']}/live",
            params={"v": first["version"], "wait": 30},
            timeout=40,
        )
        until(lambda: watch.waiting() == 1, "the second long-poll to wait")
        counter(centre, "1", "next")
        assert answer.result().json()["status"] == "called"


def test_report_has_the_ratings(centre: Centre, tmp_path: Path) -> None:
    for score in (4, 4, 1):
        ticket = served(centre)
        assert rate(centre, ticket["id"], {"score": score}).status_code == 201
    served(centre, "2")
    report = requests.get(
        f"{centre.url}/api/v1/report",
        headers={"Authorization": f"Bearer {DEV_TOKENS['admin']}"},
        timeout=10,
    ).json()
    total = report["totals"]["ratings"]
    assert (total["count"], total["mean"], total["rated_share"]) == (3, 3.0, 0.75)
    assert total["shares"] == [0.667, 0.0, 0.0, 0.333]
    by_counter = {c["id"]: c["ratings"] for c in report["counters"]}
    assert by_counter["1"]["count"] == 3 and by_counter["2"]["count"] == 0
    by_service = {s["id"]: s["ratings"] for s in report["services"]}
    assert by_service["ho-tich"]["mean"] == 3.0
    assert report["rating_levels"][0]["vi"] == "Rất hài lòng"

    centre.stop()  # the CLI reads the same database file
    cli_dir = tmp_path / "cli"
    cli_dir.mkdir()
    config = str(write_config(cli_dir, **{r'^db = "queue.sqlite3"': f'db = "{centre.db}"'}))
    table = run_cli("report", "--config", config)
    assert table.returncode == 0, table.stderr
    assert "đã đánh giá: 75% số phiếu đã phục vụ" in table.stdout  # Vietnamese by default
    english = run_cli("report", "--config", config, "--lang", "en").stdout
    assert "rated: 75% of served tickets" in english
    csv_out = run_cli("report", "--config", config, "--csv").stdout.splitlines()
    assert csv_out[0].endswith(
        "ratings,rating_mean,rating_share_4,rating_share_3,rating_share_2,rating_share_1,"
        "rated_share"
    )
    assert csv_out[-1].endswith(",3,3.0,0.667,0.0,0.0,0.333,0.75")
