"""The last-resort 500 (a bug, not bad input) still carries nosniff and no traceback.

Starlette answers an unexpected exception outside every middleware added with
``add_middleware``; the centre's app wraps the whole stack instead
(kiosk/server/headers.py). A route that fails is added to a running server.
"""

from __future__ import annotations

import requests

from kiosk.server.run import ServerHandle


def test_a_500_says_nosniff_and_nothing_of_the_bug(server: ServerHandle) -> None:
    def broken() -> None:
        raise RuntimeError("secret internals /srv/kiosk/queue.sqlite3")

    server.app.add_api_route("/test-only/broken", broken)
    r = requests.get(f"{server.url}/test-only/broken", timeout=30)
    assert r.status_code == 500
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.json()["error"] == "internal_error"
    assert "secret" not in r.text and "Traceback" not in r.text
