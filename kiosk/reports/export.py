"""The report's tables as files: CSV (one table) and XLSX (one sheet per table).

Column names are in the reader's language (Vietnamese by default); numbers stay
numbers (shares as fractions with a percent format, minutes with one decimal);
dates and times are the centre's local time.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kiosk.reports.tables import Table, tables
from kiosk.text import gettext
from kiosk.text.cells import csv_cell, formula_like
from kiosk.text.segment import break_opportunities, cluster_boundaries

_FORMATS = {"share": "0%", "minutes": "0.0", "mean": "0.00", "int": "0"}
_SHEET_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def table_csv(table: Table, lang: str) -> str:
    """One table as CSV (UTF-8 with a BOM, so spreadsheet programs read Vietnamese right)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(name) for name in table.header(lang)])
    for row in table.rows:
        writer.writerow(["" if cell is None else csv_cell(cell) for cell in row])
    return out.getvalue()


def _as_text(cell: Any) -> None:
    """Keep a formula-like text cell text (openpyxl makes a formula of '=...')."""
    if formula_like(cell.value) or cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True


def _shortened(text: str, limit: int, lang: str) -> str:
    """``text`` cut to ``limit`` characters where a line could break, "…" marking the cut.

    A cut inside a word (or inside a Khmer cluster, leaving a dangling coeng)
    reads as a different word; a word longer than the limit is cut between clusters.
    """
    if len(text) <= limit:
        return text
    room = limit - 1
    places = [i for i in break_opportunities(text, lang) if len(text[:i].rstrip()) <= room]
    if not places:
        places = [i for i in cluster_boundaries(text) if 0 < i <= room]
    return text[: max(places, default=room)].rstrip() + "…"


def _sheet_title(title: str, used: set[str], lang: str) -> str:
    # Excel allows 31 characters; 28 leave room for " 2" when two titles cut alike.
    base = _shortened(_SHEET_FORBIDDEN.sub(" ", title).strip(), 28, lang) or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{_shortened(base, 25, lang)} {n}"
        n += 1
    used.add(name.lower())
    return name


def workbook_bytes(figures: dict[str, Any], lang: str, heading: str) -> bytes:
    """Every table of the report in one XLSX file, a sheet each, ``heading`` on top."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    used: set[str] = set()
    for table in tables(figures, lang).values():
        sheet = book.create_sheet(_sheet_title(gettext(table.title, lang), used, lang))
        sheet.append([heading])
        sheet.append(table.header(lang))
        for cell in [sheet["A1"], *sheet[2]]:
            cell.font = Font(bold=True)
            _as_text(cell)
        for r, row in enumerate(table.rows):
            sheet.append(list(row))
            for c in range(len(row)):
                cell = sheet.cell(row=r + 3, column=c + 1)
                fmt = _FORMATS.get(table.kind(r, c))
                if fmt:
                    cell.number_format = fmt
                _as_text(cell)
        for c, column in enumerate(table.header(lang), start=1):
            longest = max([len(column)] + [len(str(row[c - 1] or "")) for row in table.rows])
            sheet.column_dimensions[get_column_letter(c)].width = min(60, max(10, longest + 2))
        sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
