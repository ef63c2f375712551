"""Issue 15, item 1: a spray of random tokens right after a restart.

Every unknown token costs scrypt; the server counts it before hashing, hashes on
a small pool, and answers 429 (Retry-After) once the address is over budget. A
kiosk on another address issues within its budget while 300 bad requests arrive,
and a staff PIN sign-in goes through as well.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from kiosk.server.auth import TOKEN_MAX_FAILURES
from tests.security.conftest import (
    HANG_GUARD,
    Centre,
    StartCentre,
    attacker_connection,
    attacker_request,
    issue,
)

REQUESTS = 300
CONNECTIONS = 30


def _spray(centre: Centre, first_answer: threading.Event) -> list[tuple[int, str | None]]:
    def one_connection(c: int) -> list[tuple[int, str | None]]:
        conn = attacker_connection(centre)
        out = []
        try:
            for i in range(REQUESTS // CONNECTIONS):
                status, headers, _ = attacker_request(
                    centre,
                    "GET",
                    "/api/v1/services",
                    headers={"Authorization": f"Bearer random-{c}-{i}-{'x' * 40}"},
                    conn=conn,
                )
                first_answer.set()
                out.append((status, headers.get("retry-after")))
        finally:
            conn.close()
        return out

    with ThreadPoolExecutor(CONNECTIONS) as pool:
        return [r for rs in pool.map(one_connection, range(CONNECTIONS)) for r in rs]


def test_a_kiosk_issues_while_300_bad_tokens_arrive(start_centre: StartCentre) -> None:
    centre = start_centre()  # a fresh process: no token has been verified yet
    first_answer = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        attack = pool.submit(_spray, centre, first_answer)
        assert first_answer.wait(60)
        # The kiosk's first request after the restart needs its own scrypt check.
        r = issue(centre.url)
        assert r.status_code == 201, r.text
        pin = requests.post(
            f"{centre.url}/api/v1/auth/pin",
            json={"counter": "1", "pin": "1111"},
            timeout=HANG_GUARD,
        )
        assert pin.status_code == 200, pin.text
        answers = attack.result(120)
    statuses = [s for s, _ in answers]
    assert len(statuses) == REQUESTS and set(statuses) <= {401, 429}
    # At most the address's budget was hashed; the rest was refused before any hashing.
    assert statuses.count(401) <= TOKEN_MAX_FAILURES
    assert all(int(after) >= 1 for s, after in answers if s == 429 and after is not None)
    assert sum(1 for s, after in answers if s == 429 and after is not None) == statuses.count(429)
    # The kiosk's token is remembered: further tickets need no hashing at all.
    assert issue(centre.url).status_code == 201


def test_the_same_bad_token_repeated_is_hashed_once(start_centre: StartCentre) -> None:
    centre = start_centre()
    codes = [
        attacker_request(
            centre, "GET", "/api/v1/services", headers={"Authorization": "Bearer one-guess"}
        )[0]
        for _ in range(TOKEN_MAX_FAILURES + 5)
    ]
    # Remembered as wrong after the first check: never counted again, never 429.
    assert codes == [401] * (TOKEN_MAX_FAILURES + 5)
    r = issue(centre.url)
    assert r.status_code == 201, r.text
