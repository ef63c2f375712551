"""Free text in a spreadsheet cell that no spreadsheet program runs as a formula.

OWASP "CSV injection": Excel and LibreOffice read a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula
(``=HYPERLINK(...)``, ``=cmd|...``). A citizen's comment, a service name or a
kiosk id is text, never a formula: in CSV such a cell gets a leading
apostrophe (spreadsheet programs then take the rest as text); in XLSX it is
stored as text with Excel's own "quote prefix". Numbers are not touched.
"""

from __future__ import annotations

from typing import TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
T = TypeVar("T")


def formula_like(value: object) -> bool:
    """Whether a spreadsheet program could take ``value`` (text) for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: T) -> T | str:
    """``value`` for a CSV file: formula-like text with a leading apostrophe, else as is."""
    return "'" + value if isinstance(value, str) and formula_like(value) else value
