"""The director's dashboard as HTML: charts drawn here as SVG, tables beside them.

Every word comes from the gettext catalogs; Jinja2 escapes every value (SVG
from :mod:`kiosk.reports.charts` escapes its own text and is marked safe).
Every number, day and hour on the page (tables, charts, the live strip) is in the
reader's digits, as on the kiosk: Khmer digits in km (``native_digits``); names,
ids and comments are shown as typed. The exports keep numbers as numbers.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kiosk.config import Config
from kiosk.queue.report import MORE_COMMENTS
from kiosk.queue.stats import Period
from kiosk.reports import charts
from kiosk.reports.tables import (
    WEEKDAY_NAMES,
    Kind,
    Table,
    period_label,
    shown,
    tables,
    withdrawn_note,
)
from kiosk.server.pages import environment, language_switch
from kiosk.text import gettext, ngettext, pick
from kiosk.text.fonts import LANGUAGES
from kiosk.text.numbers import decimal_text, native_digits

TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = environment(TEMPLATES)


def language(asked: str | None, cfg: Config) -> str:
    offered = [lang for lang in cfg.centre.languages if lang in LANGUAGES]
    return asked if asked in offered else "vi"


def _named(item: dict[str, Any], lang: str) -> str:
    return pick(item["name"], lang) if item.get("name") else str(item.get("id", ""))


def _minutes(value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    return gettext("{minutes} min", lang, minutes=native_digits(decimal_text(value, 1, lang), lang))


def _hour(hour: int, lang: str) -> str:
    """A heatmap column: "21h" as Vietnamese write it; in km the 24-hour clock the
    kiosk and the phone page show ("២១:០០"), the form of the table's column."""
    return native_digits(f"{hour:02d}:00", lang) if lang == "km" else f"{hour}h"


