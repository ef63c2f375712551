"""The citizens' rating comments where the director reads the figures.

A real centre on 127.0.0.1 serves tickets and takes ratings over HTTP, the
way phones and the /rate/ terminal send them; the comments must then appear,
newest first, with time, service, counter and score and nothing that names a
ticket or a person, in: the day report API (JSON and CSV), `kiosk report`
(day and period, wrapped to the terminal), the period API, the dashboard's
CSV and XLSX, and the dashboard in Chromium (as text, never as markup).
Every free-text cell of a CSV or XLSX is guarded against formula injection.
"""

from __future__ import annotations

import csv
import io
import json
import os
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from openpyxl import load_workbook

from kiosk.queue.clock import local_day, utc_now
from kiosk.server.devsecrets import DEV_TOKENS
from kiosk.text.cells import FORMULA_STARTS
from kiosk.text.terminal import terminal_width
from tests.conftest import run_cli
from tests.console.centre import Centre, running_centre
from tests.reports.director import sign_in_page, signed_in

ADMIN = {"Authorization": f"Bearer {DEV_TOKENS['admin']}"}
FORMULA = '=HYPERLINK("http://evil.example","bấm")'
# What citizens typed, in the order they rated (the report lists them the other way).
TYPED = [
    ("1", "ho-tich", 1, FORMULA + "\r\nChờ lâu quá\x07"),
    (
        "1",
        "chung-thuc",
        4,
        "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
        " Ca\u0301n bô\u0323 nhiê\u0323t ti\u0300nh",
    ),
    ("2", "ho-tich", 3, "ខ្ញុំរង់ចាំយូរពេក ប៉ុន្តែមន្ត្រីបានជួយខ្ញុំយ៉ាងល្អ។ " * 5),
    ("2", "chung-thuc", 2, "+1 cần thêm ghế ngồi"),
]
# As stored and shown: NFC, control characters gone, line breaks as \n, trimmed.
STORED = [
    FORMULA + "\nChờ lâu quá",
    unicodedata.normalize("NFC", TYPED[1][3]),
    TYPED[2][3].strip(),
    TYPED[3][3],
]
NEWEST_FIRST = STORED[::-1]


class Rated:
    def __init__(self, centre: Centre, config: Path) -> None:
        self.centre = centre
        self.config = config
        self.url = centre.url
        self.day = local_day(utc_now(), centre.cfg.tz)
        self.ids: list[str] = []


