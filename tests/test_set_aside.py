"""A damaged file is moved out of the way and kept for a look, never overwritten
(kiosk.filetarget.set_aside: one name rule, one log line), by each of its callers."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.filetarget import set_aside
from kiosk.ui.outbox import Outbox

STAMPED = re.compile(r"^state\.json\.broken-\d{8}T\d{6}Z(-\d+)?$")


def _damage(path: Path, n: int) -> bytes:
    body = f'{{"version": 1, "withdrawals": {{"damage-{n}'.encode()  # cut off mid-way
    path.write_bytes(body)
    return body


def test_a_damaged_file_becomes_name_broken_with_one_error_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "state.json"
    body = _damage(path, 1)
    with caplog.at_level(logging.INFO):
        aside = set_aside(path, "the test state", "not JSON")
    assert aside == tmp_path / "state.json.broken"
    assert aside.read_bytes() == body and not path.exists()
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", f"the test state {path} is damaged (not JSON); set aside as state.json.broken")
    ]


def test_earlier_broken_files_are_kept_the_next_ones_get_a_utc_time(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    bodies = {}
    for n in range(1, 4):  # three damages before anyone looks (within one second or not)
        body = _damage(path, n)
        aside = set_aside(path, "the test state", "not JSON")
        assert aside is not None
        bodies[aside.name] = body
    names = sorted(bodies)
    assert names[0] == "state.json.broken"
    assert all(STAMPED.match(name) for name in names[1:]), names
    assert len(set(names)) == 3
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == bodies


def test_a_file_that_cannot_be_moved_stays_and_the_line_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A name at the file system's limit (255 bytes) cannot take ".broken": the rename
    # fails (ENAMETOOLONG) whoever runs the test, root included.
    path = tmp_path / ("s" * 250)
    body = _damage(path, 1)
    with caplog.at_level(logging.INFO):
        assert set_aside(path, "the test state", "not JSON") is None
    assert path.read_bytes() == body
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    [record] = caplog.records
    assert record.levelname == "ERROR"
    assert "cannot be set aside (File name too long); it stays where it is" in record.getMessage()


def test_a_missing_file_is_nothing_to_set_aside(tmp_path: Path) -> None:
    assert set_aside(tmp_path / "gone.json", "the test state", "not JSON") is None
    assert list(tmp_path.iterdir()) == []


def test_the_kiosk_outbox_keeps_every_damaged_file_and_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "kiosk-outbox.json"
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    first = _damage(path, 1)
    Outbox(path, tz).add_withdrawal("key-1")
    second = _damage(path, 2)  # damaged again before anyone looked at the first
    outbox = Outbox(path, tz)
    assert outbox.withdrawals() == []
    outbox.add_withdrawal("key-2")
    assert (tmp_path / "kiosk-outbox.json.broken").read_bytes() == first
    [later] = [p for p in tmp_path.glob("kiosk-outbox.json.broken-*")]
    assert later.read_bytes() == second
    assert list(json.loads(path.read_text(encoding="utf-8"))["withdrawals"]) == ["key-2"]
