"""Ticket numbers in the form staff read, counts and fees in the reader's digits."""

from __future__ import annotations

import pytest

from kiosk.config import load_config
from kiosk.text import format_number, format_vnd, ticket_number_text
from tests.conftest import write_config


@pytest.mark.parametrize(
    ("number", "lang", "digits", "shown"),
    [
        ("A012", "km", "latin", "A012"),
        ("A012", "km", "native", "A០១២"),
        ("5003", "km", "native", "៥០០៣"),
        ("5003", "vi", "native", "5003"),
        ("A០១២", "km", "latin", "A012"),
        ("A០១២", "vi", "native", "A012"),
    ],
)
def test_ticket_number_text(number: str, lang: str, digits: str, shown: str) -> None:
    assert ticket_number_text(number, lang, digits) == shown


def test_ticket_digits_come_from_config(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cfg = load_config(
        write_config(tmp_path, **{r'^ticket_digits = "latin"': 'ticket_digits = "native"'})
    )
    assert ticket_number_text("B007", "km", cfg.kiosk.ticket_digits) == "B០០៧"
    assert ticket_number_text("B007", "en", cfg.kiosk.ticket_digits) == "B007"


def test_ticket_digits_setting_is_checked() -> None:
    with pytest.raises(ValueError, match="latin"):
        ticket_number_text("A001", "km", "khmer")


def test_numbers_and_fees() -> None:
    assert format_number(1234, "vi") == "1.234"
    assert format_number(1234, "km") == "១,២៣៤"
    assert format_number(1234, "en") == "1,234"
    assert format_vnd(20000, "vi") == "20.000 đồng"
    assert format_vnd(20000, "km") == "២០,០០០ ដុង"
    assert format_vnd(20000, "en") == "20,000 VND"


@pytest.mark.parametrize(
    ("lang", "minutes", "mean"),
    [("vi", "7,5", "3,18"), ("km", "7.5", "3.18"), ("en", "7.5", "3.18")],
)
def test_report_figures_have_the_readers_decimal_mark(lang: str, minutes: str, mean: str) -> None:
    """The reports wrote 3.18 in Vietnamese, where the kiosk writes 20.000 đồng: a point
    is the thousands mark there. Digits stay Latin here (the page maps them for km)."""
    from kiosk.reports.tables import shown

    assert shown(7.46, "minutes", lang) == minutes
    assert shown(3.1812, "mean", lang) == mean
    assert shown(0.125, "share", lang) == "12 %"
    assert shown(1234, "int", lang) == "1234"
