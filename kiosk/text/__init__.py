"""Text done right for Vietnamese, Khmer and English: NFC, folding, digits, wrapping."""

from kiosk.text.normalize import fold_vi, nfc

__all__ = ["fold_vi", "nfc"]
