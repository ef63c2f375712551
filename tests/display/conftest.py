"""What the display tests share: a display hub, pty display benches, `kiosk display-test`."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hardware.display import Display, DisplayHub
from tests.conftest import run_cli, write_config

from .emulator import DisplayBench

MakeBench = Callable[..., DisplayBench]
DisplayTest = Callable[[str, str, str], subprocess.CompletedProcess[str]]


@pytest.fixture
def hub() -> Iterator[DisplayHub]:
    hub = DisplayHub()
    yield hub
    hub.stop(timeout=1)


def started(hub: DisplayHub, line: str, *addresses: int) -> list[Display]:
    """The displays at ``addresses`` on the line ``line`` (a display URL, no address),
    with the hub running."""
    shown = [hub.display(f"{line}&address={a}") for a in addresses]
    hub.start()
    return shown


@pytest.fixture
def display_bench(tmp_path: Path) -> Iterator[MakeBench]:
    """``display_bench(name, protocol, plugged=True)``: displays behind a pty at ``tmp_path/name``.

    Every bench made is unplugged when the test ends, whatever it did with it.
    """
    made: list[DisplayBench] = []

    def make(name: str, protocol: str, *, plugged: bool = True) -> DisplayBench:
        made.append(DisplayBench(tmp_path / name, protocol))
        if plugged:
            made[-1].plug()
        return made[-1]

    yield make
    for each in made:
        each.unplug()


@pytest.fixture
def display_test(tmp_path: Path) -> DisplayTest:
    """``display_test(url, number, counter)``: `kiosk display-test` as centre IT runs it."""
    conf = str(write_config(tmp_path))

    def run(url: str, number: str, counter: str) -> subprocess.CompletedProcess[str]:
        return run_cli("display-test", "--config", conf, "--display", url, "--number", number,
                       "--counter", counter)  # fmt: skip

    return run
