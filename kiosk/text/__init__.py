"""Text done right for Vietnamese, Khmer and English: NFC, folding, digits, dates, wrapping."""

from kiosk.text.dates import format_when
from kiosk.text.normalize import fold_vi, nfc
from kiosk.text.numbers import latin_digits, native_digits

__all__ = ["fold_vi", "format_when", "latin_digits", "native_digits", "nfc"]
