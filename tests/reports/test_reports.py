"""The director's dashboard over a seeded month, checked against the event log itself.

A month of traffic is written by the real engine (tests/reports/seed.py); a real
`kiosk serve` serves /reports/; the numbers on the page, in the CSV and in the
XLSX are compared with figures computed here straight from the ``events`` table
(each event carries a snapshot of its ticket) and, for ratings, the ``ratings``
table. Chromium renders the dashboard and prints the A4 report.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import re
import shutil
import sqlite3
import statistics
import subprocess
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import expect

from kiosk.config import load_config
from kiosk.server.devsecrets import DEV_TOKENS
from kiosk.text.numbers import latin_digits, native_digits
from tests.conftest import run_cli, write_config
from tests.reports.director import sign_in_page, signed_in
from tests.reports.seed import seed_month
from tests.server.conftest import free_port, serve_process, stop_process, wait_healthy

START = date(2026, 11, 1)
DAYS = 30
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Month:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = write_config(root, **{r'^data_dir = "\.\./var"': f'data_dir = "{root}/var"'})
        self.cfg = load_config(self.config)
        self.db = root / "var" / "queue.sqlite3"
        self.db.parent.mkdir(parents=True, exist_ok=True)
        self.counts = seed_month(self.cfg, self.db, start=START, days=DAYS, per_day=60)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def serve(self) -> None:
        self.proc = serve_process(self.config, self.port, self.db, self.root / "serve.log")
        wait_healthy(self.url, self.proc)

    def director(self) -> requests.Session:
        return signed_in(self.url)


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Month]:
    # A real SQLite file; on tmpfs when there is one, so that writing 4,000
    # fsync'd transactions of a month does not dominate the run.
    shm = Path("/dev/shm")
    base = tmp_path_factory.mktemp("month")
    if shm.is_dir():
        import tempfile

        base = Path(tempfile.mkdtemp(prefix="kiosk-month-", dir=shm))
    m = Month(base)
    m.serve()
    yield m
    if m.proc is not None:
        stop_process(m.proc)
    shutil.rmtree(base, ignore_errors=True)  # tmpfs is memory: each run left 5 MB behind


# -- figures straight from the event log --------------------------------------
def _events(db: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = conn.execute(
        "SELECT type, at, day, counter, service, ticket FROM events WHERE day BETWEEN ? AND ? "
        "ORDER BY id",
        (PERIOD["from"], PERIOD["to"]),
    ).fetchall()
    conn.close()
    return [dict(r) | {"ticket": json.loads(r["ticket"]) if r["ticket"] else None} for r in rows]


def _from_log(db: Path) -> dict[str, Any]:
    events = _events(db)
    issued = Counter(e["service"] for e in events if e["type"] == "issued")
    no_shows = Counter(e["service"] for e in events if e["type"] == "no_show")
    served_by_counter = Counter(e["counter"] for e in events if e["type"] == "done")
    # A leg joins its queue when it is issued, or when a transfer creates it.
    queued = {
        e["ticket"]["id"]: datetime.fromisoformat(e["at"])
        for e in events
        if e["type"] in ("issued", "transferred")
    }
    waits: dict[str, list[float]] = defaultdict(list)
    for e in events:
        t = e["ticket"]
        if e["type"] == "called" and t and t.get("calls") == 1:
            called = datetime.fromisoformat(e["at"])
            waits[e["service"]].append((called - queued[t["id"]]).total_seconds() / 60)
    heat = Counter()
    for e in events:
        if e["type"] == "issued":
            local = datetime.fromisoformat(e["at"]).astimezone(TZ)
            heat[(local.weekday(), local.hour)] += 1
    return {
        "issued": issued,
        "no_shows": no_shows,
        "served_by_counter": served_by_counter,
        "wait_median": {s: round(statistics.median(w), 1) for s, w in waits.items()},
        "heat": heat,
    }


def _ratings_from_table(db: Path) -> dict[str, Counter[int]]:
    conn = sqlite3.connect(db)
    out: dict[str, Counter[int]] = defaultdict(Counter)
    for service, score in conn.execute(
        "SELECT service, score FROM ratings WHERE day BETWEEN ? AND ?",
        (PERIOD["from"], PERIOD["to"]),
    ):
        out[service][score] += 1
    conn.close()
    return out


# -- reading the page ----------------------------------------------------------
class _Tables(HTMLParser):
    """Every <table> of a page as {caption: rows of cell texts}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False
        self._caption_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._in_caption, self._caption_text = True, []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
            self._caption = "".join(self._caption_text).replace("CSV", "").strip()
        elif tag in ("td", "th") and self._cell is not None and self._rows is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption or str(len(self.tables))] = self._rows
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self._caption_text.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def _page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _by_name(rows: list[list[str]], column: int) -> dict[str, str]:
    return {row[0]: row[column] for row in rows[1:]}


