"""The director's dashboard as HTML: charts drawn here as SVG, tables beside them.

Every word comes from the gettext catalogs; Jinja2 escapes every value (SVG
from :mod:`kiosk.reports.charts` escapes its own text and is marked safe).
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
from kiosk.reports.tables import WEEKDAY_NAMES, Table, period_label, shown, tables
from kiosk.server.pages import LANGUAGE_NAMES, environment
from kiosk.text import gettext, ngettext, pick
from kiosk.text.fonts import LANGUAGES

TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = environment(TEMPLATES)


def language(asked: str | None, cfg: Config) -> str:
    offered = [lang for lang in cfg.centre.languages if lang in LANGUAGES]
    return asked if asked in offered else "vi"


def _named(item: dict[str, Any], lang: str) -> str:
    return pick(item["name"], lang) if item.get("name") else str(item.get("id", ""))


def _minutes(value: float | None, lang: str) -> str:
    return "–" if value is None else gettext("{minutes} min", lang, minutes=f"{value:.1f}")


def _charts(f: dict[str, Any], lang: str) -> dict[str, Markup]:
    _ = lambda msgid, **v: gettext(msgid, lang, **v)  # noqa: E731 - a local shorthand
    target = f["target_wait_minutes"]
    daily = f["daily"]
    out = {
        "daily": charts.columns(
            _("Tickets per day"),
            [(date.fromisoformat(d["day"]).strftime("%d/%m"), d["issued"]) for d in daily],
            desc=_("Tickets issued each day of the period; the numbers are in the table."),
            every=max(1, len(daily) // 10),
        ),
        "arrivals": charts.heatmap(
            _("Arrivals by weekday and hour"),
            [_(name) for name in WEEKDAY_NAMES],
            [f"{h}h" for h in f["arrivals"]["hours"]],
            f["arrivals"]["counts"],
            desc=_("Darker cells: more tickets issued in that hour of that weekday."),
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
                (_named(s, lang), s["priority_share"], shown(s["priority_share"], "share", lang))
                for s in f["services"]
            ],
            desc=_("Share of each service's tickets that were priority tickets."),
        ),
        "kiosks": charts.bars(
            _("Tickets per kiosk"),
            [(k["id"], k["issued"], str(k["issued"])) for k in f["kiosks"]],
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
            title, rated, levels, desc=_("Share of each satisfaction level, most satisfied first.")
        )
    return {name: Markup(svg) for name, svg in out.items()}  # noqa: S704 - escaped in charts


def _rows(table: Table, lang: str) -> list[list[str]]:
    return [
        [shown(cell, table.kind(r, c), lang) for c, cell in enumerate(row)]
        for r, row in enumerate(table.rows)
    ]


def _periods(period: Period, lang: str) -> dict[str, Any]:
    first = date.fromisoformat(period["start"])
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
        "period_label": period_label(figures, lang),
        "figures": figures,
        "tables": {name: {"t": t, "rows": _rows(t, lang)} for name, t in built.items()},
        "charts": _charts(figures, lang),
        "live": live,
        "live_services": [(_named(s, lang), s["waiting"]) for s in live["services"]]
        if live
        else [],
        "query": query,
        "nav": _periods(period, lang),
        "languages": [
            {"code": code, "name": LANGUAGE_NAMES[code], "current": code == lang}
            for code in cfg.centre.languages
            if code in LANGUAGE_NAMES
        ],
        "target": figures["target_wait_minutes"],
        # What a table leaves out (the comments beyond the newest; the exports hold all).
        "more": {"comments": _more(figures["comments_total"] - len(figures["comments"]), lang)},
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
        languages=[
            {"code": code, "name": LANGUAGE_NAMES[code], "current": code == lang}
            for code in cfg.centre.languages
            if code in LANGUAGE_NAMES
        ],
    )


def forbidden(cfg: Config, lang: str) -> str:
    return _env.get_template("forbidden.html").render(
        lang=lang,
        _=lambda msgid, **v: gettext(msgid, lang, **v),
        centre=pick(cfg.centre.name, lang),
    )
