"""Google's Retry-After as an HTTP date is honoured like delta-seconds (one parser for both)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import responses

from kiosk.voice import GTTSRenderer

from .google_fake import MP3, FakeGoogle


def test_a_retry_after_date_is_waited_for() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        google = FakeGoogle(mock)
        google.script = [429]
        google.retry_after = format_datetime(
            datetime.now(UTC) + timedelta(seconds=120), usegmt=True
        )
        sleeps: list[float] = []
        r = GTTSRenderer(min_interval=0, backoff=1.0, max_backoff=600, sleep=sleeps.append)
        assert r.render("chín", "vi") == MP3
    # The date is whole seconds and a little time passes: about 2 minutes, not the 1 s backoff.
    assert len(sleeps) == 1 and 100 < sleeps[0] <= 120
