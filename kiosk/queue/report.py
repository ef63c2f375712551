"""The figures of one local day, per service and per counter.

* issued: tickets the service's numbering handed out that day
* served / no_shows / transferred: how tickets ended at that service (or counter)
* transferred_in: tickets sent to the service from another one
* unserved: tickets still waiting, called or being served (at day end: never served)
* withdrawn: numbers a kiosk took back before anyone called them (it never showed
  them: the server's answer was too late), so nobody held them
* wait: first call - joining the service's queue; service: done - start of service
  (when the citizen reached the counter, else the last call); minutes, median and p90.
* ratings (per service, per counter, total): count, share of each level (most
  satisfied first, as ``[satisfaction].levels`` lists them), mean score (1..N,
  N = most satisfied); the total also has rated_share = ratings / served.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from kiosk.config import Config
from kiosk.queue.clock import from_iso, to_iso
from kiosk.queue.ratings import comment_level, comment_time, comments, day_figures
from kiosk.queue.schema import STATUSES
from kiosk.text import N_, gettext, pick
from kiosk.text.cells import csv_cell
from kiosk.text.numbers import decimal_text
from kiosk.text.terminal import padded, terminal_width, wrapped

CSV_COLUMNS = (
    "scope",
    "id",
    "name",
    "issued",
    "served",
    "no_shows",
    "transferred_in",
    "transferred_out",
    "unserved",
    "wait_median_minutes",
    "wait_p90_minutes",
    "service_median_minutes",
    "withdrawn",
)

COMMENT_COLUMNS = ("at", "service", "counter", "score", "levels", "comment")


def parse_day(text: str) -> str:
    """Check a ``YYYY-MM-DD`` date; raise ValueError with one clear sentence."""
    value = text.strip()
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2025-07-01") from None


def percentile(values: Iterable[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None without values."""
    data = sorted(values)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def _minutes(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return (from_iso(end) - from_iso(start)).total_seconds() / 60


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _figures(rows: list[sqlite3.Row], *, issued: int | None) -> dict[str, Any]:
    waits = [w for r in rows if (w := _minutes(r["queued_at"], r["called_at"])) is not None]
    services = [
        s
        for r in rows
        if r["status"] == "done"
        and (s := _minutes(r["serving_at"] or r["last_called_at"], r["finished_at"])) is not None
    ]
    count = dict.fromkeys(STATUSES, 0)
    for r in rows:
        count[r["status"]] += 1
    return {
        "issued": issued,
        "served": count["done"],
        "no_shows": count["no_show"],
        "transferred_in": sum(1 for r in rows if r["transferred_from"]),
        "transferred_out": count["transferred"],
        "unserved": count["waiting"] + count["called"] + count["serving"],
        "withdrawn": count["withdrawn"],
        "wait_median_minutes": _round(percentile(waits, 50)),
        "wait_p90_minutes": _round(percentile(waits, 90)),
        "service_median_minutes": _round(percentile(services, 50)),
    }


def build_report(
    conn: sqlite3.Connection, cfg: Config, day: str, *, generated_at: datetime
) -> dict[str, Any]:
    rows = conn.execute("SELECT * FROM tickets WHERE day = ? ORDER BY pk", (day,)).fetchall()
    service_ids = [s.id for s in cfg.services]
    service_ids += sorted({r["service"] for r in rows} - set(service_ids))  # retired services
    names = {s.id: s.name for s in cfg.services}
    services = []
    for sid in service_ids:
        mine = [r for r in rows if r["service"] == sid]
        issued = sum(1 for r in rows if r["origin_service"] == sid and not r["transferred_from"])
        services.append(
            {"id": sid, "name": names.get(sid, {"vi": sid})} | _figures(mine, issued=issued)
        )
    counter_ids = [c.id for c in cfg.counters]
    counter_ids += sorted({r["counter"] for r in rows if r["counter"]} - set(counter_ids))
    counter_names = {c.id: c.name for c in cfg.counters}
    counters = []
    for cid in counter_ids:
        mine = [r for r in rows if r["counter"] == cid]
        figures = _figures(mine, issued=None)
        del figures["issued"], figures["transferred_in"], figures["unserved"]
        del figures["withdrawn"]  # never called: no counter had it
        counters.append(
            {"id": cid, "name": counter_names.get(cid, {"vi": cid}), "called": len(mine)} | figures
        )
    originals = [r for r in rows if not r["transferred_from"]]
    total = _figures(rows, issued=len(originals))
    total["transferred_in"] = None
    ratings = day_figures(conn, day, cfg.satisfaction, served=total["served"])
    empty = {"count": 0, "shares": [None] * len(cfg.satisfaction.levels), "mean": None}
    for item in services:
        item["ratings"] = ratings["by_service"].get(item["id"], empty)
    for item in counters:
        item["ratings"] = ratings["by_counter"].get(item["id"], empty)
    total["ratings"] = ratings["total"]
    return {
        "day": day,
        "timezone": cfg.centre.timezone,
        "generated_at": to_iso(generated_at),
        "centre": cfg.centre.id,
        "totals": total,
        "services": services,
        "counters": counters,
        "rating_levels": ratings["levels"],
        "comments": comments(conn, cfg, day, day),
    }


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _rating_columns(report: dict[str, Any]) -> list[str]:
    n = len(report.get("rating_levels") or [])
    return ["ratings", "rating_mean", *(f"rating_share_{s}" for s in range(n, 0, -1))]


def _rating_cells(ratings: dict[str, Any] | None) -> list[str]:
    if not ratings:
        return []
    return [_cell(ratings["count"]), _cell(ratings["mean"]), *map(_cell, ratings["shares"])]


def report_csv(report: dict[str, Any]) -> str:
    """One row per service and per counter, then the total; columns :data:`CSV_COLUMNS`,
    then the ratings (count, mean, share of each score from N down to 1) and, on the
    total row, the share of served tickets that were rated."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *_rating_columns(report), "rated_share"])
    for scope, items in (("service", report["services"]), ("counter", report["counters"])):
        for item in items:
            # ids and names are text from the config: never a formula in a spreadsheet
            name = item["name"].get("vi", item["id"])
            row = {"scope": scope, "id": csv_cell(item["id"]), "name": csv_cell(name)}
            writer.writerow(
                [_cell(row.get(c, item.get(c))) for c in CSV_COLUMNS]
                + _rating_cells(item.get("ratings"))
                + [""]
            )
    total = {"scope": "total", "id": "", "name": ""} | report["totals"]
    ratings = total.get("ratings")
    writer.writerow(
        [_cell(total.get(c)) for c in CSV_COLUMNS]
        + _rating_cells(ratings)
        + [_cell(ratings.get("rated_share") if ratings else None)]
    )
    return out.getvalue()


# The text table's columns: (heading msgid, key). Per service the counts add up:
# issued + transferred in = served + no-show + transferred out + not served + withdrawn.
TABLE_COLUMNS = (
    (N_("issued"), "issued"),
    (N_("+ transf. in"), "transferred_in"),
    (N_("served"), "served"),
    (N_("no-show"), "no_shows"),
    (N_("transf. out"), "transferred_out"),
    (N_("not served"), "unserved"),
    (N_("withdrawn"), "withdrawn"),
    (N_("wait med"), "wait_median_minutes"),
    (N_("wait p90"), "wait_p90_minutes"),
    (N_("svc med"), "service_median_minutes"),
)
TABLE_NOTES = (
    N_(
        "issued: numbers taken at a kiosk for that service; + transf. in: tickets another"
        " service sent on."
    ),
    N_(
        "Each service: issued + transf. in = served + no-show + transf. out + not served"
        " + withdrawn."
    ),
    N_(
        "not served: still waiting, called or at a counter when the report was made (at the"
        " end of the day: left without being served). Tickets are never cancelled: a"
        " citizen who leaves is a no-show or stays 'not served'."
    ),
    N_(
        "withdrawn: numbers a kiosk took back before any call because the server's answer"
        " came too late; nobody was shown them."
    ),
    N_("wait: from joining the queue to the first call; svc: time at the counter."),
)


def _name(item: dict[str, Any], lang: str) -> str:
    """The name of a service or counter as configured, in ``lang`` where the
    configuration has it, else Vietnamese (the id if it was retired)."""
    name = item.get("name") or {}
    return str(name.get(lang) or name.get("vi") or item["id"])


def report_table(report: dict[str, Any], lang: str = "en") -> str:
    """A plain-text table for the terminal in ``lang``: names, counts that add up, and
    what they mean."""
    keys = [key for _heading, key in TABLE_COLUMNS]
    rows: list[tuple[str, ...]] = [
        ("", *(gettext(heading, lang) for heading, _key in TABLE_COLUMNS))
    ]
    sections = ((N_("Services"), report["services"]), (N_("Counters"), report["counters"]))
    starts = {}
    for title, items in sections:
        starts[len(rows)] = gettext(title, lang)
        for item in items:
            rows.append((f"  {_name(item, lang)}", *(_shown(item.get(k), lang) for k in keys)))
    total_label = gettext(N_("Total"), lang)
    rows.append((total_label, *(_shown(report["totals"].get(k), lang) for k in keys)))
    widths = [max(terminal_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    text = [
        gettext(
            "Day {day} ({timezone}), times in minutes",
            lang,
            day=report["day"],
            timezone=report["timezone"],
        )
    ]
    for index, row in enumerate(rows):
        if index in starts:
            text.append(starts[index])
        text.append(_joined(row, widths))
    text += ["", *(gettext(note, lang) for note in TABLE_NOTES)]
    levels = report.get("rating_levels") or []
    if levels:
        n = len(levels)
        names = (
            f"{s}: {lv.get(lang) or lv.get('vi', '')}"
            for s, lv in zip(range(n, 0, -1), levels, strict=True)
        )
        rating_rows: list[tuple[str, ...]] = [
            ("", gettext(N_("ratings"), lang), gettext(N_("mean"), lang), *names)
        ]
        for item in [*report["services"], *report["counters"]]:
            rating_rows.append((_name(item, lang), *_rating_text(item.get("ratings"), n, lang)))
        total = report["totals"].get("ratings")
        rating_rows.append((total_label, *_rating_text(total, n, lang)))
        share = total.get("rated_share") if total else None
        text += [
            "",
            gettext(
                "Satisfaction (score {n} = most satisfied; shares in %), "
                "rated: {share} of served tickets",
                lang,
                n=n,
                share=_percent(share),
            ),
            *_aligned(rating_rows),
        ]
    if "comments" in report:
        text += ["", *comment_lines(report["comments"], levels, lang, with_date=False)]
    return "\n".join(text) + "\n"


# A comment's text starts this far in, under its time, service and counter.
COMMENT_INDENT = "    "
# After the newest comments a screen or page shows (ratings.COMMENTS_SHOWN).
MORE_COMMENTS = N_("… and {count} more. The CSV and XLSX files hold all of them.")


def comment_lines(
    found: list[dict[str, Any]],
    level_names: list[dict[str, str]],
    lang: str,
    *,
    with_date: bool = True,
    columns: int | None = None,
    more: int = 0,
) -> list[str]:
    """The citizens' comments for the terminal, newest first: a line with the time,
    service, counter and score, then the comment wrapped to the terminal's width;
    ``more``: how many older ones were left out (said at the end)."""
    width = columns or shutil.get_terminal_size((100, 24)).columns
    lines = [gettext(N_("Citizens' comments, newest first"), lang)]
    if not found:
        return [*lines, COMMENT_INDENT + gettext(N_("No comments."), lang)]
    for c in found:
        level = comment_level(c, level_names, lang)
        head = [
            comment_time(c, with_date=with_date),
            pick(c["service_name"], lang) or c["service"],
            pick(c["counter_name"], lang) or (c["counter"] or "-"),
            f"{c['score']}/{c['levels']}" + (f" {level}" if level else ""),
        ]
        lines.append("  ".join(head))
        for part in wrapped(c["comment"], width - len(COMMENT_INDENT)):
            lines.append(COMMENT_INDENT + part)
    if more:
        lines.append(gettext(MORE_COMMENTS, lang, count=more))
    return lines


def comments_csv(report: dict[str, Any]) -> str:
    """The day's comments as CSV (newest first): time, service, counter, score, levels, comment."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COMMENT_COLUMNS)
    for c in report["comments"]:
        service, counter = csv_cell(c["service"]), csv_cell(c["counter"] or "")
        writer.writerow(
            [c["at"], service, counter, c["score"], c["levels"], csv_cell(c["comment"])]
        )
    return out.getvalue()


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f}%"


def _rating_text(ratings: dict[str, Any] | None, n: int, lang: str) -> tuple[str, ...]:
    if not ratings or not ratings["count"]:
        return ("0", "-", *("-" for _ in range(n)))
    mean = decimal_text(ratings["mean"], 2, lang)
    return (str(ratings["count"]), mean, *map(_percent, ratings["shares"]))


def _shown(value: Any, lang: str) -> str:
    """A cell of the terminal table: minutes with the reader's decimal mark, '-' for none."""
    if isinstance(value, float):
        return decimal_text(value, 1, lang)
    return _cell(value) or "-"


def _joined(row: tuple[str, ...], widths: list[int]) -> str:
    """One line of a table: the first cell left-aligned, the others right-aligned, by the
    columns a terminal gives each character (Khmer and Vietnamese combining marks take none)."""
    cells = (
        padded(cell, w, left=i == 0) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
    )
    return "  ".join(cells).rstrip()


def _aligned(lines: list[tuple[str, ...]]) -> list[str]:
    widths = [max(terminal_width(line[i]) for line in lines) for i in range(len(lines[0]))]
    return [_joined(line, widths) for line in lines]