# -- the tests -------------------------------------------------------------------
def test_seed_is_a_busy_realistic_month(month: Month) -> None:
    log = _from_log(month.db)
    assert sum(log["issued"].values()) == month.counts["issued"] > 1000
    morning = sum(n for (d, h), n in log["heat"].items() if h in (8, 9))
    evening = sum(n for (d, h), n in log["heat"].items() if h == 16)
    assert morning > 3 * evening  # the morning peak
    assert sum(n for (d, _h), n in log["heat"].items() if d == 6) == 0  # closed on Sundays
    assert month.counts["rated"] > 300


def test_sign_in_and_roles(month: Month) -> None:
    anonymous = requests.get(f"{month.url}/reports/", timeout=30)
    assert anonymous.status_code == 401
    assert 'name="pin"' in anonymous.text
    board = requests.get(
        f"{month.url}/reports/",
        headers={"Authorization": f"Bearer {DEV_TOKENS['board']}"},
        timeout=30,
    )
    assert board.status_code == 403
    api_board = requests.get(
        f"{month.url}/api/v1/report/period",
        params=PERIOD,
        headers={"Authorization": f"Bearer {DEV_TOKENS['board']}"},
        timeout=30,
    )
    assert api_board.status_code == 403
    wrong = requests.post(f"{month.url}/reports/sign-in", data={"pin": "0000"}, timeout=30)
    assert wrong.status_code == 401
    assert "Mã PIN không đúng." in wrong.text
    admin = requests.get(
        f"{month.url}/reports/?from=2026-11-01&to=2026-11-30",
        headers={"Authorization": f"Bearer {DEV_TOKENS['admin']}"},
        timeout=30,
    )
    assert admin.status_code == 200


def test_page_numbers_agree_with_the_event_log(month: Month) -> None:
    s = month.director()
    page = s.get(f"{month.url}/reports/", params=PERIOD, timeout=60)
    assert page.status_code == 200
    assert "Báo cáo của Trung tâm" in page.text
    tables = _page_tables(page.text)
    log = _from_log(month.db)
    names = {sv.id: sv.name["vi"] for sv in month.cfg.services}
    counters = {c.id: c.name["vi"] for c in month.cfg.counters}

    outcomes = tables["Kết quả phiếu theo lĩnh vực"]
    assert outcomes[0][:4] == ["Lĩnh vực", "Đã cấp", "Đã phục vụ", "Vắng mặt"]
    for sid, name in names.items():
        assert int(_by_name(outcomes, 1)[name]) == log["issued"][sid]
        assert int(_by_name(outcomes, 3)[name]) == log["no_shows"][sid]
    waiting = tables["Thời gian chờ theo lĩnh vực"]
    for sid, name in names.items():
        assert float(_by_name(waiting, 2)[name].replace(",", ".")) == log["wait_median"][sid]
    served = tables["Quầy phục vụ"]
    for cid, name in counters.items():
        assert int(_by_name(served, 2)[name]) == log["served_by_counter"][cid]
    arrivals = tables["Lượt đến theo thứ và giờ"]
    hours = [int(h[:2]) for h in arrivals[0][1:]]
    for d, row in enumerate(arrivals[1:]):
        for h, cell in zip(hours, row[1:], strict=True):
            assert int(cell) == log["heat"][(d, h)]
    summary = _by_name(tables["Tổng hợp"], 1)
    assert int(summary["Số phiếu đã cấp"]) == sum(log["issued"].values())
    # Every chart is drawn, with a text alternative.
    assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') >= 8


def test_transfers_on_the_page_agree_with_the_event_log(month: Month) -> None:
    # Each row names the service a ticket left and the service it was sent to
    # (never the id of the ticket's new leg), counted as the log's transfers.
    conn = sqlite3.connect(month.db)
    moves = Counter(
        (json.loads(data)["from_service"], json.loads(data)["to_service"])
        for (data,) in conn.execute(
            "SELECT data FROM events WHERE type = 'transferred' AND day BETWEEN ? AND ?",
            (PERIOD["from"], PERIOD["to"]),
        )
    )
    conn.close()
    assert moves
    names = {sv.id: sv.name["vi"] for sv in month.cfg.services}
    expected = Counter({(names[a], names[b]): n for (a, b), n in moves.items()})
    page = month.director().get(f"{month.url}/reports/", params=PERIOD, timeout=60)
    rows = _page_tables(page.text)["Chuyển lĩnh vực"]
    assert rows[0] == ["Từ lĩnh vực", "Sang lĩnh vực", "Số phiếu"]
    assert Counter({(a, b): int(n) for a, b, n in rows[1:]}) == expected


