"""Dates and times in the centre's time zone, per language, 24-hour everywhere.

Babel's Khmer locale defaults to a 12-hour clock with Khmer AM/PM words; a
queue ticket and the hall board use the 24-hour clock people read in Vietnam,
so every pattern here is explicit.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from babel.dates import format_datetime as _babel_format

from kiosk.text.numbers import native_digits

_PATTERNS = {
    "time": {"vi": "HH:mm", "km": "HH:mm", "en": "HH:mm"},
    "date": {"vi": "dd/MM/yyyy", "km": "dd/MM/yyyy", "en": "d MMM yyyy"},
    "datetime": {"vi": "HH:mm dd/MM/yyyy", "km": "HH:mm dd/MM/yyyy", "en": "HH:mm, d MMM yyyy"},
    "long_date": {"vi": "EEEE, dd/MM/yyyy", "km": "EEEE d MMMM yyyy", "en": "EEEE d MMMM yyyy"},
}


def format_when(moment: datetime, lang: str, tz: tzinfo, style: str = "datetime") -> str:
    """Format an aware UTC ``moment`` in the centre's local time for ``lang``.

    ``style`` is one of time, date, datetime, long_date. Khmer output uses Khmer digits.
    """
    if moment.tzinfo is None:
        raise ValueError("format_when needs an aware datetime (store UTC, show local)")
    pattern = _PATTERNS[style][lang if lang in ("vi", "km", "en") else "vi"]
    text = _babel_format(moment.astimezone(tz), pattern, locale=lang, tzinfo=tz)
    return native_digits(text, lang)
