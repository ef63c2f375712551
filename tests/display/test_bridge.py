"""The server's display bridge: queue events (the server's contract) -> frames on a pty."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.server.display_bridge import DisplayBridge, start_display_bridge
from tests.conftest import write_config

from .conftest import MakeBench
from .emulator import counter_displays


def event(kind: str, counter: str | None = "1", number: str | None = "A012", **extra) -> dict:
    ticket = None if number is None else {
        "id": "t-" + number, "number": number, "service": "ho-tich", "priority": False,
    }  # fmt: skip
    return {
        "id": extra.pop("id", 1),
        "type": kind,
        "at": "2025-07-01T02:00:00Z",
        "counter": counter,
        "service": "ho-tich",
        "ticket": ticket,
        "data": extra,
    }


@pytest.fixture
def rig(tmp_path: Path, display_bench: MakeBench):
    """Counters 1-3 on one RS-485 line (bcd-pair), counter 4 with no display."""
    bench = display_bench("usb-rs485", "bcd-pair")
    url = f"serial://{bench.url_path}?protocol=bcd-pair"
    displays = {n: f"{url}&address={n}" for n in (1, 2, 3)}
    cfg = load_config(write_config(tmp_path, **counter_displays({**displays, 4: "none"})))
    bridge = DisplayBridge(cfg)
    bridge.start()
    yield bridge, bench
    bridge.stop(timeout=1)


def test_called_and_recalled_show_the_number(rig) -> None:
    bridge, bench = rig
    bridge.handle_event(event("called", "1", "1005"))
    bridge.handle_event(event("called", "2", "A012"))
    assert bench.wait_showing({1: "1005", 2: "0012"})
    bridge.handle_event(event("recalled", "2", "A012"))
    bridge.handle_event(event("called", "3", "5001"))
    assert bench.wait_showing({3: "5001"})
    assert bridge.status()["1"]["showing"] == "1005"
    assert not bench.errors


def test_done_blanks_only_the_ticket_it_shows(rig) -> None:
    bridge, bench = rig
    bridge.handle_event(event("called", "1", "A001"))
    assert bench.wait_showing({1: "0001"})
    bridge.handle_event(event("done", "1", "A000"))  # an older ticket: leave the display alone
    bridge.handle_event(event("called", "2", "A002"))
    assert bench.wait_showing({2: "0002"})
    assert bench.showing[1] == "0001"
    bridge.handle_event(event("done", "1", "A001"))
    assert bench.wait_showing({1: None})
    bridge.handle_event(event("called", "1", "A003"))
    bridge.handle_event(event("no_show", "1", "A003"))
    bridge.handle_event(event("called", "2", "A004"))
    bridge.handle_event(event("transferred", "2", "A004", service="dat-dai"))
    assert bench.wait_showing({1: None, 2: None})
    assert bridge.wait_sent(60)


def test_pause_and_day_reset_blank(rig) -> None:
    bridge, bench = rig
    for c, n in (("1", "1001"), ("2", "1002"), ("3", "1003")):
        bridge.handle_event(event("called", c, n))
    assert bench.wait_showing({1: "1001", 2: "1002", 3: "1003"})
    bridge.handle_event(event("counter_paused", "2", None))
    assert bench.wait_showing({2: None})
    bridge.handle_event({"id": 9, "type": "day_reset", "at": "2025-07-01T17:00:00Z"})
    assert bench.wait_showing({1: None, 2: None, 3: None})


def test_unknown_and_malformed_events_are_harmless(rig) -> None:
    bridge, bench = rig
    for bad in (
        {},
        {"type": "ticket_issued", "ticket": {"number": "A001"}},
        {"type": "called"},  # no counter
        {"type": "called", "counter": "1"},  # no ticket
        {"type": "called", "counter": "1", "ticket": "A001"},  # ticket not an object
        {"type": "called", "counter": "9", "ticket": {"number": "A001"}},  # no such counter
        {"type": "called", "counter": "4", "ticket": {"number": "A001"}},  # display "none"
        {"type": "called", "counter": 1, "ticket": {"number": "XYZ"}},  # no digits to show
        {"type": None, "counter": [], "ticket": None},
        "not an event",
        None,
    ):
        bridge.handle_event(bad)  # type: ignore[arg-type]
    assert bench.wait_showing({1: None})  # "XYZ" has no digits: dark, not a stale number
    bridge.handle_event(event("called", "1", "5001"))  # still working afterwards
    assert bench.wait_showing({1: "5001"})
    assert not bench.errors


def test_show_restores_state_at_startup(rig) -> None:
    bridge, bench = rig
    bridge.show("3", "C042")
    bridge.show("2", None)
    bridge.show("nope", "1")
    assert bench.wait_showing({3: "0042", 2: None})


def test_default_config_uses_log_displays(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cfg = load_config(write_config(tmp_path))
    bridge = DisplayBridge(cfg)
    bridge.start()
    with caplog.at_level("INFO", logger="hardware.display"):
        bridge.handle_event(event("called", "4", "5001"))
        assert bridge.wait_sent(60)
    bridge.stop()
    assert "address 4 shows '5001'" in caplog.text
    assert bridge.status()["4"]["port"] == "log://"


def test_a_bad_display_does_not_stop_the_others(tmp_path: Path, caplog) -> None:
    url = f"serial://{tmp_path}/line"
    displays = {1: f"{url}?protocol=ascii&address=1", 2: f"{url}?protocol=bcd-pair&address=2"}
    bridge = DisplayBridge(load_config(write_config(tmp_path, **counter_displays(displays))))
    assert "one protocol and speed" in caplog.text
    assert set(bridge.status()) == {"1", "3", "4"}


class Publisher:
    """Stands in for QueueEngine.subscribe (the engine lives in the queue branch)."""

    def __init__(self) -> None:
        self.callbacks: list = []

    def subscribe(self, callback):
        self.callbacks.append(callback)
        return lambda: self.callbacks.remove(callback)

    def commit(self, *events: dict) -> None:
        for cb in list(self.callbacks):
            cb(list(events))


def test_start_display_bridge_follows_committed_events(
    tmp_path: Path, display_bench: MakeBench
) -> None:
    bench = display_bench("line", "ascii")
    url = f"serial://{bench.url_path}?protocol=ascii"
    displays = {n: f"{url}&address={n}" for n in (1, 2)}
    cfg = load_config(write_config(tmp_path, **counter_displays(displays)))
    engine = Publisher()
    stop = start_display_bridge(cfg, engine)
    engine.commit(event("called", "1", "A001", id=1), event("called", "2", "B001", id=2))
    assert bench.wait_showing({1: "A001", 2: "B001"})
    engine.commit(event("done", "1", "A001", id=3))
    assert bench.wait_showing({1: None})
    stop()
    assert engine.callbacks == []