def test_ratings_on_the_page_agree_with_the_ratings_table(month: Month) -> None:
    s = month.director()
    tables = _page_tables(s.get(f"{month.url}/reports/", params=PERIOD, timeout=60).text)
    rows = tables["Đánh giá theo lĩnh vực"]
    levels = len(month.cfg.satisfaction.levels)
    truth = _ratings_from_table(month.db)
    for sv in month.cfg.services:
        row = next(r for r in rows[1:] if r[0] == sv.name["vi"])
        counts = truth[sv.id]
        total = sum(counts.values())
        assert int(row[1]) == total
        for k in range(levels):  # most satisfied (score N) first
            share = counts[levels - k] / total if total else None
            shown = row[3 + k]
            assert shown == ("–" if share is None else f"{share * 100:.0f} %")


def test_the_months_comments_are_the_ratings_tables(month: Month) -> None:
    conn = sqlite3.connect(month.db)
    truth = conn.execute(
        "SELECT service, counter, score, comment FROM ratings WHERE comment IS NOT NULL "
        "AND day BETWEEN ? AND ? ORDER BY rated_at DESC, pk DESC",
        (PERIOD["from"], PERIOD["to"]),
    ).fetchall()
    conn.close()
    assert len(truth) >= 10
    s = month.director()
    tables = _page_tables(s.get(f"{month.url}/reports/", params=PERIOD, timeout=60).text)
    rows = tables["Ý kiến của người dân, mới nhất trước"][1:]
    names = {sv.id: sv.name["vi"] for sv in month.cfg.services}
    counters = {c.id: c.name["vi"] for c in month.cfg.counters}
    assert [(r[1], r[2], int(r[3]), r[5]) for r in rows] == [
        (names[sv], counters[c], score, text) for sv, c, score, text in truth
    ]


