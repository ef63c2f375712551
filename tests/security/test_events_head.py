"""Issue 15, item 7: the events head after the database was replaced.

``head`` is the real newest id of the server's log. A client whose ``after`` is
beyond it (it knew the old database) is answered at once with ``resync: true``
instead of waiting for ids that will not come for a long time, and the board's
feed starts over from the new log, so the next call reaches the hall.
"""

from __future__ import annotations

import queue
from pathlib import Path

import requests

from kiosk.client import CentreClient
from kiosk.ui.board.feed import BoardFeed, Update
from tests.security.conftest import BOARD, HANG_GUARD, StartCentre, issue


def _events(url: str, query: str) -> dict:
    r = requests.get(
        f"{url}/api/v1/events{query}",
        headers={"Authorization": f"Bearer {BOARD}"},
        timeout=HANG_GUARD,
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_after_beyond_the_head_is_told_to_resync_at_once(
    start_centre: StartCentre, tmp_path: Path
) -> None:
    old = start_centre(db=tmp_path / "old.sqlite3")
    for _ in range(5):
        assert issue(old.url).status_code == 201
    known = _events(old.url, "")["head"]
    old.stop()
    new = start_centre(db=tmp_path / "replaced.sqlite3", port=old.port)
    assert issue(new.url).status_code == 201
    real = _events(new.url, "")["head"]
    assert real < known
    # wait=30, yet the server does not hold it for ids that will not come: it says resync.
    answer = _events(new.url, f"?after={known}&wait=30")
    assert answer == {"events": [], "last": known, "head": real, "resync": True}
    # From the real head the client goes on normally.
    assert _events(new.url, f"?after={real}&wait=0") == {"events": [], "last": real, "head": real}


def test_the_board_follows_a_replaced_database(start_centre: StartCentre, tmp_path: Path) -> None:
    old = start_centre(db=tmp_path / "old.sqlite3")
    for _ in range(5):
        issue(old.url)
    updates: queue.Queue[Update] = queue.Queue()
    feed = BoardFeed(CentreClient(old.url, BOARD), updates.put, wait=2, retry_max=0.5)
    feed.start()
    try:
        assert _next(updates, "connected").reset
        old.stop()
        new = start_centre(db=tmp_path / "replaced.sqlite3", port=old.port)
        ticket = issue(new.url).json()
        seen: set[str] = set()
        while ticket["id"] not in seen:
            update = updates.get(timeout=60)
            seen |= {(e.get("ticket") or {}).get("id", "") for e in update.events}
    finally:
        feed.stop()


def _next(updates: queue.Queue[Update], kind: str) -> Update:
    while True:
        update = updates.get(timeout=60)
        if update.kind == kind:
            return update
