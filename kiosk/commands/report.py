"""`kiosk report`: the figures of one local day, or of a period, from the queue database.

kiosk report [--date D] [--csv [--table figures|comments]]
kiosk report --from D --to D [--csv [--table ID] | --xlsx FILE] [--lang vi|km|en]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kiosk.config import Config
from kiosk.errors import UserError
from kiosk.filetarget import atomic_write, unwritable_reason
from kiosk.queue.clock import local_day, utc_now
from kiosk.queue.errors import StorageError
from kiosk.queue.report import (
    build_report,
    comment_lines,
    comments_csv,
    parse_day,
    report_csv,
    report_table,
)
from kiosk.queue.schema import connect
from kiosk.queue.store import how_to_recover

T = TypeVar("T")
# The CSV tables of one day (``--date D --csv --table T``): the figures, the comments.
DAY_TABLES = ("figures", "comments")


def _read(cfg: Config, figures: Callable[[sqlite3.Connection], T]) -> T:
    """``figures`` of the queue database, opened read-only; missing or broken: a UserError."""
    path = cfg.data_path(cfg.server.db)
    if not path.exists():
        raise UserError(f"there is no queue database at {path} yet (has the server run?)")
    try:
        conn = connect(path, readonly=True)
        try:
            return figures(conn)
        finally:
            conn.close()
    except StorageError as exc:  # says which file already
        raise UserError(how_to_recover(str(exc))) from None
    except sqlite3.Error as exc:
        raise UserError(how_to_recover(f"cannot read the queue database {path}: {exc}")) from None


def report(args: argparse.Namespace, cfg: Config | None) -> int:
    assert cfg is not None
    if args.start or args.end or args.xlsx:
        return _period_report(args, cfg)
    try:
        day = parse_day(args.date) if args.date else local_day(utc_now(), cfg.tz)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.table not in (None, *DAY_TABLES):
        raise UserError(f"a day's CSV has the tables {' and '.join(DAY_TABLES)}")
    figures = _read(cfg, lambda conn: build_report(conn, cfg, day, generated_at=utc_now()))
    if args.csv:
        sys.stdout.write(comments_csv(figures) if args.table == "comments" else report_csv(figures))
    else:
        sys.stdout.write(report_table(figures, args.lang))
    return 0


def _period_report(args: argparse.Namespace, cfg: Config) -> int:
    from kiosk.queue import stats
    from kiosk.reports import export, tables

    if args.date and (args.start or args.end):
        raise UserError("give either --date or --from and --to, not both")
    if args.date:  # a day's workbook: the period of that one day
        args.start = args.end = args.date
    if not (args.start and args.end):
        raise UserError("a period needs both --from and --to (YYYY-MM-DD)")
    try:
        period = stats.parse_period(args.start, args.end)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.xlsx:  # before the work: a mistyped path costs one line, not a computed report
        reason = unwritable_reason(Path(args.xlsx), make_folders=False)
        if reason is not None:
            raise UserError(f"--xlsx {args.xlsx}: {reason}")
    args.table = args.table or "outcomes"
    if args.csv and args.table not in tables.TABLE_IDS:
        raise UserError(
            f"there is no table {args.table!r}; choose one of {', '.join(tables.TABLE_IDS)}"
        )
    # The exports hold every comment; the text on the terminal the newest (and "K more").
    exported = args.xlsx or (args.csv and args.table == "comments")
    limit = None if exported else stats.COMMENTS_SHOWN
    figures = _read(cfg, lambda conn: stats.period_figures(conn, cfg, period, comments_limit=limit))
    built = tables.tables(figures, args.lang)
    if args.xlsx:
        centre = cfg.centre.name.get(args.lang, cfg.centre.name["vi"])
        heading = f"{centre} — {tables.period_label(figures, args.lang)}"
        target = Path(args.xlsx)
        try:  # a whole workbook or the file as it was, never half of one
            atomic_write(target, export.workbook_bytes(figures, args.lang, heading))
        except OSError as exc:
            raise UserError(f"--xlsx {target}: cannot be written ({exc.strerror})") from None
        sys.stdout.write(
            f"{args.xlsx}: {len(built)} sheets, {figures['totals']['issued']} tickets\n"
        )
        return 0
    if args.csv:
        sys.stdout.write(export.table_csv(built[args.table], args.lang).lstrip("\ufeff"))
        return 0
    for name in ("summary", "outcomes", "waiting", "counters"):
        sys.stdout.write(_text_table(built[name], args.lang))
        if name == "outcomes" and (note := tables.withdrawn_note(figures, args.lang)):
            sys.stdout.write(note + "\n")
        sys.stdout.write("\n")
    left_out = figures["comments_total"] - len(figures["comments"])
    lines = comment_lines(figures["comments"], figures["levels"], args.lang, more=left_out)
    if left_out:
        lines.append(f"kiosk report --from {args.start} --to {args.end} --csv --table comments")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _text_table(table, lang: str) -> str:  # type: ignore[no-untyped-def]
    from kiosk.reports.tables import shown
    from kiosk.text import gettext
    from kiosk.text.terminal import padded, terminal_width

    head = table.header(lang)
    rows = [
        [shown(cell, table.kind(r, c), lang) for c, cell in enumerate(row)]
        for r, row in enumerate(table.rows)
    ]
    widths = [max(terminal_width(str(line[i])) for line in [head, *rows]) for i in range(len(head))]
    lines = [gettext(table.title, lang)]
    for line in [head, *rows]:
        lines.append(
            "  ".join(
                padded(str(cell), w, left=i == 0)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
    return "\n".join(lines) + "\n"
