"""Khmer digits and 24-hour local times (kiosk.text.numbers, kiosk.text.dates)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.text import format_when, latin_digits, native_digits

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_khmer_digits_round_trip() -> None:
    assert native_digits("1005", "km") == "១០០៥"
    assert native_digits("A012", "km") == "A០១២"
    assert native_digits("1005", "vi") == "1005"
    assert latin_digits("១០០៥") == "1005"
    assert latin_digits(native_digits("0123456789", "km")) == "0123456789"


def test_local_time_24h_in_every_language() -> None:
    # 13:30 UTC is 20:30 in Vietnam: a 12-hour clock would say 8:30.
    moment = datetime(2026, 3, 1, 13, 30, tzinfo=UTC)
    assert format_when(moment, "vi", TZ, "time") == "20:30"
    assert format_when(moment, "km", TZ, "time") == "២០:៣០"
    assert format_when(moment, "en", TZ, "time") == "20:30"
    assert format_when(moment, "vi", TZ, "date") == "01/03/2026"


def test_local_date_crosses_midnight() -> None:
    # 17:30 UTC on the 1st is already the 2nd in Vietnam.
    moment = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
    assert format_when(moment, "vi", TZ, "date") == "02/03/2026"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        format_when(datetime(2026, 3, 1, 8, 0), "vi", TZ)
