"""Issue 15, item 4: staff PIN guessing.

A burst of wrong PINs is counted before any is checked, so the right PIN sent
right after them is refused too; from the second wrong PIN on, each doubles the
wait of the next try from that address. The staff PC on another address signs in to the same
counter at once: nobody can lock every counter out.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from kiosk.server.auth import pin_delay
from tests.security.conftest import HANG_GUARD, Centre, attacker_request, issue

BURST = 42


def _attacker_pin(centre: Centre, pin: str, counter: str = "2") -> tuple[int, str | None]:
    status, headers, _ = attacker_request(
        centre, "POST", "/api/v1/auth/pin", body={"counter": counter, "pin": pin}
    )
    return status, headers.get("retry-after")


def test_a_burst_of_wrong_pins_then_the_right_one(shared_centre: Centre) -> None:
    centre = shared_centre
    with ThreadPoolExecutor(BURST) as pool:
        burst = list(pool.map(lambda i: _attacker_pin(centre, f"{i:04d}"), range(BURST)))
    right = _attacker_pin(centre, "2222")
    statuses = [s for s, _ in burst]
    assert set(statuses) <= {401, 429}
    # One check at a time, and a wait after each wrong PIN: only a handful were checked.
    assert statuses.count(401) <= 3
    assert right[0] == 429 and right[1] is not None and int(right[1]) >= 1
    # The counter's own staff PC (another address) is not locked out.
    r = requests.post(
        f"{centre.url}/api/v1/auth/pin", json={"counter": "2", "pin": "2222"}, timeout=HANG_GUARD
    )
    assert r.status_code == 200, r.text
    session = r.json()["token"]
    called = requests.post(
        f"{centre.url}/api/v1/counters/2/next",
        headers={"Authorization": f"Bearer {session}"},
        timeout=HANG_GUARD,
    )
    assert called.status_code in (200, 204)
    # And kiosks were never held up.
    assert issue(centre.url).status_code == 201


def test_the_wait_grows_with_each_wrong_pin() -> None:
    assert pin_delay(0) == pin_delay(1) == 0  # one mistyped PIN: retype at once
    waits = [pin_delay(n) for n in range(2, 13)]
    assert waits == sorted(waits) and waits[0] >= 1 and waits[-1] == 300
