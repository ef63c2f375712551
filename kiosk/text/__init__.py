"""Text done right for Vietnamese, Khmer and English: NFC, folding, digits, dates, wrapping.

No Kivy here (the Kivy adapter is ``kiosk.ui.textkit``). See docs/text.md.
"""

from kiosk.text.dates import format_when
from kiosk.text.fonts import FontSpec, font_for, normalize_lang
from kiosk.text.i18n import (
    N_,
    N_plural,
    Translator,
    current_language,
    gettext,
    ngettext,
    on_language_change,
    pick,
    reset_language,
    set_language,
    translator,
)
from kiosk.text.measure import measurer, text_width, width_in
from kiosk.text.normalize import fold_vi, has_khmer, nfc
from kiosk.text.numbers import (
    decimal_text,
    format_number,
    format_vnd,
    latin_digits,
    native_digits,
    ticket_number_text,
)
from kiosk.text.segment import break_opportunities, cluster_boundaries, clusters
from kiosk.text.support import check_text_support
from kiosk.text.wrap import line_wrapper, wrap_lines, wrap_text, wrap_with_font

__all__ = [
    "N_",
    "FontSpec",
    "N_plural",
    "Translator",
    "break_opportunities",
    "check_text_support",
    "cluster_boundaries",
    "clusters",
    "current_language",
    "decimal_text",
    "fold_vi",
    "font_for",
    "format_number",
    "format_vnd",
    "format_when",
    "gettext",
    "has_khmer",
    "latin_digits",
    "line_wrapper",
    "measurer",
    "native_digits",
    "nfc",
    "ngettext",
    "normalize_lang",
    "on_language_change",
    "pick",
    "reset_language",
    "set_language",
    "text_width",
    "ticket_number_text",
    "translator",
    "width_in",
    "wrap_lines",
    "wrap_text",
    "wrap_with_font",
]
