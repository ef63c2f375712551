"""`kiosk report [--date D] [--csv]`: the figures of one local day from the queue database."""

from __future__ import annotations

import argparse
import sqlite3
import sys

from kiosk.config import Config
from kiosk.errors import UserError
from kiosk.queue.clock import local_day, utc_now
from kiosk.queue.errors import StorageError
from kiosk.queue.report import build_report, parse_day, report_csv, report_table
from kiosk.queue.schema import connect


def report(args: argparse.Namespace, cfg: Config | None) -> int:
    assert cfg is not None
    try:
        day = parse_day(args.date) if args.date else local_day(utc_now(), cfg.tz)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    path = cfg.data_path(cfg.server.db)
    if not path.exists():
        raise UserError(f"there is no queue database at {path} yet (has the server run?)")
    try:
        conn = connect(path, readonly=True)
        try:
            figures = build_report(conn, cfg, day, generated_at=utc_now())
        finally:
            conn.close()
    except (sqlite3.Error, StorageError) as exc:
        raise UserError(f"cannot read the queue database {path}: {exc}") from None
    sys.stdout.write(report_csv(figures) if args.csv else report_table(figures))
    return 0
