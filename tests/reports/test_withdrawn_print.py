"""Withdrawn numbers per service on the A4 report: a line under the table, and it fits.

Six services named with the longest real names of the catalogue's fields (vi and
km), tickets issued and withdrawn through the real engine into a real SQLite
file, a real ``kiosk serve``, and the A4 report printed by headless Chromium.
The table "How tickets ended, per service" with its line must print on one A4
page, nothing wider than the page's printable width.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import Config, load_config
from kiosk.queue import IssueOrder, ManualClock, QueueEngine
from kiosk.text.numbers import native_digits
from tests.conftest import ROOT, run_cli, write_config
from tests.reports.director import sign_in_page
from tests.server.conftest import free_port, serve_process, stop_process, wait_healthy

DAY = date(2026, 11, 3)
# A4 (210 mm) less the report's 12 mm margins each side, in CSS px (96 per inch).
PRINTABLE_PX = (210 - 2 * 12) / 25.4 * 96
OLD_NAMES = [  # the services of config/center.toml, in order
    "Tư pháp – Hộ tịch",
    "Chứng thực",
    "Đất đai – Xây dựng – Môi trường",
    "Kinh doanh – Cư trú",
    "Văn hóa – Xã hội",
    "Thủ tục khác",
]


def _longest_names() -> list[dict[str, str]]:
    """Six names, the i-th longest real field name of each language in the i-th."""
    doc = json.loads((ROOT / "assets/catalogue/sample.json").read_text(encoding="utf-8"))
    names = [f["name"] for f in doc["fields"]]
    by = {lang: sorted((n[lang] for n in names), key=len, reverse=True) for lang in ("vi", "km")}
    by["en"] = sorted((n["en"] for n in names), key=len, reverse=True)
    return [{lang: by[lang][i] for lang in ("vi", "km", "en")} for i in range(6)]


class Centre:
    def __init__(self, root: Path) -> None:
        self.names = _longest_names()
        edits = {
            rf'^name = \{{ vi = "{re.escape(old)}".*$': (
                f'name = {{ vi = "{new["vi"]}", km = "{new["km"]}", en = "{new["en"]}" }}'
            )
            for old, new in zip(OLD_NAMES, self.names, strict=True)
        }
        edits[r'^data_dir = "\.\./var"'] = f'data_dir = "{root}/var"'
        self.config = write_config(root, **edits)
        self.cfg = load_config(self.config)
        self.db = root / "var" / "queue.sqlite3"
        self.withdrawn = self._traffic(self.cfg)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = serve_process(self.config, self.port, self.db, root / "serve.log")
        wait_healthy(self.url, self.proc)

    def _traffic(self, cfg: Config) -> dict[str, int]:
        """A morning: every service issues, some numbers withdrawn (all but one service)."""
        self.db.parent.mkdir(parents=True, exist_ok=True)
        clock = ManualClock(datetime.combine(DAY, time(8), cfg.tz))
        engine = QueueEngine(cfg, self.db, clock=clock)
        withdrawn: dict[str, int] = {}
        try:
            for i, service in enumerate(cfg.services):
                for n in range(6):
                    key = f"{service.id}-{n}"
                    engine.issue(IssueOrder(service.id, kiosk="kiosk-1", idempotency_key=key))
                    clock.advance(seconds=40)
                    if n < i and i < 5:  # 0..4 withdrawals; the last service has none
                        engine.withdraw("kiosk-1", key)
                        withdrawn[service.id] = withdrawn.get(service.id, 0) + 1
        finally:
            engine.close()
        return withdrawn


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centre]:
    root = tmp_path_factory.mktemp("withdrawn")
    c = Centre(root)
    yield c
    stop_process(c.proc)
    shutil.rmtree(root / "var", ignore_errors=True)


def _print_url(centre: Centre, lang: str) -> str:
    return f"{centre.url}/reports/print?from={DAY}&to={DAY}&lang={lang}"


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "km"])
def test_withdrawn_numbers_per_service_fit_the_a4_page(
    centre: Centre, browser: Any, lang: str, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": round(PRINTABLE_PX), "height": 1100})
    sign_in_page(page, centre.url)
    page.emulate_media(media="print")
    page.goto(_print_url(centre, lang))
    note = page.locator("#outcomes .table-note")
    text = note.inner_text()
    # Every service with withdrawals, with its count in the reader's digits; none other.
    for service, name in zip(centre.cfg.services, centre.names, strict=True):
        count = centre.withdrawn.get(service.id)
        if count:
            colon = "៖" if lang == "km" else ":"
            assert f"{name[lang]}{colon} {native_digits(str(count), lang)}" in text, text
        else:
            assert name[lang] not in text, text
    assert len(centre.withdrawn) == 4 and sum(centre.withdrawn.values()) == 10
    # Nothing wider than the printable width: no scrolled table, no line running off.
    box = page.evaluate(
        """() => {
          const section = document.querySelector('#outcomes');
          const wrap = section.querySelector('.table-wrap');
          const parts = [...section.querySelectorAll('table, th, td, .table-note, h2')];
          return {
            overflow: wrap.scrollWidth - wrap.clientWidth,
            right: Math.max(...parts.map(e => e.getBoundingClientRect().right)),
            page: document.documentElement.clientWidth,
          };
        }"""
    )
    assert box["overflow"] <= 0, box
    assert box["right"] <= box["page"] + 0.5, box
    assert box["page"] <= PRINTABLE_PX + 1, box
    # The table and its line alone print as one A4 page.
    page.evaluate(
        """() => {
          document.querySelectorAll('main > section:not(#outcomes)').forEach(e => e.remove());
        }"""
    )
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages == 1, pages
    assert b"/MediaBox [0 0 595" in pdf  # A4: 595 x 842 points
    (tmp_path / f"outcomes-{lang}.pdf").write_bytes(pdf)  # kept by pytest for a look


@pytest.mark.browser
def test_a_period_without_withdrawals_has_no_line(centre: Centre, browser: Any) -> None:
    page = browser.new_page()
    sign_in_page(page, centre.url)
    page.goto(f"{centre.url}/reports/print?from=2026-11-01&to=2026-11-02&lang=vi")
    assert page.locator("#outcomes").count() == 1
    assert page.locator("#outcomes .table-note").count() == 0
    page.close()


def test_kiosk_report_prints_the_line_under_the_table(centre: Centre) -> None:
    out = run_cli("report", "--from", str(DAY), "--to", str(DAY), "--config", str(centre.config))
    assert out.returncode == 0, out.stderr
    table = out.stdout.split("Kết quả phiếu theo lĩnh vực\n", 1)[1].split("\n\n", 1)[0]
    note = table.splitlines()[-1]
    assert note.startswith("Ki-ốt thu hồi (số chưa hiển thị, không tính trong bảng): "), table
    listed = dict(part.rsplit(": ", 1) for part in note.split(": ", 1)[1].rstrip(".").split("; "))
    expected = {
        name["vi"]: str(centre.withdrawn[s.id])
        for s, name in zip(centre.cfg.services, centre.names, strict=True)
        if s.id in centre.withdrawn
    }
    assert listed == expected