def test_xlsx_and_csv_hold_the_same_numbers_as_numbers(month: Month) -> None:
    s = month.director()
    log = _from_log(month.db)
    names = {sv.id: sv.name["vi"] for sv in month.cfg.services}
    r = s.get(f"{month.url}/reports/export.xlsx", params=PERIOD, timeout=60)
    assert r.status_code == 200
    assert "attachment" in r.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(r.content))
    assert len(book.sheetnames) >= 12
    sheet = book["Kết quả phiếu theo lĩnh vực"]
    assert "Lịch Hội Thượng" in str(sheet["A1"].value)
    header = [c.value for c in sheet[2]]
    assert header[:3] == ["Lĩnh vực", "Đã cấp", "Đã phục vụ"]
    for row in sheet.iter_rows(min_row=3, values_only=True):
        sid = next(k for k, v in names.items() if v == row[0])
        assert row[1] == log["issued"][sid] and isinstance(row[1], int)
    waits = book["Thời gian chờ theo lĩnh vực"]
    for row in waits.iter_rows(min_row=3, values_only=True):
        sid = next(k for k, v in names.items() if v == row[0])
        assert row[2] == pytest.approx(log["wait_median"][sid])
        assert isinstance(row[4], float) and 0 <= row[4] <= 1  # a share, formatted as percent
    assert waits.cell(row=3, column=5).number_format == "0%"

    c = s.get(f"{month.url}/reports/export.csv", params={**PERIOD, "table": "outcomes"}, timeout=60)
    assert c.status_code == 200
    rows = list(csv.reader(io.StringIO(c.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Lĩnh vực", "Đã cấp"]
    assert {r[0]: int(r[1]) for r in rows[1:]} == {names[k]: v for k, v in log["issued"].items()}


@pytest.mark.parametrize("lang", ["en", "km"])
def test_xlsx_sheet_names_are_cut_between_words(month: Month, lang: str) -> None:
    # Excel allows 31 characters: a longer title is cut where a line could break,
    # marked with "…", never inside a word or a Khmer cluster.
    s = month.director()
    params = {**PERIOD, "lang": lang}
    titles = list(_page_tables(s.get(f"{month.url}/reports/", params=params, timeout=60).text))
    book = load_workbook(
        io.BytesIO(s.get(f"{month.url}/reports/export.xlsx", params=params, timeout=60).content)
    )
    assert any(name.endswith("…") for name in book.sheetnames)
    for name in book.sheetnames:
        assert len(name) <= 31
        if not name.endswith("…"):
            assert name in titles
            continue
        head = name[:-1]
        rest = next(t for t in titles if t.startswith(head))[len(head) :]
        assert not head.endswith("\u17d2")  # a coeng waiting for its subscript
        assert unicodedata.category(rest[0]) not in ("Mn", "Mc"), name
        if lang == "en":
            assert rest[0] == " ", name


def test_period_api_and_bad_periods(month: Month) -> None:
    admin = {"Authorization": f"Bearer {DEV_TOKENS['admin']}"}
    r = requests.get(f"{month.url}/api/v1/report/period", params=PERIOD, headers=admin, timeout=60)
    assert r.status_code == 200
    assert r.json()["totals"]["issued"] == month.counts["issued"]
    bad = requests.get(
        f"{month.url}/api/v1/report/period",
        params={"from": "2026-11-30", "to": "2026-11-01"},
        headers=admin,
        timeout=30,
    )
    assert bad.status_code == 422
    assert "ends" in bad.json()["detail"]
    leap = requests.get(
        f"{month.url}/api/v1/report/period",
        params={"from": "2026-02-29", "to": "2026-03-01"},
        headers=admin,
        timeout=30,
    )
    assert leap.status_code == 422  # 2026 is no leap year: the sentence names that date
    assert leap.json()["detail"].startswith("'2026-02-29' is not a date")
    s = month.director()
    page = s.get(f"{month.url}/reports/", params={"from": "2026-02-30", "to": "x"}, timeout=30)
    assert page.status_code == 200
    assert 'class="problem"' in page.text  # one sentence, and this month is shown


def test_cli_period_report(month: Month, tmp_path: Path) -> None:
    out = tmp_path / "month.xlsx"
    done = run_cli(
        "report",
        "--config",
        str(month.config),
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--xlsx",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert load_workbook(out).sheetnames[0] == "Tổng hợp"
    exported = out.read_bytes()
    for target, why in (
        (tmp_path, "is a folder, not a file"),
        (out / "x.xlsx", f"cannot be created: {out} is a file, not a folder"),
        (
            tmp_path / "missing" / "x.xlsx",
            f"cannot be created: the folder {tmp_path / 'missing'} does not exist",
        ),
    ):
        refused = run_cli(
            "report", "--config", str(month.config),
            "--from", "2026-11-01", "--to", "2026-11-30", "--xlsx", str(target),
        )  # fmt: skip
        assert refused.returncode == 2
        assert refused.stderr.endswith(f"--xlsx {target}: {why}\n"), refused.stderr
        assert refused.stderr.count("\n") == 1
    assert out.read_bytes() == exported  # the export already made is untouched
    text = run_cli(
        "report", "--config", str(month.config), "--from", "2026-11-01", "--to", "2026-11-30"
    )
    assert text.returncode == 0
    assert "Tư pháp – Hộ tịch" in text.stdout and "ho-tich" not in text.stdout
    bad = run_cli("report", "--config", str(month.config), "--from", "2026-11-01")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    # A day's workbook: --date with --xlsx is that one day's period.
    day = tmp_path / "day.xlsx"
    done = run_cli(
        "report", "--config", str(month.config), "--date", "2026-11-10", "--xlsx", str(day)
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert day.exists() and done.stdout.startswith(f"{day}: ")
    both = run_cli(
        "report", "--config", str(month.config),
        "--date", "2026-11-10", "--from", "2026-11-01", "--xlsx", str(day),
    )  # fmt: skip
    assert both.returncode == 2
    assert both.stderr.endswith("give either --date or --from and --to, not both\n")


@pytest.mark.browser
def test_chromium_renders_the_dashboard_and_the_a4_report(month: Month, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in_page(page, month.url)
    page.goto(f"{month.url}/reports/?from=2026-11-01&to=2026-11-30&lang=vi")
    heat = page.locator("#arrivals svg")
    assert heat.is_visible()
    assert heat.bounding_box()["width"] > 300
    page.goto(f"{month.url}/reports/print?from=2026-11-01&to=2026-11-30&lang=vi")
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 2 <= pages <= 12
    assert b"/MediaBox [0 0 595" in pdf  # A4: 595 x 842 points


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_every_chart_text_is_inside_its_chart(month: Month, browser: Any, lang: str) -> None:
    # A value written after the longest bar ("12 vắng mặt, 30 lần gọi lại") must
    # not run past the chart's right edge, where the SVG cuts it off.
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in_page(page, month.url)
    page.goto(f"{month.url}/reports/?from=2026-11-01&to=2026-11-30&lang={lang}")
    page.wait_for_function("document.fonts.status === 'loaded'")
    outside = page.evaluate(
        """() => [...document.querySelectorAll('svg[role=img]')].flatMap(svg => {
            const width = svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll('text')]
              .map(t => ({text: t.textContent, box: t.getBBox()}))
              .filter(({box}) => box.x < -0.5 || box.x + box.width > width + 0.5)
              .map(({text, box}) => `${svg.getAttribute('aria-label')}: ${text} `
                                    + `(${box.x.toFixed(0)}..${(box.x + box.width).toFixed(0)} `
                                    + `of ${width})`);
        })"""
    )
    page.close()
    assert outside == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "km"])
@pytest.mark.parametrize(
    "period",
    [
        "from=2026-11-01&to=2026-11-07",
        "from=2026-11-01&to=2026-11-30",
    ],
)
def test_the_day_labels_of_a_week_or_a_month_do_not_touch(
    month: Month, browser: Any, lang: str, period: str
) -> None:
    # A week's labels were 28 px apart and ran into each other ("01/1202/12").
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in_page(page, month.url)
    page.goto(f"{month.url}/reports/?{period}&lang={lang}")
    page.wait_for_function("document.fonts.status === 'loaded'")
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('#daily svg text')]
              .filter(t => t.getAttribute('text-anchor') === 'middle')
              .map(t => { const b = t.getBBox(); return [b.x, b.x + b.width]; })"""
    )
    page.close()
    assert len(boxes) >= 4
    touching = [(a, b) for a, b in itertools.pairwise(boxes) if a[1] + 2 > b[0]]
    assert touching == []


# -- digits and hours in the reader's script -----------------------------------
LATIN_DIGIT = re.compile("[0-9]")
KHMER_DIGIT = re.compile("[\u17e0-\u17e9]")

# Every number, day and hour the page writes; not what was typed (names, kiosk
# ids, comments), which is shown as typed. Kiosk ids are returned to be left out.
_PAGE_NUMBERS = """() => {
  const all = (sel) => [...document.querySelectorAll(sel)].map(e => e.textContent.trim());
  return {
    heading: all('h1'),
    tables: [...all('thead th'), ...all('section:not(#comments) tbody td'),
             ...all('#comments tbody td:not(:last-child)'),
             ...all('#daily tbody th, #comments tbody th')],
    charts: all('svg text, svg title, svg desc'),
    hours: all('#arrivals svg > text[y="15"]'),
    hour_columns: all('#arrivals thead th').slice(1),
    live: all('.live dd, .live li strong'),
    kiosks: all('#kiosks tbody th'),
  };
}"""


def _numbers_on(page: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = page.evaluate(_PAGE_NUMBERS)
    kiosks = found.pop("kiosks")  # the month's kiosks, named by their ids (the dashboard)
    found["charts"] = [
        functools.reduce(lambda text, kid: text.replace(kid, ""), kiosks, text)
        for text in found["charts"]
    ]
    return found


def _refreshed_strip(page: Any) -> list[str]:
    """The live strip after its 20-second refresh (the page's clock run forward)."""
    page.evaluate("document.querySelectorAll('.live dd').forEach(d => { d.textContent = '?'; })")
    with page.expect_response(lambda r: "/reports/live.json" in r.url):
        page.clock.run_for(20_000)
    # expect() polls without eval, which the page's Content-Security-Policy forbids.
    expect(page.locator(".live dd").filter(has_text=re.compile(r"^\?$"))).to_have_count(0)
    strip: list[str] = page.evaluate(
        "[...document.querySelectorAll('.live dd, .live li strong')].map(e => e.textContent)"
    )
    return strip


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_one_digit_system_on_the_dashboard(month: Month, browser: Any, lang: str) -> None:
    # A user trial found Latin digits in the km tables and charts beside Khmer ones
    # in the live strip, and the heatmap's hours as "21h".
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in_page(page, month.url)
    page.clock.install()
    for path in ("/reports/", "/reports/print"):
        page.goto(f"{month.url}{path}?from=2026-11-01&to=2026-11-30&lang={lang}")
        found = _numbers_on(page)
        assert found["charts"] and found["tables"] and (found["live"] or path != "/reports/")
        hours = found.pop("hours")
        columns = found.pop("hour_columns")
        assert len(hours) == len(columns) >= 8
        texts = [t for group in found.values() for t in group] + hours + columns
        if lang == "km":
            assert sum(1 for t in found["tables"] if KHMER_DIGIT.search(t)) > 200
            assert [t for t in texts if LATIN_DIGIT.search(t)] == []
            # The 24-hour clock of the kiosk and the phone page, as the table's columns.
            assert hours == columns
            assert all(re.fullmatch(r"\d\d:00", latin_digits(h)) for h in hours)
        else:
            assert [t for t in texts if KHMER_DIGIT.search(t)] == []
            assert hours == [f"{int(c[:2])}h" for c in columns]  # as before: "21h"
    page.goto(f"{month.url}/reports/?from=2026-11-01&to=2026-11-30&lang={lang}")
    strip = _refreshed_strip(page)
    page.close()
    assert len(strip) >= 5
    wrong = LATIN_DIGIT if lang == "km" else KHMER_DIGIT
    assert [t for t in strip if wrong.search(t)] == []


def test_the_khmer_page_has_the_same_numbers_in_khmer_digits(month: Month) -> None:
    s = month.director()
    vi, km = (
        list(
            _page_tables(
                s.get(f"{month.url}/reports/", params={**PERIOD, "lang": lang}, timeout=60).text
            ).values()
        )
        for lang in ("vi", "km")
    )
    assert len(vi) == len(km)
    for vi_rows, km_rows in zip(vi, km, strict=True):
        assert len(vi_rows) == len(km_rows)
    # The daily table: day and every figure, digit for digit (vi writes 0,4 for 0.4).
    daily_vi, daily_km = vi[1], km[1]
    assert [[latin_digits(c) for c in row] for row in daily_km[1:]] == [
        [c.replace(",", ".") for c in row] for row in daily_vi[1:]
    ]
    assert any("," in c for row in daily_vi[1:] for c in row)  # the medians
    assert daily_km[1][0] == native_digits(daily_vi[1][0], "km")
    # The heatmap's table: hours and counts.
    assert km[2][0][1:] == [native_digits(h, "km") for h in vi[2][0][1:]]
    assert [[latin_digits(c) for c in row[1:]] for row in km[2][1:]] == [
        row[1:] for row in vi[2][1:]
    ]


def test_khmer_exports_keep_machine_numbers(month: Month) -> None:
    s = month.director()
    params = {**PERIOD, "lang": "km"}
    book = load_workbook(
        io.BytesIO(s.get(f"{month.url}/reports/export.xlsx", params=params, timeout=60).content)
    )
    daily, arrivals = book.worksheets[1], book.worksheets[2]
    for row in daily.iter_rows(min_row=3, values_only=True):
        assert (
            isinstance(row[0], str)
            and date.fromisoformat(row[0])
            and all(isinstance(v, int) for v in row[1:4])
        )
    assert [c.value for c in arrivals[2]][1:4] == ["07:00", "08:00", "09:00"]
    for row in arrivals.iter_rows(min_row=3, values_only=True):
        assert all(isinstance(v, int) for v in row[1:])
    c = s.get(f"{month.url}/reports/export.csv", params={**params, "table": "daily"}, timeout=60)
    rows = list(csv.reader(io.StringIO(c.content.decode("utf-8-sig"))))
    assert not any(KHMER_DIGIT.search(cell) for row in rows[1:] for cell in row)
    assert all(int(r[1]) >= 0 for r in rows[1:])


def test_the_khmer_headings_introduce_the_period_with_the_khmer_colon(month: Month) -> None:
    # The templates added an ASCII ": " after the translated words (the translation review).
    s = month.director()
    for path, tag in (("/reports/", "h1"), ("/reports/print", 'p class="period-line"')):
        html = s.get(f"{month.url}{path}", params={**PERIOD, "lang": "km"}, timeout=60).text
        start = html.index(f"<{tag}>")
        heading = html[start : html.index("</", start)]
        assert "៖ " in heading and ": " not in heading, heading
        # the service-time table's rows name a service or a counter the same way
        assert "សេវា៖ " in html and "បញ្ជរ៖ " in html
        assert "សេវា: " not in html and "បញ្ជរ: " not in html
