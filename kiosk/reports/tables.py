"""The report's tables, defined once for the dashboard, the A4 print, CSV and XLSX.

A :class:`Table` is a title, typed columns and rows of plain values (numbers
stay numbers; shares are fractions 0..1 and shown as percentages). Every title
and column name is a gettext msgid, translated for the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from kiosk.queue.ratings import comment_level, comment_time
from kiosk.text import N_, gettext, pick
from kiosk.text.numbers import decimal_text

# "when": a day or a time written as text (its digits are the reader's on the page,
# unlike "text": names, ids and comments, shown as typed).
Kind = Literal["text", "when", "int", "minutes", "share", "mean", "by_row"]
Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    msgid: str
    kind: Kind = "int"


@dataclass(frozen=True)
class Table:
    id: str
    title: str  # msgid
    columns: tuple[Column, ...]
    rows: list[list[Cell]]
    # For a column of kind "by_row" (the summary's values): each row's own kind.
    row_kinds: tuple[Kind, ...] = ()

    def header(self, lang: str) -> list[str]:
        return [gettext(c.msgid, lang) for c in self.columns]

    def kind(self, row: int, column: int) -> Kind:
        kind = self.columns[column].kind
        return self.row_kinds[row] if kind == "by_row" else kind


def shown(value: Cell, kind: Kind, lang: str) -> str:
    """A cell as text for the page: shares as '12 %', empty as '–'."""
    if value is None or value == "":
        return "–"
    if kind == "share" and isinstance(value, int | float):
        return f"{value * 100:.0f} %"
    if kind in ("minutes", "mean") and isinstance(value, int | float):
        return decimal_text(value, 1 if kind == "minutes" else 2, lang)
    return str(value)


WEEKDAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)

_SERVICE = Column(N_("Service"), "text")
_COUNTER = Column(N_("Counter"), "text")


def _named(item: dict[str, Any], lang: str) -> str:
    return pick(item["name"], lang) if item.get("name") else str(item.get("id", ""))


def _summary(f: dict[str, Any], lang: str) -> Table:
    t = f["totals"]
    rows: list[tuple[str, Cell, Kind]] = [
        (N_("Tickets issued"), t["issued"], "int"),
        (N_("Served"), t["served"], "int"),
        (N_("Did not come when called (no-show)"), t["no_shows"], "int"),
        (N_("Still waiting when the day ended"), t["waiting_at_close"], "int"),
        (N_("Withdrawn by a kiosk (never shown)"), t["withdrawn"], "int"),
        (N_("Transferred to another service"), t["transferred_out"], "int"),
        (N_("Recalls"), t["recalls"], "int"),
        (N_("Priority tickets"), t["priority_share"], "share"),
        (N_("Median wait (minutes)"), t["wait_median"], "minutes"),
        (N_("Nine in ten waited at most (minutes)"), t["wait_p90"], "minutes"),
        (N_("Waited longer than the target"), t["wait_over_target_share"], "share"),
        (N_("Median service time (minutes)"), t["service_median"], "minutes"),
        (N_("Served tickets rated"), t["rated_share"], "share"),
        (N_("Mean rating"), t["ratings"]["mean"], "mean"),
        (N_("Failed ticket prints"), t["print_failures"], "int"),
    ]
    return Table(
        "summary",
        N_("Summary"),
        (Column(N_("Figure"), "text"), Column(N_("Value"), "by_row")),
        [[gettext(label, lang), value] for label, value, _kind in rows],
        row_kinds=tuple(kind for _label, _value, kind in rows),
    )


def _daily(f: dict[str, Any], lang: str) -> Table:
    return Table(
        "daily",
        N_("Tickets per day"),
        (
            Column(N_("Day"), "when"),
            Column(N_("Issued")),
            Column(N_("Served")),
            Column(N_("No-shows")),
            Column(N_("Median wait (minutes)"), "minutes"),
        ),
        [[d["day"], d["issued"], d["served"], d["no_shows"], d["wait_median"]] for d in f["daily"]],
    )


def _arrivals(f: dict[str, Any], lang: str) -> Table:
    a = f["arrivals"]
    return Table(
        "arrivals",
        N_("Arrivals by weekday and hour"),
        (Column(N_("Weekday"), "text"), *(Column(f"{h:02d}:00", "int") for h in a["hours"])),
        [
            [gettext(WEEKDAY_NAMES[d], lang), *a["counts"][d]]
            for d in range(7)
            if any(a["counts"][d]) or d < 5
        ],
    )


def _waiting(f: dict[str, Any], lang: str) -> Table:
    return Table(
        "waiting",
        N_("Waiting time per service"),
        (
            _SERVICE,
            Column(N_("Called")),
            Column(N_("Median wait (minutes)"), "minutes"),
            Column(N_("Nine in ten waited at most (minutes)"), "minutes"),
            Column(N_("Waited longer than the target"), "share"),
        ),
        [
            [
                _named(s, lang),
                s["waits"],
                s["wait_median"],
                s["wait_p90"],
                s["wait_over_target_share"],
            ]
            for s in f["services"]
        ],
    )


def _service_time(f: dict[str, Any], lang: str) -> Table:
    rows = [
        [
            gettext("Service: {name}", lang).format(name=_named(s, lang)),
            s["services"],
            s["service_median"],
            s["service_p90"],
        ]
        for s in f["services"]
    ] + [
        [
            gettext("Counter: {name}", lang).format(name=_named(c, lang)),
            c["services"],
            c["service_median"],
            c["service_p90"],
        ]
        for c in f["counters"]
    ]
    return Table(
        "service_time",
        N_("Service time per service and counter"),
        (
            Column(N_("Service or counter"), "text"),
            Column(N_("Served")),
            Column(N_("Median service time (minutes)"), "minutes"),
            Column(N_("Nine in ten served within (minutes)"), "minutes"),
        ),
        rows,
    )


def _outcomes(f: dict[str, Any], lang: str) -> Table:
    return Table(
        "outcomes",
        N_("How tickets ended, per service"),
        (
            _SERVICE,
            Column(N_("Issued")),
            Column(N_("Served")),
            Column(N_("No-shows")),
            Column(N_("Recalls")),
            Column(N_("Transferred out")),
            Column(N_("Transferred in")),
            Column(N_("Still waiting when the day ended")),
        ),
        [
            [
                _named(s, lang),
                s["issued"],
                s["served"],
                s["no_shows"],
                s["recalls"],
                s["transferred_out"],
                s["transferred_in"],
                s["waiting_at_close"],
            ]
            for s in f["services"]
        ],
    )


def _counters(f: dict[str, Any], lang: str) -> Table:
    return Table(
        "counters",
        N_("Counters"),
        (
            _COUNTER,
            Column(N_("Called")),
            Column(N_("Served")),
            Column(N_("No-shows")),
            Column(N_("Recalls")),
            Column(N_("Transferred out")),
        ),
        [
            [
                _named(c, lang),
                c["legs"],
                c["served"],
                c["no_shows"],
                c["recalls"],
                c["transferred_out"],
            ]
            for c in f["counters"]
        ],
    )


def _priority(f: dict[str, Any], lang: str) -> Table:
    rows: list[list[Cell]] = [
        [_named(s, lang), s["issued"], s["priority"], s["priority_share"]] for s in f["services"]
    ]
    return Table(
        "priority",
        N_("Priority tickets per service"),
        (
            _SERVICE,
            Column(N_("Issued")),
            Column(N_("Priority")),
            Column(N_("Priority share"), "share"),
        ),
        rows,
    )


def _priority_reasons(f: dict[str, Any], lang: str) -> Table:
    return Table(
        "priority_reasons",
        N_("Priority reasons"),
        (Column(N_("Reason"), "text"), Column(N_("Tickets"))),
        [
            [_named(r, lang) if r["name"] else gettext("not given", lang), r["count"]]
            for r in f["priority_reasons"]
        ],
    )


def _transfers(f: dict[str, Any], lang: str) -> Table:
    return Table(
        "transfers",
        N_("Transfers"),
        (
            Column(N_("From service"), "text"),
            Column(N_("To service"), "text"),
            Column(N_("Tickets")),
        ),
        [
            [pick(t["from_name"], lang), pick(t["to_name"], lang), t["count"]]
            for t in f["transfers"]
        ],
    )


def _ratings(f: dict[str, Any], lang: str, scope: str) -> Table:
    levels = [pick(name, lang) for name in f["levels"]]
    items = f["services"] if scope == "services" else f["counters"]
    return Table(
        f"ratings_{scope}",
        N_("Ratings per service") if scope == "services" else N_("Ratings per counter"),
        (
            _SERVICE if scope == "services" else _COUNTER,
            Column(N_("Ratings")),
            Column(N_("Rated share of served"), "share"),
            *(Column(level, "share") for level in levels),
            Column(N_("Mean rating"), "mean"),
        ),
        [
            [
                _named(item, lang),
                item["ratings"]["count"],
                round(item["ratings"]["count"] / item["served"], 4) if item["served"] else None,
                *item["ratings"]["shares"],
                item["ratings"]["mean"],
            ]
            for item in items
        ],
    )


def _rating_reasons(f: dict[str, Any], lang: str) -> Table:
    return Table(
        "rating_reasons",
        N_("What citizens were unhappy about"),
        (Column(N_("Reason"), "text"), Column(N_("Ratings"))),
        [[pick(r["name"], lang), r["count"]] for r in f["rating_reasons"]],
    )


def _comments(f: dict[str, Any], lang: str) -> Table:
    return Table(
        "comments",
        N_("Citizens' comments, newest first"),
        (
            Column(N_("Time"), "when"),
            _SERVICE,
            _COUNTER,
            Column(N_("Score")),
            Column(N_("Satisfaction level"), "text"),
            Column(N_("Comment"), "text"),
        ),
        [
            [
                comment_time(c),
                pick(c["service_name"], lang) or c["service"],
                pick(c["counter_name"], lang) or (c["counter"] or ""),
                c["score"],
                comment_level(c, f["levels"], lang),
                c["comment"],
            ]
            for c in f.get("comments", [])
        ],
    )


def _kiosks(f: dict[str, Any], lang: str) -> Table:
    return Table(
        "kiosks",
        N_("Tickets per kiosk"),
        (Column(N_("Kiosk"), "text"), Column(N_("Issued")), Column(N_("Failed ticket prints"))),
        [[k["id"], k["issued"], k["print_failures"]] for k in f["kiosks"]],
    )


BUILDERS: tuple[tuple[str, Callable[[dict[str, Any], str], Table]], ...] = (
    ("summary", _summary),
    ("daily", _daily),
    ("arrivals", _arrivals),
    ("waiting", _waiting),
    ("service_time", _service_time),
    ("outcomes", _outcomes),
    ("counters", _counters),
    ("priority", _priority),
    ("priority_reasons", _priority_reasons),
    ("transfers", _transfers),
    ("ratings_services", lambda f, lang: _ratings(f, lang, "services")),
    ("ratings_counters", lambda f, lang: _ratings(f, lang, "counters")),
    ("rating_reasons", _rating_reasons),
    ("comments", _comments),
    ("kiosks", _kiosks),
)
TABLE_IDS = tuple(name for name, _build in BUILDERS)


def withdrawn_note(figures: dict[str, Any], lang: str) -> str:
    """The line under "How tickets ended, per service" naming each service's withdrawn
    numbers ("" when there are none). A line, not a column: the A4 page has no room
    for a ninth column with the longest service names, and most months have none."""
    parts = [
        # TRANSLATORS: one service and its count in a list; Khmer introduces with ៖
        gettext("{service}: {count}", lang, service=_named(s, lang), count=s["withdrawn"])
        for s in figures["services"]
        if s.get("withdrawn")
    ]
    if not parts:
        return ""
    return gettext(
        "Withdrawn by a kiosk (never shown, not in the table): {services}.",
        lang,
        services="; ".join(parts),
    )


def tables(figures: dict[str, Any], lang: str) -> dict[str, Table]:
    """Every table of the report, by id, in display order."""
    return {name: build(figures, lang) for name, build in BUILDERS}


def period_label(figures: dict[str, Any], lang: str) -> str:
    p = figures["period"]
    first, last = date.fromisoformat(p["start"]), date.fromisoformat(p["end"])
    if first == last:
        return first.strftime("%d/%m/%Y")
    return f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"
