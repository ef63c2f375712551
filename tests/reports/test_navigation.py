"""The dashboard's "Previous" and "Next" links: a month steps to the whole month beside it.

A real centre server on 127.0.0.1 (an empty queue database: the links do not depend
on the figures), the director signed in with the development PIN, the page's links
read from its HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import requests

from kiosk.config import load_config
from kiosk.server.run import start_in_thread
from tests.conftest import write_config
from tests.reports.director import signed_in

LINK = re.compile(r'<a[^>]*href="([^"]*)"[^>]*>\s*([^<]*?)\s*<')


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, requests.Session]]:
    cfg = load_config(write_config(tmp_path_factory.mktemp("navigation")))
    handle = start_in_thread(cfg, host="127.0.0.1", port=0)
    try:
        yield handle.url, signed_in(handle.url)
    finally:
        handle.stop()


def _steps(dashboard: tuple[str, requests.Session], start: str, end: str) -> dict[str, str]:
    url, session = dashboard
    page = session.get(f"{url}/reports/?from={start}&to={end}&lang=en", timeout=60)
    assert page.status_code == 200, page.text
    out = {}
    for href, text in LINK.findall(page.text):
        found = re.search(r"from=([\d-]+)&to=([\d-]+)", html.unescape(href))
        if found and ("Previous" in text or "Next" in text):
            out["previous" if "Previous" in text else "next"] = "..".join(found.groups())
    return out


@pytest.mark.parametrize(
    ("start", "end", "previous", "following"),
    [
        # Whole months: the month before and after, whatever their lengths.
        ("2026-12-01", "2026-12-31", "2026-11-01..2026-11-30", "2027-01-01..2027-01-31"),
        ("2027-01-01", "2027-01-31", "2026-12-01..2026-12-31", "2027-02-01..2027-02-28"),
        ("2024-02-01", "2024-02-29", "2024-01-01..2024-01-31", "2024-03-01..2024-03-31"),
        ("2026-11-01", "2026-12-31", "2026-09-01..2026-10-31", "2027-01-01..2027-02-28"),
        # Any other period: the same number of days before and after.
        ("2026-12-28", "2027-01-03", "2026-12-21..2026-12-27", "2027-01-04..2027-01-10"),
        ("2026-12-31", "2026-12-31", "2026-12-30..2026-12-30", "2027-01-01..2027-01-01"),
        ("2026-12-15", "2027-01-14", "2026-11-14..2026-12-14", "2027-01-15..2027-02-14"),
    ],
)
def test_previous_and_next_periods(
    dashboard: tuple[str, requests.Session], start: str, end: str, previous: str, following: str
) -> None:
    assert _steps(dashboard, start, end) == {"previous": previous, "next": following}


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-13-01", "to": "2027-01-31"},  # no such month
        {"from": "2027-01-31", "to": "2026-12-01"},  # ends before it starts
        {"from": "2026-01-01", "to": "2027-12-31"},  # longer than a report covers
        {"period": "year"},  # no such period
        {"date": "yesterday"},
    ],
)
@pytest.mark.parametrize("lang", ["vi", "km"])
def test_a_period_that_cannot_be_read_is_said_in_the_page_language(
    dashboard: tuple[str, requests.Session], query: dict[str, str], lang: str
) -> None:
    """The sentence carried the domain's English detail ("'2026-13-01' is not a date;
    use YYYY-MM-DD") inside the Vietnamese or Khmer one."""
    url, session = dashboard
    page = session.get(f"{url}/reports/", params={**query, "lang": lang}, timeout=60)
    assert page.status_code == 200
    found = re.search(r'<p class="problem"[^>]*>([^<]*)</p>', page.text)
    assert found, "one sentence says the period was not read"
    problem = html.unescape(found.group(1))
    # Only what the director typed and the date pattern may be in Latin letters.
    leftover = problem.replace("YYYY-MM-DD", "")
    for typed in query.values():
        leftover = leftover.replace(typed, "")
    assert not re.search(r"[A-Za-z]{2,}", leftover if lang == "km" else ""), problem
    if lang == "vi":
        english = {"not", "date", "use", "ends", "before", "covers", "days", "unknown", "invalid"}
        assert not english & set(re.findall(r"[a-z]+", leftover)), problem
        assert problem.endswith("đang hiển thị tháng này."), problem
    else:
        assert problem.endswith("បង្ហាញខែនេះ។"), problem
