"""A long period with thousands of comments: screens show the newest, the exports hold all.

A real SQLite file holds 2,400 rated tickets with comments over 40 days (written
by the queue engine itself), a real `kiosk serve` reads it. The dashboard, the
A4 page, the period API and `kiosk report` list the newest COMMENTS_SHOWN and
say how many more there are and where they are; the CSV and XLSX hold every one.
"""

from __future__ import annotations

import csv
import io
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook

from kiosk.config import load_config
from kiosk.queue import QueueEngine
from kiosk.queue.clock import ManualClock
from kiosk.queue.ratings import COMMENTS_SHOWN
from kiosk.queue.report import MORE_COMMENTS
from kiosk.server.devsecrets import DEV_TOKENS
from kiosk.text import gettext
from tests.conftest import run_cli, write_config
from tests.reports.director import signed_in
from tests.server.conftest import free_port, serve_process, stop_process, wait_healthy

TOTAL = 2400
PER_DAY = 60
START = date(2026, 1, 5)
PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}
ADMIN = {"Authorization": f"Bearer {DEV_TOKENS['admin']}"}


def _comment(i: int) -> str:
    return f"Góp ý số {i}: cần thêm ghế chờ"


class Year:
    def __init__(self, root: Path) -> None:
        self.config = write_config(root, **{r'^data_dir = "\.\./var"': f'data_dir = "{root}/var"'})
        cfg = load_config(self.config)
        self.db = root / "var" / "queue.sqlite3"
        self.db.parent.mkdir(parents=True)
        clock = ManualClock(datetime.combine(START, time(8), cfg.tz))
        engine = QueueEngine(cfg, self.db, clock=clock)
        try:
            for i in range(TOTAL):
                day, nth = divmod(i, PER_DAY)
                clock.set(
                    datetime.combine(START + timedelta(days=day), time(8), cfg.tz)
                    + timedelta(minutes=5 * nth)
                )
                ticket = engine.issue("ho-tich")
                engine.call_next("2")
                engine.done("2")
                engine.rate(ticket["id"], 1 + i % 4, comment=_comment(i))
        finally:
            engine.close()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = serve_process(self.config, self.port, self.db, root / "serve.log")
        wait_healthy(self.url, self.proc)


@pytest.fixture(scope="module")
def year() -> Iterator[Year]:
    # tmpfs when there is one: 9,600 fsync'd transactions would dominate the run on disk.
    shm = Path("/dev/shm")
    root = Path(tempfile.mkdtemp(prefix="kiosk-comments-", dir=shm if shm.is_dir() else None))
    y = Year(root)
    yield y
    stop_process(y.proc)
    subprocess.run(["rm", "-rf", str(root)], check=False)


def _newest(n: int) -> list[str]:
    return [_comment(i) for i in range(TOTAL - 1, TOTAL - 1 - n, -1)]


def test_the_period_api_gives_the_newest_and_the_count_or_all(year: Year) -> None:
    r = requests.get(f"{year.url}/api/v1/report/period", params=PERIOD, headers=ADMIN, timeout=120)
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["comments_total"] == TOTAL
    assert [c["comment"] for c in found["comments"]] == _newest(COMMENTS_SHOWN)
    every = requests.get(
        f"{year.url}/api/v1/report/period",
        params={**PERIOD, "comments": "all"},
        headers=ADMIN,
        timeout=120,
    ).json()
    assert [c["comment"] for c in every["comments"]] == _newest(TOTAL)
    assert every["totals"] == found["totals"]


@pytest.mark.parametrize("lang", ["vi", "km"])
def test_the_dashboard_and_the_a4_page_show_the_newest_and_say_how_many_more(
    year: Year, lang: str
) -> None:
    director = signed_in(year.url)
    more = gettext(MORE_COMMENTS, lang, count=TOTAL - COMMENTS_SHOWN)
    assert more != gettext(MORE_COMMENTS, "en", count=TOTAL - COMMENTS_SHOWN)  # translated
    for path, links in (("/reports/", True), ("/reports/print", False)):
        page = director.get(f"{year.url}{path}", params={**PERIOD, "lang": lang}, timeout=120)
        assert page.status_code == 200
        section = page.text.split('<section class="pair" id="comments">', 1)[1]
        section = section.split("</section>", 1)[0]
        assert section.count('<tr><th scope="row">') == COMMENTS_SHOWN
        assert (
            _comment(TOTAL - 1) in section and _comment(TOTAL - 1 - COMMENTS_SHOWN) not in section
        )
        assert more in section
        assert ("export.csv?table=comments" in section.split(more, 1)[1]) is links


def test_the_dashboard_exports_hold_every_comment(year: Year) -> None:
    director = signed_in(year.url)
    text = director.get(
        f"{year.url}/reports/export.csv", params={**PERIOD, "table": "comments"}, timeout=120
    )
    assert text.status_code == 200
    rows = list(csv.reader(io.StringIO(text.text.lstrip("\ufeff"))))
    assert [row[-1] for row in rows[1:]] == _newest(TOTAL)
    book = director.get(f"{year.url}/reports/export.xlsx", params=PERIOD, timeout=120)
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content)).worksheets[-2]  # comments, then kiosks
    cells = [row[-1] for row in sheet.iter_rows(values_only=True)]
    assert _comment(TOTAL - 1) in cells and _comment(0) in cells
    assert sum(1 for c in cells if isinstance(c, str) and c.startswith("Góp ý số ")) == TOTAL


def test_kiosk_report_prints_the_newest_and_exports_all(year: Year, tmp_path: Path) -> None:
    period = ["--from", PERIOD["from"], "--to", PERIOD["to"]]
    out = run_cli("report", "--config", str(year.config), *period)
    assert out.returncode == 0, out.stderr
    shown = [line for line in out.stdout.splitlines() if "Góp ý số " in line]
    assert [line.strip() for line in shown] == _newest(COMMENTS_SHOWN)
    assert gettext(MORE_COMMENTS, "vi", count=TOTAL - COMMENTS_SHOWN) in out.stdout
    assert out.stdout.rstrip().endswith(
        f"kiosk report --from {PERIOD['from']} --to {PERIOD['to']} --csv --table comments"
    )
    every = run_cli("report", "--config", str(year.config), *period, "--csv", "--table", "comments")
    rows = list(csv.reader(io.StringIO(every.stdout)))
    assert [row[-1] for row in rows[1:]] == _newest(TOTAL)
    book = tmp_path / "year.xlsx"
    done = run_cli("report", "--config", str(year.config), *period, "--xlsx", str(book))
    assert done.returncode == 0, done.stderr
    cells = [r[-1] for r in load_workbook(book).worksheets[-2].iter_rows(values_only=True)]
    assert sum(1 for c in cells if isinstance(c, str) and c.startswith("Góp ý số ")) == TOTAL