def _counter(url: str, c: str, action: str) -> None:
    r = requests.post(
        f"{url}/api/v1/counters/{c}/{action}",
        headers={"Authorization": f"Bearer {DEV_TOKENS[f'counter:{c}']}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def rated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rated]:
    root = tmp_path_factory.mktemp("comments")
    # The database where `kiosk report --config` looks for it; counter 2's name
    # starts like a spreadsheet formula (a centre's config is text too).
    replace = {
        r'^data_dir = "\.\./var"': f'data_dir = "{root}"',
        r'vi = "Quầy 2"': 'vi = "@Quầy 2"',
    }
    with running_centre(root, **replace) as centre:
        r = Rated(centre, root / "config" / "center.toml")
        for counter, service, score, comment in TYPED:
            ticket = centre.issue(service)
            _counter(centre.url, counter, "next")
            _counter(centre.url, counter, "done")
            answer = requests.post(
                f"{centre.url}/api/v1/tickets/{ticket['id']}/rating",
                json={"score": score, "comment": comment},
                timeout=30,
            )
            assert answer.status_code == 201, answer.text
            r.ids += [ticket["id"], ticket["number"]]
        # a rating without a comment is in the figures, not in the comments
        ticket = centre.issue("ho-tich")
        _counter(centre.url, "1", "next")
        _counter(centre.url, "1", "done")
        quiet = requests.post(
            f"{centre.url}/api/v1/tickets/{ticket['id']}/rating", json={"score": 4}, timeout=30
        )
        assert quiet.status_code == 201
        yield r


def _no_ticket_in(text: str, r: Rated) -> None:
    """Nothing links a comment to a ticket (and so to the person who held it)."""
    for value in r.ids:
        assert value not in text


def _guarded(cell: str) -> bool:
    return not cell.startswith(FORMULA_STARTS)


def test_the_day_report_api_lists_the_comments_newest_first(rated: Rated) -> None:
    r = requests.get(f"{rated.url}/api/v1/report", headers=ADMIN, timeout=30)
    assert r.status_code == 200
    found = r.json()["comments"]
    assert [c["comment"] for c in found] == NEWEST_FIRST
    assert [(c["counter"], c["service"], c["score"]) for c in found] == [
        (counter, service, score) for counter, service, score, _ in TYPED[::-1]
    ]
    times = [datetime.fromisoformat(c["at"]) for c in found]
    assert times == sorted(times, reverse=True)
    assert {str(t.utcoffset()) for t in times} == {"7:00:00"}  # the centre's local time
    assert found[0]["counter_name"]["vi"] == "@Quầy 2" and found[0]["levels"] == 4
    for c in found:
        assert set(c) == {
            "at",
            "service",
            "service_name",
            "counter",
            "counter_name",
            "score",
            "levels",
            "comment",
        }
        assert unicodedata.is_normalized("NFC", c["comment"])
        assert not any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in c["comment"])
    _no_ticket_in(json.dumps(found, ensure_ascii=False), rated)


def test_the_day_csvs_guard_every_text_cell(rated: Rated) -> None:
    r = requests.get(
        f"{rated.url}/api/v1/report",
        params={"format": "csv", "table": "comments"},
        headers=ADMIN,
        timeout=30,
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["at", "service", "counter", "score", "levels", "comment"]
    assert [row[5] for row in rows[1:]] == [
        "'" + c if c.startswith(FORMULA_STARTS) else c for c in NEWEST_FIRST
    ]
    assert rows[-1][5] == "'" + STORED[0]  # the formula is text, its words intact
    assert all(_guarded(cell) for row in rows for cell in row)
    _no_ticket_in(r.text, rated)
    figures = requests.get(
        f"{rated.url}/api/v1/report", params={"format": "csv"}, headers=ADMIN, timeout=30
    )
    rows = list(csv.reader(io.StringIO(figures.text)))
    names = {row[2] for row in rows[1:]}
    assert "'@Quầy 2" in names and "@Quầy 2" not in names
    assert all(_guarded(row[1]) and _guarded(row[2]) for row in rows)


def test_the_period_api_csv_and_xlsx_have_the_comments(rated: Rated) -> None:
    period = {"from": rated.day, "to": rated.day}
    r = requests.get(f"{rated.url}/api/v1/report/period", params=period, headers=ADMIN, timeout=60)
    assert r.status_code == 200
    assert [c["comment"] for c in r.json()["comments"]] == NEWEST_FIRST
    director = signed_in(rated.url)
    got = director.get(
        f"{rated.url}/reports/export.csv", params={**period, "table": "comments"}, timeout=60
    )
    assert got.status_code == 200
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0] == ["Thời gian", "Lĩnh vực", "Quầy", "Điểm", "Mức hài lòng", "Ý kiến"]
    assert [row[5] for row in rows[1:]] == [
        "'" + c if c.startswith(FORMULA_STARTS) else c for c in NEWEST_FIRST
    ]
    assert rows[1][2] == "'@Quầy 2" and rows[1][4] == "Bình thường"  # 2 of 4
    assert all(_guarded(cell) for row in rows for cell in row)
    _no_ticket_in(got.text, rated)
    book = director.get(f"{rated.url}/reports/export.xlsx", params=period, timeout=60)
    workbook = load_workbook(io.BytesIO(book.content))
    sheet = next(s for s in workbook if s["A2"].value == "Thời gian")
    cells = [[c for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [row[5].value for row in cells] == NEWEST_FIRST
    formula = cells[-1][5]
    assert formula.data_type == "s" and formula.quotePrefix  # text, shown without the quote
    assert cells[0][2].value == "@Quầy 2" and cells[0][2].quotePrefix
    for row in sheet.iter_rows():
        assert all(c.data_type != "f" for c in row)


def test_kiosk_report_prints_the_comments_wrapped(rated: Rated) -> None:
    env = dict(os.environ, COLUMNS="72")
    done = run_cli("report", "--config", str(rated.config), "--lang", "vi", env=env)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    block = text[text.index("Ý kiến của người dân, mới nhất trước") :].splitlines()[1:]
    assert all(terminal_width(line) <= 72 for line in block), block
    heads = [line for line in block if not line.startswith("    ")]
    assert len(heads) == 4 and heads[0].endswith("2/4 Bình thường")
    assert "@Quầy 2" in heads[0] and "Chứng thực" in heads[0]
    # each comment's lines give back its words; the Khmer one is broken between words
    bodies: list[list[str]] = []
    for line in block:
        if line.startswith("    "):
            bodies[-1].append(line[4:])
        else:
            bodies.append([])
    khmer = bodies[1]
    assert len(khmer) > 2 and "".join(khmer).replace(" ", "") == STORED[2].replace(" ", "")
    assert "".join(bodies[3]) == STORED[0].replace("\n", "")
    _no_ticket_in(text, rated)
    english = run_cli("report", "--config", str(rated.config), "--lang", "en", env=env)
    assert "Citizens' comments, newest first" in english.stdout
    khmer_out = run_cli("report", "--config", str(rated.config), "--lang", "km", env=env)
    assert "Citizens' comments" not in khmer_out.stdout


def test_kiosk_report_csv_and_period_have_the_comments(rated: Rated) -> None:
    done = run_cli(
        "report", "--config", str(rated.config), "--date", rated.day, "--csv", "--table", "comments"
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert [row[5] for row in rows[1:]][-1] == "'" + STORED[0]
    bad = run_cli("report", "--config", str(rated.config), "--csv", "--table", "nope")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    period = run_cli(
        "report", "--config", str(rated.config), "--from", rated.day, "--to", rated.day
    )
    assert period.returncode == 0, period.stderr
    assert "Ý kiến của người dân, mới nhất trước" in period.stdout
    assert "Chờ lâu quá" in period.stdout and "+1 cần thêm ghế ngồi" in period.stdout


@pytest.mark.browser
def test_the_dashboard_shows_the_comments_as_text(rated: Rated, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in_page(page, rated.url)
    page.goto(f"{rated.url}/reports/?period=day&lang=vi")
    rows = page.locator("#comments tbody tr")
    assert rows.count() == 4
    shown = [rows.nth(i).locator("td").last.inner_text() for i in range(4)]
    assert shown[2].startswith("<script>document.title='pwned'</script>")
    assert shown[3].splitlines() == STORED[0].splitlines()  # the line break kept
    assert page.title() != "pwned" and page.locator("#comments script, #comments img").count() == 0
    assert "Bình thường" in rows.nth(0).inner_text()  # score 2 of 4
    _no_ticket_in(page.locator("#comments").inner_text(), rated)
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "km"])
def test_the_a4_report_holds_the_comments_within_the_page(
    rated: Rated, browser: Any, lang: str
) -> None:
    # A4 (210 mm) less the 12 mm margins of @page, at the 96 px/inch of print layout:
    # paper does not scroll, so a table wider than that loses its last column, the comments.
    page = browser.new_page(viewport={"width": 703, "height": 1000})
    sign_in_page(page, rated.url)
    page.emulate_media(media="print")
    page.goto(f"{rated.url}/reports/print?period=day&lang={lang}")
    assert page.locator("#comments tbody tr").count() == 4
    wider = page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap')]
            .filter(w => w.scrollWidth > w.clientWidth + 1)
            .map(w => `${w.closest('[id]')?.id}: ${w.scrollWidth} px in ${w.clientWidth} px`)"""
    )
    page.close()
    assert wider == []
