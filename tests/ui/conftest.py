"""Fixtures of the kiosk window tests (tests/ui)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture
def ui_window() -> Iterator[None]:
    """A display to open the kiosk window on, and the UI language reset around the test."""
    if not os.environ.get("DISPLAY"):
        pytest.skip("needs a display: run the tests under xvfb-run -a (make test does)")
    from kiosk.text import translator

    translator.reset()
    yield
    translator.reset()
