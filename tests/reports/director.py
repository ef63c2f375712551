"""The director signed in to /reports/ with the development PIN, as a browser would be."""

from __future__ import annotations

from typing import Any

import requests

from kiosk.server.devsecrets import DEV_REPORTS_PIN


def signed_in(url: str) -> requests.Session:
    """A session holding the dashboard's cookie for the centre at ``url``."""
    s = requests.Session()
    r = s.post(
        f"{url}/reports/sign-in",
        data={"pin": DEV_REPORTS_PIN, "lang": "vi", "next": "/reports/"},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 303, r.text
    return s


def sign_in_page(page: Any, url: str) -> None:
    """Sign a Chromium page in through the dashboard's own form."""
    page.goto(f"{url}/reports/?lang=vi")
    page.fill("#pin", DEV_REPORTS_PIN)
    page.click("button[type=submit]")