def _charts(f: dict[str, Any], lang: str) -> dict[str, Markup]:
    _ = lambda msgid, **v: gettext(msgid, lang, **v)  # noqa: E731 - a local shorthand
    target = f["target_wait_minutes"]
    daily = f["daily"]
    out = {
        "daily": charts.columns(
            _("Tickets per day"),
            [
                (native_digits(date.fromisoformat(d["day"]).strftime("%d/%m"), lang), d["issued"])
                for d in daily
            ],
            desc=_("Tickets issued each day of the period; the numbers are in the table."),
            lang=lang,
            every=max(1, len(daily) // 10),
        ),
        "arrivals": charts.heatmap(
            _("Arrivals by weekday and hour"),
            [_(name) for name in WEEKDAY_NAMES],
            [_hour(h, lang) for h in f["arrivals"]["hours"]],
            f["arrivals"]["counts"],
            desc=_("Darker cells: more tickets issued in that hour of that weekday."),
            lang=lang,
        ),
        "waiting": charts.bars(
            _("Median wait per service"),
            [
                (_named(s, lang), s["wait_median"], _minutes(s["wait_median"], lang))
                for s in f["services"]
            ],
            desc=_(
                "Median minutes from taking a number to the first call; the dashed line is "
                "the target."
            ),
            marker=target,
            marker_label=_("Target: {minutes} min", minutes=target),
        ),
        "service_time": charts.bars(
            _("Median service time per counter"),
            [
                (_named(c, lang), c["service_median"], _minutes(c["service_median"], lang))
                for c in f["counters"]
            ],
            desc=_("Median minutes at the counter per served ticket."),
        ),
        "no_shows": charts.bars(
            _("No-shows and recalls per service"),
            [
                (
                    _named(s, lang),
                    s["no_shows"] + s["recalls"],
                    _(
                        "{no_shows} no-shows, {recalls} recalls",
                        no_shows=s["no_shows"],
                        recalls=s["recalls"],
                    ),
                )
                for s in f["services"]
            ],
            desc=_("Tickets called that did not come, and calls repeated."),
        ),
        "priority": charts.bars(
            _("Priority share per service"),
            [
                (_named(s, lang), s["priority_share"], _shown(s["priority_share"], "share", lang))
                for s in f["services"]
            ],
            desc=_("Share of each service's tickets that were priority tickets."),
        ),
        "kiosks": charts.bars(
            _("Tickets per kiosk"),
            [(k["id"], k["issued"], native_digits(str(k["issued"]), lang)) for k in f["kiosks"]],
            desc=_("Tickets issued at each kiosk."),
        ),
    }
    levels = [pick(name, lang) for name in f["levels"]]
    for scope, items in (("ratings_services", f["services"]), ("ratings_counters", f["counters"])):
        rated = [(_named(i, lang), i["ratings"]["shares"]) for i in items if i["ratings"]["count"]]
        title = (
            _("Ratings per service") if scope == "ratings_services" else _("Ratings per counter")
        )
        out[scope] = charts.stacked(
            title,
            rated,
            levels,
            desc=_("Share of each satisfaction level, most satisfied first."),
            lang=lang,
        )
    return {name: Markup(svg) for name, svg in out.items()}  # noqa: S704 - escaped in charts


def _shown(value: Any, kind: Kind, lang: str) -> str:
    """A table cell on the page: its number, day or time in the reader's digits."""
    text = shown(value, kind, lang)
    return text if kind == "text" else native_digits(text, lang)


def _rows(table: Table, lang: str) -> list[list[str]]:
    return [
        [_shown(cell, table.kind(r, c), lang) for c, cell in enumerate(row)]
        for r, row in enumerate(table.rows)
    ]


def live_shown(live: dict[str, Any], lang: str) -> dict[str, Any]:
    """Today's strip as the page writes it: the template's first values and each refresh."""
    longest = live["longest_wait_minutes"]
    return {
        "waiting": native_digits(str(live["waiting"]), lang),
        "longest": "–" if longest is None else gettext("{minutes} min", lang, minutes=int(longest)),
        "counters_open": native_digits(str(live["counters_open"]), lang),
        "counters_paused": native_digits(str(live["counters_paused"]), lang),
        "served": native_digits(str(live["served"]), lang),
        "services": [
            {"name": _named(s, lang), "waiting": native_digits(str(s["waiting"]), lang)}
            for s in live["services"]
        ],
    }


def _periods(period: Period, lang: str) -> dict[str, Any]:
    """The periods before and after: as many whole months when ``period`` is whole
    months (December steps to November, not to 31 October .. 30 November), else as
    many days."""
    first, last = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    months = _whole_months(first, last)
    if months:
        before = _add_months(first, -months)
        after = last + timedelta(days=1)
        return {
            "previous": {"from": before.isoformat(), "to": (first - timedelta(days=1)).isoformat()},
            "next": {
                "from": after.isoformat(),
                "to": (_add_months(after, months) - timedelta(days=1)).isoformat(),
            },
        }
    span = timedelta(days=period["days"])
    return {
        "previous": {
            "from": (first - span).isoformat(),
            "to": (first - timedelta(days=1)).isoformat(),
        },
        "next": {
            "from": (first + span).isoformat(),
            "to": (first + span * 2 - timedelta(days=1)).isoformat(),
        },
    }


def _add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after the month of ``day`` (a first)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _whole_months(first: date, last: date) -> int:
    """How many calendar months ``first`` .. ``last`` is exactly, or 0."""
    if first.day != 1 or (last + timedelta(days=1)).day != 1:
        return 0
    end = last + timedelta(days=1)
    return (end.year - first.year) * 12 + end.month - first.month


def _more(left_out: int, lang: str) -> str:
    return gettext(MORE_COMMENTS, lang, count=left_out) if left_out else ""


def page(
    template: str,
    cfg: Config,
    lang: str,
    figures: dict[str, Any],
    live: dict[str, Any] | None,
    query: dict[str, str],
) -> str:
    """The dashboard (``dashboard.html``) or the A4 monthly report (``print.html``)."""
    built = tables(figures, lang)
    period = figures["period"]
    ctx = {
        "lang": lang,
        "_": lambda msgid, **v: gettext(msgid, lang, **v),
        "ngettext": lambda s, p, n, **v: ngettext(s, p, n, lang, **v),
        "centre": pick(cfg.centre.name, lang),
        "period": period,
        "period_label": native_digits(period_label(figures, lang), lang),
        "figures": figures,
        "tables": {
            name: {
                "t": t,
                "head": [native_digits(h, lang) for h in t.header(lang)],
                "rows": _rows(t, lang),
            }
            for name, t in built.items()
        },
        "charts": _charts(figures, lang),
        "live": live_shown(live, lang) if live else None,
        "query": query,
        "nav": _periods(period, lang),
        "languages": language_switch(cfg.centre.languages, lang),
        "target": figures["target_wait_minutes"],
        # What a table leaves out (the comments beyond the newest; the exports hold all).
        "more": {"comments": _more(figures["comments_total"] - len(figures["comments"]), lang)},
        # What a table cannot hold as a column: a line under it.
        "notes": {"outcomes": withdrawn_note(figures, lang)},
    }
    return _env.get_template(template).render(ctx)


def sign_in(
    cfg: Config, lang: str, *, message: str | None = None, next_url: str = "/reports/"
) -> str:
    return _env.get_template("signin.html").render(
        lang=lang,
        _=lambda msgid, **v: gettext(msgid, lang, **v),
        centre=pick(cfg.centre.name, lang),
        message=message,
        next_url=next_url,
        has_pin=cfg.reports.admin_pin_hash is not None,
        languages=language_switch(cfg.centre.languages, lang),
    )


def forbidden(cfg: Config, lang: str) -> str:
    return _env.get_template("forbidden.html").render(
        lang=lang,
        _=lambda msgid, **v: gettext(msgid, lang, **v),
        centre=pick(cfg.centre.name, lang),
    )
