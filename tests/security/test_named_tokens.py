"""A token that names its device costs one hash check, whatever the number of devices.

Hashes are salted: for an unnamed token the server can only try every
configured hash in turn (one scrypt each, on a kiosk's first request after a
restart). A token written ``NAME.SECRET`` (``kiosk hash-secret --new-token``)
is checked against its device's hash alone. The server runs in this process
so the test counts the checks (``Authenticator.token_checks``) instead of
timing them.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.config import load_config
from kiosk.credentials import new_token
from kiosk.server.auth import TOKEN_MAX_FAILURES, Authenticator
from kiosk.server.run import ServerHandle, start_in_thread
from tests.conftest import write_config
from tests.security.conftest import ATTACKER, HANG_GUARD, KIOSK, issue, kiosk_token_toml

NAMED = new_token("kiosk-2")
OLD_STYLE = "an-old-style-token-of-kiosk-3-without-a-name"
KIOSKS = 12  # kiosks kiosk-4 .. kiosk-15 as well, so that "every hash" is many


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[ServerHandle]:
    config = write_config(tmp_path)
    extra = kiosk_token_toml("kiosk-2", NAMED) + kiosk_token_toml("kiosk-3", OLD_STYLE)
    extra += "".join(kiosk_token_toml(f"kiosk-{n}", new_token(f"kiosk-{n}")) for n in range(4, 16))
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    handle = start_in_thread(load_config(config), "127.0.0.1", 0)
    yield handle
    handle.stop()


def issue_counting(centre: ServerHandle, token: str) -> tuple[requests.Response, int]:
    """A ticket asked for with ``token``: the answer and how many hash checks it cost."""
    auth: Authenticator = centre.app.state.auth
    before = auth.token_checks
    answer = issue(centre.url, token)
    return answer, auth.token_checks - before


def test_a_named_token_is_checked_against_its_own_hash_only(centre: ServerHandle) -> None:
    assert len(centre.app.state.cfg.tokens) == 7 + 2 + KIOSKS

    r, checks = issue_counting(centre, NAMED)
    assert r.status_code == 201, r.text
    assert r.json()["kiosk"] == "kiosk-2"
    assert checks == 1
    # Remembered once verified: the next request costs no hash at all.
    r, checks = issue_counting(centre, NAMED)
    assert r.status_code == 201 and checks == 0

    # The right name with a wrong secret is refused, after that one check.
    r, checks = issue_counting(centre, "kiosk-2.not-the-secret-of-kiosk-2")
    assert r.status_code == 401 and checks == 1
    # Another kiosk's secret under this kiosk's name is refused too.
    other = NAMED.replace("kiosk-2.", "kiosk-4.", 1)
    r, checks = issue_counting(centre, other)
    assert r.status_code == 401 and checks == 1


def test_tokens_without_a_name_still_work(centre: ServerHandle) -> None:
    configured = len(centre.app.state.cfg.tokens)
    # kiosk-3's entry is the ninth: the hashes before it are tried first.
    r, checks = issue_counting(centre, OLD_STYLE)
    assert r.status_code == 201 and r.json()["kiosk"] == "kiosk-3"
    assert checks == 9
    # The development kiosk token (unnamed, the first entry) as before.
    r, checks = issue_counting(centre, KIOSK)
    assert r.status_code == 201 and checks == 1
    # A name no device has is an unnamed token: every hash is tried, then 401.
    r, checks = issue_counting(centre, "kiosk-99.some-secret-text")
    assert r.status_code == 401 and checks == configured


def test_guessing_a_named_tokens_secret_is_throttled(centre: ServerHandle) -> None:
    auth: Authenticator = centre.app.state.auth
    port = int(centre.url.rsplit(":", 1)[1])
    statuses = []
    before = auth.token_checks
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=HANG_GUARD, source_address=(ATTACKER, 0)
    )
    try:
        for i in range(TOKEN_MAX_FAILURES + 5):
            conn.request(
                "GET", "/api/v1/services", headers={"Authorization": f"Bearer kiosk-2.guess-{i}"}
            )
            resp = conn.getresponse()
            resp.read()
            statuses.append(resp.status)
    finally:
        conn.close()
    # One check per guess while the address is within its budget, none past it.
    assert statuses == [401] * TOKEN_MAX_FAILURES + [429] * 5
    assert auth.token_checks - before == TOKEN_MAX_FAILURES
    # The kiosk itself, on its own address, is not held up.
    assert issue(centre.url, NAMED).status_code == 201
